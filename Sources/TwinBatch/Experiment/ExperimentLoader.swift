import Foundation

/// Reads and checks a `twin-experiment/1` file. Every problem names the file, line,
/// column and JSON path; problems that need the scene (unknown parameters, values
/// outside the declared ranges, KPIs the scene does not measure) are checked
/// against the loaded scene.
public enum ExperimentLoader {
    /// Most runs an experiment may plan at all, even with `--yes`.
    public static let hardRunLimit = 10_000_000

    public static func load(file path: String) throws(SceneError) -> Experiment {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw SceneError([SceneIssue(file: path, location: .unknown, path: [], message: why)])
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(String(decoding: data, as: UTF8.self), file: path, directory: dir)
    }

    private struct Header: Codable {
        var format: String
        var name: String
        var description: String?
        var scene: String?
        var fromState: String?
        var commands: [JSONValue]?
        var seed: UInt64?
        var parameters: JSONValue?
        var design: DesignSpec?
        var replications: Int?
        var kpis: [JSONValue]
        var duration: Double?
        var warmup: Double?
        var stopWhen: [StopCondition]?
        var timeout: Double?
        var sequential: Experiment.SequentialSpec?
        var optimize: OptimizeSpec?
    }

    private struct DesignSpec: Codable {
        var kind: String
        var samples: Int?
    }

    private struct AxisSpec: Codable {
        var values: [JSONValue]?
        var from: Double?
        var to: Double?
        var step: Double?
        var count: Int?
    }

