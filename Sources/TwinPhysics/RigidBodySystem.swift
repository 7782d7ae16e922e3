import TwinCore
import TwinMath

/// `physics.rigid-body`: simulates every entity with `RigidBody` + `Collider` (+ `Position`,
/// optional `Rotation`, `Velocity`, `AngularVelocity`, `SurfaceVelocity`) and every
/// `PhysicsSensor` + `Collider`, on the fixed step, with a `PhysicsWorld`.
///
/// Dynamic bodies are marked `Steered` (so `core.integrate` leaves them alone) and their
/// pose and velocities written back each step. Kinematic bodies follow their `Position`
/// and `Rotation` as other systems (vehicles, pedestrians) set them — the velocity that
/// takes them there this step is what pushes dynamic bodies. Bodies are created in
/// entity order when they appear and removed when their entity is despawned.
///
/// - Parameters: the fields of `PhysicsSettings` (SI units, defaults there: `substeps` 8,
///   `contactHertz` 120 Hz, …); gravity comes from the scene's `world.gravity`.
/// - Reads: RigidBody, Collider, SurfaceVelocity, PhysicsSensor, Position, Rotation.
///   Writes: Position, Rotation, Velocity, AngularVelocity, RigidBody.isAwake,
///   PhysicsSensor. Emits: SensorEvent, ContactHitEvent, PhysicsProblemEvent.
public final class RigidBodySystem: UpdateSystem {
    public typealias Parameters = PhysicsSettings

    public static let id: SystemID = "physics.rigid-body"
    public static let defaultPriority = SystemPriority.physics
    public static let summary = "Rigid bodies: contacts, friction, restitution, sleeping, sensors (soft-step solver)."
    public static let reads = ["RigidBody", "Collider", "SurfaceVelocity", "PhysicsSensor", "Position", "Rotation"]
    public static let writes = ["Position", "Rotation", "Velocity", "AngularVelocity", "RigidBody", "PhysicsSensor"]
    public static let emits = ["SensorEvent", "ContactHitEvent", "PhysicsProblemEvent"]

    /// The simulated world (read-only use by queries: ray casts, overlaps).
    public let physics: PhysicsWorld
    /// Entity of each body, by body index.
    private var entityOfBody: [Entity] = []
    private var bodyOfEntity: [Entity: BodyID] = [:]
    private var sensorEntities: [Entity] = []
    private var knownSensors: Set<Entity> = []
    /// Hulls and meshes built from assets, shared by the entities naming them.
    private var shapes = ColliderShapes()

    public init(parameters: Parameters, setup: inout SystemSetup) {
        var settings = parameters
        settings.gravity = setup.scene.settings.gravity
        physics = PhysicsWorld(settings: settings)
    }

    public func update(_ step: StepInfo, world: World) {
        let dt = step.dtFloat
        adopt(world)
        followKinematic(world, dt: dt)
        physics.step(dt: dt, executor: step.executor)
        writeBack(world)
        report(world)
    }

    /// Creates bodies and sensors for new entities (in entity order) and removes the
    /// bodies of despawned ones.
    private func adopt(_ world: World) {
        guard let rb = world.registry.id(of: RigidBody.self), let col = world.registry.id(of: Collider.self) else { return }
        for e in world.entities(with: [rb, col]).sorted() where bodyOfEntity[e] == nil {
            guard let body = world.get(RigidBody.self, of: e), let collider = world.get(Collider.self, of: e) else { continue }
            do {
                let id = try physics.createBody(descriptor(e, body, collider, world))
                entityOfBody.append(e)
                bodyOfEntity[e] = id
                if body.kind == "dynamic" { world.insert(Steered(), on: e) }
            } catch {
                // A refused body stays in the scene, unsimulated; reported once.
                bodyOfEntity[e] = BodyID(-1)
                world.send(PhysicsProblemEvent(entity: e, reason: error.message))
            }
        }
        for (index, e) in entityOfBody.enumerated() where physics.isEnabled(BodyID(Int32(index))) && !world.isAlive(e) {
            physics.removeBody(BodyID(Int32(index)))
        }
        if let ps = world.registry.id(of: PhysicsSensor.self) {
            for e in world.entities(with: [ps, col]).sorted() where !knownSensors.contains(e) {
                knownSensors.insert(e)
                guard let collider = world.get(Collider.self, of: e) else { continue }
                do {
                    var d = SensorDescriptor(shape: try shapes.shape(collider, world), position: world.get(Position.self, of: e)?.value ?? .zero,
                                             rotation: world.get(Rotation.self, of: e)?.value ?? .identity)
                    d.mask = collider.mask
                    _ = try physics.createSensor(d)
                    sensorEntities.append(e)
                } catch {
                    world.send(PhysicsProblemEvent(entity: e, reason: error.message))
                }
            }
        }
    }

