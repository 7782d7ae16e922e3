#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TwinCore

/// Intelligent Driver Model parameters (Treiber, Hennecke & Helbing 2000, Phys. Rev.
/// E 62:1805) plus the vehicle's size, class and lane-change (MOBIL) parameters.
///
/// Defaults (the built-in type `car`) are SUMO's published passenger-car values for
/// its IDM (accel 2.6 m/s², decel 4.5 m/s², tau 1 s, minGap 2.5 m, δ 4, 5 m long,
/// emergency decel 9 m/s²): with them the saturated discharge at a signal is 1813
/// veh/h/lane (textbook 1800–1900), where Treiber & Kesting's city set (a = 1, b = 1.5)
/// gives 1464. The desired speed is the lane's limit × speedFactor, capped by
/// `maxSpeed`. Presets by id: `treiber2000` (highway set of Treiber et al. 2000),
/// `city` (Treiber & Kesting 2013, table 11.2), `flow-ring` (Flow's ring values).
/// MOBIL defaults (Kesting, Treiber & Helbing 2007): politeness 0.2, threshold
/// 0.1 m/s², safe deceleration 4 m/s².
public struct VehicleType: Codable, Hashable, Sendable {
    public var id: String = "car"
    /// Vehicle class (`car`, `truck`, `bus`, `forklift`, `agv`, `bicycle`…); lanes may restrict classes.
    public var `class`: String = "car"
    /// Length, m (front to rear bumper).
    public var length: Float = 5
    /// Width, m.
    public var width: Float = 1.8
    /// Maximum (desired) speed v0 on an unlimited lane, m/s.
    public var maxSpeed: Float = 36.11
    /// Maximum acceleration a, m/s².
    public var accel: Float = 2.6
    /// Comfortable deceleration b, m/s².
    public var decel: Float = 4.5
    /// Hardest physically possible braking, m/s²; IDM decelerations are floored here.
    public var emergencyDecel: Float = 9
    /// Desired time headway T, s.
    public var timeHeadway: Float = 1.0
    /// Minimum standstill gap s0, m.
    public var minGap: Float = 2.5
    /// Acceleration exponent δ.
    public var delta: Float = 4
    /// Desired speed as a multiple of the lane limit.
    public var speedFactor: Float = 1
    /// MOBIL politeness p (0 selfish … 1 altruistic).
    public var politeness: Float = 0.2
    /// MOBIL switching threshold Δa_th, m/s².
    public var changeThreshold: Float = 0.1
    /// MOBIL safety limit b_safe: the new follower may not have to brake harder, m/s².
    public var safeDecel: Float = 4
    /// Items it carries at once at transfer stops (forklifts, AGVs).
    public var capacity: Int = 1

    public init() {}

    public init(id: String, accel: Float, decel: Float, timeHeadway: Float, minGap: Float, delta: Float = 4,
                length: Float = 5, maxSpeed: Float) {
        self.id = id; self.accel = accel; self.decel = decel; self.timeHeadway = timeHeadway; self.minGap = minGap
        self.delta = delta; self.length = length; self.maxSpeed = maxSpeed
    }

    /// Treiber et al. 2000 highway set: v0 120 km/h, T 1.6 s, a 0.73, b 1.67, s0 2 m, δ 4.
    public static let treiber2000 = VehicleType(id: "treiber2000", accel: 0.73, decel: 1.67, timeHeadway: 1.6, minGap: 2, maxSpeed: 120 / 3.6)
    /// Flow framework's IDMController defaults (ring benchmark): v0 30, T 1, a 1, b 1.5, s0 2.
    public static let ring = VehicleType(id: "flow-ring", accel: 1, decel: 1.5, timeHeadway: 1, minGap: 2, maxSpeed: 30)
    /// Treiber & Kesting 2013 (Traffic Flow Dynamics, table 11.2) city traffic: T 1 s, s0 2 m, a 1, b 1.5.
    public static let city = VehicleType(id: "city", accel: 1, decel: 1.5, timeHeadway: 1, minGap: 2, maxSpeed: 15)
    /// Built-in types every scene can name: `car` (default), `treiber2000`, `city`, `flow-ring`.
    public static let presets: [VehicleType] = [VehicleType(), .treiber2000, .city, .ring]

