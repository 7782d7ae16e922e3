import TwinMath

// Why a soft-step solver with substeps
// ------------------------------------
// Rigid contact is a complementarity problem; game engines solve it approximately with
// sequential impulses (projected Gauss–Seidel over contact points). Classic PGS at one
// 60 Hz step needs many iterations and Baumgarte position feedback, and the feedback
// is what makes tall stacks jitter and piles creep: the validation data of
// `physics.md` shows PyBullet losing a 20-box stack at 1/60 s. Box2D v3 (Erin Catto,
// "Solver2D", 2024) replaced this with "soft step":
//
//   * the step is cut into substeps (4 by default); each substep integrates velocities,
//     applies last substep's impulses (warm start), runs ONE solve pass, integrates
//     positions and runs ONE relax pass. Small substeps make gravity's per-substep error
//     tiny, which is what keeps stacks straight — more effective than more iterations.
//   * overlap is corrected by a soft constraint — a spring with frequency
//     `contactHertz` (30 Hz) and damping ratio 10 — written as an implicit
//     (unconditionally stable) mass/impulse scaling, not a Baumgarte guess; push-out
//     speed is capped (3 m/s), so bodies spawned overlapping separate gently instead of
//     exploding;
//   * the relax pass solves again without the position bias, removing the velocity the
//     soft spring added: bodies end the step resting, not drifting apart (no "pop");
//   * separation is tracked per substep from each body's accumulated motion
//     (`dp`, `dθ`) instead of recomputing contacts, so the narrowphase runs once per step;
//     a positive separation is a speculative contact: the solver lets the bodies close
//     exactly that gap in the substep, which doubles as continuous collision for bodies
//     up to the speculative margin (the margin includes the step's travel);
//   * restitution is a separate pass after all substeps, only for points that really
//     carried load (`maxNormalImpulse > 0`). Box2D uses the normal velocity from before
//     the step; we use the one at the pass where the point first pushed, because a ball
//     falling 4.4 m/s is caught in the slop band a substep or two after the step began,
//     already faster than at its start: the pre-step speed lost 7 % of the energy per
//     bounce of an elastic ball (its apex fell from 1 m to 0.59 m in 20 s). A
//     spring-damper contact (MuJoCo's soft contacts) cannot reproduce a coefficient of
//     restitution and even gains energy at 1/60 s.
//
// The solver is wide (Box2D v3's SIMD contact solver, in 3D): constraints of one
// graph colour touch disjoint dynamic bodies, so they are packed four to a group —
// lane l of every field belongs to constraint l — and solved with 4-wide SIMD, each
// operation one instruction for four constraints. Per step, once, the prepare stage
// computes effective masses and the angular directions `r × n` and `I⁻¹(r × n)` of
// each point, so the normal rows of a substep are dot products and multiply-adds;
// friction still forms its cross products in the lanes (cheap there, and it keeps a
// point's data small). Body velocities and motion since the step began live in a
// compact 48-byte `SolverBody` array; a group gathers its eight bodies' state into
// lanes, solves, and scatters the dynamic ones back. Unused lanes point at a dummy
// body with zero mass and are never written; unused point slots have zero mass and
// impulse, so they apply nothing. Constraints in the overflow set (bodies with more
// than 24 colours' worth of contacts) get a group each, solved in order on one thread.
//
// Friction is Coulomb with two tangent directions per point, clamped together to the
// friction cone's circle (μ × normal impulse); conveyor belts add their surface velocity
// to the tangent velocity target. Impulses are stored with the manifold for the next
// step's warm start; the friction impulse as a world vector, so it survives the
// tangent basis turning with the normal.

/// Per-body solver state: velocities and motion since the step began (m/s, rad/s, m, rad).
struct SolverBody {
    var v = Vec3.zero
    var w = Vec3.zero
    var dp = Vec3.zero
    var dTheta = Vec3.zero
}

