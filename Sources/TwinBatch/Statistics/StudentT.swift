import Foundation

/// Student's t distribution: the CDF through the regularized incomplete beta
/// function, and quantiles by inverting it.
///
/// ## Why not a table
/// Confidence intervals need t quantiles for any number of replications (a
/// sequential sweep may stop at 7 or at 143), so they are computed: the CDF is
/// `1 − ½·I_{ν/(ν+t²)}(ν/2, ½)` (Abramowitz & Stegun 26.7.1 with 26.5.27), the
/// incomplete beta is evaluated by its continued fraction (A&S 26.5.8) with the
/// modified Lentz method, and the quantile is found by bisection on a bracket
/// then Newton steps with the density. Accuracy is about 1e-12 for ν ≥ 1.
public enum StudentT {
    /// P(T ≤ t) for ν degrees of freedom (ν > 0).
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let x = nu / (nu + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
        return t > 0 ? 1 - tail : tail
    }

    /// Density of the t distribution.
    public static func pdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let logC = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
        return exp(logC - (nu + 1) / 2 * log1p(t * t / nu))
    }

    /// The t with P(T ≤ t) = p, for 0 < p < 1 and ν > 0; NaN outside.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        guard p > 0, p < 1, nu > 0 else { return .nan }
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        var lo = 0.0, hi = 1.0
        while cdf(hi, degreesOfFreedom: nu) < p { lo = hi; hi *= 2; if hi > 1e300 { return .infinity } }
        for _ in 0..<200 where hi - lo > 1e-10 * max(1, hi) {
            let mid = 0.5 * (lo + hi)
            if cdf(mid, degreesOfFreedom: nu) < p { lo = mid } else { hi = mid }
        }
        var t = 0.5 * (lo + hi)
        for _ in 0..<4 {
            let d = pdf(t, degreesOfFreedom: nu)
            guard d > 0 else { break }
            let next = t - (cdf(t, degreesOfFreedom: nu) - p) / d
            guard next > lo - 1e-9, next < hi + 1e-9 else { break }
            t = next
        }
        return t
    }

    /// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 ≤ x ≤ 1.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    /// A&S 26.5.8 evaluated with the modified Lentz method.
    static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...10_000 {
            let m = Double(m)
            // Even step.
            var num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            f *= d * c
            // Odd step.
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return f
    }
}
