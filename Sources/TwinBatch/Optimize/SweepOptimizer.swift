import Foundation

/// `twin sweep optimize`: Nelder–Mead over the experiment's numeric parameters
/// (scaled to the unit box by their bounds), each point evaluated by
/// `replications` runs on the worker pool with the same seeds at every point
/// (common random numbers, so the search follows the parameters, not the noise).
///
/// The score is the weighted sum of KPI means and parameter values (negated to
/// maximise); a violated constraint adds 10⁶ × its violation, so any feasible point
/// beats any infeasible one of similar score. Numeric parameters are searched
/// continuously between their bounds (a list's smallest and largest value, or a
/// range's from/to); the search starts at `start` or at the centre of the box.
///
/// Resumable: the search is deterministic given the evaluations' results, so a run
/// given the runs an interrupted search already stored (`previous`) walks the same
/// points and reuses every stored run whose id, seed and parameters match, running
/// only what is missing; it ends where an uninterrupted search would.
public struct SweepOptimizer {
    public struct Evaluation: Sendable {
        public var index: Int
        public var parameters: [ParameterValue]
        public var kpiMeans: [String: Double]
        public var objective: Double
        public var feasible: Bool
        public var failedRuns: Int
    }

    public let experiment: Experiment
    public let spec: OptimizeSpec
    public let pool: WorkerPool
    public let store: ResultStore
    public private(set) var evaluations: [Evaluation] = []
    /// The store failed: the search stops.
    public private(set) var storeError: ResultStoreError?
    /// Runs stored by an earlier, interrupted search, by run id.
    let previous: [String: StoredRun]
    /// Runs taken from `previous` instead of being run again.
    public private(set) var reusedRuns = 0

    public init(experiment: Experiment, spec: OptimizeSpec, pool: WorkerPool, store: ResultStore, previous: [StoredRun] = []) {
        self.experiment = experiment; self.spec = spec; self.pool = pool; self.store = store
        self.previous = Dictionary(previous.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    var searchAxes: [ParameterAxis] { experiment.parameters.filter { a in a.bounds.map { $0.upper > $0.lower } ?? false } }

    public mutating func run() -> Evaluation? {
        let axes = searchAxes
        let nm = NelderMead(maxEvaluations: spec.maxEvaluations ?? 40)
        var cache: [[ParameterValue]: Double] = [:]
        let start = axes.map { a -> Double in
            guard let v = spec.start?[a.name], let b = a.bounds else { return 0.5 }
            return (v - b.lower) / (b.upper - b.lower)
        }
        _ = nm.minimize(start: start) { x in
            let params = parameters(at: x, axes: axes)
            if let v = cache[params] { return v }
            let e = evaluate(params)
            cache[params] = e.objective
            return e.objective
        }
        return best
    }

    public var best: Evaluation? {
        evaluations.min { a, b in a.feasible != b.feasible ? a.feasible : a.objective < b.objective }
    }

    func parameters(at x: [Double], axes: [ParameterAxis]) -> [ParameterValue] {
        experiment.parameters.map { axis in
            guard let i = axes.firstIndex(of: axis), let b = axis.bounds else {
                return ParameterValue(name: axis.name, value: axis.values?.first ?? .null)
            }
            return ParameterValue(name: axis.name, value: .number(b.lower + x[i] * (b.upper - b.lower)))
        }
    }

    mutating func evaluate(_ params: [ParameterValue]) -> Evaluation {
        let index = evaluations.count
        let reps = spec.replications ?? experiment.replications
        let runs = (0..<reps).map { r in
            PlannedRun(id: "e\(String(format: "%04d", index))-r\(String(format: "%03d", r))", configuration: index, replication: r,
                       seed: RunPlan.seed(experimentSeed: experiment.seed, replication: r), parameters: params)
        }
        var results: [(replication: Int, result: RunResult)] = []
        var missing: [PlannedRun] = []
        for run in runs {
            if let p = previous[run.id], p.seed == run.seed, p.parameters == run.parameters {
                results.append((run.replication, RunResult(id: p.id, status: p.status, error: p.error, kpis: p.kpis, steps: p.steps,
                                                           stateHash: p.stateHash, simulationSeconds: p.simulationSeconds)))
                reusedRuns += 1
            } else {
                missing.append(run)
            }
        }
        var storeError: ResultStoreError?
        let store = self.store
        pool.execute(missing) { run, result in
            results.append((run.replication, result))
            do throws(ResultStoreError) { try store.insert(StoredRun(run, result)) } catch { storeError = error; return false }
            return true
        }
        if let storeError { self.storeError = storeError }
        // In replication order, so the means (and the search) do not depend on which
        // worker finished first.
        let ordered = results.sorted { $0.replication < $1.replication }.map(\.result)
        var means: [String: Double] = [:]
        for k in experiment.kpis {
            let v = ordered.filter { $0.status == .ok }.compactMap { $0.kpis.first { $0.name == k.name }?.value }.filter(\.isFinite)
            means[k.name] = v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
        }
        var score = 0.0
        for t in spec.objective {
            if let k = t.kpi { score += t.weight * (means[k] ?? .nan) }
            if let p = t.parameter { score += t.weight * (params.first { $0.name == p }?.value.doubleValue ?? .nan) }
        }
        if spec.goal == .maximize { score = -score }
        var violation = 0.0
        for c in spec.constraints ?? [] {
            let m = means[c.kpi] ?? .nan
            guard m.isFinite else { violation += 1; continue }
            if let hi = c.atMost, m > hi { violation += m - hi }
            if let lo = c.atLeast, m < lo { violation += lo - m }
        }
        let failed = ordered.filter { $0.status == .failed }.count
        let objective = score.isFinite && failed < reps ? score + 1e6 * violation : .infinity
        let e = Evaluation(index: index, parameters: params, kpiMeans: means, objective: objective, feasible: violation == 0 && objective.isFinite,
                           failedRuns: failed)
        evaluations.append(e)
        return e
    }
}