/// A contact point as prepared once per step (scalar; packed into `WidePoint` lanes).
struct ConstraintPoint {
    var rA = Vec3.zero, rB = Vec3.zero
    var baseSeparation: Float = 0
    var normalMass: Float = 0
    var tangentMass1: Float = 0, tangentMass2: Float = 0
    var normalImpulse: Float = 0
    var tangentImpulse1: Float = 0, tangentImpulse2: Float = 0
    var maxNormalImpulse: Float = 0
    /// Normal velocity (m/s, negative approaching) before the step; the solver replaces
    /// it by the one when the point first pushed.
    var relativeVelocity: Float = 0
    /// Sum of the normal impulses of all substeps (N·s), for hit events.
    var totalNormalImpulse: Float = 0
}

struct ContactConstraint {
    var a: Int32 = 0, b: Int32 = 0
    var contact: Int32 = 0
    var normal = Vec3.zero, t1 = Vec3.zero, t2 = Vec3.zero
    var friction: Float = 0, restitution: Float = 0
    /// Tangent speed of the surfaces relative to each other (conveyors), along t1 and t2.
    var surface1: Float = 0, surface2: Float = 0
    /// Normal velocity gravity adds between the bodies in one substep (m/s, negative
    /// when it closes the gap).
    var fallStep: Float = 0
    /// μr × rolling radius (m): the rolling torque limit per unit normal force.
    var rolling: Float = 0
    var rollingMass1: Float = 0, rollingMass2: Float = 0
    var rollingImpulse1: Float = 0, rollingImpulse2: Float = 0
    var pointStart: Int32 = 0, pointCount: Int32 = 0
    var isStatic = false
}

/// Four contact constraints of one colour, lane by lane.
struct WideConstraint {
    var a = SIMD4<Int32>.zero, b = SIMD4<Int32>.zero
    var normal = WideVec3.zero, t1 = WideVec3.zero, t2 = WideVec3.zero
    /// Zero for static, kinematic, sleeping and dummy bodies: those are never written.
    var invMassA = Wide.zero, invMassB = Wide.zero
    var invIA = WideSym3(), invIB = WideSym3()
    var friction = Wide.zero, restitution = Wide.zero
    var surface1 = Wide.zero, surface2 = Wide.zero
    var fallStep = Wide.zero
    var rolling = Wide.zero, rollingMass1 = Wide.zero, rollingMass2 = Wide.zero
    /// Soft contact coefficients of each lane (static contacts are stiffer).
    var biasRate = Wide.zero, massScale = Wide(repeating: 1), impulseScale = Wide.zero
    /// The most points of any lane.
    var pointCount = 0
}

/// Point slot j of the four constraints of a group.
struct WidePoint {
    var rA = WideVec3.zero, rB = WideVec3.zero
    /// `r × n` and `I⁻¹ (r × n)` for each body: the normal row's angular parts.
    var rnA = WideVec3.zero, rnB = WideVec3.zero
    var aA = WideVec3.zero, aB = WideVec3.zero
    var baseSeparation = Wide.zero
    var normalMass = Wide.zero, tangentMass1 = Wide.zero, tangentMass2 = Wide.zero
    var normalImpulse = Wide.zero, tangentImpulse1 = Wide.zero, tangentImpulse2 = Wide.zero
    var maxNormalImpulse = Wide.zero
    var relativeVelocity = Wide.zero
    var totalNormalImpulse = Wide.zero
    /// The constraint's rolling-resistance impulses along t1, t2 (slot 0 only).
    var rollingImpulse1 = Wide.zero, rollingImpulse2 = Wide.zero
}

/// Implicit soft-constraint coefficients for a spring of `hertz` and `zeta` at step `h`.
struct Softness {
    var biasRate: Float = 0, massScale: Float = 1, impulseScale: Float = 0
    init(hertz: Float, zeta: Float, h: Float) {
        guard hertz > 0 else { return }
        let omega = 2 * Float.pi * hertz
        let a1 = 2 * zeta + h * omega
        let a2 = h * omega * a1
        let a3 = 1 / (1 + a2)
        biasRate = omega / a1
        massScale = a2 * a3
        impulseScale = a3
    }
}