    private func descriptor(_ e: Entity, _ body: RigidBody, _ c: Collider, _ world: World) throws(PhysicsError) -> BodyDescriptor {
        let kind: BodyKind
        switch body.kind {
        case "dynamic": kind = .dynamic
        case "kinematic": kind = .kinematic
        case "static": kind = .static
        default: throw PhysicsError("unknown body kind \"\(body.kind)\" (known: dynamic, kinematic, static)")
        }
        var d = BodyDescriptor(kind: kind, shape: try shapes.shape(c, world), position: world.get(Position.self, of: e)?.value ?? .zero,
                               rotation: world.get(Rotation.self, of: e)?.value ?? .identity)
        d.linearVelocity = world.get(Velocity.self, of: e)?.value ?? .zero
        d.angularVelocity = world.get(AngularVelocity.self, of: e)?.value ?? .zero
        d.density = body.density
        d.mass = body.mass > 0 ? body.mass : nil
        if body.mass < 0 { throw PhysicsError("mass must be positive (or 0 for density), got \(body.mass) kg") }
        d.material = Material(friction: c.friction, restitution: c.restitution, rollingResistance: c.rollingResistance)
        d.surfaceVelocity = world.get(SurfaceVelocity.self, of: e)?.value ?? .zero
        d.linearDamping = body.linearDamping
        d.angularDamping = body.angularDamping
        d.gravityScale = body.gravityScale
        d.layer = c.layer
        d.mask = c.mask
        d.allowSleep = body.allowSleep
        d.isBullet = body.bullet
        d.userData = UInt64(e.index) << 32 | UInt64(e.generation)
        return d
    }

    /// Kinematic bodies move to where their owner put the entity: the velocity that gets
    /// them there in one step.
    private func followKinematic(_ world: World, dt: Float) {
        for (index, e) in entityOfBody.enumerated() {
            let id = BodyID(Int32(index))
            guard physics.kind(of: id) == .kinematic, physics.isEnabled(id), let p = world.get(Position.self, of: e)?.value else { continue }
            let q = world.get(Rotation.self, of: e)?.value ?? .identity
            var dq = q * physics.rotation(of: id).conjugate
            if dq.w < 0 { dq = Quat(x: -dq.x, y: -dq.y, z: -dq.z, w: -dq.w) }
            physics.setVelocity(id, linear: (p - physics.position(of: id)) / dt, angular: dq.vector * (2 / dt))
        }
    }

    private func writeBack(_ world: World) {
        for (index, e) in entityOfBody.enumerated() {
            let id = BodyID(Int32(index))
            guard physics.kind(of: id) == .dynamic, world.isAlive(e) else { continue }
            let awake = physics.isAwake(id)
            let wasAwake = world.get(RigidBody.self, of: e)?.isAwake ?? true
            if wasAwake != awake { world.update(RigidBody.self, of: e) { $0.isAwake = awake } }
            guard awake || wasAwake else { continue }
            world.insert(Position(physics.position(of: id)), on: e)
            world.insert(Rotation(physics.rotation(of: id)), on: e)
            world.insert(Velocity(physics.linearVelocity(of: id)), on: e)
            world.insert(AngularVelocity(physics.angularVelocity(of: id)), on: e)
        }
    }

    private func report(_ world: World) {
        let ev = physics.events
        func entity(_ b: BodyID) -> Entity? { entityOfBody.indices.contains(Int(b.index)) ? entityOfBody[Int(b.index)] : nil }
        for s in ev.sensorBegan + ev.sensorEnded {
            guard sensorEntities.indices.contains(s.sensor), let body = entity(s.body) else { continue }
            let entered = ev.sensorBegan.contains(s)
            world.send(SensorEvent(sensor: sensorEntities[s.sensor], body: body, entered: entered))
            world.update(PhysicsSensor.self, of: sensorEntities[s.sensor]) {
                $0.inside += entered ? 1 : -1
                if entered { $0.entered += 1 }
            }
        }
        for h in ev.hits {
            guard let a = entity(h.a), let b = entity(h.b) else { continue }
            world.send(ContactHitEvent(a: a, b: b, speed: h.approachSpeed, impulse: h.impulse))
        }
        for p in ev.problems {
            guard let e = entity(p.body) else { continue }
            world.send(PhysicsProblemEvent(entity: e, reason: p.reason))
            world.update(RigidBody.self, of: e) { $0.isAwake = false }
        }
    }
}

/// The `physics` plugin: rigid bodies, colliders, sensors (`physics.rigid-body`).
public enum PhysicsPlugin: TwinPlugin {
    public static let name = "physics"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: RigidBody.self)
        catalog.register(component: Collider.self)
        catalog.register(component: SurfaceVelocity.self)
        catalog.register(component: PhysicsSensor.self)
        catalog.register(RigidBodySystem.self)
    }
}
