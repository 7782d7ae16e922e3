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

        // Moving bodies, in index order; one more slot: the dummy body of unused lanes.
        let n = bodyCount
        var active: [Int32] = []
        var bodies = [SolverBody](repeating: SolverBody(), count: n + 1)
        var mass = SolverMass(count: n + 1)
        for i in 0..<n where isEnabled[i] && kind[i] != .static && (kind[i] == .kinematic || isAwake[i]) {
            active.append(Int32(i))
            bodies[i].v = linearVelocity[i]
            bodies[i].w = angularVelocity[i]
            if kind[i] == .dynamic {
                mass.invMass[i] = invMass[i]
                mass.invI[i] = Mat3.rotatedDiagonal(Mat3(rotation[i]), invInertia[i])
            }
        }
        var (constraints, points) = prepareContacts(bodies, mass, h: h)
        let colours = ConstraintColours(&constraints, invMass: mass.invMass)
        var (groups, wide) = pack(constraints, points, colours, mass, soft: soft, staticSoft: staticSoft, dummy: Int32(n))
        let dynamic = active.filter { kind[Int($0)] == .dynamic }
        var gravityStep = [Vec3](), damping = [(Float, Float)]()
        for i in dynamic {
            gravityStep.append(gravity * (gravityScale[Int(i)] * h))
            damping.append((1 / (1 + h * linearDamping[Int(i)]), 1 / (1 + h * angularDamping[Int(i)])))
        }

        bodies.withUnsafeMutableBufferPointer { bodies in
        wide.withUnsafeMutableBufferPointer { wp in
        groups.withUnsafeBufferPointer { gs in
        rotation.withUnsafeMutableBufferPointer { rot in
            let pts = wp.baseAddress!
            for substep in 0..<substeps {
                for (j, i) in dynamic.enumerated() {
                    let k = Int(i)
                    bodies[k].v = (bodies[k].v + gravityStep[j]) * damping[j].0
                    bodies[k].w *= damping[j].1
                }
                colours.forEachGroup(executor: executor) { ContactSolver.warmStart(gs[$0], pts + 4 * $0, bodies) }
                colours.forEachGroup(executor: executor) {
                    ContactSolver.solve(gs[$0], pts + 4 * $0, bodies, invH: invH, slop: slop, pushOut: pushOut, substep: substep, useBias: true)
                }
                for i in active {
                    let k = Int(i)
                    bodies[k].dp += bodies[k].v * h
                    bodies[k].dTheta += bodies[k].w * h
                    rot[k] = rot[k].integrated(angularVelocity: bodies[k].w, dt: h)
                }
                colours.forEachGroup(executor: executor) {
                    ContactSolver.solve(gs[$0], pts + 4 * $0, bodies, invH: invH, slop: slop, pushOut: pushOut, substep: substep, useBias: false)
                }
            }
            let threshold = settings.restitutionThreshold
            colours.forEachGroup(executor: executor) { ContactSolver.restitution(gs[$0], pts + 4 * $0, bodies, threshold: threshold) }
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
        unpack(wide, colours, &constraints, &points)
        storeImpulses(constraints, points)
    }

    /// Packs the coloured constraints four to a group (see ContactSolver.swift).
    private func pack(
        _ constraints: [ContactConstraint], _ points: [ConstraintPoint], _ colours: ConstraintColours, _ mass: SolverMass,
        soft: Softness, staticSoft: Softness, dummy: Int32
    ) -> ([WideConstraint], [WidePoint]) {
        var groups = [WideConstraint](repeating: WideConstraint(), count: colours.groups.count)
        var wide = [WidePoint](repeating: WidePoint(), count: 4 * colours.groups.count)
        // Lanes are written in place: a group is 0.5 kB and a point slot 448 bytes.
        groups.withUnsafeMutableBufferPointer { groups in
        wide.withUnsafeMutableBufferPointer { wide in
        for (g, members) in colours.groups.enumerated() {
            let w = groups.baseAddress! + g
            w.pointee.a = SIMD4(repeating: dummy)
            w.pointee.b = SIMD4(repeating: dummy)
            for (l, ci) in members.enumerated() {
                let c = constraints[ci]
                let a = Int(c.a), b = Int(c.b)
                w.pointee.a[l] = c.a; w.pointee.b[l] = c.b
                w.pointee.normal[lane: l] = c.normal; w.pointee.t1[lane: l] = c.t1; w.pointee.t2[lane: l] = c.t2
                w.pointee.invMassA[l] = mass.invMass[a]; w.pointee.invMassB[l] = mass.invMass[b]
                w.pointee.invIA.set(l, mass.invI[a]); w.pointee.invIB.set(l, mass.invI[b])
                w.pointee.friction[l] = c.friction; w.pointee.restitution[l] = c.restitution
                w.pointee.surface1[l] = c.surface1; w.pointee.surface2[l] = c.surface2
                w.pointee.fallStep[l] = c.fallStep
                w.pointee.rolling[l] = c.rolling
                w.pointee.rollingMass1[l] = c.rollingMass1; w.pointee.rollingMass2[l] = c.rollingMass2
                wide.baseAddress![4 * g].rollingImpulse1[l] = c.rollingImpulse1
                wide.baseAddress![4 * g].rollingImpulse2[l] = c.rollingImpulse2
                let s = c.isStatic ? staticSoft : soft
                w.pointee.biasRate[l] = s.biasRate; w.pointee.massScale[l] = s.massScale; w.pointee.impulseScale[l] = s.impulseScale
                w.pointee.pointCount = max(w.pointee.pointCount, Int(c.pointCount))
                for j in 0..<Int(c.pointCount) {
                    let p = points[Int(c.pointStart) + j]
                    let rnA = p.rA.cross(c.normal), rnB = p.rB.cross(c.normal)
                    let q = wide.baseAddress! + (4 * g + j)
                    q.pointee.rA[lane: l] = p.rA; q.pointee.rB[lane: l] = p.rB
                    q.pointee.rnA[lane: l] = rnA; q.pointee.rnB[lane: l] = rnB
                    q.pointee.aA[lane: l] = mass.invI[a] * rnA; q.pointee.aB[lane: l] = mass.invI[b] * rnB
                    q.pointee.baseSeparation[l] = p.baseSeparation
                    q.pointee.normalMass[l] = p.normalMass
                    q.pointee.tangentMass1[l] = p.tangentMass1; q.pointee.tangentMass2[l] = p.tangentMass2
                    q.pointee.normalImpulse[l] = p.normalImpulse
                    q.pointee.tangentImpulse1[l] = p.tangentImpulse1; q.pointee.tangentImpulse2[l] = p.tangentImpulse2
                    q.pointee.relativeVelocity[l] = p.relativeVelocity
                }
            }
        }
        }
        }
        return (groups, wide)
    }

    /// Copies the solved impulses back to the scalar points.
    private func unpack(_ wide: [WidePoint], _ colours: ConstraintColours, _ constraints: inout [ContactConstraint],
                        _ points: inout [ConstraintPoint]) {
        for (g, members) in colours.groups.enumerated() {
            for (l, ci) in members.enumerated() {
                if constraints[ci].rolling > 0 {
                    constraints[ci].rollingImpulse1 = wide[4 * g].rollingImpulse1[l]
                    constraints[ci].rollingImpulse2 = wide[4 * g].rollingImpulse2[l]
                }
                let c = constraints[ci]
                for j in 0..<Int(c.pointCount) {
                    let q = wide[4 * g + j]
                    let k = Int(c.pointStart) + j
                    points[k].normalImpulse = q.normalImpulse[l]
                    points[k].tangentImpulse1 = q.tangentImpulse1[l]
                    points[k].tangentImpulse2 = q.tangentImpulse2[l]
                    points[k].maxNormalImpulse = q.maxNormalImpulse[l]
                    points[k].totalNormalImpulse = q.totalNormalImpulse[l]
                    points[k].relativeVelocity = q.relativeVelocity[l]
                }
            }
        }
    }

    /// Solver constraints for touching manifolds with an awake body: anchors, effective
    /// masses, warm-start impulses and the normal velocity before the step.
    private func prepareContacts(_ bodies: [SolverBody], _ mass: SolverMass, h: Float) -> ([ContactConstraint], [ConstraintPoint]) {
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
            let mA = mass.invMass[a], mB = mass.invMass[b], iA = mass.invI[a], iB = mass.invI[b]
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
            c.fallStep = gravity.dot(m.normal) * (falls(b) - falls(a)) * h
            let mu = max(material[a].rollingResistance, material[b].rollingResistance)
            if mu > 0 {
                // The rolling radius: the larger inner radius of the dynamic bodies.
                let radius = max(kind[a] == .dynamic ? innerRadius[a] : 0, kind[b] == .dynamic ? innerRadius[b] : 0)
                c.rolling = mu * radius
                c.rollingMass1 = angularMass(iA, iB, c.t1)
                c.rollingMass2 = angularMass(iA, iB, c.t2)
                c.rollingImpulse1 = m.rollingImpulse.dot(c.t1)
                c.rollingImpulse2 = m.rollingImpulse.dot(c.t2)
            }
            c.pointStart = Int32(points.count)
            c.pointCount = Int32(m.count)
            for k in 0..<m.count {
                let mp = m[k]
                var p = ConstraintPoint()
                p.rA = mp.anchorA; p.rB = mp.anchorB
                p.baseSeparation = mp.separation
                p.normalMass = effectiveMass(mA, iA, mB, iB, p.rA, p.rB, c.normal)
                p.tangentMass1 = effectiveMass(mA, iA, mB, iB, p.rA, p.rB, c.t1)
                p.tangentMass2 = effectiveMass(mA, iA, mB, iB, p.rA, p.rB, c.t2)
                p.normalImpulse = mp.normalImpulse
                p.tangentImpulse1 = mp.tangentImpulse.dot(c.t1)
                p.tangentImpulse2 = mp.tangentImpulse.dot(c.t2)
                let dv = B.v + B.w.cross(p.rB) - A.v - A.w.cross(p.rA)
                p.relativeVelocity = dv.dot(m.normal)
                points.append(p)
            }
            constraints.append(c)
        }
        return (constraints, points)
    }

    @inline(__always) private func angularMass(_ iA: Mat3, _ iB: Mat3, _ d: Vec3) -> Float {
        let k = d.dot(iA * d) + d.dot(iB * d)
        return k > 0 ? 1 / k : 0
    }

    @inline(__always) private func effectiveMass(_ mA: Float, _ iA: Mat3, _ mB: Float, _ iB: Mat3, _ rA: Vec3, _ rB: Vec3, _ d: Vec3) -> Float {
        let ra = rA.cross(d), rb = rB.cross(d)
        let k = mA + mB + ra.dot(iA * ra) + rb.dot(iB * rb)
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
            m.rollingImpulse = c.t1 * c.rollingImpulse1 + c.t2 * c.rollingImpulse2
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

/// Inverse mass and world inverse inertia of the bodies the solver may move (zero for
/// the others).
struct SolverMass {
    var invMass: [Float]
    var invI: [Mat3]
    init(count: Int) {
        invMass = [Float](repeating: 0, count: count)
        invI = [Mat3](repeating: .zero, count: count)
    }
}
