/// What live data last said about an entity, next to what the simulation has now:
/// per bound field (`"MachineControl.forcedDown"`), the last reported value, its
/// source time, and an optional desired value an operator asked for. A dashboard
/// shows reported, desired and simulated (the component's current value) side by
/// side, and their difference. Written by the ingest bindings; `desired` is set
/// through the API like any other component member.
public struct LiveReported: DefaultComponent, DocumentedComponent, Hashable {
    public struct Field: Codable, Sendable, Hashable {
        /// The reported value in SI units (a point is x, y, z; a flag is 0/1; empty for text).
        public var value: [Double]
        /// The value as the source sent it (`"RUN"`, `"21.5"`).
        public var text: String
        /// Source timestamp, Unix s.
        public var time: Double
        /// Simulated time when it was applied, s.
        public var appliedAt: Double
        /// What an operator wants it to be; nil when nobody asked.
        public var desired: [Double]?

        public init(value: [Double] = [], text: String = "", time: Double = 0, appliedAt: Double = 0, desired: [Double]? = nil) {
            self.value = value; self.text = text; self.time = time; self.appliedAt = appliedAt; self.desired = desired
        }

        // Every member optional, so an API can set only `desired`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = try c.decodeIfPresent([Double].self, forKey: .value) ?? []
            text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
            time = try c.decodeIfPresent(Double.self, forKey: .time) ?? 0
            appliedAt = try c.decodeIfPresent(Double.self, forKey: .appliedAt) ?? 0
            desired = try c.decodeIfPresent([Double].self, forKey: .desired)
        }
    }

    /// By bound target, `Component.member`.
    public var fields: [String: Field]

    public init() { fields = [:] }

    public static let summary = "Last value live data reported per bound field (with its source time and an optional desired value), beside the simulated one."
    public static let fieldUnits = ["time": "s (Unix)", "appliedAt": "s"]

    public func hashState(into h: inout StableHasher) {
        for key in fields.keys.sorted() {
            guard let f = fields[key] else { continue }
            h.combine(key); h.combine(f.text); h.combine(f.time); h.combine(f.appliedAt)
            for v in f.value { h.combine(v) }
            h.combine(f.desired?.count ?? -1)
            for v in f.desired ?? [] { h.combine(v) }
        }
    }
}
