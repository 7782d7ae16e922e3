import Foundation
import TwinBatch

/// `twin bench sweep`: what running a sweep through isolated worker processes costs
/// beyond the simulations themselves, and how it scales from 1 to 2 jobs.
///
/// - `overhead_per_run_ms`: (wall time of the sweep with 1 job − the workers' own
///   load-and-step time) / runs, on 40 runs of the M/M/1 validation scene (10⁴ s,
///   1250 steps, ≈ 10⁴ customers each); baseline: the same runs in this process, per run. Target ≤ 20 ms.
/// - `scaling_2_jobs`: wall time of 100 such runs with 1 job ÷ with 2 jobs; target ≥ 1.8
///   (needs two idle cores: other load on the machine lowers it).
///
/// Correctness after timing: every pooled run's state hash and KPIs equal the
/// in-process run's (a fast wrong answer fails).
public enum SweepSuite: BenchmarkSuite {
    public static let name = "sweep"
    public static let summary = "twin sweep worker-pool overhead per run and 1→2 job scaling (M/M/1 scene, release build)"

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let root = URL(fileURLWithPath: options.scenesDirectory).deletingLastPathComponent().path
        let text = """
            {"format": "twin-experiment/1", "name": "bench", "scene": "\(root)/validation/mm1-service-choice.json", "seed": 1,
             "parameters": {"serviceMean": {"values": [0.3, 0.5, 0.7, 0.9]}}, "replications": 25, "kpis": ["util", "L"], "duration": 10000}
            """
        let e: Experiment
        let scene: PreparedScene
        do {
            e = try ExperimentLoader.parse(text, file: "bench-experiment", directory: root)
            scene = try PreparedScene.prepare(e)
        } catch { throw BenchError("sweep bench experiment: \(error)") }
        let setup = RunSetup(experiment: e, scene: scene)
        let runs = RunPlan(e).runs
        let overheadRuns = Array(runs.prefix(options.quick ? 10 : 40))
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

        /// CPU seconds of finished (reaped) child processes so far.
        func childCPU() -> Double {
            var u = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &u)
            return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
        }
        func pooled(_ list: [PlannedRun], jobs: Int) -> (wall: Double, cpu: Double, results: [String: RunResult]) {
            let pool = WorkerPool(executable: executable, jobs: jobs, setup: setup, timeout: nil)
            var results: [String: RunResult] = [:]
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = childCPU()
            pool.execute(list) { run, r in results[run.id] = r; return true }
            return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, childCPU() - c0, results)
        }

        // In process: the simulations alone.
        let t0 = DispatchTime.now().uptimeNanoseconds
        var local: [String: RunResult] = [:]
        for r in overheadRuns { local[r.id] = RunExecutor.execute(r, setup: setup) }
        let inProcess = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(overheadRuns.count)

        let one = pooled(overheadRuns, jobs: 1)
        let simulated = one.results.values.reduce(0) { $0 + $1.simulationSeconds }
        let overhead = (one.wall - simulated) / Double(overheadRuns.count)
        log(String(format: "  %d runs: in process %.1f ms/run; pooled (1 job) %.1f ms/run of which simulation %.1f ms",
                   overheadRuns.count, inProcess * 1e3, one.wall / Double(overheadRuns.count) * 1e3, simulated / Double(overheadRuns.count) * 1e3))
        for (id, r) in one.results where !(local[id].map(r.hasSameOutcome) ?? false) { throw BenchError("run \(id) differs between the worker pool and in-process execution") }

        func loadAverage() -> String {
            ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
        }
        let scaleRuns = Array(runs.prefix(options.quick ? 20 : 100))
        let s1 = pooled(scaleRuns, jobs: 1), s2 = pooled(scaleRuns, jobs: 2)
        // CPU time shows whether a poor wall-clock ratio is the pool's doing or other load's.
        log(String(format: "  %d runs: 1 job %.2f s wall (workers %.2f CPU-s), 2 jobs %.2f s wall (workers %.2f CPU-s)",
                   scaleRuns.count, s1.wall, s1.cpu, s2.wall, s2.cpu))
        for (id, r) in s2.results where !(s1.results[id].map(r.hasSameOutcome) ?? false) { throw BenchError("run \(id) differs between 1 and 2 jobs") }
        guard s1.results.values.allSatisfy({ $0.status == .ok }) else { throw BenchError("a benchmark run failed") }

        return [
            BenchResult(suite: name, name: "overhead_per_run_ms", metric: "wall time per run beyond the simulation (1 job)", unit: "ms",
                        value: overhead * 1e3, baseline: inProcess * 1e3, target: 20,
                        note: "baseline: the run in process (ms); pooled results equal in-process ones"),
            BenchResult(suite: name, name: "scaling_2_jobs", metric: "wall(1 job) / wall(2 jobs), \(scaleRuns.count) runs", unit: "×",
                        value: s1.wall / s2.wall, baseline: 1, target: 1.8, higherIsBetter: true,
                        note: "\(ProcessInfo.processInfo.activeProcessorCount) cores, 1-min load average \(loadAverage()) after the runs; worker CPU 1 job \(String(format: "%.2f", s1.cpu)) s, 2 jobs \(String(format: "%.2f", s2.cpu)) s; results equal for 1 and 2 jobs"),
        ]
    }
}
