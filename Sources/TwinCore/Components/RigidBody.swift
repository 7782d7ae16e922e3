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
    /// Sweep the body for tunnelling every step (small fast parts); bodies moving more
    /// than half their smallest extent in a step are swept anyway.
    public var bullet: Bool
    /// Written by the physics plugin: is the body simulated this step (false: asleep)?
    public var isAwake: Bool

    public init(kind: String = "dynamic", density: Float = 1000, mass: Float = 0, linearDamping: Float = 0,
                angularDamping: Float = 0, gravityScale: Float = 1, allowSleep: Bool = true, bullet: Bool = false, isAwake: Bool = true) {
        self.kind = kind; self.density = density; self.mass = mass; self.linearDamping = linearDamping
        self.angularDamping = angularDamping; self.gravityScale = gravityScale; self.allowSleep = allowSleep; self.bullet = bullet
        self.isAwake = isAwake
    }

    public init() { self.init(kind: "dynamic") }

    public static let summary = "A rigid body (physics plugin): dynamic, kinematic or static; density or mass, damping, sleeping."
    public static let fieldUnits = ["density": "kg/m³", "mass": "kg", "linearDamping": "1/s", "angularDamping": "1/s"]

    public func hashState(into h: inout StableHasher) {
        h.combine(kind); h.combine(density); h.combine(mass); h.combine(linearDamping); h.combine(angularDamping)
        h.combine(gravityScale); h.combine(allowSleep); h.combine(bullet); h.combine(isAwake)
    }
}

/// The collision shape and surface of a rigid body or sensor, in the entity's frame.
///
/// ```json
/// "Collider": {"shape": "hull", "points": [[0,0,0], [1,0,0], [0,1,0], [0,0,1]]}
/// "Collider": {"shape": "hull", "asset": "crate"}
/// "Collider": {"shape": "mesh", "asset": "ramp"}
/// "Collider": {"shape": "compound", "children": [{"shape": "box", "halfExtents": [1, 0.1, 0.1]},
///              {"shape": "box", "halfExtents": [0.1, 0.5, 0.1], "position": [0.9, 0.5, 0]}]}
/// ```
public struct Collider: DefaultComponent, DocumentedComponent, Hashable {
    /// `sphere`, `box`, `capsule`, `plane` (static only: the half-space below local Y = 0),
    /// `hull` (convex hull of `points` or of the vertices of `asset`), `mesh` (static only:
    /// the triangles of `asset`) or `compound` (`children`).
    public var shape: String
    /// Sphere and capsule radius, m.
    public var radius: Float
    /// Box half extents, m.
    public var halfExtents: Vec3
    /// Capsule half length of the segment along local Y, m.
    public var halfHeight: Float
    /// Hull points in the entity's frame, m (at least 4, not all on one plane).
    public var points: [Vec3]
    /// Id of an entry of the scene's `assets` section whose triangles make a `hull` or `mesh`.
    public var asset: String
    /// Parts of a `compound`: convex shapes at poses in the entity's frame.
    public var children: [ColliderPart]
    /// Coulomb friction coefficient (pairs combine by geometric mean).
    public var friction: Float
    /// Coefficient of restitution (pairs take the larger).
    public var restitution: Float
    /// Rolling resistance coefficient μr (pairs take the larger): a rolling body meets a
    /// torque of at most μr × normal force × its rolling radius.
    public var rollingResistance: Float
    /// Collision layer bits and the layers this collider collides with.
    public var layer: UInt32
    public var mask: UInt32

    /// The `shape` names the physics plugin knows.
    public static let shapes = ["sphere", "box", "capsule", "plane", "hull", "mesh", "compound"]

    public init(shape: String = "box", radius: Float = 0.5, halfExtents: Vec3 = Vec3(repeating: 0.5), halfHeight: Float = 0.5,
                points: [Vec3] = [], asset: String = "", children: [ColliderPart] = [],
                friction: Float = 0.6, restitution: Float = 0, rollingResistance: Float = 0, layer: UInt32 = 1, mask: UInt32 = .max) {
        self.shape = shape; self.radius = radius; self.halfExtents = halfExtents; self.halfHeight = halfHeight
        self.points = points; self.asset = asset; self.children = children
        self.friction = friction; self.restitution = restitution; self.rollingResistance = rollingResistance
        self.layer = layer; self.mask = mask
    }

    public init() { self.init(shape: "box") }

