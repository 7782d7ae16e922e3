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
//   * restitution is a separate pass after all substeps, using the normal velocity
//     measured before the step, and only for points that really carried load
//     (`maxNormalImpulse > 0`). A spring-damper contact (MuJoCo's soft contacts) cannot
//     reproduce a coefficient of restitution and even gains energy at 1/60 s.
//
// Friction is Coulomb with two tangent directions per point, clamped together to the
// friction cone's circle (μ × normal impulse); conveyor belts add their surface velocity
// to the tangent velocity target. Impulses are stored with the manifold for the next
// step's warm start; the friction impulse as a world vector, so it survives the
// tangent basis turning with the normal.

/// Per-body solver state: velocities, motion since the step began, and inverse mass
/// properties in the world frame (zero for static, kinematic and sleeping bodies).
struct SolverBody {
    var v = Vec3.zero
    var w = Vec3.zero
    var dp = Vec3.zero
    var dTheta = Vec3.zero
    var invMass: Float = 0
    var invI = Mat3.zero
}

struct ConstraintPoint {
    var rA = Vec3.zero, rB = Vec3.zero
    var baseSeparation: Float = 0
    var normalMass: Float = 0
    var tangentMass1: Float = 0, tangentMass2: Float = 0
    var normalImpulse: Float = 0
    var tangentImpulse1: Float = 0, tangentImpulse2: Float = 0
    var maxNormalImpulse: Float = 0
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
    var pointStart: Int32 = 0, pointCount: Int32 = 0
    var isStatic = false
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

enum ContactSolver {
    /// Applies impulse `P` (N·s, on B; −P on A) at anchors `rA`, `rB`.
    @inline(__always) static func applyImpulse(_ P: Vec3, _ rA: Vec3, _ rB: Vec3, _ A: inout SolverBody, _ B: inout SolverBody) {
        A.v -= P * A.invMass
        A.w -= A.invI * rA.cross(P)
        B.v += P * B.invMass
        B.w += B.invI * rB.cross(P)
    }

    @inline(__always) static func solveNormal(
        _ c: ContactConstraint, _ pts: UnsafeMutableBufferPointer<ConstraintPoint>, _ bodies: UnsafeMutableBufferPointer<SolverBody>,
        soft: Softness, staticSoft: Softness, invH: Float, slop: Float, pushOut: Float, useBias: Bool
    ) {
        var A = bodies[Int(c.a)], B = bodies[Int(c.b)]
        let n = c.normal
        let s0 = c.isStatic ? staticSoft : soft
        let dp = B.dp - A.dp
        // The relax pass walks the points backwards: sequential impulses favour the
        // first point, and alternating the order keeps a resting box from rocking.
        let first = Int(c.pointStart), count = Int(c.pointCount)
        for j in 0..<count {
            let k = useBias ? first + j : first + count - 1 - j
            var p = pts[k]
            let d = dp + B.dTheta.cross(p.rB) - A.dTheta.cross(p.rA)
            let s = d.dot(n) + p.baseSeparation
            var bias: Float = 0, massScale: Float = 1, impulseScale: Float = 0
            if s > slop {
                bias = s * invH
            } else if useBias {
                bias = max(s0.biasRate * s, -pushOut)
                massScale = s0.massScale
                impulseScale = s0.impulseScale
            }
            let dv = B.v + B.w.cross(p.rB) - A.v - A.w.cross(p.rA)
            let vn = dv.dot(n)
            var impulse = -p.normalMass * massScale * (vn + bias) - impulseScale * p.normalImpulse
            let newImpulse = max(p.normalImpulse + impulse, 0)
            impulse = newImpulse - p.normalImpulse
            p.normalImpulse = newImpulse
            p.maxNormalImpulse = max(p.maxNormalImpulse, impulse)
            let P = n * impulse
            applyImpulse(P, p.rA, p.rB, &A, &B)
            pts[k] = p
        }
        for j in 0..<count {
            let k = useBias ? first + j : first + count - 1 - j
            var p = pts[k]
            let dv = B.v + B.w.cross(p.rB) - A.v - A.w.cross(p.rA)
            let vt1 = dv.dot(c.t1) + c.surface1, vt2 = dv.dot(c.t2) + c.surface2
            var i1 = p.tangentImpulse1 - p.tangentMass1 * vt1
            var i2 = p.tangentImpulse2 - p.tangentMass2 * vt2
            let limit = c.friction * p.normalImpulse
            let mag2 = i1 * i1 + i2 * i2
            if mag2 > limit * limit {
                let scale = mag2 > 0 ? limit / mag2.squareRoot() : 0
                i1 *= scale; i2 *= scale
            }
            let d1 = i1 - p.tangentImpulse1, d2 = i2 - p.tangentImpulse2
            p.tangentImpulse1 = i1; p.tangentImpulse2 = i2
            let P = c.t1 * d1 + c.t2 * d2
            applyImpulse(P, p.rA, p.rB, &A, &B)
            pts[k] = p
        }
        // Only dynamic bodies change; static ones are shared by a colour's constraints.
        if A.invMass > 0 { bodies[Int(c.a)] = A }
        if B.invMass > 0 { bodies[Int(c.b)] = B }
    }

    @inline(__always) static func warmStart(
        _ c: ContactConstraint, _ pts: UnsafeMutableBufferPointer<ConstraintPoint>, _ bodies: UnsafeMutableBufferPointer<SolverBody>
    ) {
        var A = bodies[Int(c.a)], B = bodies[Int(c.b)]
        for k in Int(c.pointStart)..<Int(c.pointStart + c.pointCount) {
            let p = pts[k]
            let P = c.normal * p.normalImpulse + c.t1 * p.tangentImpulse1 + c.t2 * p.tangentImpulse2
            applyImpulse(P, p.rA, p.rB, &A, &B)
        }
        // Only dynamic bodies change; static ones are shared by a colour's constraints.
        if A.invMass > 0 { bodies[Int(c.a)] = A }
        if B.invMass > 0 { bodies[Int(c.b)] = B }
    }

    @inline(__always) static func restitution(
        _ c: ContactConstraint, _ pts: UnsafeMutableBufferPointer<ConstraintPoint>, _ bodies: UnsafeMutableBufferPointer<SolverBody>,
        threshold: Float
    ) {
        guard c.restitution > 0 else { return }
        var A = bodies[Int(c.a)], B = bodies[Int(c.b)]
        for k in Int(c.pointStart)..<Int(c.pointStart + c.pointCount) {
            var p = pts[k]
            guard p.relativeVelocity < -threshold, p.maxNormalImpulse > 0 else { continue }
            let dv = B.v + B.w.cross(p.rB) - A.v - A.w.cross(p.rA)
            let vn = dv.dot(c.normal)
            var impulse = -p.normalMass * (vn + c.restitution * p.relativeVelocity)
            let newImpulse = max(p.normalImpulse + impulse, 0)
            impulse = newImpulse - p.normalImpulse
            p.normalImpulse = newImpulse
            p.maxNormalImpulse = max(p.maxNormalImpulse, impulse)
            p.totalNormalImpulse += impulse
            let P = c.normal * impulse
            applyImpulse(P, p.rA, p.rB, &A, &B)
            pts[k] = p
        }
        // Only dynamic bodies change; static ones are shared by a colour's constraints.
        if A.invMass > 0 { bodies[Int(c.a)] = A }
        if B.invMass > 0 { bodies[Int(c.b)] = B }
    }
}