/// The four bodies on one side of a group, in lanes.
struct WideBody {
    var v: WideVec3, w: WideVec3, dp: WideVec3, dTheta: WideVec3

    @inline(__always) init(_ bodies: UnsafeMutableBufferPointer<SolverBody>, _ index: SIMD4<Int32>) {
        let b0 = bodies[Int(index[0])], b1 = bodies[Int(index[1])], b2 = bodies[Int(index[2])], b3 = bodies[Int(index[3])]
        v = WideVec3(b0.v, b1.v, b2.v, b3.v)
        w = WideVec3(b0.w, b1.w, b2.w, b3.w)
        dp = WideVec3(b0.dp, b1.dp, b2.dp, b3.dp)
        dTheta = WideVec3(b0.dTheta, b1.dTheta, b2.dTheta, b3.dTheta)
    }

    /// Writes the velocities of the lanes with mass back (motion is not changed by the solver).
    @inline(__always) func store(_ bodies: UnsafeMutableBufferPointer<SolverBody>, _ index: SIMD4<Int32>, _ invMass: Wide) {
        for l in 0..<4 where invMass[l] > 0 {
            let k = Int(index[l])
            bodies[k].v = v[lane: l]
            bodies[k].w = w[lane: l]
        }
    }
}

enum ContactSolver {
    @inline(__always) static func applyImpulse(_ P: WideVec3, _ angA: WideVec3, _ angB: WideVec3, _ c: WideConstraint,
                                               _ A: inout WideBody, _ B: inout WideBody) {
        A.v -= P * c.invMassA
        A.w -= c.invIA * angA
        B.v += P * c.invMassB
        B.w += c.invIB * angB
    }

