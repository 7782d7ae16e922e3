/// One parameter's value in a configuration. Equal when name and value are,
/// wherever the value was written.
public struct ParameterValue: Sendable, Hashable {
    public var name: String
    public var value: JSONValue
    public init(name: String, value: JSONValue) { self.name = name; self.value = value }

    public static func == (a: ParameterValue, b: ParameterValue) -> Bool { a.name == b.name && a.value.kind == b.value.kind }
    public func hash(into h: inout Hasher) { h.combine(name); h.combine(value.kind) }
}

/// One simulation run of an experiment: a configuration and a replication.
public struct PlannedRun: Sendable, Equatable {
    /// `c0007-r003`: stable across processes and machines, the results' primary key.
    public var id: String
    public var configuration: Int
    public var replication: Int
    public var seed: UInt64
    public var parameters: [ParameterValue]
}

/// The experiment's configurations (points of the parameter space) and runs.
///
/// ## Seeds: common random numbers
/// Replication r uses the same world seed in every configuration, derived from the
/// experiment seed and r alone. Each system's random stream derives from the world
/// seed, so two configurations see the same arrivals, failures and choices as far
/// as their parameters allow, and the difference between them is the effect of the
/// parameters rather than of luck (paired comparisons exploit this).
public struct RunPlan: Sendable {
    public let experiment: Experiment
    public let configurations: [[ParameterValue]]

    public init(_ experiment: Experiment) {
        self.experiment = experiment
        configurations = Self.points(experiment)
    }

    /// Configurations the design would produce, computed without building them
    /// (a grid of 10⁷ points is refused before it is enumerated).
    public static func configurationCount(_ e: Experiment) -> Double {
        switch e.design {
        case .grid: e.parameters.reduce(1.0) { $0 * Double($1.values?.count ?? 1) }
        case .latinHypercube(let n), .random(let n): Double(n)
        }
    }

    public static func runCount(_ e: Experiment) -> Double { configurationCount(e) * Double(e.replications) }

    public static func seed(experimentSeed: UInt64, replication: Int) -> UInt64 {
        var s = RandomStream(seed: experimentSeed).derived("replication-\(replication)")
        return s.next()
    }

    public static func runID(configuration c: Int, replication r: Int) -> String {
        func pad(_ i: Int, _ w: Int) -> String { let s = String(i); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "c\(pad(c, 4))-r\(pad(r, 3))"
    }

    public func run(configuration c: Int, replication r: Int) -> PlannedRun {
        PlannedRun(id: Self.runID(configuration: c, replication: r), configuration: c, replication: r,
                   seed: Self.seed(experimentSeed: experiment.seed, replication: r), parameters: configurations[c])
    }

    /// Every run of the base design, configuration-major.
    public var runs: [PlannedRun] {
        configurations.indices.flatMap { c in (0..<experiment.replications).map { run(configuration: c, replication: $0) } }
    }

    /// The runs shard `index` of `count` (1-based) owns: every `count`-th run, so
    /// shards get similar mixes of configurations.
    public static func shard(_ runs: [PlannedRun], index: Int, count: Int) -> [PlannedRun] {
        runs.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    private static func points(_ e: Experiment) -> [[ParameterValue]] {
        switch e.design {
        case .grid:
            var out: [[ParameterValue]] = [[]]
            for axis in e.parameters {
                let values = axis.values ?? []
                out = out.flatMap { prefix in values.map { prefix + [ParameterValue(name: axis.name, value: $0)] } }
            }
            return out
        case .random(let n):
            var rng = RandomStream(seed: e.seed).derived("design-random")
            return (0..<n).map { _ in e.parameters.map { ParameterValue(name: $0.name, value: $0.sample(unit: rng.unitDouble())) } }
        case .latinHypercube(let n):
            var rng = RandomStream(seed: e.seed).derived("design-latin-hypercube")
            let strata: [[Int]] = e.parameters.map { _ in
                var p = Array(0..<n)
                for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                return p
            }
            return (0..<n).map { i in
                e.parameters.enumerated().map { a, axis in
                    ParameterValue(name: axis.name, value: axis.sample(unit: (Double(strata[a][i]) + rng.unitDouble()) / Double(n)))
                }
            }
        }
    }
}

extension ParameterAxis {
    /// The value at position u ∈ [0, 1) of the domain: a point of an interval, or
    /// the list element whose equal share of [0, 1) holds u.
    func sample(unit u: Double) -> JSONValue {
        switch domain {
        case .interval(let lo, let hi): return .number(lo + (hi - lo) * u)
        case .values(let v): return v[min(v.count - 1, Int(u * Double(v.count)))]
        }
    }
}
