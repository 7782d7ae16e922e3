/// Stored runs as CSV (one row per run) or JSON (runs, per-configuration
/// statistics, and paired differences from configuration 0).
public enum ResultExport {
    public static func csv(_ runs: [StoredRun], kpis: [String]) -> String {
        let params = parameterNames(runs)
        var out = (["id", "configuration", "replication", "seed", "status"] + params + kpis + ["steps", "stateHash", "simulationSeconds", "error"])
            .map(field).joined(separator: ",") + "\n"
        for r in runs {
            var row = [r.id, String(r.configuration), String(r.replication), String(r.seed), r.status.rawValue]
            row += params.map { p in r.parameters.first { $0.name == p }.map { $0.value.stringValue ?? JSONWriter.string($0.value) } ?? "" }
            row += kpis.map { k in r.kpis.first { $0.name == k }.flatMap { $0.value.isFinite ? JSONWriter.formatNumber($0.value) : nil } ?? "" }
            row += [String(r.steps), r.stateHash, JSONWriter.formatNumber(r.simulationSeconds), r.error ?? ""]
            out += row.map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func json(_ runs: [StoredRun], analysis: SweepAnalysis) -> JSONValue {
        func num(_ d: Double) -> JSONValue { d.isFinite ? .number(d) : .null }
        return .object([
            ("runs", .array(runs.map { r in
                .object([
                    ("id", .string(r.id)), ("configuration", .number(Double(r.configuration))), ("replication", .number(Double(r.replication))),
                    ("seed", .string(String(r.seed))), ("status", .string(r.status.rawValue)),
                    ("parameters", .object(r.parameters.map { ($0.name, $0.value) })),
                    ("kpis", .object(r.kpis.map { ($0.name, num($0.value)) })),
                    ("steps", .number(Double(r.steps))), ("stateHash", .string(r.stateHash)),
                    ("simulationSeconds", .number(r.simulationSeconds)), ("error", r.error.map { .string($0) } ?? .null),
                ])
            })),
            ("configurations", .array(analysis.configurations.map { c in
                .object([
                    ("configuration", .number(Double(c.index))), ("parameters", .object(c.parameters.map { ($0.name, $0.value) })),
                    ("ok", .number(Double(c.ok))), ("failed", .number(Double(c.failed))),
                    ("kpis", .object(analysis.kpis.compactMap { k in
                        c.summaries[k].map { s in
                            (k, JSONValue.object([
                                ("n", .number(Double(s.count))), ("mean", num(s.mean)), ("standardDeviation", num(s.standardDeviation)),
                                ("ciLower", num(s.lower)), ("ciUpper", num(s.upper)), ("p5", num(s.p5)), ("median", num(s.median)), ("p95", num(s.p95)),
                            ]))
                        }
                    })),
                ])
            })),
            ("differencesFromConfiguration0", .object(analysis.kpis.map { k in
                (k, JSONValue.array(analysis.differences(kpi: k, reference: 0).compactMap { d in
                    d.difference.summary.map { s in
                        .object([
                            ("configuration", .number(Double(d.configuration))), ("pairs", .number(Double(d.difference.pairs))),
                            ("mean", num(s.mean)), ("ciLower", num(s.lower)), ("ciUpper", num(s.upper)),
                            ("significant", .bool(d.difference.isSignificant)),
                        ])
                    }
                }))
            })),
        ])
    }

    static func parameterNames(_ runs: [StoredRun]) -> [String] {
        var seen: [String] = []
        for r in runs { for p in r.parameters where !seen.contains(p.name) { seen.append(p.name) } }
        return seen
    }

    /// RFC 4180 quoting where needed.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
