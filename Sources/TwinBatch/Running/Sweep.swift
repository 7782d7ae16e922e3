import Foundation

/// Where a sweep stands, for the progress bar.
public struct SweepProgress: Sendable {
    public var total: Int
    public var done: Int
    public var failed: Int
    public var elapsed: Double
    public var runsPerSecond: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
    public var eta: Double { runsPerSecond > 0 ? Double(total - done) / runsPerSecond : .infinity }
}

public struct SweepOptions: Sendable {
    public var jobs: Int
    /// (index, count), 1-based: run only this deterministic slice.
    public var shard: (index: Int, count: Int)?
    /// Re-run runs stored as failed (resume otherwise keeps them).
    public var retryFailed: Bool
    /// The `twin` executable that serves `sweep worker`.
    public var executable: String
    public var environment: [String: String]?

    public init(jobs: Int, shard: (index: Int, count: Int)? = nil, retryFailed: Bool = false, executable: String, environment: [String: String]? = nil) {
        self.jobs = jobs; self.shard = shard; self.retryFailed = retryFailed; self.executable = executable; self.environment = environment
    }
}

/// Runs an experiment's missing runs on a worker pool into a results store; with a
/// `sequential` section, keeps adding replications to configurations whose KPI
/// interval is still wider than asked.
public enum Sweep {
    /// The runs of the plan (or of this shard) not yet in the store.
    public static func pending(_ plan: RunPlan, store: ResultStore, options: SweepOptions) throws(ResultStoreError) -> [PlannedRun] {
        var runs = plan.runs
        if let s = options.shard { runs = RunPlan.shard(runs, index: s.index, count: s.count) }
        let stored = try store.storedIDs(includeFailed: !options.retryFailed)
        return runs.filter { !stored.contains($0.id) }
    }

    public static func run(
        _ plan: RunPlan, scene: PreparedScene, store: ResultStore, options: SweepOptions,
        progress: @escaping (SweepProgress) -> Void = { _ in }
    ) throws(ResultStoreError) -> SweepProgress {
        let start = DispatchTime.now().uptimeNanoseconds
        let pool = WorkerPool(executable: options.executable, jobs: options.jobs, setup: RunSetup(experiment: plan.experiment, scene: scene),
                              timeout: plan.experiment.timeout)
        pool.environment = options.environment
        var state = SweepProgress(total: 0, done: 0, failed: 0, elapsed: 0)
        var batch = try pending(plan, store: store, options: options)
        while !batch.isEmpty {
            state.total += batch.count
            progress(state)
            var storeError: ResultStoreError?
            pool.execute(batch) { run, result in
                do throws(ResultStoreError) { try store.insert(StoredRun(run, result)) } catch {
                    storeError = error
                    return false
                }
                state.done += 1
                if result.status == .failed { state.failed += 1 }
                state.elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                progress(state)
                return true
            }
            if let storeError { throw storeError }
            batch = []
            if let seq = plan.experiment.sequential, options.shard == nil {
                batch = try moreReplications(plan, seq, store: store)
            }
        }
        return state
    }

    /// Runs to add so each configuration's interval for the sequential KPI shrinks
    /// to the target: n·(h/target)² replications in all (the half-width falls like
    /// 1/√n), at least one more, at most `maxReplications`.
    static func moreReplications(_ plan: RunPlan, _ seq: Experiment.SequentialSpec, store: ResultStore) throws(ResultStoreError) -> [PlannedRun] {
        let analysis = SweepAnalysis(try store.runs(), kpis: plan.experiment.kpis.map(\.name))
        var out: [PlannedRun] = []
        for c in plan.configurations.indices {
            let stored = analysis.configurations.first { $0.index == c }
            let n = stored.map { $0.ok + $0.failed } ?? 0
            guard n < seq.maxReplications else { continue }
            let h = stored?.summaries[seq.kpi]?.halfWidth ?? .infinity
            guard !(h <= seq.halfWidth) else { continue }
            let okCount = Double(max(stored?.ok ?? 0, 1))
            let want = h.isFinite ? Int((okCount * (h / seq.halfWidth) * (h / seq.halfWidth)).rounded(.up)) : n + 1
            let target = min(seq.maxReplications, max(n + 1, want))
            out += (n..<target).map { plan.run(configuration: c, replication: $0) }
        }
        return out
    }
}
