import ArgumentParser
import Foundation
import TwinBatch

/// Opens a results database read-only with the experiment it stores.
func openResults(_ path: String) throws -> (ResultStore, Experiment) {
    do {
        let store = try ResultStore(path: path, experiment: nil, mode: .read)
        guard let text = try store.experimentText() else { throw fail("twin sweep: \(path): holds no experiment (was it written by twin sweep?)") }
        var e = try ExperimentLoader.parse(text, file: path + "#experiment", directory: "/")
        if let scene = try store.metaValue("scene") { e.scenePath = scene }
        return (store, e)
    } catch let e as ResultStoreError {
        throw fail("twin sweep: \(e)")
    } catch let e as SceneError {
        throw fail("twin sweep: \(e)")
    }
}

struct SweepReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a self-contained HTML report (SVG charts, tables, comparisons) of a results database.")

    @Argument(help: "Results database.") var db: String
    @Option(help: "HTML file to write (default: the database name with .html).") var out: String?
    @Option(help: "Configuration the paired differences compare with.") var reference = 0
    @Option(help: ArgumentHelp("Add a PNG render of this configuration's first replication (repeatable).", valueName: "CONFIG")) var render: [Int] = []

    func run() throws {
        let (store, e) = try openResults(db)
        let runs: [StoredRun]
        do { runs = try store.runs() } catch { throw fail("twin sweep report: \(error)") }
        var report = SweepReport(title: e.name, description: e.description, analysis: SweepAnalysis(runs, kpis: e.kpis.map(\.name)), reference: reference)
        if !render.isEmpty {
            let scene: PreparedScene
            do { scene = try PreparedScene.prepare(e) } catch { throw fail("twin sweep report: cannot render: \(error)") }
            let plan = RunPlan(e)
            for c in render {
                guard plan.configurations.indices.contains(c) else {
                    throw fail("twin sweep report: --render \(c): configurations are 0...\(plan.configurations.count - 1)")
                }
                let run = plan.run(configuration: c, replication: 0)
                do {
                    let png = try ConfigurationRender.png(run, scene: scene, duration: e.duration)
                    let caption = "c\(c) (" + run.parameters.map { "\($0.name)=\(JSONWriter.string($0.value))" }.joined(separator: ", ") + "), replication 0, end of run"
                    report.renders.append((caption, png))
                } catch { throw fail("twin sweep report: render of c\(c) failed: \(error)") }
            }
        }
        let path = out ?? (db.hasSuffix(".sqlite") ? String(db.dropLast(7)) : db) + ".html"
        do { try Data(report.html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw fail("twin sweep report: cannot write \(path): \(error.localizedDescription)")
        }
        print("wrote \(path)")
    }
}

struct SweepExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a results database as CSV (one row per run) or JSON (runs and statistics).")

    @Argument(help: "Results database.") var db: String
    @Option(help: "csv or json.") var format = "csv"
    @Option(help: "File to write (default: standard output).") var out: String?

    func validate() throws {
        if format != "csv" && format != "json" { throw ValidationError("--format must be csv or json, got \"\(format)\"") }
    }

    func run() throws {
        let (store, e) = try openResults(db)
        let runs: [StoredRun]
        do { runs = try store.runs() } catch { throw fail("twin sweep export: \(error)") }
        let kpis = e.kpis.map(\.name)
        let text = format == "csv" ? ResultExport.csv(runs, kpis: kpis)
            : JSONWriter.string(ResultExport.json(runs, analysis: SweepAnalysis(runs, kpis: kpis)), style: .pretty) + "\n"
        if let out {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                throw fail("twin sweep export: cannot write \(out): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
    }
}

struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge shard databases of one experiment into one database.")

    @Option(help: "Merged database to write (created, or added to).") var out: String
    @Argument(help: "Shard databases.") var shards: [String]

    func validate() throws {
        if shards.isEmpty { throw ValidationError("name at least one shard database") }
    }

    func run() throws {
        var total = 0
        let (_, e) = try openResults(shards[0])
        let target: ResultStore
        do { target = try ResultStore(path: out, experiment: e, mode: .resume) } catch { throw fail("twin sweep merge: \(error)") }
        for s in shards {
            do {
                let n = try target.merge(try ResultStore(path: s, experiment: nil, mode: .read))
                total += n
                print("merged \(n) runs from \(s)")
            } catch { throw fail("twin sweep merge: \(error)") }
        }
        let stored = (try? target.storedIDs().count) ?? 0
        let planned = RunPlan(e).runs.count
        print("\(out): \(stored) runs (\(total) added); the experiment plans \(planned)\(stored < planned ? " — \(planned - stored) missing: run the missing shards or twin sweep --resume --db \(out)" : "")")
    }
}

