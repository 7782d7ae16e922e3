/// Samples the scene's KPIs at their intervals and keeps the time series.
final class MeasurementRecorder {
    struct Series {
        let spec: MeasurementSpec
        let everySteps: Int64
        let with: [ComponentID]
        let without: [ComponentID]
        let component: String?
        let memberPath: [String]
        /// Only this entity (the spec's `entity`), when set.
        var entity: Entity? = nil
        var samples: [(step: Int64, time: Double, value: Double)] = []
    }

    private(set) var series: [Series]

    init(series: [Series]) { self.series = series }

    var latest: [(name: String, value: Double)] {
        series.compactMap { s in s.samples.last.map { (s.spec.name, $0.value) } }
    }

    func value(_ name: String) -> Double? { series.first { $0.spec.name == name }?.samples.last?.value }

    func sample(world: WorldReader, step: Int64, time: Double, force: Bool) {
        for i in series.indices where force || step % series[i].everySteps == 0 {
            series[i].samples.append((step, time, Self.measure(series[i], world)))
        }
    }

    static func measure(_ s: Series, _ world: WorldReader) -> Double {
        if s.spec.kind == .published { return world.resource(PluginReports.self)?.value(s.spec.name) ?? .nan }
        let ents: [Entity]
        if let one = s.entity {
            ents = world.isAlive(one) && world.entities(with: s.with, without: s.without).contains(one) ? [one] : []
        } else {
            ents = world.entities(with: s.with, without: s.without)
        }
        if s.spec.kind == .count { return Double(ents.count) }
        guard let component = s.component else { return .nan }
        var sum = 0.0, lo = Double.infinity, hi = -Double.infinity, n = 0
        for e in ents {
            guard let json = world.encodeComponent(named: component, of: e),
                  let v = numeric(json, s.memberPath) else { continue }
            sum += v; lo = min(lo, v); hi = max(hi, v); n += 1
        }
        switch s.spec.kind {
        case .count, .published: return Double(n)
        case .sum: return sum
        case .mean: return n > 0 ? sum / Double(n) : .nan
        case .min: return n > 0 ? lo : .nan
        case .max: return n > 0 ? hi : .nan
        }
    }

    /// A number at `path` inside `json`; a numeric array counts as its length (norm).
    /// Arrays are indexed by number or by `x`, `y`, `z`, `w` (vectors, quaternions).
    static func numeric(_ json: JSONValue, _ path: [String]) -> Double? {
        var v = json
        for k in path {
            if let a = v.elements {
                guard let i = Int(k) ?? ["x": 0, "y": 1, "z": 2, "w": 3][k], i >= 0, i < a.count else { return nil }
                v = a[i]
            } else {
                guard let n = v[k] else { return nil }
                v = n
            }
        }
        switch v.kind {
        case .number(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .array(let a):
            var s = 0.0
            for e in a { guard let d = e.doubleValue else { return nil }; s += d * d }
            return s.squareRoot()
        default: return nil
        }
    }

    /// The KPI table as CSV: `step,time,<name>…`, one row per sampling step.
    func csv() -> String {
        var rows: [Int64: (Double, [String: Double])] = [:]
        for s in series {
            for x in s.samples { rows[x.step, default: (x.time, [:])].1[s.spec.name] = x.value }
        }
        var out = "step,time," + series.map(\.spec.name).joined(separator: ",") + "\n"
        for step in rows.keys.sorted() {
            guard let (t, vals) = rows[step] else { continue }
            out += "\(step),\(JSONWriter.formatNumber(t))"
            for s in series { out += "," + (vals[s.spec.name].map { $0.isNaN ? "" : JSONWriter.formatNumber($0) } ?? "") }
            out += "\n"
        }
        return out
    }
}
