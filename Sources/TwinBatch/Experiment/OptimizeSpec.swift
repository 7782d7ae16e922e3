/// What `twin sweep optimize` searches for: the parameters (the experiment's
/// numeric axes, within their bounds) that minimise or maximise a weighted sum of
/// KPIs and parameter values, subject to bounds on KPIs.
///
/// ```json
/// "optimize": {
///   "goal": "minimize",
///   "objective": [{"kpi": "L", "weight": 1}, {"parameter": "serviceMean", "weight": -4}],
///   "constraints": [{"kpi": "util", "atMost": 0.95}],
///   "replications": 5, "maxEvaluations": 40, "start": {"serviceMean": 0.8}
/// }
/// ```
/// A parameter term prices a decision (a faster machine costs more); KPI terms
/// weigh outcomes. Each term's KPI value is the mean over the replications.
public struct OptimizeSpec: Codable, Sendable, Equatable {
    public enum Goal: String, Codable, Sendable { case minimize, maximize }

    public struct Term: Codable, Sendable, Equatable {
        public var kpi: String?
        public var parameter: String?
        public var weight: Double
    }

    public struct Constraint: Codable, Sendable, Equatable {
        public var kpi: String
        public var atMost: Double?
        public var atLeast: Double?
    }

    public var goal: Goal
    public var objective: [Term]
    public var constraints: [Constraint]?
    /// Replications per evaluated point (same seeds at every point: common random numbers).
    public var replications: Int?
    /// Points evaluated at most (each costs `replications` runs).
    public var maxEvaluations: Int?
    /// Where the search starts, by parameter name (default: the centre of the bounds).
    public var start: [String: Double]?
}