struct SweepOptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Search the parameter space for the best objective under constraints (Nelder–Mead, replications per point).")

    @Argument(help: "Experiment file with an \"optimize\" section.") var experiment: String
    @OptionGroup var options: SweepRunOptions
    @Flag(help: "Continue an interrupted search in its database: stored runs are reused, only missing ones run.") var resume = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let (e, scene) = try loadExperiment(experiment, stateCache: { (options.db ?? RunCommand.safeName($0.name) + "-optimize.sqlite") + ".state.json" },
                                            token: options.serverToken)
        guard let spec = e.optimize else { throw fail("twin sweep optimize: \(experiment) has no \"optimize\" section") }
        let dbPath = options.db ?? RunCommand.safeName(e.name) + "-optimize.sqlite"
        let exists = FileManager.default.fileExists(atPath: dbPath)
        if exists && !resume { throw fail("twin sweep optimize: \(dbPath) exists; pass --resume to continue that search, or remove it, or pass another --db") }
        if !exists && resume { throw fail("twin sweep optimize: --resume: \(dbPath) does not exist") }
        let store: ResultStore
        let previous: [StoredRun]
        do {
            store = try ResultStore(path: dbPath, experiment: e, mode: resume ? .resume : .create)
            previous = resume ? try store.runs() : []
        } catch { throw fail("twin sweep optimize: \(error)") }
        let pool = WorkerPool(executable: SweepRunOptions.twinExecutable(), jobs: options.jobs, setup: RunSetup(experiment: e, scene: scene), timeout: e.timeout)
        var optimizer = SweepOptimizer(experiment: e, spec: spec, pool: pool, store: store, previous: previous)
        let best = optimizer.run()
        if let err = optimizer.storeError { throw fail("twin sweep optimize: \(err)") }
        guard let best, best.objective.isFinite else { throw fail("twin sweep optimize: no evaluation succeeded; see \(dbPath)") }
        let value = spec.goal == .maximize ? -best.objective : best.objective
        if json {
            print(JSONWriter.string(.object([
                ("objective", .number(value)), ("feasible", .bool(best.feasible)), ("evaluations", .number(Double(optimizer.evaluations.count))),
                ("reusedRuns", .number(Double(optimizer.reusedRuns))),
                ("parameters", .object(best.parameters.map { ($0.name, $0.value) })),
                ("kpis", .object(best.kpiMeans.sorted { $0.key < $1.key }.map { ($0.key, $0.value.isFinite ? .number($0.value) : .null) })),
                ("db", .string(dbPath)),
            ])))
        } else {
            print("best \(spec.goal.rawValue == "minimize" ? "minimum" : "maximum") \(JSONWriter.formatNumber(value))\(best.feasible ? "" : " (INFEASIBLE: no point met the constraints)") after \(optimizer.evaluations.count) evaluations")
            for p in best.parameters { print("  \(p.name) = \(JSONWriter.string(p.value))") }
            for (k, v) in best.kpiMeans.sorted(by: { $0.key < $1.key }) { print("  kpi \(k) = \(JSONWriter.formatNumber(v))") }
            print("runs in \(dbPath)")
        }
    }
}
