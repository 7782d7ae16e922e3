import TwinRuntime

/// The recent values of a world's KPIs: the last `capacity` samples (one per step),
/// in a ring, so a long-running world's history costs constant memory.
public struct KPIHistory: Sendable {
    public struct Sample: Sendable {
        public var step: Int64
        public var time: Double
        public var values: [Double]
    }

    public private(set) var names: [String] = []
    private var ring: [Sample] = []
    private var next = 0
    public let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(step: Int64, time: Double, kpis: [(name: String, value: Double)]) {
        let names = kpis.map(\.name)
        if names != self.names { clear(); self.names = names }
        let s = Sample(step: step, time: time, values: kpis.map(\.value))
        if ring.count < capacity { ring.append(s) } else { ring[next] = s }
        next = (next + 1) % capacity
    }

    mutating func clear() { ring = []; next = 0; names = [] }

    /// Oldest first.
    public var samples: [Sample] {
        ring.count < capacity ? ring : Array(ring[next...] + ring[..<next])
    }

    /// `{"names": [...], "steps": [...], "times": [...], "values": {"kpi": [...]}}`, the
    /// last `limit` samples taken at or after `sinceStep`.
    func json(limit: Int, sinceStep: Int64) -> JSONValue {
        let picked = samples.filter { $0.step >= sinceStep }.suffix(limit)
        func num(_ d: Double) -> JSONValue { d.isFinite ? .number(d) : .null }
        return .object([
            ("names", .array(names.map { .string($0) })),
            ("steps", .array(picked.map { .number(Double($0.step)) })),
            ("times", .array(picked.map { num($0.time) })),
            ("values", .object(names.enumerated().map { i, n in (n, .array(picked.map { num($0.values[i]) })) })),
        ])
    }
}