    public static func parse(_ text: String, file: String, directory: String) throws(SceneError) -> Experiment {
        var issues: [SceneIssue] = []
        func report(_ loc: SourceLocation, _ path: [JSONPathComponent], _ msg: String) {
            issues.append(SceneIssue(file: file, location: loc, path: path, message: msg))
        }
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch {
            throw SceneError([SceneIssue(file: file, location: error.location, path: [], message: "malformed JSON: " + error.message)])
        }
        let h: Header
        do { h = try JSONValueDecoder().decode(Header.self, from: root) } catch {
            throw SceneError([SceneIssue(file: file, location: error.location, path: error.path, message: error.message)])
        }
        if h.format != Experiment.format {
            report(root["format"]?.location ?? .unknown, [.key("format")], "expected \"\(Experiment.format)\", found \"\(h.format)\"")
        }
        let axes = parseAxes(h.parameters, report: report)
        let design: Experiment.Design
        switch (h.design?.kind ?? "grid", h.design?.samples) {
        case ("grid", nil): design = .grid
        case ("grid", _):
            report(root["design"]?.location ?? .unknown, [.key("design"), .key("samples")], "a grid takes no \"samples\": it runs every combination")
            design = .grid
        case ("latin-hypercube", let n?): design = .latinHypercube(samples: n)
        case ("random", let n?): design = .random(samples: n)
        case (let k, _) where k == "latin-hypercube" || k == "random":
            report(root["design"]?.location ?? .unknown, [.key("design"), .key("samples")], "\"\(k)\" needs \"samples\" (a count ≥ 1)")
            design = .grid
        case (let k, _):
            report(root["design"]?.location ?? .unknown, [.key("design"), .key("kind")],
                   Suggestions.unknownMessage(kind: "design", name: k, known: ["grid", "latin-hypercube", "random"]))
            design = .grid
        }
        switch design {
        case .latinHypercube(let n), .random(let n):
            if n < 1 { report(root["design"]?.location ?? .unknown, [.key("design"), .key("samples")], "samples must be ≥ 1, got \(n)") }
        case .grid: break
        }
        if case .grid = design {
            for (i, a) in axes.enumerated() where a.values == nil {
                report(.unknown, [.key("parameters"), .key(a.name)],
                       "a grid needs discrete values: give \"step\" or \"count\" with from/to, or \"values\" (axis \(i + 1))")
            }
        }
        let replications = h.replications ?? 1
        if replications < 1 { report(root["replications"]?.location ?? .unknown, [.key("replications")], "replications must be ≥ 1, got \(replications)") }
        var kpis: [KPISpec] = []
        for (i, k) in h.kpis.enumerated() {
            if let name = k.stringValue { kpis.append(KPISpec(name: name, statistic: .final)); continue }
            do { kpis.append(try JSONValueDecoder(basePath: [.key("kpis"), .index(i)]).decode(KPISpec.self, from: k)) } catch {
                report(error.location, error.path, error.message)
            }
        }
        for (i, k) in kpis.enumerated() where kpis[..<i].contains(where: { $0.name == k.name }) {
            report(h.kpis[i].location, [.key("kpis"), .index(i)], "KPI \"\(k.name)\" is listed twice (a run stores one value per KPI name)")
        }
        if kpis.isEmpty && issues.isEmpty { report(root["kpis"]?.location ?? .unknown, [.key("kpis")], "list at least one KPI to collect") }
        if let d = h.duration, !(d >= 0 && d.isFinite) { report(root["duration"]?.location ?? .unknown, [.key("duration")], "duration must be a finite number ≥ 0 s") }
        let warmup = h.warmup ?? 0
        if !(warmup >= 0 && warmup.isFinite) { report(root["warmup"]?.location ?? .unknown, [.key("warmup")], "warmup must be a finite number ≥ 0 s") }
        if let d = h.duration, warmup >= d, d > 0 { report(root["warmup"]?.location ?? .unknown, [.key("warmup")], "the warm-up (\(warmup) s) must be shorter than the run (\(d) s)") }
        if let t = h.timeout, !(t > 0 && t.isFinite) { report(root["timeout"]?.location ?? .unknown, [.key("timeout")], "timeout must be a positive number of seconds") }
        if let s = h.sequential {
            let loc = root["sequential"]?.location ?? .unknown
            if !(s.halfWidth > 0) { report(loc, [.key("sequential"), .key("halfWidth")], "halfWidth must be > 0") }
            if s.maxReplications < max(2, replications) { report(loc, [.key("sequential"), .key("maxReplications")], "maxReplications must be ≥ replications and ≥ 2") }
            if !kpis.contains(where: { $0.name == s.kpi }) { report(loc, [.key("sequential"), .key("kpi")], Suggestions.unknownMessage(kind: "KPI of this experiment", name: s.kpi, known: kpis.map(\.name))) }
        }
        if let o = h.optimize { checkOptimize(o, axes: axes, kpis: kpis, at: root["optimize"]?.location ?? .unknown, report: report) }
        if (h.scene == nil) == (h.fromState == nil) {
            report(root.location, [], "give \"scene\" (runs from the scene's start) or \"fromState\" (runs forked from a saved state), one of them")
        }
        if h.fromState != nil {
            if replications != 1 || h.sequential != nil {
                report(root["replications"]?.location ?? root.location, [.key("replications")],
                       "a fork from a saved state continues its random streams, so every replication would be the same run: use 1 replication")
            }
            if h.duration == nil { report(root.location, [.key("duration")], "a fork needs \"duration\": how far past the saved state to run, s") }
        } else if h.commands != nil {
            report(root["commands"]?.location ?? .unknown, [.key("commands")], "\"commands\" apply at the fork: they need \"fromState\"")
        }
        guard issues.isEmpty else { throw SceneError(issues) }
        // A live world's state on a server (`http://HOST/api/worlds/ID/state`) stays a URL:
        // `twin sweep` fetches it once (see `RemoteState`).
        func absolute(_ p: String) -> String {
            if Experiment.isRemote(p) || p.hasPrefix("/") { return p }
            return URL(fileURLWithPath: directory).appendingPathComponent(p).standardizedFileURL.path
        }
        return Experiment(
            name: h.name, description: h.description ?? "", scenePath: absolute(h.scene ?? h.fromState ?? ""), fromState: h.fromState.map(absolute),
            forkCommands: h.commands ?? [], seed: h.seed ?? 1, parameters: axes, design: design,
            replications: replications, kpis: kpis, duration: h.duration, warmup: warmup, stopWhen: h.stopWhen, timeout: h.timeout,
            sequential: h.sequential, optimize: h.optimize, sourceText: text)
    }

