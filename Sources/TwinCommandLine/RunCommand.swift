import ArgumentParser
import Foundation
import TwinRuntime

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a scene and write its outputs.")

    @Argument(help: "Scene file (twin-scene/1 JSON); omit with --from-state.") var scene: String?
    @Option(help: "Number of steps (overrides the scene's duration).") var steps: Int64?
    @Option(help: "Simulated seconds (overrides the scene's duration).") var duration: Double?
    @Option(help: "World seed (overrides world.seed).") var seed: UInt64?
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a scene parameter: name=value (repeatable).", valueName: "name=value"))
    var assignments: [String] = []
    @Option(help: "Output directory (default twin-out/<scene name>).") var out: String?
    @Option(help: "Worker threads for data-parallel systems (results do not depend on it).") var workers: Int = 1
    @Flag(help: "Record the state hash after every step (outputs.stateHashes).") var hashes = false
    @Flag(help: "Print one JSON object with the run summary.") var json = false
    @Option(help: ArgumentHelp("Record the run as one animated glTF (sampled every outputs.recordingInterval s, default 0.25).", valueName: "OUT.glb"))
    var record: String?
    @Option(help: ArgumentHelp("Write the final state as a checkpoint (twin-state/1) to continue or fork from.", valueName: "FILE"))
    var saveState: String?
    @Option(help: ArgumentHelp("Start from a checkpoint written by --save-state instead of a scene's initial state.", valueName: "FILE"))
    var fromState: String?

    func validate() throws {
        if (scene == nil) == (fromState == nil) { throw ValidationError("give a scene file or --from-state FILE (one of them)") }
        if fromState != nil && (seed != nil || !assignments.isEmpty) {
            throw ValidationError("--seed and --set do not apply to --from-state: the checkpoint fixes them")
        }
        if steps != nil && duration != nil { throw ValidationError("give --steps or --duration, not both") }
        if let s = steps, s < 0 { throw ValidationError("--steps must be ≥ 0") }
        if let d = duration, !(d >= 0 && d.isFinite) { throw ValidationError("--duration must be a finite number ≥ 0") }
        if workers < 1 || workers > 256 { throw ValidationError("--workers must be in 1...256") }
        _ = try Self.parseAssignments(assignments)
    }

    static func parseAssignments(_ list: [String]) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for a in list {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw ValidationError("--set expects name=value, got \"\(a)\"")
            }
            let name = String(a[..<eq]), text = String(a[a.index(after: eq)...])
            // JSON if it parses (numbers, true/false, "quoted"), otherwise a plain string.
            out[name] = (try? JSONParser.parse(text)) ?? .string(text)
        }
        return out
    }

    func run() throws {
        let sim = try load()
        sim.recordsStateHashes = hashes || sim.scene.outputs.stateHashes != nil
        var limits = RunLimits(steps: steps, duration: duration)
        if fromState != nil, steps == nil, duration == nil {
            // A continued run ends where the scene's duration ends, not a duration later.
            limits.steps = max(0, sim.plannedSteps(.init()) - sim.stepCount)
        }
        let planned = sim.plannedSteps(limits)
        let dir = out ?? "twin-out/\(Self.safeName(sim.scene.name))"
        let renders: RenderOutputs
        do { renders = try RenderOutputs(simulation: sim, directory: dir, recordTo: record) } catch {
            FileHandleOutput.standardError("twin run: \(error)")
            throw ExitCode(1)
        }
        renders.attach(to: sim)
        let bar = (!json && FileHandleOutput.stdoutIsTerminal) ? ProgressBar(total: planned) : nil
        var report = sim.run(limits, progress: bar.map { b in { done, _ in b.draw(done) } })
        bar?.finish()
        report.outputs += renders.finish(sim)
        for e in renders.errors { FileHandleOutput.standardError("twin run: cannot write \(e)") }
        do { report = try OutputWriter.write(sim, report: report, to: dir) } catch {
            FileHandleOutput.standardError("twin run: \(error)")
            throw ExitCode(1)
        }
        if let saveState {
            do {
                try sim.checkpoint().write(to: saveState)
                report.outputs.append(saveState)
            } catch {
                FileHandleOutput.standardError("twin run: cannot write \(saveState): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }
        if !renders.errors.isEmpty { throw ExitCode(1) }
        for fault in report.faults { FileHandleOutput.standardError("twin run: \(fault)") }
        if json {
            print(JSONWriter.string(report.json))
        } else {
            print("scene      \(report.scene) (\(report.file))")
            print("seed       \(report.seed)")
            print(String(format: "steps      %lld (%.3f s simulated, dt %.6g s), stopped by %@", report.steps, report.simulatedSeconds, sim.dt, report.stoppedBy))
            print("entities   \(report.entities)")
            print("stateHash  \(report.stateHashHex)")
            print(String(format: "wall       %.3f s (%.0f steps/s)", report.wallSeconds, report.wallSeconds > 0 ? Double(report.steps) / report.wallSeconds : 0))
            for k in report.kpis { print("kpi        \(k.name) = \(JSONWriter.formatNumber(k.value))") }
            for o in report.outputs { print("wrote      \(o)") }
        }
    }

    private func load() throws -> Simulation {
        if let fromState {
            do {
                let checkpoint = try Checkpoint.read(file: fromState)
                return try SceneLoader().restore(checkpoint, workers: workers)
            } catch let error as SceneError {
                for issue in error.issues { FileHandleOutput.standardError(issue.description) }
            } catch {
                FileHandleOutput.standardError("twin run: \(error)")
            }
            throw ExitCode(1)
        }
        let options = SceneLoadOptions(seed: seed, parameterOverrides: try Self.parseAssignments(assignments), workers: workers)
        do { return try SceneLoader().load(file: scene ?? "", options: options) } catch {
            for issue in error.issues { FileHandleOutput.standardError(issue.description) }
            throw ExitCode(1)
        }
    }

    static func safeName(_ s: String) -> String {
        let cleaned = String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return cleaned.isEmpty ? "scene" : cleaned
    }
}
