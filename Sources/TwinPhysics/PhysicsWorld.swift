import TwinCore
import TwinMath

/// Handle of a body: its creation index (stable for the world's life).
public struct BodyID: Hashable, Sendable, Comparable {
    public let index: Int32
    public init(_ index: Int32) { self.index = index }
    public static func < (a: BodyID, b: BodyID) -> Bool { a.index < b.index }
}

/// A rigid-body world: bodies in flat arrays indexed by creation order, persistent
/// contacts sorted by body pair, and a fixed-step pipeline (`step`).
///
/// Determinism: every loop runs in body or pair order; parallel work is cut into fixed
/// chunks whose results are combined in chunk order, so 1 and N workers agree bit for bit.
public final class PhysicsWorld {
    public var settings: PhysicsSettings

    // Bodies (struct of arrays, index = BodyID.index).
    var kind: [BodyKind] = []
    var shape: [Shape] = []
    var position: [Vec3] = []
    var rotation: [Quat] = []
    var linearVelocity: [Vec3] = []
    var angularVelocity: [Vec3] = []
    var invMass: [Float] = []
    var invInertia: [Vec3] = []
    var material: [Material] = []
    var surfaceVelocity: [Vec3] = []
    var linearDamping: [Float] = []
    var angularDamping: [Float] = []
    var gravityScale: [Float] = []
    var layer: [UInt32] = []
    var mask: [UInt32] = []
    var allowSleep: [Bool] = []
    var userData: [UInt64] = []
    var radius: [Float] = []
    var isAwake: [Bool] = []
    var isEnabled: [Bool] = []
    var sleepTime: [Float] = []
    /// Pose at which the sleep timer last restarted (Jolt's sleep test: see Islands.swift).
    var sleepAnchor: [Vec3] = []
    var sleepAnchorRotation: [Quat] = []
    var boundsMin: [Vec3] = []
    var boundsMax: [Vec3] = []
    /// Half the speculative distance plus the distance the body can travel this step (m).
    var reach: [Float] = []
    /// The shape's mass frame in the body's origin frame (`Shape.massFrame`): bodies are
    /// simulated at their centre of mass, callers see their origin.
    var massFrame: [(centre: Vec3, rotation: Quat)] = []
    /// Swept every step (`BodyDescriptor.isBullet`), and the shape's smallest half extent (m).
    var isBullet: [Bool] = []
    var innerRadius: [Float] = []

    /// Persistent contacts, sorted by pair key.
    var contacts: [Contact] = []
    var sensors: [Sensor] = []
    var broadphase = BroadPhase()
    /// Narrowphase buffers, one per chunk of `updateManifolds`.
    var scratch: [CollideScratch] = []

    /// What happened in the last step.
    public internal(set) var events = StepEvents()
    /// Seconds per stage of the last step, when `clock` is set.
    public internal(set) var profile = StepProfile()
    /// A monotonic clock in nanoseconds, for `profile` only (never read by the simulation).
    public var clock: (() -> UInt64)?

    public init(settings: PhysicsSettings = PhysicsSettings()) { self.settings = settings }

    public var bodyCount: Int { kind.count }
    public var contactCount: Int { contacts.count }

    /// Creates a body; throws when the descriptor cannot be simulated (bad shape, mass or
    /// a non-finite pose or velocity), naming what is wrong.
    @discardableResult
    public func createBody(_ d: BodyDescriptor) throws(PhysicsError) -> BodyID {
        if let p = d.shape.problem { throw PhysicsError(p) }
        guard d.position.isFinite, d.rotation.vector.isFinite, d.rotation.w.isFinite else {
            throw PhysicsError("body pose must be finite, got position \(d.position)")
        }
        guard d.linearVelocity.isFinite, d.angularVelocity.isFinite else {
            throw PhysicsError("body velocity must be finite, got \(d.linearVelocity), \(d.angularVelocity)")
        }
        if d.shape.isStaticOnly, d.kind != .static { throw PhysicsError("a plane or triangle-mesh collider must be static") }
        var m: Float = 0
        if d.kind == .dynamic {
            if let mass = d.mass {
                guard mass > 0, mass.isFinite else { throw PhysicsError("mass must be positive and finite, got \(mass) kg") }
                m = mass
            } else {
                guard d.density > 0, d.density.isFinite else {
                    throw PhysicsError("density must be positive and finite, got \(d.density) kg/m³")
                }
                m = d.density * d.shape.volume
            }
        }
        for (name, v) in [("friction", d.material.friction), ("restitution", d.material.restitution), ("rollingResistance", d.material.rollingResistance),
                          ("linearDamping", d.linearDamping), ("angularDamping", d.angularDamping)] {
            guard v >= 0, v.isFinite else { throw PhysicsError("\(name) must be ≥ 0 and finite, got \(v)") }
        }
        let frame = d.shape.massFrame
        let origin = d.rotation.normalized()
        let q = (origin * frame.rotation).normalized()
        let centre = d.position + origin.rotate(frame.centre)
        let id = BodyID(Int32(kind.count))
        kind.append(d.kind)
        shape.append(d.shape)
        position.append(centre)
        rotation.append(q)
        massFrame.append(frame)
        isBullet.append(d.isBullet)
        innerRadius.append(d.shape.innerRadius)
        linearVelocity.append(d.kind == .static ? .zero : d.linearVelocity)
        angularVelocity.append(d.kind == .static ? .zero : d.angularVelocity)
        invMass.append(m > 0 ? 1 / m : 0)
        let inertia = d.shape.unitInertia * m
        invInertia.append(m > 0 ? Vec3(1 / inertia.x, 1 / inertia.y, 1 / inertia.z) : .zero)
        material.append(d.material)
        surfaceVelocity.append(d.surfaceVelocity.isFinite ? d.surfaceVelocity : .zero)
        linearDamping.append(d.linearDamping)
        angularDamping.append(d.angularDamping)
        gravityScale.append(d.gravityScale.isFinite ? d.gravityScale : 1)
        layer.append(d.layer)
        mask.append(d.mask)
        allowSleep.append(d.allowSleep)
        userData.append(d.userData)
        radius.append(d.shape.boundingRadius)
        isAwake.append(d.kind != .static)
        isEnabled.append(true)
        sleepTime.append(0)
        // Internal state is the centre of mass in the shape's principal frame (see massFrame).
        sleepAnchor.append(centre)
        sleepAnchorRotation.append(q)
        let b = d.shape.bounds(position: centre, rotation: Mat3(q))
        boundsMin.append(b.min)
        boundsMax.append(b.max)
        reach.append(0.5 * settings.speculativeDistance)
        return id
    }