    /// One solve (`useBias`) or relax pass over a group's normal and friction rows.
    @inline(__always) static func solve(
        _ c: WideConstraint, _ pts: UnsafeMutablePointer<WidePoint>, _ bodies: UnsafeMutableBufferPointer<SolverBody>,
        invH: Float, slop: Float, pushOut: Float, substep: Int, useBias: Bool
    ) {
        var A = WideBody(bodies, c.a), B = WideBody(bodies, c.b)
        let A0 = A, B0 = B
        let n = c.normal
        let dpn = (B.dp - A.dp).dot(n)
        let zero = Wide.zero, one = Wide(repeating: 1)
        let count = c.pointCount
        // The relax pass walks the points backwards: sequential impulses favour the
        // first point, and alternating the order keeps a resting box from rocking.
        for j in 0..<count {
            // Fields are read and written through the pointer: a point is 448 bytes.
            let p = pts + (useBias ? j : count - 1 - j)
            let rnA = p.pointee.rnA, rnB = p.pointee.rnB
            let s = dpn + B.dTheta.dot(rnB) - A.dTheta.dot(rnA) + p.pointee.baseSeparation
            let speculative = s .> Wide(repeating: slop)
            var bias = zero, massScale = one, impulseScale = zero
            if useBias {
                bias = wideMax(c.biasRate * s, Wide(repeating: -pushOut))
                massScale = c.massScale
                impulseScale = c.impulseScale
            }
            bias.replace(with: s * invH, where: speculative)
            massScale.replace(with: one, where: speculative)
            impulseScale.replace(with: zero, where: speculative)
            let vn = (B.v - A.v).dot(n) + B.w.dot(rnB) - A.w.dot(rnA)
            let old = p.pointee.normalImpulse
            var impulse = -p.pointee.normalMass * massScale * (vn + bias) - impulseScale * old
            let newImpulse = wideMax(old + impulse, zero)
            impulse = newImpulse - old
            p.pointee.normalImpulse = newImpulse
            // The approach speed when the point first pushes in this step, from the
            // velocities before this pass (other points of the pass must not lower it):
            // restitution's input, whichever substep the impact falls in. Semi-implicit
            // Euler moves a falling body with the speed gravity gave it at the start of
            // the substep, so the mirror image of its fall leaves faster by the part of
            // the substep it moved before being caught: all of it in the relax pass
            // (after the move), the share of the gap it may close in the solve pass.
            // Without this an elastic ball lost 2/N of its height per bounce (N
            // substeps of fall). The speed is bounded by the one before the step plus
            // the gravity of the substeps so far: velocity another contact's warm start
            // lent a body this substep (taken back by that contact's own solve) made
            // elastic spheres gain 3 % of their energy in one bounce.
            let first = (p.pointee.maxNormalImpulse .== zero) .& (impulse .> zero)
            if any(first) {
                let vn0 = (B0.v - A0.v).dot(n) + B0.w.dot(rnB) - A0.w.dot(rnA)
                var moved = one
                if useBias {
                    let closing = wideMax(-vn0, Wide(repeating: .leastNormalMagnitude))
                    moved = wideMin(wideMax(s * invH / closing, zero), one)
                }
                let bound = p.pointee.relativeVelocity + c.fallStep * (Wide(repeating: Float(substep + 1)) + moved)
                p.pointee.relativeVelocity.replace(with: wideMax(vn0 + c.fallStep * moved, bound), where: first)
            }
            p.pointee.maxNormalImpulse = wideMax(p.pointee.maxNormalImpulse, impulse)
            // A substep's impulse is the relax pass's result (friction leaves it alone).
            if !useBias { p.pointee.totalNormalImpulse += newImpulse }
            A.v -= n * (impulse * c.invMassA)
            A.w -= p.pointee.aA * impulse
            B.v += n * (impulse * c.invMassB)
            B.w += p.pointee.aB * impulse
        }
        for j in 0..<count {
            let p = pts + (useBias ? j : count - 1 - j)
            let rA = p.pointee.rA, rB = p.pointee.rB
            let a1 = rA.cross(c.t1), a2 = rA.cross(c.t2), b1 = rB.cross(c.t1), b2 = rB.cross(c.t2)
            let dv = B.v - A.v
            let vt1 = dv.dot(c.t1) + B.w.dot(b1) - A.w.dot(a1) + c.surface1
            let vt2 = dv.dot(c.t2) + B.w.dot(b2) - A.w.dot(a2) + c.surface2
            let old1 = p.pointee.tangentImpulse1, old2 = p.pointee.tangentImpulse2
            var i1 = old1 - p.pointee.tangentMass1 * vt1
            var i2 = old2 - p.pointee.tangentMass2 * vt2
            let limit = c.friction * p.pointee.normalImpulse
            let mag2 = i1 * i1 + i2 * i2
            let over = mag2 .> limit * limit
            if any(over) {
                let scale = limit / wideMax(mag2, Wide(repeating: .leastNormalMagnitude)).squareRoot()
                i1.replace(with: i1 * scale, where: over)
                i2.replace(with: i2 * scale, where: over)
            }
            let d1 = i1 - old1, d2 = i2 - old2
            p.pointee.tangentImpulse1 = i1
            p.pointee.tangentImpulse2 = i2
            applyImpulse(c.t1 * d1 + c.t2 * d2, a1 * d1 + a2 * d2, b1 * d1 + b2 * d2, c, &A, &B)
        }
        if any(c.rolling .> zero) { roll(c, pts, &A, &B) }
        A.store(bodies, c.a, c.invMassA)
        B.store(bodies, c.b, c.invMassB)
    }