    public static let summary = "Collision shape (sphere, box, capsule, plane, hull, mesh, compound) with friction, restitution, layer and mask."
    public static let fieldUnits = ["radius": "m", "halfExtents": "m", "halfHeight": "m", "points": "m"]

    enum CodingKeys: String, CodingKey {
        case shape, radius, halfExtents, halfHeight, points, asset, children, friction, restitution, rollingResistance, layer, mask
    }

    /// Decodes over the defaults and rejects what cannot become a collider at the field
    /// that is wrong: an unknown shape, a hull without points or asset, hull points that
    /// are too few, not finite or flat, a mesh without asset, a compound without children.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Collider()
        shape = try c.decodeIfPresent(String.self, forKey: .shape) ?? d.shape
        radius = try c.decodeIfPresent(Float.self, forKey: .radius) ?? d.radius
        halfExtents = try c.decodeIfPresent(Vec3.self, forKey: .halfExtents) ?? d.halfExtents
        halfHeight = try c.decodeIfPresent(Float.self, forKey: .halfHeight) ?? d.halfHeight
        points = try c.decodeIfPresent([Vec3].self, forKey: .points) ?? []
        asset = try c.decodeIfPresent(String.self, forKey: .asset) ?? ""
        children = try c.decodeIfPresent([ColliderPart].self, forKey: .children) ?? []
        friction = try c.decodeIfPresent(Float.self, forKey: .friction) ?? d.friction
        restitution = try c.decodeIfPresent(Float.self, forKey: .restitution) ?? d.restitution
        rollingResistance = try c.decodeIfPresent(Float.self, forKey: .rollingResistance) ?? d.rollingResistance
        layer = try c.decodeIfPresent(UInt32.self, forKey: .layer) ?? d.layer
        mask = try c.decodeIfPresent(UInt32.self, forKey: .mask) ?? d.mask
        func fail(_ key: CodingKeys, _ message: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: message)
        }
        guard Self.shapes.contains(shape) else {
            throw fail(.shape, "unknown collider shape \"\(shape)\" (known: \(Self.shapes.joined(separator: ", ")))")
        }
        switch shape {
        case "hull":
            if asset.isEmpty {
                if let problem = Self.hullProblem(points) { throw fail(.points, problem) }
            } else if !points.isEmpty {
                throw fail(.points, "a hull takes either points or asset, not both")
            }
        case "mesh":
            if asset.isEmpty { throw fail(.asset, "a mesh collider needs \"asset\": the id of an assets entry") }
        case "compound":
            if children.isEmpty { throw fail(.children, "a compound collider needs at least one child") }
        default: break
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shape, forKey: .shape); try c.encode(radius, forKey: .radius)
        try c.encode(halfExtents, forKey: .halfExtents); try c.encode(halfHeight, forKey: .halfHeight)
        try c.encode(points, forKey: .points); try c.encode(asset, forKey: .asset); try c.encode(children, forKey: .children)
        try c.encode(friction, forKey: .friction); try c.encode(restitution, forKey: .restitution)
        try c.encode(rollingResistance, forKey: .rollingResistance)
        try c.encode(layer, forKey: .layer); try c.encode(mask, forKey: .mask)
    }

    /// Why these points cannot make a hull (fewer than 4, not finite, all on a line or a
    /// plane), or nil.
    public static func hullProblem(_ points: [Vec3]) -> String? {
        guard points.count >= 4 else { return "a hull needs at least 4 points, got \(points.count)" }
        if let bad = points.firstIndex(where: { !$0.isFinite }) { return "hull point \(bad) is not finite" }
        var lo = points[0], hi = points[0]
        for p in points { lo = lo.pointwiseMin(p); hi = hi.pointwiseMax(p) }
        let size = max((hi - lo).length, 1e-30)
        let a = points[0]
        guard let b = points.max(by: { ($0 - a).lengthSquared < ($1 - a).lengthSquared }), (b - a).length > 1e-6 * size else {
            return "hull points all coincide"
        }
        let axis = (b - a).normalized()
        guard let c = points.max(by: { ($0 - a).cross(axis).lengthSquared < ($1 - a).cross(axis).lengthSquared }),
              (c - a).cross(axis).length > 1e-6 * size else {
            return "hull points all lie on a line (a hull needs volume)"
        }
        let n = (b - a).cross(c - a).normalized()
        guard points.contains(where: { abs(($0 - a).dot(n)) > 1e-6 * size }) else {
            return "hull points all lie on a plane (a hull needs volume)"
        }
        return nil
    }

    public func hashState(into h: inout StableHasher) {
        h.combine(shape); h.combine(radius); h.combine(halfExtents); h.combine(halfHeight)
        h.combine(points.count); for p in points { h.combine(p) }
        h.combine(asset); h.combine(children.count); for p in children { p.hashState(into: &h) }
        h.combine(friction); h.combine(restitution); h.combine(rollingResistance); h.combine(layer); h.combine(mask)
    }
}