    enum CodingKeys: String, CodingKey {
        case id, `class`, length, width, maxSpeed, accel, decel, emergencyDecel, timeHeadway, minGap, delta, speedFactor
        case politeness, changeThreshold, safeDecel, capacity
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VehicleType()
        id = try c.decode(String.self, forKey: .id)
        `class` = try c.decodeIfPresent(String.self, forKey: .class) ?? d.class
        length = try c.decodeIfPresent(Float.self, forKey: .length) ?? d.length
        width = try c.decodeIfPresent(Float.self, forKey: .width) ?? d.width
        maxSpeed = try c.decodeIfPresent(Float.self, forKey: .maxSpeed) ?? d.maxSpeed
        accel = try c.decodeIfPresent(Float.self, forKey: .accel) ?? d.accel
        decel = try c.decodeIfPresent(Float.self, forKey: .decel) ?? d.decel
        emergencyDecel = try c.decodeIfPresent(Float.self, forKey: .emergencyDecel) ?? d.emergencyDecel
        timeHeadway = try c.decodeIfPresent(Float.self, forKey: .timeHeadway) ?? d.timeHeadway
        minGap = try c.decodeIfPresent(Float.self, forKey: .minGap) ?? d.minGap
        delta = try c.decodeIfPresent(Float.self, forKey: .delta) ?? d.delta
        speedFactor = try c.decodeIfPresent(Float.self, forKey: .speedFactor) ?? d.speedFactor
        politeness = try c.decodeIfPresent(Float.self, forKey: .politeness) ?? d.politeness
        changeThreshold = try c.decodeIfPresent(Float.self, forKey: .changeThreshold) ?? d.changeThreshold
        safeDecel = try c.decodeIfPresent(Float.self, forKey: .safeDecel) ?? d.safeDecel
        capacity = try c.decodeIfPresent(Int.self, forKey: .capacity) ?? d.capacity
    }

    /// The first member out of range, as (member, message).
    public func problem() -> (String, String)? {
        for (name, v) in [("length", length), ("width", width), ("maxSpeed", maxSpeed), ("accel", accel), ("decel", decel),
                          ("emergencyDecel", emergencyDecel), ("delta", delta), ("speedFactor", speedFactor)] {
            guard v.isFinite, v > 0 else { return (name, "\(name) must be a positive number, got \(v)") }
        }
        for (name, v) in [("timeHeadway", timeHeadway), ("minGap", minGap), ("politeness", politeness),
                          ("changeThreshold", changeThreshold), ("safeDecel", safeDecel)] {
            guard v.isFinite, v >= 0 else { return (name, "\(name) must be ≥ 0, got \(v)") }
        }
        if emergencyDecel < decel { return ("emergencyDecel", "emergencyDecel (\(emergencyDecel)) must be ≥ decel (\(decel))") }
        if capacity < 1 || capacity > 1_000_000 { return ("capacity", "capacity must be a whole number of items in 1…1000000, got \(capacity)") }
        if length > 100 { return ("length", "length must be ≤ 100 m, got \(length)") }
        return nil
    }
}

/// A vehicle type's numbers only (no strings), for the hot loops.
public struct IDMParams: Sendable {
    public var length: Float, width: Float, maxSpeed: Float, accel: Float, decel: Float, emergencyDecel: Float
    public var timeHeadway: Float, minGap: Float, delta: Float, speedFactor: Float
    public var politeness: Float, changeThreshold: Float, safeDecel: Float
    /// 2√(ab)
    public var twoSqrtAB: Float
    public var classBit: UInt64
}

extension VehicleType {
    public func params(classBit: UInt64 = .max) -> IDMParams {
        IDMParams(length: length, width: width, maxSpeed: maxSpeed, accel: accel, decel: decel, emergencyDecel: emergencyDecel,
                  timeHeadway: timeHeadway, minGap: minGap, delta: delta, speedFactor: speedFactor, politeness: politeness,
                  changeThreshold: changeThreshold, safeDecel: safeDecel, twoSqrtAB: 2 * (accel * decel).squareRoot(), classBit: classBit)
    }
}

