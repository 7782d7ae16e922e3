#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TwinCore

/// A non-negative random duration (s): processing, setup, inter-arrival, up and repair
/// times.
///
/// Scene form: a bare number is deterministic; otherwise an object with `dist`:
///
/// | `dist` | members | meaning |
/// |---|---|---|
/// | `deterministic` | `value` | always `value` |
/// | `exponential` | `mean` | Exp with that mean |
/// | `normal` | `mean`, `sd`, optional `min` (default 0), `max` | normal truncated to [min, max] (redrawn) |
/// | `lognormal` | `mean`, `sd` | lognormal with that mean and standard deviation of the value itself |
/// | `triangular` | `min`, `mode`, `max` | triangular |
/// | `uniform` | `min`, `max` | uniform |
/// | `empirical` | `values`, optional `weights` | one of `values`, with probability ∝ weight (default equal) |
public enum Distribution: Sendable, Hashable {
    case deterministic(Double)
    case exponential(mean: Double)
    case normal(mean: Double, sd: Double, min: Double, max: Double)
    case lognormal(mu: Double, sigma: Double)
    case triangular(min: Double, mode: Double, max: Double)
    case uniform(min: Double, max: Double)
    /// `cumulative` holds the running sums of the normalised weights.
    case empirical(values: [Double], cumulative: [Double])

    /// Mean of the distribution (of the truncated normal: approximated by `mean`).
    public var mean: Double {
        switch self {
        case .deterministic(let v): return v
        case .exponential(let m): return m
        case .normal(let m, _, _, _): return m
        case .lognormal(let mu, let s): return _exp(mu + s * s / 2)
        case .triangular(let a, let c, let b): return (a + b + c) / 3
        case .uniform(let a, let b): return (a + b) / 2
        case .empirical(let v, let c):
            var s = 0.0, prev = 0.0
            for (x, cum) in zip(v, c) { s += x * (cum - prev); prev = cum }
            return s
        }
    }

