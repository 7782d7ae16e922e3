import TwinCore

/// A per-agent value drawn at spawn time (desired speed, radius, pre-movement time).
///
/// JSON: a number (fixed), `{"normal": {"mean": m, "sd": s, "min": a, "max": b}}`,
/// `{"uniform": [a, b]}`, `{"weidmann": {}}` (adult free walking speed,
/// N(1.34, 0.26) m/s truncated to [0.69, 1.99]), or `{"ageGroup": G}` with the RiMEA
/// (Weidmann) groups `under30`, `30to50`, `over50`, `impaired`, or
/// `{"age": A}` with the RiMEA 4.1.1 point ranges (20, 30, 40, 50, 60, 70 years).
enum Distribution: Sendable, Hashable {
    case fixed(Double)
    case normal(mean: Double, sd: Double, min: Double, max: Double)
    case uniform(Double, Double)

    /// Weidmann (1993): adult free walking speed, m/s.
    static let weidmann = Distribution.normal(mean: 1.34, sd: 0.26, min: 0.69, max: 1.99)

    /// RiMEA age groups (JuPedSim 0.8 test 7's Gaussians, clipped to RiMEA's ranges), m/s.
    static let ageGroups: [String: Distribution] = [
        "under30": .normal(mean: 1.095, sd: 0.2, min: 0.58, max: 1.61),
        "30to50": .normal(mean: 1.475, sd: 0.02, min: 1.41, max: 1.54),
        "over50": .normal(mean: 1.045, sd: 0.13, min: 0.68, max: 1.41),
        "impaired": .normal(mean: 0.61, sd: 0.05, min: 0.46, max: 0.76),
    ]

    /// RiMEA 4.1.1 test 7 speeds by age (Web-Based-JuPedSim reading), m/s.
    static let ages: [Int: Distribution] = [
        20: .uniform(1.60, 1.64), 30: .uniform(1.52, 1.56), 40: .uniform(1.46, 1.50),
        50: .uniform(1.39, 1.43), 60: .fixed(1.27), 70: .fixed(1.07),
    ]

    var range: ClosedRange<Double> {
        switch self {
        case .fixed(let v): return v...v
        case .normal(_, _, let lo, let hi): return lo...hi
        case .uniform(let a, let b): return a...b
        }
    }

    /// A draw; truncated normals by rejection (clamped after 64 tries).
    func sample(_ rng: inout RandomStream) -> Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let a, let b): return rng.uniform(a, b)
        case .normal(let m, let s, let lo, let hi):
            for _ in 0..<64 {
                let x = rng.normal(mean: m, standardDeviation: s)
                if x >= lo && x <= hi { return x }
            }
            return min(hi, max(lo, m))
        }
    }

    enum DecodeError: Error { case invalid(String) }

    /// Reads the JSON forms above; the message names what is wrong.
    static func decode(_ v: JSONValue) -> Result<Distribution, DecodeError> {
        if let d = v.doubleValue {
            return d.isFinite ? .success(.fixed(d)) : .failure(.invalid("expected a finite number"))
        }
        guard let members = v.members, members.count == 1 else {
            return .failure(.invalid("expected a number or one of {\"normal\": …}, {\"uniform\": [a, b]}, {\"weidmann\": {}}, {\"ageGroup\": …}, {\"age\": …}"))
        }
        let key = members[0].key, body = members[0].value
        switch key {
        case "weidmann": return .success(weidmann)
        case "uniform":
            guard let e = body.elements, e.count == 2, let a = e[0].doubleValue, let b = e[1].doubleValue,
                  a.isFinite, b.isFinite, a <= b else { return .failure(.invalid("uniform needs [min, max] with min ≤ max")) }
            return .success(.uniform(a, b))
        case "normal":
            guard let m = body["mean"]?.doubleValue, let s = body["sd"]?.doubleValue, m.isFinite, s.isFinite, s >= 0 else {
                return .failure(.invalid("normal needs finite \"mean\" and \"sd\" ≥ 0"))
            }
            if let extra = body.members?.first(where: { !["mean", "sd", "min", "max"].contains($0.key) }) {
                return .failure(.invalid("unknown key \"\(extra.key)\" in normal (known: mean, sd, min, max)"))
            }
            let lo = body["min"]?.doubleValue ?? m - 3 * s, hi = body["max"]?.doubleValue ?? m + 3 * s
            guard lo.isFinite, hi.isFinite, lo <= m, m <= hi else { return .failure(.invalid("normal needs min ≤ mean ≤ max")) }
            return .success(.normal(mean: m, sd: s, min: lo, max: hi))
        case "ageGroup":
            guard let g = body.stringValue, let d = ageGroups[g] else {
                return .failure(.invalid("ageGroup is one of \(ageGroups.keys.sorted().joined(separator: ", "))"))
            }
            return .success(d)
        case "age":
            guard let a = body.doubleValue, let d = ages[Int(a.rounded())], Double(Int(a.rounded())) == a else {
                return .failure(.invalid("age is one of \(ages.keys.sorted().map(String.init).joined(separator: ", "))"))
            }
            return .success(d)
        default:
            return .failure(.invalid("unknown distribution \"\(key)\" (known: normal, uniform, weidmann, ageGroup, age)"))
        }
    }
}
