import Foundation

/// Mean, spread, a Student-t confidence interval and percentiles of a sample.
public struct Summary: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (n − 1 in the denominator); NaN for n < 2.
    public var standardDeviation: Double
    /// Half-width of the confidence interval for the mean; NaN for n < 2.
    public var halfWidth: Double
    public var confidence: Double
    public var min: Double
    public var max: Double
    public var p5: Double
    public var median: Double
    public var p95: Double

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }

    /// Summarises the finite values of `values` (NaN and ±∞ are runs that did not
    /// produce the KPI and are left out); nil when none is finite.
    public init?(_ values: [Double], confidence: Double = 0.95) {
        let x = values.filter(\.isFinite).sorted()
        guard let first = x.first, let last = x.last else { return nil }
        count = x.count
        self.confidence = confidence
        // Two-pass mean and variance: a single pass loses digits on KPIs like 1e6 ± 1.
        mean = x.reduce(0, +) / Double(count)
        let m = mean
        let ss = x.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        standardDeviation = count > 1 ? (ss / Double(count - 1)).squareRoot() : .nan
        halfWidth = count > 1
            ? StudentT.quantile(0.5 + confidence / 2, degreesOfFreedom: Double(count - 1)) * standardDeviation / Double(count).squareRoot()
            : .nan
        min = first; max = last
        p5 = Self.percentile(x, 0.05); median = Self.percentile(x, 0.5); p95 = Self.percentile(x, 0.95)
    }

    /// The q-quantile of sorted values by linear interpolation between order
    /// statistics (Hyndman & Fan type 7, the default of R and NumPy).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * q
        let i = Int(h.rounded(.down))
        guard i + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i])
    }
}

/// The difference of one configuration's KPI from a reference configuration's,
/// paired by replication.
///
/// Runs with the same replication index use the same seed in every configuration
/// (common random numbers), so the paired differences cancel the noise both share;
/// the interval is the Student-t interval of those differences (Law, *Simulation
/// Modeling and Analysis*, §10.2.1 "paired-t").
public struct PairedDifference: Sendable {
    public var pairs: Int
    public var summary: Summary?

    /// `values` and `reference` are KPI values by replication index.
    public init(_ values: [Int: Double], reference: [Int: Double], confidence: Double = 0.95) {
        let keys = values.keys.filter { reference[$0] != nil }.sorted()
        let d = keys.compactMap { k -> Double? in
            guard let a = values[k], let b = reference[k], a.isFinite, b.isFinite else { return nil }
            return a - b
        }
        pairs = d.count
        summary = Summary(d, confidence: confidence)
    }

    /// True when the interval excludes zero.
    public var isSignificant: Bool {
        guard let s = summary, s.halfWidth.isFinite else { return false }
        return s.lower > 0 || s.upper < 0
    }
}
