import TwinMath

/// A pair of bodies whose fattened bounds overlap, kept from step to step while they do.
struct Contact: Sendable {
    /// `a << 32 | b`, a < b: the sort order of the contact list.
    var key: UInt64
    var manifold = Manifold()
    var isTouching = false

    var a: Int { Int(key >> 32) }
    var b: Int { Int(key & 0xFFFF_FFFF) }

    init(key: UInt64) { self.key = key }

    static func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(min(a, b)) << 32 | UInt64(max(a, b)) }
}

/// Events of one step, each list in body-pair order.
public struct StepEvents: Sendable {
    /// Pairs that started touching this step.
    public var contactBegan: [ContactPair] = []
    /// Pairs that stopped touching this step.
    public var contactEnded: [ContactPair] = []
    /// Impacts faster than `PhysicsSettings.hitSpeed`.
    public var hits: [ContactHit] = []
    /// Bodies entering and leaving sensor volumes.
    public var sensorBegan: [SensorOverlap] = []
    public var sensorEnded: [SensorOverlap] = []
    /// Bodies removed because their state became invalid.
    public var problems: [BodyProblem] = []
    public init() {}
}

public struct ContactPair: Hashable, Sendable {
    public var a: BodyID
    public var b: BodyID
}

/// One impact: the pair, where, how fast they approached and the impulse that stopped it.
public struct ContactHit: Hashable, Sendable {
    public var a: BodyID
    public var b: BodyID
    /// World point (m) and normal from a to b.
    public var point: Vec3
    public var normal: Vec3
    /// Closing speed along the normal at impact (m/s, positive).
    public var approachSpeed: Float
    /// Total normal impulse over the step (N·s).
    public var impulse: Float
}

public struct SensorOverlap: Hashable, Sendable {
    public var sensor: Int
    public var body: BodyID
}

/// A body taken out of the simulation because its state was not finite or too fast.
public struct BodyProblem: Hashable, Sendable {
    public var body: BodyID
    public var reason: String
}

/// Seconds per stage of one step (Box2D's `b2Profile` stages).
public struct StepProfile: Sendable {
    public var broadphase = 0.0
    public var narrowphase = 0.0
    public var solve = 0.0
    public var sleep = 0.0
    public var total: Double { broadphase + narrowphase + solve + sleep }
    public init() {}

    public static func + (a: StepProfile, b: StepProfile) -> StepProfile {
        var s = StepProfile()
        s.broadphase = a.broadphase + b.broadphase
        s.narrowphase = a.narrowphase + b.narrowphase
        s.solve = a.solve + b.solve
        s.sleep = a.sleep + b.sleep
        return s
    }
}
