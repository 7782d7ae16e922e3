import TwinMath

/// A rigid body of the `physics` plugin, as every plugin sees it.
///
/// With a `Collider` and a `Position` (and optionally `Rotation`, `Velocity`,
/// `AngularVelocity`), the entity is simulated by `physics.rigid-body`: dynamic bodies
/// are moved by gravity and contacts (and marked `Steered` so `core.integrate` leaves
/// them alone); kinematic bodies are moved by their owner (a vehicle, a pedestrian, a
/// lift writing `Position`) and push dynamic ones; static bodies never move.
public struct RigidBody: DefaultComponent, DocumentedComponent, Hashable {
    /// `dynamic`, `kinematic` or `static`.
    public var kind: String
    /// kg/m³; mass = density × the collider's volume unless `mass` > 0.
    public var density: Float
    /// kg; 0 means "from density".
    public var mass: Float
    /// 1/s.
    public var linearDamping: Float
    /// 1/s.
    public var angularDamping: Float
    public var gravityScale: Float
    public var allowSleep: Bool
    /// Written by the physics plugin: is the body simulated this step (false: asleep)?
    public var isAwake: Bool

    public init(kind: String = "dynamic", density: Float = 1000, mass: Float = 0, linearDamping: Float = 0,
                angularDamping: Float = 0, gravityScale: Float = 1, allowSleep: Bool = true, isAwake: Bool = true) {
        self.kind = kind; self.density = density; self.mass = mass; self.linearDamping = linearDamping
        self.angularDamping = angularDamping; self.gravityScale = gravityScale; self.allowSleep = allowSleep; self.isAwake = isAwake
    }

    public init() { self.init(kind: "dynamic") }

    public static let summary = "A rigid body (physics plugin): dynamic, kinematic or static; density or mass, damping, sleeping."
    public static let fieldUnits = ["density": "kg/m³", "mass": "kg", "linearDamping": "1/s", "angularDamping": "1/s"]

    public func hashState(into h: inout StableHasher) {
        h.combine(kind); h.combine(density); h.combine(mass); h.combine(linearDamping); h.combine(angularDamping)
        h.combine(gravityScale); h.combine(allowSleep); h.combine(isAwake)
    }
}

/// The collision shape and surface of a rigid body or sensor, in the entity's frame.
public struct Collider: DefaultComponent, DocumentedComponent, Hashable {
    /// `sphere`, `box`, `capsule` or `plane` (static only: the half-space below local Y = 0).
    public var shape: String
    /// Sphere and capsule radius, m.
    public var radius: Float
    /// Box half extents, m.
    public var halfExtents: Vec3
    /// Capsule half length of the segment along local Y, m.
    public var halfHeight: Float
    /// Coulomb friction coefficient (pairs combine by geometric mean).
    public var friction: Float
    /// Coefficient of restitution (pairs take the larger).
    public var restitution: Float
    /// Collision layer bits and the layers this collider collides with.
    public var layer: UInt32
    public var mask: UInt32

    public init(shape: String = "box", radius: Float = 0.5, halfExtents: Vec3 = Vec3(repeating: 0.5), halfHeight: Float = 0.5,
                friction: Float = 0.6, restitution: Float = 0, layer: UInt32 = 1, mask: UInt32 = .max) {
        self.shape = shape; self.radius = radius; self.halfExtents = halfExtents; self.halfHeight = halfHeight
        self.friction = friction; self.restitution = restitution; self.layer = layer; self.mask = mask
    }

    public init() { self.init(shape: "box") }

    public static let summary = "Collision shape (sphere, box, capsule, plane) with friction, restitution, layer and mask."
    public static let fieldUnits = ["radius": "m", "halfExtents": "m", "halfHeight": "m"]

    public func hashState(into h: inout StableHasher) {
        h.combine(shape); h.combine(radius); h.combine(halfExtents); h.combine(halfHeight)
        h.combine(friction); h.combine(restitution); h.combine(layer); h.combine(mask)
    }
}

/// Speed of a surface along itself (m/s, world frame): a conveyor belt. Bodies resting on
/// a collider with this component are carried by friction.
public struct SurfaceVelocity: Vec3Component {
    public var value: Vec3
    public init() { value = .zero }
    public init(_ value: Vec3) { self.value = value }
    public static let summary = "Belt speed of a conveyor surface, world frame; carries bodies lying on it."
    public static let fieldUnits = ["value": "m/s"]
}

/// A sensor volume of the `physics` plugin (shape from the entity's `Collider`): counts
/// the bodies that enter it, e.g. a light curtain counting parcels.
public struct PhysicsSensor: DefaultComponent, DocumentedComponent, Hashable {
    /// Bodies inside now.
    public var inside: Int
    /// Bodies that have entered so far.
    public var entered: Int

    public init(inside: Int, entered: Int) { self.inside = inside; self.entered = entered }
    public init() { self.init(inside: 0, entered: 0) }

    public static let summary = "Sensor volume (physics plugin): bodies inside now and entered so far."
    public func hashState(into h: inout StableHasher) { h.combine(inside); h.combine(entered) }
}

/// Sent when a body enters or leaves a `PhysicsSensor`.
public struct SensorEvent: Hashable, Sendable {
    public var sensor: Entity
    public var body: Entity
    public var entered: Bool
    public init(sensor: Entity, body: Entity, entered: Bool) { self.sensor = sensor; self.body = body; self.entered = entered }
}

/// Sent when two bodies hit faster than the physics plugin's `hitSpeed`.
public struct ContactHitEvent: Hashable, Sendable {
    public var a: Entity
    public var b: Entity
    /// Closing speed (m/s) and total normal impulse (N·s).
    public var speed: Float
    public var impulse: Float
    public init(a: Entity, b: Entity, speed: Float, impulse: Float) { self.a = a; self.b = b; self.speed = speed; self.impulse = impulse }
}

/// Sent when the physics plugin refuses a body (bad shape or mass in the scene) or takes
/// one out of the simulation at run time (its state became non-finite or too fast).
public struct PhysicsProblemEvent: Hashable, Sendable {
    public var entity: Entity
    public var reason: String
    public init(entity: Entity, reason: String) { self.entity = entity; self.reason = reason }
}
