import Foundation
import Testing
@testable import TwinBatch

@Suite("Statistics: Student t, summaries, paired differences")
struct StatisticsTests {
    /// Two-sided 95 % and 99 % critical values from published tables (NIST/SEMATECH
    /// e-Handbook §1.3.6.7.2; Abramowitz & Stegun table 26.10), 9 significant digits.
    @Test("t quantiles match published tables to 1e-6",
          arguments: [
            (0.975, 1.0, 12.7062047), (0.975, 2.0, 4.30265273), (0.975, 3.0, 3.18244631), (0.975, 4.0, 2.77644511),
            (0.975, 5.0, 2.57058184), (0.975, 9.0, 2.26215716), (0.975, 10.0, 2.22813885), (0.975, 29.0, 2.04522964),
            (0.975, 30.0, 2.04227246), (0.975, 100.0, 1.98397152), (0.995, 4.0, 4.60409487), (0.995, 10.0, 3.16927267),
            (0.95, 7.0, 1.89457861), (0.9, 20.0, 1.32534071),
          ])
    func tQuantiles(p: Double, df: Double, expected: Double) {
        #expect(abs(StudentT.quantile(p, degreesOfFreedom: df) - expected) < 1e-6)
        #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: df) + expected) < 1e-6)
    }

    @Test("t CDF: symmetric, exact for ν = 1 (Cauchy: ½ + atan(t)/π) and ν = 2 (½ + t/(2√(2+t²))) to 1e-12")
    func tCDF() {
        for t in [-30.0, -3, -1, -0.2, 0, 0.5, 2, 7, 100] {
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: 1) - (0.5 + atan(t) / Double.pi)) < 1e-12)
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: 2) - (0.5 + t / (2 * (2 + t * t).squareRoot()))) < 1e-12)
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: 7) + StudentT.cdf(-t, degreesOfFreedom: 7) - 1) < 1e-12)
        }
        #expect(StudentT.quantile(0, degreesOfFreedom: 5).isNaN)
        #expect(StudentT.quantile(0.5, degreesOfFreedom: 0).isNaN)
    }

    @Test("large ν approaches the normal quantile 1.959963985 (ν = 10⁶, within 1e-5)")
    func normalLimit() {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1e6) - 1.959963985) < 1e-5)
    }

    @Test("summary of 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s = √(32/7), CI half-width t(0.975, 7)·s/√8, type-7 percentiles")
    func summary() throws {
        let s = try #require(Summary([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(s.count == 8)
        #expect(abs(s.mean - 5) < 1e-12)
        #expect(abs(s.standardDeviation - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(abs(s.halfWidth - 2.36462425 * (32.0 / 7).squareRoot() / 8.0.squareRoot()) < 1e-7)
        #expect(s.median == 4.5)
        #expect(abs(s.p5 - 2.7) < 1e-12)      // h = 7·0.05 = 0.35 → 2 + 0.35·(4 − 2)
        #expect(abs(s.p95 - 8.3) < 1e-12)     // h = 6.65 → 7 + 0.65·(9 − 7)
        #expect(s.min == 2 && s.max == 9)
    }

    @Test("NaN KPI values (runs without the KPI) are left out; one value gives no interval; none gives no summary")
    func summaryEdges() throws {
        let s = try #require(Summary([1, .nan, 3]))
        #expect(s.count == 2 && s.mean == 2)
        let one = try #require(Summary([4]))
        #expect(one.halfWidth.isNaN && one.standardDeviation.isNaN)
        #expect(Summary([.nan, .infinity]) == nil)
    }

    @Test("paired difference: shared noise cancels, so a 0.1 shift over noise of ±50 is significant")
    func pairedDifference() throws {
        var rng = RandomStream(seed: 9)
        var a: [Int: Double] = [:], b: [Int: Double] = [:]
        for r in 0..<10 {
            let shared = rng.uniform(-50.0, 50.0)
            a[r] = 100 + shared + 0.1 + rng.uniform(-0.01, 0.01)
            b[r] = 100 + shared
        }
        let d = PairedDifference(a, reference: b)
        #expect(d.pairs == 10)
        let s = try #require(d.summary)
        #expect(abs(s.mean - 0.1) < 0.01)
        #expect(d.isSignificant)
        // Unpaired, the same data could not tell the configurations apart.
        let ua = try #require(Summary(Array(a.values))), ub = try #require(Summary(Array(b.values)))
        #expect(ua.lower < ub.upper && ub.lower < ua.upper)
    }
}
