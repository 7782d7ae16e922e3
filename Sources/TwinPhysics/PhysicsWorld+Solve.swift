import TwinCore
import TwinMath

extension PhysicsWorld {
    /// The soft-step solver over all contacts with an awake body (see ContactSolver.swift).
    func solve(dt: Float, executor: ParallelExecutor) {
        let substeps = max(1, settings.substeps)
        let h = dt / Float(substeps), invH = 1 / h
        let hertz = min(settings.contactHertz, 0.25 / h)
        let soft = Softness(hertz: hertz, zeta: settings.contactDampingRatio, h: h)
        let staticSoft = Softness(hertz: 2 * hertz, zeta: settings.contactDampingRatio, h: h)
        let pushOut = settings.maxPushOutSpeed, slop = settings.linearSlop
        let gravity = settings.gravity

        // Moving bodies, in index order.
        var active: [Int32] = []
        var bodies = [SolverBody](repeating: SolverBody(), count: bodyCount)
        for i in 0..<bodyCount where isEnabled[i] && kind[i] != .static && (kind[i] == .kinematic || isAwake[i]) {
            active.append(Int32(i))
            var s = SolverBody()
            s.v = linearVelocity[i]
            s.w = angularVelocity[i]
            if kind[i] == .dynamic {
                s.invMass = invMass[i]
                s.invI = Mat3.rotatedDiagonal(Mat3(rotation[i]), invInertia[i])
            }
            bodies[i] = s
        }
        var (constraints, points) = prepareContacts(bodies, dt: dt)
        let colours = ConstraintColours(&constraints, bodies: bodies)

        bodies.withUnsafeMutableBufferPointer { bodies in
        points.withUnsafeMutableBufferPointer { pts in
        constraints.withUnsafeBufferPointer { cons in
        rotation.withUnsafeMutableBufferPointer { rot in
            for _ in 0..<substeps {
                for i in active where kind[Int(i)] == .dynamic {
                    let k = Int(i)
                    var b = bodies[k]
                    b.v += gravity * (gravityScale[k] * h)
                    b.v *= 1 / (1 + h * linearDamping[k])
                    b.w *= 1 / (1 + h * angularDamping[k])
                    bodies[k] = b
                }
                colours.forEach(executor: executor) { ContactSolver.warmStart(cons[$0], pts, bodies) }
                colours.forEach(executor: executor) {
                    ContactSolver.solveNormal(cons[$0], pts, bodies, soft: soft, staticSoft: staticSoft, invH: invH,
                                              slop: slop, pushOut: pushOut, useBias: true)
                }
                for i in active {
                    let k = Int(i)
                    bodies[k].dp += bodies[k].v * h
                    bodies[k].dTheta += bodies[k].w * h
                    rot[k] = rot[k].integrated(angularVelocity: bodies[k].w, dt: h)
                }
                colours.forEach(executor: executor) {
                    ContactSolver.solveNormal(cons[$0], pts, bodies, soft: soft, staticSoft: staticSoft, invH: invH,
                                              slop: slop, pushOut: pushOut, useBias: false)
                }
                for k in pts.indices { pts[k].totalNormalImpulse += pts[k].normalImpulse }
            }
            let threshold = settings.restitutionThreshold
            colours.forEach(executor: executor) { ContactSolver.restitution(cons[$0], pts, bodies, threshold: threshold) }
        }
        }
        }
        }

        for i in active {
            let k = Int(i)
            position[k] += bodies[k].dp
            linearVelocity[k] = bodies[k].v
            angularVelocity[k] = bodies[k].w
        }
        storeImpulses(constraints, points)
    }