    /// Takes a body out of the simulation (its contacts end next step).
    public func removeBody(_ id: BodyID) {
        guard valid(id) else { return }
        let i = Int(id.index)
        isEnabled[i] = false
        isAwake[i] = false
        linearVelocity[i] = .zero
        angularVelocity[i] = .zero
    }

    func valid(_ id: BodyID) -> Bool { id.index >= 0 && Int(id.index) < kind.count }

    // MARK: Reading and steering bodies

    /// The body's origin (the frame its descriptor placed; the centre of mass for
    /// primitives), m.
    public func position(of id: BodyID) -> Vec3 {
        guard valid(id) else { return .zero }
        let i = Int(id.index)
        return position[i] - rotation(of: id).rotate(massFrame[i].centre)
    }
    public func rotation(of id: BodyID) -> Quat {
        guard valid(id) else { return .identity }
        let i = Int(id.index)
        return (rotation[i] * massFrame[i].rotation.conjugate).normalized()
    }
    /// The centre of mass, world frame (m).
    public func centreOfMass(of id: BodyID) -> Vec3 { valid(id) ? position[Int(id.index)] : .zero }
    public func linearVelocity(of id: BodyID) -> Vec3 { valid(id) ? linearVelocity[Int(id.index)] : .zero }
    public func angularVelocity(of id: BodyID) -> Vec3 { valid(id) ? angularVelocity[Int(id.index)] : .zero }
    public func isAwake(_ id: BodyID) -> Bool { valid(id) && isAwake[Int(id.index)] }
    public func isEnabled(_ id: BodyID) -> Bool { valid(id) && isEnabled[Int(id.index)] }
    public func kind(of id: BodyID) -> BodyKind { valid(id) ? kind[Int(id.index)] : .static }
    public func mass(of id: BodyID) -> Float {
        guard valid(id), invMass[Int(id.index)] > 0 else { return 0 }
        return 1 / invMass[Int(id.index)]
    }

    /// Sets a kinematic or dynamic body's velocity (m/s, rad/s) and wakes it. Non-finite
    /// values are ignored.
    public func setVelocity(_ id: BodyID, linear: Vec3, angular: Vec3 = .zero) {
        guard valid(id), kind[Int(id.index)] != .static, linear.isFinite, angular.isFinite else { return }
        let i = Int(id.index)
        linearVelocity[i] = linear
        angularVelocity[i] = angular
        if linear != .zero || angular != .zero { wake(i) }
    }

    /// Moves a body to a pose at once (teleport) and wakes it.
    public func setPose(_ id: BodyID, position p: Vec3, rotation q: Quat) {
        guard valid(id), p.isFinite, q.vector.isFinite, q.w.isFinite else { return }
        let i = Int(id.index)
        let origin = q.normalized()
        position[i] = p + origin.rotate(massFrame[i].centre)
        rotation[i] = (origin * massFrame[i].rotation).normalized()
        if kind[i] != .static { wake(i) }
    }

    func wake(_ i: Int) {
        guard isEnabled[i], kind[i] != .static else { return }
        isAwake[i] = true
        sleepTime[i] = 0
        sleepAnchor[i] = position[i]
        sleepAnchorRotation[i] = rotation[i]
    }

    /// Kinetic plus gravitational potential energy of the dynamic bodies (J).
    public func totalEnergy() -> Double {
        var e = 0.0
        for i in 0..<bodyCount where kind[i] == .dynamic && isEnabled[i] {
            let m = Double(1 / invMass[i])
            let v = linearVelocity[i], w = angularVelocity[i]
            let r = Mat3(rotation[i])
            let wl = r.transposedTimes(w)
            let inv = invInertia[i]
            let rot = Double(wl.x * wl.x / inv.x + wl.y * wl.y / inv.y + wl.z * wl.z / inv.z)
            e += 0.5 * m * Double(v.dot(v)) + 0.5 * rot - m * Double(settings.gravity.dot(position[i]) * gravityScale[i])
        }
        return e
    }

    /// Feeds every body's pose and velocity to a state hasher, in body order.
    public func hashState(into h: inout StableHasher) {
        for i in 0..<bodyCount {
            h.combine(position[i])
            h.combine(rotation[i])
            h.combine(linearVelocity[i])
            h.combine(angularVelocity[i])
            h.combine(isAwake[i] ? 1 as Float : 0)
        }
    }
}