    /// Rolling resistance (Box2D v3's model, in 3D): an angular impulse against the
    /// bodies' relative rotation about the contact tangents, clamped to a circle of
    /// μr × rolling radius × the manifold's normal impulse.
    @inline(__always) static func roll(_ c: WideConstraint, _ pts: UnsafeMutablePointer<WidePoint>,
                                       _ A: inout WideBody, _ B: inout WideBody) {
        var normal = Wide.zero
        for j in 0..<c.pointCount { normal += pts[j].normalImpulse }
        let limit = c.rolling * normal
        let dw = B.w - A.w
        let old1 = pts.pointee.rollingImpulse1, old2 = pts.pointee.rollingImpulse2
        var i1 = old1 - c.rollingMass1 * dw.dot(c.t1)
        var i2 = old2 - c.rollingMass2 * dw.dot(c.t2)
        let mag2 = i1 * i1 + i2 * i2
        let over = mag2 .> limit * limit
        let scale = limit / wideMax(mag2, Wide(repeating: .leastNormalMagnitude)).squareRoot()
        i1.replace(with: i1 * scale, where: over)
        i2.replace(with: i2 * scale, where: over)
        pts.pointee.rollingImpulse1 = i1
        pts.pointee.rollingImpulse2 = i2
        let L = c.t1 * (i1 - old1) + c.t2 * (i2 - old2)
        A.w -= c.invIA * L
        B.w += c.invIB * L
    }

    @inline(__always) static func warmStart(
        _ c: WideConstraint, _ pts: UnsafeMutablePointer<WidePoint>, _ bodies: UnsafeMutableBufferPointer<SolverBody>
    ) {
        var A = WideBody(bodies, c.a), B = WideBody(bodies, c.b)
        for k in 0..<c.pointCount {
            let p = pts + k
            let P = c.normal * p.pointee.normalImpulse + c.t1 * p.pointee.tangentImpulse1 + c.t2 * p.pointee.tangentImpulse2
            applyImpulse(P, p.pointee.rA.cross(P), p.pointee.rB.cross(P), c, &A, &B)
        }
        if any(c.rolling .> Wide.zero) {
            let L = c.t1 * pts.pointee.rollingImpulse1 + c.t2 * pts.pointee.rollingImpulse2
            A.w -= c.invIA * L
            B.w += c.invIB * L
        }
        A.store(bodies, c.a, c.invMassA)
        B.store(bodies, c.b, c.invMassB)
    }

    /// Restitution after the substeps, for points that approached faster than
    /// `threshold` when they first pushed and really carried load.
    @inline(__always) static func restitution(
        _ c: WideConstraint, _ pts: UnsafeMutablePointer<WidePoint>, _ bodies: UnsafeMutableBufferPointer<SolverBody>,
        threshold: Float
    ) {
        guard any(c.restitution .> 0) else { return }
        var A = WideBody(bodies, c.a), B = WideBody(bodies, c.b)
        let n = c.normal, zero = Wide.zero
        for k in 0..<c.pointCount {
            var p = pts[k]
            let bounces = (p.relativeVelocity .< Wide(repeating: -threshold)) .& (p.maxNormalImpulse .> zero) .& (c.restitution .> zero)
            guard any(bounces) else { continue }
            let vn = (B.v - A.v).dot(n) + B.w.dot(p.rnB) - A.w.dot(p.rnA)
            var impulse = -p.normalMass * (vn + c.restitution * p.relativeVelocity)
            let newImpulse = wideMax(p.normalImpulse + impulse, zero)
            impulse = (newImpulse - p.normalImpulse).replacing(with: zero, where: .!bounces)
            p.normalImpulse += impulse
            p.maxNormalImpulse = wideMax(p.maxNormalImpulse, impulse)
            p.totalNormalImpulse += impulse
            A.v -= n * (impulse * c.invMassA)
            A.w -= p.aA * impulse
            B.v += n * (impulse * c.invMassB)
            B.w += p.aB * impulse
            pts[k] = p
        }
        A.store(bodies, c.a, c.invMassA)
        B.store(bodies, c.b, c.invMassB)
    }
}