    /// Solver constraints for touching manifolds with an awake body: anchors, effective
    /// masses, warm-start impulses and the pre-step normal velocity (for restitution).
    private func prepareContacts(_ bodies: [SolverBody], dt: Float) -> ([ContactConstraint], [ConstraintPoint]) {
        let gravity = settings.gravity
        func falls(_ i: Int) -> Float { kind[i] == .dynamic && isAwake[i] ? gravityScale[i] : 0 }
        var constraints: [ContactConstraint] = []
        var points: [ConstraintPoint] = []
        for (index, contact) in contacts.enumerated() where contact.manifold.count > 0 {
            let a = contact.a, b = contact.b
            let moving = (kind[a] == .dynamic && isAwake[a]) || (kind[b] == .dynamic && isAwake[b])
            guard moving else { continue }
            let m = contact.manifold
            let A = bodies[a], B = bodies[b]
            var c = ContactConstraint()
            c.a = Int32(a); c.b = Int32(b); c.contact = Int32(index)
            c.normal = m.normal
            (c.t1, c.t2) = tangentBasis(m.normal)
            c.friction = (material[a].friction * material[b].friction).squareRoot()
            c.restitution = max(material[a].restitution, material[b].restitution)
            let surface = surfaceVelocity[b] - surfaceVelocity[a]
            c.surface1 = surface.dot(c.t1)
            c.surface2 = surface.dot(c.t2)
            c.isStatic = kind[a] != .dynamic || kind[b] != .dynamic
            c.pointStart = Int32(points.count)
            let fall = gravity.dot(m.normal) * (falls(b) - falls(a))
            c.pointCount = Int32(m.count)
            for k in 0..<m.count {
                let mp = m[k]
                var p = ConstraintPoint()
                p.rA = mp.anchorA; p.rB = mp.anchorB
                p.baseSeparation = mp.separation
                p.normalMass = effectiveMass(A, B, p.rA, p.rB, c.normal)
                p.tangentMass1 = effectiveMass(A, B, p.rA, p.rB, c.t1)
                p.tangentMass2 = effectiveMass(A, B, p.rA, p.rB, c.t2)
                p.normalImpulse = mp.normalImpulse
                p.tangentImpulse1 = mp.tangentImpulse.dot(c.t1)
                p.tangentImpulse2 = mp.tangentImpulse.dot(c.t2)
                let dv = B.v + B.w.cross(p.rB) - A.v - A.w.cross(p.rA)
                p.relativeVelocity = impactSpeed(dv.dot(m.normal), gap: mp.separation, accel: fall, dt: dt)
                points.append(p)
            }
            constraints.append(c)
        }
        return (constraints, points)
    }

    /// The normal velocity at which a gap closes during this step, for restitution: a
    /// body falling onto the ground from a speculative distance arrives faster than it
    /// moved at the start of the step (gravity accelerates it), and restitution must use
    /// the arrival speed — else bounces lose up to g·dt of speed each.
    @inline(__always) private func impactSpeed(_ vn: Float, gap: Float, accel a: Float, dt: Float) -> Float {
        guard gap > 0, vn < 0 || a < 0 else { return vn }
        let arrival = -(max(0, vn * vn - 2 * a * gap)).squareRoot()
        let t = a != 0 ? (arrival - vn) / a : gap / -vn
        return t <= dt ? arrival : vn
    }

    @inline(__always) private func effectiveMass(_ A: SolverBody, _ B: SolverBody, _ rA: Vec3, _ rB: Vec3, _ d: Vec3) -> Float {
        let ra = rA.cross(d), rb = rB.cross(d)
        let k = A.invMass + B.invMass + ra.dot(A.invI * ra) + rb.dot(B.invI * rb)
        return k > 0 ? 1 / k : 0
    }

    /// Keeps the impulses for next step's warm start and reports hard impacts.
    private func storeImpulses(_ constraints: [ContactConstraint], _ points: [ConstraintPoint]) {
        let hitSpeed = settings.hitSpeed
        for c in constraints {
            let index = Int(c.contact)
            var m = contacts[index].manifold
            var fastest: Float = 0, impulse: Float = 0, at = Vec3.zero
            for k in 0..<Int(c.pointCount) {
                let p = points[Int(c.pointStart) + k]
                var mp = m[k]
                mp.normalImpulse = p.normalImpulse
                mp.tangentImpulse = c.t1 * p.tangentImpulse1 + c.t2 * p.tangentImpulse2
                mp.maxNormalImpulse = p.maxNormalImpulse
                m[k] = mp
                impulse += p.totalNormalImpulse
                if -p.relativeVelocity > fastest && p.maxNormalImpulse > 0 {
                    fastest = -p.relativeVelocity
                    at = position[Int(c.a)] + p.rA
                }
            }
            contacts[index].manifold = m
            if fastest > hitSpeed {
                events.hits.append(ContactHit(
                    a: BodyID(c.a), b: BodyID(c.b), point: at, normal: c.normal, approachSpeed: fastest, impulse: impulse))
            }
        }
        // Constraints are in colour order; events are in pair order.
        events.hits.sort { ($0.a, $0.b) < ($1.a, $1.b) }
    }
}
