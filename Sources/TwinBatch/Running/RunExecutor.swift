import Foundation

/// Runs one planned run in this process: loads the scene with the run's seed and
/// parameters, steps it, and reduces each KPI's samples to one value.
public enum RunExecutor {
    public static func execute(_ run: PlannedRun, setup: RunSetup) -> RunResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let options = SceneLoadOptions(
            seed: run.seed, parameterOverrides: Dictionary(run.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { _, b in b }))
        let sim: Simulation
        if setup.isFork {
            // What-if from a saved state: restore it, apply this configuration's commands, run on.
            do {
                sim = try SceneLoader().restore(try Checkpoint.decode(setup.sceneBytes, file: setup.sceneFile))
                guard sim.commandQueue.enqueue(contentsOf: try ForkCommands.instantiate(setup.forkCommands, values: run.parameters)) else {
                    return .failed(run.id, "the fork's commands do not fit the command queue")
                }
            } catch {
                return .failed(run.id, "\(error)")
            }
        } else {
            do { sim = try SceneLoader().load(bytes: setup.sceneBytes, file: setup.sceneFile, options: options) } catch {
                return .failed(run.id, error.description)
            }
        }
        // A fork's warm-up counts from the saved state.
        let warmupEnd = sim.time + setup.warmup
        let forkStep = sim.stepCount
        let report = sim.run(RunLimits(duration: setup.duration))
        if setup.isFork, let rejected = sim.commandLog.first(where: { $0.step == forkStep && $0.rejection != nil }) {
            return .failed(run.id, "fork command rejected: \(rejected.rejection ?? "")")
        }
        let kpis = setup.kpis.map { k in KPIValue(name: k.name, value: value(k, sim.kpiSamples(k.name) ?? [], warmup: warmupEnd)) }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return RunResult(id: run.id, status: .ok, error: nil, kpis: kpis, steps: report.steps, stateHash: report.stateHashHex,
                         simulationSeconds: secs)
    }

    /// One number from a KPI's samples (times in s).
    static func value(_ k: KPISpec, _ samples: [(time: Double, value: Double)], warmup: Double) -> Double {
        guard let last = samples.last else { return .nan }
        switch k.statistic {
        case .final:
            return last.value
        case .mean:
            let kept = samples.filter { $0.time > warmup && $0.value.isFinite }
            return kept.isEmpty ? .nan : kept.reduce(0) { $0 + $1.value } / Double(kept.count)
        case .increase:
            let base = samples.last { $0.time <= warmup }?.value ?? 0
            return last.value - base
        }
    }
}
