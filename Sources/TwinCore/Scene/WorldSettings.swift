/// The scene's `world` section.
///
/// `dt` defaults to 1/64 s: exactly representable in binary (so `step × dt` is exact
/// for any step count below 2^46), fine enough for walking and driving, and the
/// same default as Bevy's fixed timestep. Physics-heavy scenes sub-step inside their
/// systems instead of shrinking `dt`.
public struct WorldSettings: Codable, Sendable, Hashable {
    /// Fixed timestep, s. Must be in (0, 10].
    public var dt: Double
    /// Default run length, s (the CLI's `--steps`/`--duration` override it).
    public var duration: Double
    /// World seed; every system's random stream derives from it.
    public var seed: UInt64
    /// Gravity for systems that use it, m/s².
    public var gravity: Vec3
    /// The run ends early when any of these holds (checked after each step).
    public var stopWhen: [StopCondition]
    /// Most live entities the world may hold; spawners stop at it and scene entity
    /// counts may not exceed it, so no scene can exhaust memory by accident.
    public var maxEntities: Int

    public static let defaultMaxEntities = 10_000_000

    public init(
        dt: Double = 1.0 / 64, duration: Double = 60, seed: UInt64 = 1, gravity: Vec3 = Vec3(0, -9.81, 0),
        stopWhen: [StopCondition] = [], maxEntities: Int = WorldSettings.defaultMaxEntities
    ) {
        self.dt = dt; self.duration = duration; self.seed = seed; self.gravity = gravity; self.stopWhen = stopWhen
        self.maxEntities = maxEntities
    }

    public init() { self.init(dt: 1.0 / 64) }

    /// Whole steps in `seconds` (rounded; saturating instead of overflowing).
    public func steps(for seconds: Double) -> Int64 {
        let x = (seconds / dt).rounded()
        guard x.isFinite else { return x > 0 ? .max : 0 }
        return x >= 9.0e18 ? .max : max(0, Int64(x))
    }

    enum CodingKeys: String, CodingKey { case dt, duration, seed, gravity, stopWhen, maxEntities }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WorldSettings()
        dt = try c.decodeIfPresent(Double.self, forKey: .dt) ?? d.dt
        duration = try c.decodeIfPresent(Double.self, forKey: .duration) ?? d.duration
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        gravity = try c.decodeIfPresent(Vec3.self, forKey: .gravity) ?? d.gravity
        stopWhen = try c.decodeIfPresent([StopCondition].self, forKey: .stopWhen) ?? []
        maxEntities = try c.decodeIfPresent(Int.self, forKey: .maxEntities) ?? d.maxEntities
        guard maxEntities >= 0, maxEntities <= 100_000_000 else {
            throw DecodingError.dataCorruptedError(
                forKey: .maxEntities, in: c, debugDescription: "maxEntities must be in 0...100000000, got \(maxEntities)")
        }
        guard dt > 0, dt <= 10 else {
            throw DecodingError.dataCorruptedError(forKey: .dt, in: c, debugDescription: "dt must be in (0, 10] seconds, got \(dt)")
        }
        guard duration >= 0, duration.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .duration, in: c, debugDescription: "duration must be a finite number ≥ 0 seconds")
        }
    }
}

/// A condition that ends a run early.
public enum StopCondition: Codable, Sendable, Hashable {
    /// No live entity has all these components (e.g. every agent has left).
    case noEntitiesWith([String])
    /// A KPI (a measurement's latest sample) reaches a bound.
    case kpiAtLeast(String, Double)
    case kpiAtMost(String, Double)

    enum CodingKeys: String, CodingKey { case noEntitiesWith, kpi, atLeast, atMost }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let names = try c.decodeIfPresent([String].self, forKey: .noEntitiesWith) {
            self = .noEntitiesWith(names)
            return
        }
        guard let kpi = try c.decodeIfPresent(String.self, forKey: .kpi) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath,
                debugDescription: "a stop condition is {\"noEntitiesWith\": [components]} or {\"kpi\": name, \"atLeast\"|\"atMost\": number}"))
        }
        if let v = try c.decodeIfPresent(Double.self, forKey: .atLeast) { self = .kpiAtLeast(kpi, v) }
        else if let v = try c.decodeIfPresent(Double.self, forKey: .atMost) { self = .kpiAtMost(kpi, v) }
        else {
            throw DecodingError.keyNotFound(CodingKeys.atLeast, .init(codingPath: c.codingPath, debugDescription: "atLeast or atMost"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .noEntitiesWith(let n): try c.encode(n, forKey: .noEntitiesWith)
        case .kpiAtLeast(let k, let v): try c.encode(k, forKey: .kpi); try c.encode(v, forKey: .atLeast)
        case .kpiAtMost(let k, let v): try c.encode(k, forKey: .kpi); try c.encode(v, forKey: .atMost)
        }
    }
}
