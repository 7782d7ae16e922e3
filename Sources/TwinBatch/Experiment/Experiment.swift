import Foundation

/// A what-if experiment, `twin-experiment/1`: a scene, a parameter space over the
/// scene's `parameters`, replications with seeds derived from the experiment seed,
/// the KPIs to collect and how long each run lasts.
///
/// ```json
/// {
///   "format": "twin-experiment/1",
///   "name": "dock-arrivals",
///   "scene": "../warehouse-arrivals.json",
///   "seed": 2026,
///   "parameters": { "arrivalRate": {"from": 0.4, "to": 1.6, "step": 0.4}, "beltSpeed": {"values": [0.6, 1.2]} },
///   "design": {"kind": "grid"},
///   "replications": 10,
///   "kpis": ["received", {"name": "onBelt", "statistic": "mean"}],
///   "duration": 120, "warmup": 20
/// }
/// ```
/// Paths are relative to the experiment file.
public struct Experiment: Sendable {
    public static let format = "twin-experiment/1"

    public var name: String
    public var description: String
    /// Absolute path of the scene file (for a fork, the checkpoint's scene).
    public var scenePath: String
    /// Fork: every run starts from this saved state (`twin run --save-state`)
    /// instead of the scene's initial state, applies `forkCommands` with the
    /// configuration's parameter values, and runs `duration` seconds on.
    public var fromState: String?
    /// A `fromState` that names a live world on a server rather than a file.
    public static func isRemote(_ path: String) -> Bool { path.hasPrefix("http://") || path.hasPrefix("https://") }
    /// World commands (`twin-state` command JSON) with `{"$param": name}` placeholders.
    public var forkCommands: [JSONValue]
    public var seed: UInt64
    /// In file order: the grid's first parameter varies slowest.
    public var parameters: [ParameterAxis]
    public var design: Design
    public var replications: Int
    public var kpis: [KPISpec]
    /// Run length; nil keeps the scene's.
    public var duration: Double?
    /// Seconds at the start of each run whose samples `mean` and `increase` KPIs ignore.
    public var warmup: Double
    /// Replaces the scene's `world.stopWhen` when given.
    public var stopWhen: [StopCondition]?
    /// Wall-clock seconds a run may take before its worker is killed and the run failed.
    public var timeout: Double?
    public var sequential: SequentialSpec?
    public var optimize: OptimizeSpec?
    /// The file's bytes: a results database remembers them so a resume or merge can
    /// refuse a changed experiment.
    public var sourceText: String

    public enum Design: Sendable, Equatable {
        /// Every combination of the parameters' values (full factorial).
        case grid
        /// `samples` points, each parameter's range cut into `samples` equal strata,
        /// one point per stratum, strata paired at random (McKay, Beckman & Conover 1979).
        case latinHypercube(samples: Int)
        /// `samples` independent uniform points.
        case random(samples: Int)
    }

    /// Stops adding replications to a configuration once the KPI's confidence
    /// interval half-width is at most `halfWidth` (or `maxReplications` ran).
    public struct SequentialSpec: Codable, Sendable, Equatable {
        public var kpi: String
        public var halfWidth: Double
        public var maxReplications: Int
    }

    /// A hash of the experiment text, stored with results.
    public var fingerprint: String {
        var h = StableHasher()
        h.combine(sourceText)
        return h.hexValue
    }
}

/// How a run's KPI value is taken from the KPI's samples.
public struct KPISpec: Sendable, Equatable, Codable {
    public enum Statistic: String, Sendable, Codable, CaseIterable {
        /// The last sample.
        case final
        /// The mean of the samples after the warm-up.
        case mean
        /// The last sample minus the last one at or before the end of the warm-up (counters).
        case increase
    }
    public var name: String
    public var statistic: Statistic
}

/// One parameter's values: a list, a range with a step or count, or (for sampled
/// designs and optimisation) a continuous interval.
public struct ParameterAxis: Sendable, Equatable {
    public var name: String
    public var domain: Domain

    public enum Domain: Sendable, Equatable {
        case values([JSONValue])
        case interval(lower: Double, upper: Double)
    }

    /// The discrete values, or nil for a continuous interval.
    public var values: [JSONValue]? { if case .values(let v) = domain { v } else { nil } }

    public var bounds: (lower: Double, upper: Double)? {
        switch domain {
        case .interval(let lo, let hi): return (lo, hi)
        case .values(let v):
            let d = v.compactMap(\.doubleValue)
            guard d.count == v.count, let lo = d.min(), let hi = d.max() else { return nil }
            return (lo, hi)
        }
    }
}
