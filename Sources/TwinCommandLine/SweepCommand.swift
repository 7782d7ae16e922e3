import ArgumentParser
import Foundation
import TwinBatch

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "What-if experiments in batch: parameter sweeps, replications, statistics, reports, shards.",
        discussion: "Run: twin sweep Scenes/experiments/line-buffer-size.json   Report: twin sweep report line-buffer-size.sqlite",
        subcommands: [SweepRunCommand.self, SweepReportCommand.self, SweepExportCommand.self, SweepMergeCommand.self,
                      SweepOptimizeCommand.self, SweepSchemaCommand.self, SweepWorkerCommand.self],
        defaultSubcommand: SweepRunCommand.self)
}

/// Options every sweep subcommand that runs simulations shares.
struct SweepRunOptions: ParsableArguments {
    @Option(help: "Parallel worker processes (default: all cores).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: ArgumentHelp("Results database (default: <experiment name>.sqlite in the current directory).", valueName: "FILE")) var db: String?
    @Option(help: ArgumentHelp("Bearer token for a fromState on a twin server (default: $TWIN_TOKEN).", valueName: "SECRET"))
    var token: String?

    var serverToken: String? { token ?? ProcessInfo.processInfo.environment["TWIN_TOKEN"] }

    func validate() throws {
        if jobs < 1 || jobs > 1024 { throw ValidationError("--jobs must be in 1...1024") }
    }

    static func twinExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// Loads and checks an experiment. A `fromState` on a twin server is fetched into
/// `stateCache(experiment)` first (kept on `resume`).
func loadExperiment(_ file: String, stateCache: ((Experiment) -> String)? = nil, resume: Bool = false,
                    token: String? = nil) throws -> (Experiment, PreparedScene) {
    var e: Experiment
    do { e = try ExperimentLoader.load(file: file) } catch {
        for issue in error.issues { FileHandleOutput.standardError(issue.description) }
        throw ExitCode(1)
    }
    if let fromState = e.fromState, Experiment.isRemote(fromState) {
        guard let stateCache else { throw fail("twin sweep: fromState \(fromState) is a live world; run the sweep to fetch it") }
        do { try RemoteState.resolve(&e, cache: stateCache(e), resume: resume, token: token) } catch {
            throw fail("twin sweep: \(error)")
        }
    }
    do { return (e, try PreparedScene.prepare(e)) } catch {
        for issue in error.issues { FileHandleOutput.standardError(issue.description) }
        throw ExitCode(1)
    }
}

func fail(_ message: String) -> ExitCode {
    FileHandleOutput.standardError(message)
    return ExitCode(1)
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run an experiment's runs into a results database.")

    /// Runs above this need --yes.
    static let confirmLimit = 100_000

    @Argument(help: "Experiment file (twin-experiment/1 JSON).") var experiment: String
    @OptionGroup var options: SweepRunOptions
    @Flag(help: "Run only the runs not yet in the database.") var resume = false
    @Flag(help: "With --resume: run failed runs again too.") var retryFailed = false
    @Flag(help: "List the runs and exit.") var dryRun = false
    @Flag(help: "Allow more than \(SweepRunCommand.confirmLimit) runs.") var yes = false
    @Option(help: ArgumentHelp("Run only slice i of n (1-based), for cluster job arrays.", valueName: "i/n")) var shard: String?

    func validate() throws {
        if retryFailed && !resume { throw ValidationError("--retry-failed goes with --resume") }
        _ = try parsedShard()
    }

    func parsedShard() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw ValidationError("--shard expects i/n with 1 ≤ i ≤ n, got \"\(shard)\"")
        }
        return (i, n)
    }

    func databasePath(_ e: Experiment) -> String {
        options.db ?? RunCommand.safeName(e.name) + (shard.map { "-shard-" + $0.replacingOccurrences(of: "/", with: "of") } ?? "") + ".sqlite"
    }

    func run() throws {
        let (e, scene) = try loadExperiment(experiment, stateCache: { databasePath($0) + ".state.json" }, resume: resume,
                                            token: options.serverToken)
        let count = RunPlan.runCount(e)
        if count < 1 { throw fail("twin sweep: the experiment has no runs (an empty parameter list or design)") }
        if count > Double(ExperimentLoader.hardRunLimit) {
            throw fail("twin sweep: \(Int(count)) runs is more than the \(ExperimentLoader.hardRunLimit) a sweep can plan; split the experiment")
        }
        if count > Double(Self.confirmLimit) && !yes && !dryRun {
            throw fail("twin sweep: \(Int(count)) runs (more than \(Self.confirmLimit)); pass --yes to run them")
        }
        if e.sequential != nil && shard != nil {
            throw fail("twin sweep: a sequential experiment decides its replications from results; it cannot be sharded")
        }
        let plan = RunPlan(e)
        var runs = plan.runs
        if let s = try parsedShard() { runs = RunPlan.shard(runs, index: s.index, count: s.count) }
        if dryRun {
            print("experiment \(e.name): \(plan.configurations.count) configurations × \(e.replications) replications = \(plan.runs.count) runs\(shard.map { ", shard \($0): \(runs.count)" } ?? "")")
            for r in runs {
                print("\(r.id)  seed \(r.seed)  " + r.parameters.map { "\($0.name)=\(JSONWriter.string($0.value))" }.joined(separator: " "))
            }
            return
        }
        let dbPath = databasePath(e)
        let store: ResultStore
        do { store = try ResultStore(path: dbPath, experiment: e, mode: resume ? .resume : .create) } catch {
            throw fail("twin sweep: \(error)")
        }
        let sweepOptions = SweepOptions(jobs: options.jobs, shard: try parsedShard(), retryFailed: retryFailed, executable: SweepRunOptions.twinExecutable())
        let bar = FileHandleOutput.stdoutIsTerminal ? SweepProgressBar() : nil
        let outcome: SweepProgress
        do { outcome = try Sweep.run(plan, scene: scene, store: store, options: sweepOptions) { bar?.draw($0) } } catch {
            bar?.finish()
            throw fail("twin sweep: \(error)")
        }
        bar?.finish()
        print("sweep \(e.name): \(outcome.done) runs (\(outcome.failed) failed) in \(String(format: "%.1f", outcome.elapsed)) s → \(dbPath)")
        if outcome.failed > 0 {
            for f in SweepAnalysis((try? store.runs()) ?? [], kpis: []).failures.prefix(10) { FileHandleOutput.standardError("failed \(f.id): \(f.error)") }
        }
    }
}

/// Runs done, failed, runs/s and ETA on one line, redrawn in place.
struct SweepProgressBar {
    func draw(_ p: SweepProgress) {
        let width = 30
        let filled = p.total > 0 ? width * p.done / p.total : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = p.eta.isFinite ? String(format: "%.0f s", p.eta) : "?"
        let line = String(format: "\r%@ %d/%d runs  %d failed  %.2f runs/s  ETA %@ ", bar, p.done, p.total, p.failed, p.runsPerSecond, eta)
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
}

struct SweepWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Serve runs to a sweep over standard input/output (internal).", shouldDisplay: false)

    func run() throws {
        let code = BatchWorker.serve()
        if code != 0 { throw ExitCode(code) }
    }
}

struct SweepSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print the twin-experiment/1 JSON Schema.")
    func run() throws { print(ExperimentSchema.text) }
}
