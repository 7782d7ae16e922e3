/// Per-configuration statistics of stored runs, and paired comparisons with a
/// reference configuration.
public struct SweepAnalysis: Sendable {
    public struct Configuration: Sendable {
        public var index: Int
        public var parameters: [ParameterValue]
        public var ok: Int
        public var failed: Int
        /// By KPI name; a KPI with no finite value is absent.
        public var summaries: [String: Summary]
        /// KPI values by replication index (for paired comparisons).
        public var byReplication: [String: [Int: Double]]
    }

    public var kpis: [String]
    public var configurations: [Configuration]
    public var failures: [(id: String, error: String)]

    public init(_ runs: [StoredRun], kpis: [String], confidence: Double = 0.95) {
        self.kpis = kpis
        var grouped: [Int: [StoredRun]] = [:]
        for r in runs { grouped[r.configuration, default: []].append(r) }
        failures = runs.filter { $0.status == .failed }.map { ($0.id, $0.error ?? "failed") }
        configurations = grouped.keys.sorted().compactMap { c in
            guard let list = grouped[c], let first = list.first else { return nil }
            let ok = list.filter { $0.status == .ok }
            var summaries: [String: Summary] = [:]
            var byRep: [String: [Int: Double]] = [:]
            for k in kpis {
                var values: [Double] = []
                for r in ok {
                    guard let v = r.kpis.first(where: { $0.name == k })?.value else { continue }
                    values.append(v)
                    byRep[k, default: [:]][r.replication] = v
                }
                summaries[k] = Summary(values, confidence: confidence)
            }
            return Configuration(index: c, parameters: first.parameters, ok: ok.count, failed: list.count - ok.count,
                                 summaries: summaries, byReplication: byRep)
        }
    }

    /// Each configuration's KPI minus the reference configuration's, paired by replication.
    public func differences(kpi: String, reference: Int) -> [(configuration: Int, difference: PairedDifference)] {
        guard let ref = configurations.first(where: { $0.index == reference })?.byReplication[kpi] else { return [] }
        return configurations.filter { $0.index != reference }.map { c in
            (c.index, PairedDifference(c.byReplication[kpi] ?? [:], reference: ref))
        }
    }

    /// Parameters whose value differs between configurations, in file order.
    public var varyingParameters: [String] {
        guard let first = configurations.first else { return [] }
        return first.parameters.map(\.name).filter { name in
            Set(configurations.compactMap { c in c.parameters.first { $0.name == name }?.value.kind }).count > 1
        }
    }
}
