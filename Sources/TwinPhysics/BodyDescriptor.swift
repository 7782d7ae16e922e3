import TwinMath

/// How a body moves.
public enum BodyKind: UInt8, Sendable, Hashable, Codable {
    /// Never moves (floors, racks, conveyor beds).
    case `static`
    /// Moved by its velocity only, set by another system (vehicles, pedestrians, lifts);
    /// pushes dynamic bodies and is never pushed back.
    case kinematic
    /// Moved by gravity and contacts.
    case dynamic
}

/// A body to create: defaults for everything but the shape (Box2D's `b2BodyDef` idea).
public struct BodyDescriptor: Sendable {
    public var kind: BodyKind = .dynamic
    public var shape: Shape
    /// Centre of mass and shape origin, world frame (m).
    public var position: Vec3 = .zero
    public var rotation: Quat = .identity
    /// m/s and rad/s, world frame.
    public var linearVelocity: Vec3 = .zero
    public var angularVelocity: Vec3 = .zero
    /// kg/m³; the mass is density × volume unless `mass` is set.
    public var density: Float = 1000
    /// kg; overrides the density.
    public var mass: Float?
    public var material = Material()
    /// Speed of the surface along itself, world frame (m/s): a conveyor belt's motion,
    /// given to bodies resting on it through friction.
    public var surfaceVelocity: Vec3 = .zero
    /// 1/s: velocity decays as v /= 1 + damping·dt.
    public var linearDamping: Float = 0
    public var angularDamping: Float = 0
    public var gravityScale: Float = 1
    /// Collision filtering: two bodies collide when each one's layer is in the other's mask.
    public var layer: UInt32 = 1
    public var mask: UInt32 = .max
    public var allowSleep = true
    /// Always sweep this body for tunnelling (`ContinuousCollision.swift`), not only when
    /// it moves more than half its smallest extent in a step: small fast parts.
    public var isBullet = false
    /// Caller's tag, e.g. the ECS entity; returned in events.
    public var userData: UInt64 = 0

    public init(kind: BodyKind = .dynamic, shape: Shape, position: Vec3 = .zero, rotation: Quat = .identity) {
        self.kind = kind; self.shape = shape; self.position = position; self.rotation = rotation
    }
}

/// A body that cannot be created, with the reason.
public struct PhysicsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Engine-wide settings (SI units). The defaults are Box2D v3's, chosen for 60 Hz steps.
public struct PhysicsSettings: Sendable, Hashable, Codable {
    /// m/s².
    public var gravity = Vec3(0, -9.81, 0)
    /// Solver substeps per step (each: one biased solve and one relax pass). Box2D uses 4;
    /// we use 8 because P3 needs it in 3D: with 4 (and the 60 Hz contact cap that allows)
    /// the 10-box stack drifts 1.4 cm and the 20-box stack sinks 2.8 cm; with 8 and
    /// 120 Hz contacts they drift 0.7 and 0.4 cm and sink 1.6 and 6.6 mm.
    public var substeps = 8
    /// Contact stiffness as a spring frequency (Hz), capped at a quarter of the substep
    /// rate; contacts with static bodies use twice this. A soft contact gives under load
    /// by weight / (effective mass × (2π·hertz)²): Box2D's 30 Hz would sink a stack of ten
    /// 1 m cubes by 2.5 cm; 120 Hz (the cap at 60 Hz × 8 substeps) by 1.6 mm.
    public var contactHertz: Float = 120
    /// Contact damping ratio (unitless; ≫ 1 is overdamped: no bounce from the spring).
    public var contactDampingRatio: Float = 10
    /// Largest speed at which overlap is pushed apart (m/s): deep spawns separate gently.
    public var maxPushOutSpeed: Float = 3
    /// Penetration allowed before pushing out (m): keeps resting contacts from jittering.
    public var linearSlop: Float = 0.005
    /// Contacts are created this far before touching (m), plus the distance the bodies
    /// can close in one step.
    public var speculativeDistance: Float = 0.02
    /// Approach speeds below this do not bounce (m/s).
    public var restitutionThreshold: Float = 1
    /// A body slower than this (m/s, angular speed times its radius included) may sleep.
    public var sleepSpeed: Float = 0.05
    /// An island sleeps after all its bodies were slow this long (s).
    public var timeToSleep: Float = 0.5
    /// Faster bodies are reported and removed (m/s): a numeric blow-up, not a real speed.
    public var maxSpeed: Float = 500
    /// Contacts approaching faster than this emit a hit event (m/s).
    public var hitSpeed: Float = 1
    public init() {}
}