    private static func parseAxes(_ section: JSONValue?, report: (SourceLocation, [JSONPathComponent], String) -> Void) -> [ParameterAxis] {
        guard let section else { return [] }
        guard let members = section.members else {
            report(section.location, [.key("parameters")], "expected an object of parameter names, found \(section.kindDescription)")
            return []
        }
        var axes: [ParameterAxis] = []
        for m in members {
            let path: [JSONPathComponent] = [.key("parameters"), .key(m.key)]
            guard m.value.members != nil else {
                if m.value.elements != nil || m.value.isNull {
                    report(m.value.location, path, "expected a value or {\"values\": [...]} or {\"from\", \"to\", \"step\"|\"count\"}")
                } else {
                    axes.append(ParameterAxis(name: m.key, domain: .values([m.value])))
                }
                continue
            }
            let s: AxisSpec
            do { s = try JSONValueDecoder(basePath: path).decode(AxisSpec.self, from: m.value) } catch {
                report(error.location, error.path, error.message)
                continue
            }
            if let v = s.values {
                if s.from != nil || s.to != nil || s.step != nil || s.count != nil {
                    report(m.value.location, path, "give \"values\" or a range (from/to), not both")
                } else if v.isEmpty {
                    report(m.value.location, path + [.key("values")], "needs at least one value")
                } else if let bad = v.firstIndex(where: { $0.members != nil || $0.elements != nil || $0.isNull }) {
                    report(v[bad].location, path + [.key("values"), .index(bad)], "a value must be a number, a string or a boolean")
                } else {
                    axes.append(ParameterAxis(name: m.key, domain: .values(v)))
                }
                continue
            }
            guard let lo = s.from, let hi = s.to, lo.isFinite, hi.isFinite, lo <= hi else {
                report(m.value.location, path, "a range needs finite \"from\" ≤ \"to\"")
                continue
            }
            switch (s.step, s.count) {
            case (nil, nil):
                axes.append(ParameterAxis(name: m.key, domain: .interval(lower: lo, upper: hi)))
            case (let step?, nil):
                guard step > 0, step.isFinite, (hi - lo) / step < 1e6 else {
                    report(m.value.location, path + [.key("step")], "step must be > 0 and give at most 10⁶ values")
                    continue
                }
                // Values from + k·step (not repeated addition, which drifts); `to` counts when within 1e-9 steps.
                let n = Int(((hi - lo) / step + 1e-9).rounded(.down))
                axes.append(ParameterAxis(name: m.key, domain: .values((0...n).map { .number(tidy(lo + Double($0) * step)) })))
            case (nil, let count?):
                guard count >= 1, count <= 1_000_000 else {
                    report(m.value.location, path + [.key("count")], "count must be in 1...1000000")
                    continue
                }
                let values: [JSONValue] = count == 1 ? [.number(lo)]
                    : (0..<count).map { .number(tidy(lo + (hi - lo) * Double($0) / Double(count - 1))) }
                axes.append(ParameterAxis(name: m.key, domain: .values(values)))
            case (_?, _?):
                report(m.value.location, path, "give \"step\" or \"count\", not both")
            }
        }
        return axes
    }

    /// Rounds to 12 significant digits, so 0.1 + 2 × 0.1 is 0.3 in tables and `--set`.
    static func tidy(_ x: Double) -> Double { Double(String(format: "%.12g", x)) ?? x }

    private static func checkOptimize(
        _ o: OptimizeSpec, axes: [ParameterAxis], kpis: [KPISpec], at loc: SourceLocation,
        report: (SourceLocation, [JSONPathComponent], String) -> Void
    ) {
        let base: [JSONPathComponent] = [.key("optimize")]
        if o.objective.isEmpty { report(loc, base + [.key("objective")], "needs at least one term") }
        for (i, t) in o.objective.enumerated() {
            let p = base + [.key("objective"), .index(i)]
            switch (t.kpi, t.parameter) {
            case (let k?, nil):
                if !kpis.contains(where: { $0.name == k }) { report(loc, p + [.key("kpi")], Suggestions.unknownMessage(kind: "KPI of this experiment", name: k, known: kpis.map(\.name))) }
            case (nil, let n?):
                if !axes.contains(where: { $0.name == n }) { report(loc, p + [.key("parameter")], Suggestions.unknownMessage(kind: "parameter of this experiment", name: n, known: axes.map(\.name))) }
            default: report(loc, p, "a term names one \"kpi\" or one \"parameter\"")
            }
            if !t.weight.isFinite { report(loc, p + [.key("weight")], "weight must be finite") }
        }
        for (i, c) in (o.constraints ?? []).enumerated() {
            let p = base + [.key("constraints"), .index(i)]
            if !kpis.contains(where: { $0.name == c.kpi }) { report(loc, p + [.key("kpi")], Suggestions.unknownMessage(kind: "KPI of this experiment", name: c.kpi, known: kpis.map(\.name))) }
            if (c.atMost == nil) == (c.atLeast == nil) { report(loc, p, "give \"atMost\" or \"atLeast\" (one)") }
        }
        for (name, v) in (o.start ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let b = axes.first(where: { $0.name == name })?.bounds else {
                report(loc, base + [.key("start"), .key(name)], Suggestions.unknownMessage(kind: "numeric parameter of this experiment", name: name, known: axes.filter { $0.bounds != nil }.map(\.name)))
                continue
            }
            if !(v >= b.lower && v <= b.upper) { report(loc, base + [.key("start"), .key(name)], "start \(v) is outside the parameter's bounds \(b.lower)...\(b.upper)") }
        }
        if let r = o.replications, r < 1 { report(loc, base + [.key("replications")], "replications must be ≥ 1") }
        if let m = o.maxEvaluations, m < 1 || m > 100_000 { report(loc, base + [.key("maxEvaluations")], "maxEvaluations must be in 1...100000") }
        if !axes.contains(where: { $0.bounds != nil }) { report(loc, base, "optimisation needs at least one numeric parameter with bounds") }
    }
}
