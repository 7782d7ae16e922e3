import Foundation

/// Writes a finished run's files into a directory.
public enum OutputWriter {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes the files the scene's `outputs` asks for; returns the report with the
    /// written paths filled in (the summary file lists them too).
    public static func write(_ sim: Simulation, report: RunReport, to directory: String) throws(WriteError) -> RunReport {
        let spec = sim.scene.outputs
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: directory, reason: error.localizedDescription)
        }
        var report = report
        func put(_ name: String, _ text: String) throws(WriteError) {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw WriteError(path: path, reason: error.localizedDescription)
            }
            report.outputs.append(path)
        }
        if let f = spec.kpis, !sim.measurements.series.isEmpty { try put(f, sim.measurements.csv()) }
        if spec.tables, let reports = sim.world.resource(PluginReports.self) {
            for t in reports.tables { try put("\(t.name).csv", csv(t)) }
        }
        if let f = spec.finalState { try put(f, JSONWriter.string(finalState(sim), style: .pretty) + "\n") }
        if let f = spec.stateHashes, sim.recordsStateHashes {
            var csv = "step,stateHash\n"
            for (i, h) in sim.stateHashes.enumerated() { csv += "\(i + 1),\(StableHasher.hex(h))\n" }
            try put(f, csv)
        }
        if let f = spec.summary {
            // The summary lists every output, itself included.
            let path = (directory as NSString).appendingPathComponent(f)
            report.outputs.append(path)
            do {
                try Data((JSONWriter.string(report.json, style: .pretty) + "\n").utf8)
                    .write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw WriteError(path: path, reason: error.localizedDescription)
            }
        }
        return report
    }

    /// A published table as CSV: a header of its columns, one line per row.
    static func csv(_ t: PluginReports.Table) -> String {
        var out = t.columns.joined(separator: ",") + "\n"
        for row in t.rows {
            out += row.map { $0.isNaN ? "" : JSONWriter.formatNumber($0) }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Every live entity with its components by name (slot order).
    public static func finalState(_ sim: Simulation) -> JSONValue {
        let w = sim.world
        let entities: [JSONValue] = w.entities.map { e in
            .object([
                ("id", .number(Double(e.id))),
                ("components", .object(w.encodeComponents(of: e).map { ($0.name, $0.value) })),
            ])
        }
        return .object([
            ("scene", .string(sim.scene.name)), ("step", .number(Double(sim.stepCount))), ("time", .number(sim.time)),
            ("stateHash", .string(StableHasher.hex(w.stateHash()))), ("entities", .array(entities)),
        ])
    }
}