    /// One sample (≥ 0) from `random`.
    @inline(__always)
    public func sample(_ random: inout RandomStream) -> Double {
        switch self {
        case .deterministic(let v): return v
        case .exponential(let m): return -m * _log(1 - random.unitDouble())
        case .normal(let m, let sd, let lo, let hi):
            // Redraw outside [lo, hi]; validation guarantees the window has mass. After
            // 1000 misses the clamped value is used (never reached for sane inputs).
            for _ in 0..<1000 {
                let x = random.normal(mean: m, standardDeviation: sd)
                if x >= lo, x <= hi { return x }
            }
            return min(max(m, lo), hi)
        case .lognormal(let mu, let s): return _exp(random.normal(mean: mu, standardDeviation: s))
        case .triangular(let a, let c, let b):
            let u = random.unitDouble()
            let f = (c - a) / (b - a)
            return u < f ? a + _sqrt(u * (b - a) * (c - a)) : b - _sqrt((1 - u) * (b - a) * (b - c))
        case .uniform(let a, let b): return a + (b - a) * random.unitDouble()
        case .empirical(let v, let c):
            let u = random.unitDouble()
            var lo = 0, hi = c.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if c[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            return v[lo]
        }
    }

    static let kinds = ["deterministic", "exponential", "normal", "lognormal", "triangular", "uniform", "empirical"]

    /// Parses the scene form; errors name `path` and say what is wrong.
    static func parse(_ json: JSONValue, _ ctx: SceneSectionContext, _ path: [JSONPathComponent]) throws(JSONDecodingError) -> Distribution {
        func fail(_ message: String, _ at: JSONValue? = nil, _ extra: [JSONPathComponent] = []) -> JSONDecodingError {
            ctx.error(message, at: at ?? json, path: path + extra)
        }
        if let v = json.doubleValue {
            guard v.isFinite, v >= 0 else { throw fail("a time must be a finite number ≥ 0 s, got \(v)") }
            return .deterministic(v)
        }
        guard let members = json.members else {
            throw fail("expected a number (s) or a distribution object {\"dist\": …}, found \(json.kindDescription)")
        }
        guard let kind = json["dist"]?.stringValue else {
            throw fail("a distribution needs \"dist\": one of \(kinds.joined(separator: ", "))")
        }
        guard kinds.contains(kind) else {
            throw fail(Suggestions.unknownMessage(kind: "distribution", name: kind, known: kinds), json["dist"], [.key("dist")])
        }
        let allowed: [String] = switch kind {
        case "deterministic": ["value"]
        case "exponential": ["mean"]
        case "normal": ["mean", "sd", "min", "max"]
        case "lognormal": ["mean", "sd"]
        case "triangular": ["min", "mode", "max"]
        case "uniform": ["min", "max"]
        default: ["values", "weights"]
        }
        for m in members where m.key != "dist" && !allowed.contains(m.key) {
            throw fail(Suggestions.unknownMessage(kind: "member of a \(kind) distribution", name: m.key, known: allowed), m.value, [.key(m.key)])
        }
        func number(_ key: String, optional: Bool = false) throws(JSONDecodingError) -> Double? {
            guard let v = json[key] else {
                if optional { return nil }
                throw fail("a \(kind) distribution needs \"\(key)\"")
            }
            guard let d = v.doubleValue else { throw fail("\"\(key)\" must be a number, found \(v.kindDescription)", v, [.key(key)]) }
            guard d.isFinite else { throw fail("\"\(key)\" must be finite, got \(d)", v, [.key(key)]) }
            return d
        }
        func req(_ key: String) throws(JSONDecodingError) -> Double { try number(key) ?? 0 }
        switch kind {
        case "deterministic":
            let v = try req("value")
            guard v >= 0 else { throw fail("value must be ≥ 0 s, got \(v)", json["value"], [.key("value")]) }
            return .deterministic(v)
        case "exponential":
            let m = try req("mean")
            guard m > 0 else { throw fail("mean must be > 0 s, got \(m)", json["mean"], [.key("mean")]) }
            return .exponential(mean: m)
        case "normal":
            let m = try req("mean"), sd = try req("sd")
            let lo = try number("min", optional: true) ?? 0, hi = try number("max", optional: true) ?? .infinity
            guard sd >= 0 else { throw fail("sd must be ≥ 0, got \(sd)", json["sd"], [.key("sd")]) }
            guard lo >= 0 else { throw fail("min must be ≥ 0 s (times are never negative), got \(lo)", json["min"], [.key("min")]) }
            guard lo < hi else { throw fail("min must be < max", json["max"], [.key("max")]) }
            // The truncation window must hold some mass (within 6 sd of the mean).
            guard hi >= m - 6 * sd, lo <= m + 6 * sd, sd > 0 || (m >= lo && m <= hi) else {
                throw fail("the window [min, max] = [\(lo), \(hi)] holds (almost) no mass of normal(\(m), \(sd))")
            }
            return .normal(mean: m, sd: sd, min: lo, max: hi)
        case "lognormal":
            let m = try req("mean"), sd = try req("sd")
            guard m > 0 else { throw fail("mean must be > 0 s, got \(m)", json["mean"], [.key("mean")]) }
            guard sd >= 0 else { throw fail("sd must be ≥ 0, got \(sd)", json["sd"], [.key("sd")]) }
            let s2 = _log(1 + (sd * sd) / (m * m))
            return .lognormal(mu: _log(m) - s2 / 2, sigma: _sqrt(s2))
        case "triangular":
            let a = try req("min"), c = try req("mode"), b = try req("max")
            guard a >= 0 else { throw fail("min must be ≥ 0 s, got \(a)", json["min"], [.key("min")]) }
            guard a <= c, c <= b, a < b else { throw fail("need min ≤ mode ≤ max and min < max, got \(a), \(c), \(b)") }
            return .triangular(min: a, mode: c, max: b)
        case "uniform":
            let a = try req("min"), b = try req("max")
            guard a >= 0 else { throw fail("min must be ≥ 0 s, got \(a)", json["min"], [.key("min")]) }
            guard a <= b else { throw fail("min must be ≤ max, got \(a) > \(b)") }
            return .uniform(min: a, max: b)
        default:
            guard let vs = json["values"]?.elements, !vs.isEmpty else { throw fail("an empirical distribution needs a non-empty \"values\" array") }
            var values: [Double] = []
            for (i, v) in vs.enumerated() {
                guard let d = v.doubleValue, d.isFinite, d >= 0 else {
                    throw fail("values must be finite numbers ≥ 0 s", v, [.key("values"), .index(i)])
                }
                values.append(d)
            }
            var weights = [Double](repeating: 1, count: values.count)
            if let ws = json["weights"] {
                guard let arr = ws.elements, arr.count == values.count else {
                    throw fail("weights must be an array as long as values (\(values.count))", ws, [.key("weights")])
                }
                for (i, w) in arr.enumerated() {
                    guard let d = w.doubleValue, d.isFinite, d >= 0 else { throw fail("weights must be finite numbers ≥ 0", w, [.key("weights"), .index(i)]) }
                    weights[i] = d
                }
            }
            let total = weights.reduce(0, +)
            guard total > 0 else { throw fail("weights must not all be 0", json["weights"], [.key("weights")]) }
            var cum: [Double] = [], s = 0.0
            for w in weights { s += w / total; cum.append(s) }
            cum[cum.count - 1] = 1.0000000001
            return .empirical(values: values, cumulative: cum)
        }
    }
}

@inline(__always) func _exp(_ x: Double) -> Double { exp(x) }
