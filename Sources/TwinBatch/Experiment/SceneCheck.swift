import Foundation

/// The scene an experiment runs, as the workers receive it: its bytes (with the
/// experiment's stop conditions written in) and what it declares.
public struct PreparedScene: Sendable {
    public var file: String
    /// The scene's bytes, or for a fork the checkpoint file's.
    public var bytes: [UInt8]
    public var isCheckpoint = false
    public var parameters: [ParameterDefinition]
    public var kpiNames: [String]

    /// Loads the scene once, applies the experiment's `stopWhen`, and checks the
    /// experiment against it: every parameter declared, every value of the right
    /// kind and inside the declared range, every KPI measured by the scene.
    public static func prepare(_ e: Experiment) throws(SceneError) -> PreparedScene {
        if let state = e.fromState { return try prepareFork(e, state: state) }
        guard let data = FileManager.default.contents(atPath: e.scenePath) else {
            throw SceneError([SceneIssue(file: e.scenePath, location: .unknown, path: [], message: "scene: no such file (named by the experiment's \"scene\")")])
        }
        var bytes = [UInt8](data)
        if let stop = e.stopWhen, var root = try? JSONParser.parse(bytes) {
            var world = root["world"] ?? .object([])
            world.setMember("stopWhen", (try? JSONValueEncoder().encode(stop)) ?? .array([]))
            root.setMember("world", world)
            bytes = Array(JSONWriter.string(root).utf8)
        }
        let sim = try SceneLoader().load(bytes: bytes, file: e.scenePath)
        let prepared = PreparedScene(file: e.scenePath, bytes: bytes, parameters: sim.scene.parameters, kpiNames: sim.kpis.map(\.name))
        var issues: [SceneIssue] = []
        for axis in e.parameters {
            let path: [JSONPathComponent] = [.key("parameters"), .key(axis.name)]
            guard let def = prepared.parameters.first(where: { $0.name == axis.name }) else {
                issues.append(SceneIssue(file: "experiment", location: .unknown, path: path,
                    message: Suggestions.unknownMessage(kind: "parameter of scene \(sim.scene.name)", name: axis.name, known: prepared.parameters.map(\.name))))
                continue
            }
            if let msg = axis.problem(against: def) { issues.append(SceneIssue(file: "experiment", location: .unknown, path: path, message: msg)) }
        }
        for k in e.kpis where !prepared.kpiNames.contains(k.name) {
            issues.append(SceneIssue(file: "experiment", location: .unknown, path: [.key("kpis")],
                message: Suggestions.unknownMessage(kind: "KPI (a measurement of scene \(sim.scene.name))", name: k.name, known: prepared.kpiNames)))
        }
        guard issues.isEmpty else { throw SceneError(issues) }
        return prepared
    }
}

extension PreparedScene {
    /// A fork: restores the saved state once (proving it still replays), checks that
    /// the commands' placeholders and the parameters match, and that a first
    /// configuration's commands decode.
    static func prepareFork(_ e: Experiment, state: String) throws(SceneError) -> PreparedScene {
        func fail(_ message: String, _ path: [JSONPathComponent] = []) -> SceneError {
            SceneError([SceneIssue(file: "experiment", location: .unknown, path: path, message: message)])
        }
        guard let data = FileManager.default.contents(atPath: state) else { throw fail("fromState: no such file \(state)", [.key("fromState")]) }
        let sim: Simulation
        do { sim = try SceneLoader().restore(try Checkpoint.decode([UInt8](data), file: state)) } catch let error as SceneError {
            throw error
        } catch {
            throw fail("fromState: \(error)", [.key("fromState")])
        }
        let used = ForkCommands.referencedParameters(e.forkCommands)
        for axis in e.parameters where !used.contains(axis.name) {
            throw fail("a fork's parameters are placeholders in \"commands\"; \(axis.name) is used by none", [.key("parameters"), .key(axis.name)])
        }
        if let first = RunPlan(e).configurations.first { _ = try ForkCommands.instantiate(e.forkCommands, values: first) }
        let names = sim.kpis.map(\.name)
        for k in e.kpis where !names.contains(k.name) {
            throw fail(Suggestions.unknownMessage(kind: "KPI (a measurement of scene \(sim.scene.name))", name: k.name, known: names), [.key("kpis")])
        }
        return PreparedScene(file: state, bytes: [UInt8](data), isCheckpoint: true, parameters: [], kpiNames: names)
    }
}

extension ParameterAxis {
    func problem(against def: ParameterDefinition) -> String? {
        let unit = def.unit.map { " " + $0 } ?? ""
        func range(_ x: Double) -> String? {
            if let lo = def.min, x < lo { return "\(JSONWriter.formatNumber(x)) is below the scene's minimum \(JSONWriter.formatNumber(lo))\(unit)" }
            if let hi = def.max, x > hi { return "\(JSONWriter.formatNumber(x)) is above the scene's maximum \(JSONWriter.formatNumber(hi))\(unit)" }
            return nil
        }
        switch domain {
        case .interval(let lo, let hi):
            guard def.defaultValue.doubleValue != nil else { return "a range needs a numeric parameter; \(def.name) is \(def.defaultValue.kindDescription)" }
            return range(lo) ?? range(hi)
        case .values(let values):
            for v in values {
                switch (def.defaultValue.kind, v.kind) {
                case (.number, .number(let d)): if let m = range(d) { return m }
                case (.string, .string), (.bool, .bool): break
                default: return "\(JSONWriter.string(v)): expected \(def.defaultValue.kindDescription) like the scene's default"
                }
            }
            return nil
        }
    }
}