/// One convex part of a compound `Collider`, placed in the entity's frame.
public struct ColliderPart: Codable, Hashable, Sendable {
    /// `sphere`, `box`, `capsule` or `hull`.
    public var shape: String
    /// m (sphere, capsule).
    public var radius: Float
    /// m (box).
    public var halfExtents: Vec3
    /// m (capsule).
    public var halfHeight: Float
    /// m (hull).
    public var points: [Vec3]
    /// The part's pose in the entity's frame: m, and a unit quaternion [x, y, z, w].
    public var position: Vec3
    public var rotation: Quat

    public static let shapes = ["sphere", "box", "capsule", "hull"]

    public init(shape: String = "box", radius: Float = 0.5, halfExtents: Vec3 = Vec3(repeating: 0.5), halfHeight: Float = 0.5,
                points: [Vec3] = [], position: Vec3 = .zero, rotation: Quat = .identity) {
        self.shape = shape; self.radius = radius; self.halfExtents = halfExtents; self.halfHeight = halfHeight
        self.points = points; self.position = position; self.rotation = rotation
    }

    enum CodingKeys: String, CodingKey { case shape, radius, halfExtents, halfHeight, points, position, rotation }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ColliderPart()
        shape = try c.decodeIfPresent(String.self, forKey: .shape) ?? d.shape
        radius = try c.decodeIfPresent(Float.self, forKey: .radius) ?? d.radius
        halfExtents = try c.decodeIfPresent(Vec3.self, forKey: .halfExtents) ?? d.halfExtents
        halfHeight = try c.decodeIfPresent(Float.self, forKey: .halfHeight) ?? d.halfHeight
        points = try c.decodeIfPresent([Vec3].self, forKey: .points) ?? []
        position = try c.decodeIfPresent(Vec3.self, forKey: .position) ?? .zero
        rotation = try c.decodeIfPresent(Quat.self, forKey: .rotation) ?? .identity
        guard Self.shapes.contains(shape) else {
            throw DecodingError.dataCorruptedError(forKey: .shape, in: c, debugDescription:
                "unknown compound part shape \"\(shape)\" (known: \(Self.shapes.joined(separator: ", ")))")
        }
        if shape == "hull", let problem = Collider.hullProblem(points) {
            throw DecodingError.dataCorruptedError(forKey: .points, in: c, debugDescription: problem)
        }
        guard position.isFinite, rotation.vector.isFinite, rotation.w.isFinite,
              rotation.vector.lengthSquared + rotation.w * rotation.w > 1e-12 else {
            throw DecodingError.dataCorruptedError(forKey: .position, in: c, debugDescription:
                "a compound part's position must be finite and its rotation a non-zero quaternion")
        }
    }

    public func hashState(into h: inout StableHasher) {
        h.combine(shape); h.combine(radius); h.combine(halfExtents); h.combine(halfHeight)
        h.combine(points.count); for p in points { h.combine(p) }
        h.combine(position); h.combine(rotation)
    }
}

/// Triangles of the scene's imported assets, by asset id, in each asset's entity frame
/// (its node transforms and `transform` applied; metres): a world resource written by
/// the `assets` section so the physics plugin can build hull and mesh colliders without
/// importing the asset module.
public struct AssetTriangles: Sendable {
    public struct Mesh: Sendable {
        public var positions: [Vec3]
        /// Three indices into `positions` per triangle.
        public var indices: [UInt32]
        public init(positions: [Vec3], indices: [UInt32]) { self.positions = positions; self.indices = indices }
    }

    public private(set) var meshes: [String: Mesh] = [:]
    public init() {}
    public subscript(id: String) -> Mesh? { meshes[id] }
    public mutating func set(_ id: String, _ mesh: Mesh) { meshes[id] = mesh }
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