/// The IDM formulas, in `Double` for analysis and in `Float` for the step.
public enum IDM {
    /// Desired gap s*(v, Δv), m.
    @inlinable @inline(__always)
    public static func desiredGap(_ t: IDMParams, v: Float, approach dv: Float) -> Float {
        t.minGap + max(0, v * t.timeHeadway + v * dv / t.twoSqrtAB)
    }

    /// IDM acceleration (see the `VehicleType` overload).
    @inlinable @inline(__always)
    public static func acceleration(_ t: IDMParams, v: Float, v0: Float, gap: Float, leaderSpeed: Float) -> Float {
        let free = freeTerm(v, v0, t.delta)
        guard gap < .infinity else { return max(-t.emergencyDecel, t.accel * free) }
        guard gap > 0 else { return -t.emergencyDecel }
        let r = desiredGap(t, v: v, approach: v - leaderSpeed) / gap
        return max(-t.emergencyDecel, t.accel * (free - r * r))
    }

    /// Desired gap s*(v, Δv) = s0 + max(0, vT + vΔv / (2√(ab))), m.
    public static func desiredGap(_ t: VehicleType, v: Float, approach dv: Float) -> Float {
        desiredGap(t.params(), v: v, approach: dv)
    }

    /// Free-road term 1 − (v/v0)^δ (δ = 4 without `pow`).
    @inlinable @inline(__always)
    static func freeTerm(_ v: Float, _ v0: Float, _ delta: Float) -> Float {
        let r = v / v0
        if delta == 4 { let r2 = r * r; return 1 - r2 * r2 }
        return 1 - powf(r, delta)
    }

    /// dv/dt = a [1 − (v/v0)^δ − (s*/s)²], m/s²; `gap` = .infinity for a free road.
    /// Floored at −emergencyDecel; a gap ≤ 0 gives −emergencyDecel.
    public static func acceleration(_ t: VehicleType, v: Float, v0: Float, gap: Float, leaderSpeed: Float) -> Float {
        acceleration(t.params(), v: v, v0: v0, gap: gap, leaderSpeed: leaderSpeed)
    }

    /// Equilibrium gap s_e(v) = (s0 + vT) / √(1 − (v/v0)^δ), m (∞ at v ≥ v0).
    public static func equilibriumGap(_ t: VehicleType, v: Double, v0: Double? = nil) -> Double {
        let v0 = v0 ?? Double(t.maxSpeed)
        let f = 1 - pow(v / v0, Double(t.delta))
        guard f > 0 else { return .infinity }
        return (Double(t.minGap) + v * Double(t.timeHeadway)) / f.squareRoot()
    }

    /// Equilibrium speed for a gap s (the inverse of `equilibriumGap`), m/s, by bisection to 1e-12.
    public static func equilibriumSpeed(_ t: VehicleType, gap: Double, v0: Double? = nil) -> Double {
        let v0 = v0 ?? Double(t.maxSpeed)
        guard gap > Double(t.minGap) else { return 0 }
        var lo = 0.0, hi = v0
        for _ in 0..<200 {
            let m = 0.5 * (lo + hi)
            if equilibriumGap(t, v: m, v0: v0) < gap { lo = m } else { hi = m }
            if hi - lo < 1e-13 { break }
        }
        return 0.5 * (lo + hi)
    }

    /// Maximum equilibrium flow Q = v/(s_e + l) over v (veh/s) and the speed where it occurs, by golden-section search.
    public static func capacity(_ t: VehicleType, v0: Double? = nil) -> (flow: Double, speed: Double) {
        let v0 = v0 ?? Double(t.maxSpeed)
        func q(_ v: Double) -> Double { v / (equilibriumGap(t, v: v, v0: v0) + Double(t.length)) }
        var a = 0.0, b = v0 * (1 - 1e-9)
        let g = (5.0.squareRoot() - 1) / 2
        var c = b - g * (b - a), d = a + g * (b - a)
        for _ in 0..<200 {
            if q(c) > q(d) { b = d } else { a = c }
            c = b - g * (b - a); d = a + g * (b - a)
        }
        let v = 0.5 * (a + b)
        return (q(v), v)
    }
}

