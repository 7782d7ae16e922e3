import ArgumentParser
import Foundation
import TwinRender
import TwinRuntime

/// The options `twin export` and `twin render` share: a scene, its seed and parameters,
/// and the moment to show (`--at-step N` or `--at-time S`; default: the initial state).
struct SceneMoment: ParsableArguments {
    @Argument(help: "Scene file (twin-scene/1 JSON).") var scene: String
    @Option(name: .customLong("at-step"), help: "Show the world after this many steps.") var atStep: Int64?
    @Option(name: .customLong("at-time"), help: "Show the world at this simulated time, s (rounded to whole steps).")
    var atTime: Double?
    @Option(help: "World seed (overrides world.seed).") var seed: UInt64?
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a scene parameter: name=value (repeatable).", valueName: "name=value"))
    var assignments: [String] = []

    func validate() throws {
        if atStep != nil && atTime != nil { throw ValidationError("give --at-step or --at-time, not both") }
        if let s = atStep, s < 0 { throw ValidationError("--at-step must be ≥ 0") }
        if let t = atTime, !(t.isFinite && t >= 0) { throw ValidationError("--at-time must be a finite number of seconds ≥ 0") }
        _ = try RunCommand.parseAssignments(assignments)
    }

    /// Loads the scene; scene errors go to stderr and exit 1.
    func load() throws -> Simulation {
        let options = SceneLoadOptions(seed: seed, parameterOverrides: try RunCommand.parseAssignments(assignments))
        do { return try SceneLoader().load(file: scene, options: options) } catch {
            for issue in error.issues { FileHandleOutput.standardError(issue.description) }
            throw ExitCode(1)
        }
    }

    /// Steps to run before the snapshot.
    func steps(for sim: Simulation) -> Int64 {
        if let s = atStep { return s }
        if let t = atTime { return sim.plannedSteps(RunLimits(duration: t)) }
        return 0
    }

    /// Steps the simulation to the requested moment (stop conditions do not apply: the
    /// moment was asked for explicitly).
    func advance(_ sim: Simulation) {
        let n = steps(for: sim)
        var done: Int64 = 0
        while done < n { sim.step(); done += 1 }
    }
}

/// Reports a failure on stderr as `twin COMMAND: message` and exits 1.
func commandFailure(_ command: String, _ error: any Error) -> ExitCode {
    FileHandleOutput.standardError("twin \(command): \(error)")
    return ExitCode(1)
}

/// Writes bytes to a file, creating its directory.
func writeFile(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url, options: .atomic)
}
