import TwinCore

/// The generalized centrifugal force model (Chraibi, Seyfried & Schadschneider 2010,
/// Phys. Rev. E 82, 046111), second order, per unit mass:
///
/// `dv/dt = (v0·e0 − v)/τ − Σ_j k_ij·(η·v0 + v_ij)²/d_ij · e_ij − Σ_walls k_iw·(η_w·v0 + v_n)²/d_iw · e_iw`
///
/// - Bodies are ellipses along the walking direction: semi-axis `a = a_min + τ_a·|v|`
///   ahead (the room a walker needs grows with its speed) and `b = b_max − (b_max −
///   b_min)·|v|/v0` across (the sway of a slow walker). `d_ij` is the distance between
///   the two ellipses' borders along the line of their centres, `e_ij` the unit vector
///   from i to j.
/// - `v_ij = max(0, (v_i − v_j)·e_ij)`: closing in on someone pushes harder;
///   `k_ij = max(0, v_i·e_ij)/|v_i|`: only what lies ahead of the walking direction acts
///   (the desired direction stands in for a walker at rest). Walls act alike, with
///   `v_n` the speed towards the wall.
/// - `1/d` is replaced near contact by a Hermite cubic from `f_m·c/r_ε` (zero slope) at
///   `d = 0` to `c/d` at `d = r_ε` (value and slope), held at `f_m·c/r_ε` for overlaps; and
///   it goes to zero with zero slope over the last `r_ε` before the 2 m interaction range.
/// - Integrated semi-implicitly (`v += a·dt`, then `x += v·dt`). A step that would bring
///   a centre closer to a wall than the agent's `Walker.radius` loses that part (as in
///   the speed model), so walls are never crossed.
///
/// Time step: 0.01 s (JuPedSim's for this model); the 1/d repulsion at the cap is
/// `f_m·(η·v0 + v_ij)²/r_ε` ≈ 90 m/s² at 1.34 m/s closing speed.
///
/// - Parameters (the paper's values): `relaxationTime` τ (s, 0.5), `strength` η (0.28),
///   `wallStrength` η_w (0.2, JuPedSim's default), `aMin` (m, 0.18), `stretch` τ_a (s, 0.53),
///   `bMin` (m, 0.2), `bMax` (m, 0.25), `interpolationWidth` r_ε (m, 0.1), `maxForce` f_m (3).
/// - Reads: Position, Velocity, Walker, PedestrianAgent. Writes: Velocity, Position.
public final class GeneralizedCentrifugalForceSystem: UpdateSystem {
    public struct Parameters: SystemParameters, Hashable {
        public var relaxationTime: Float = 0.5
        public var strength: Float = 0.28
        public var wallStrength: Float = 0.2
        public var aMin: Float = 0.18
        public var stretch: Float = 0.53
        public var bMin: Float = 0.2
        public var bMax: Float = 0.25
        public var interpolationWidth: Float = 0.1
        public var maxForce: Float = 3
        public init() {}
        public static let units = [
            "relaxationTime": "s", "aMin": "m", "stretch": "s", "bMin": "m", "bMax": "m", "interpolationWidth": "m",
        ]
        public static let documentation = [
            "relaxationTime": "τ: time to reach the desired velocity.",
            "strength": "η: repulsion between walkers, as a fraction of the desired speed.",
            "wallStrength": "η_w: repulsion of walls, as a fraction of the desired speed.",
            "aMin": "Semi-axis of the body along the walking direction at rest.",
            "stretch": "τ_a: growth of that semi-axis with speed (a = aMin + stretch·|v|).",
            "bMin": "Semi-axis across the walking direction at the desired speed.",
            "bMax": "Semi-axis across the walking direction at rest.",
            "interpolationWidth": "r_ε: distance over which the force is interpolated near contact and before the cut-off.",
            "maxForce": "f_m: force at contact as a multiple of the force at distance r_ε.",
        ]
        public func validate() throws(ParameterError) {
            for (name, v, lo, hi) in [("relaxationTime", relaxationTime, Float(0.05), Float(10)), ("strength", strength, 0, 10),
                                      ("wallStrength", wallStrength, 0, 10), ("aMin", aMin, 0.05, 1), ("stretch", stretch, 0, 5),
                                      ("bMin", bMin, 0.05, 1), ("bMax", bMax, 0.05, 1), ("interpolationWidth", interpolationWidth, 0.01, 0.5),
                                      ("maxForce", maxForce, 1, 100)] where !(v >= lo && v <= hi) {
                throw ParameterError(name, "\(name) must be in [\(lo), \(hi)], got \(v)")
            }
            guard bMax >= bMin else { throw ParameterError("bMax", "bMax must be at least bMin (\(bMin)), got \(bMax)") }
        }
    }

    public static let id: SystemID = "pedestrians.generalized-centrifugal-force"
    public static let summary = "Generalized centrifugal force model (Chraibi, Seyfried & Schadschneider 2010): speed-dependent elliptical bodies, repulsion growing with the closing speed."
    public static let reads = ["Position", "Velocity", "Walker", "PedestrianAgent"]
    public static let writes = ["Velocity", "Position"]
    public static let defaultPriority = SystemPriority.prePhysics

    let p: Parameters
    let frame: AgentFrame?

    public init(parameters: Parameters, setup: inout SystemSetup) throws {
        p = parameters
        frame = AgentFrame.make(&setup)
    }

    public func update(_ step: StepInfo, world: World) {
        guard let f = frame else { return }
        let p = self.p, dt = step.dtFloat
        f.advance(step) { first, end in Self.solve(f, p, dt, first, end) }
    }

    /// Distance from an ellipse's centre to its border in the direction at cosine `c`
    /// to its long axis: `a·b/√(b²c² + a²(1 − c²))`.
    @inline(__always)
    static func polarRadius(_ a: Float, _ b: Float, cos c: Float) -> Float {
        let c2 = min(1, c * c)
        return a * b / (b * b * c2 + a * a * (1 - c2)).squareRoot()
    }

    /// `1/d` with the near-contact interpolation (times `c` by the caller).
    @inline(__always)
    static func inverseDistance(_ d: Float, _ eps: Float, _ fm: Float) -> Float {
        if d >= eps { return 1 / d }
        if d <= 0 { return fm / eps }
        // Hermite cubic on t = d/ε: fm at 0 (slope 0), 1/ε at ε (slope −1/ε²).
        let t = d / eps, t2 = t * t, t3 = t2 * t
        let h00 = 2 * t3 - 3 * t2 + 1, h01 = -2 * t3 + 3 * t2, h11 = t3 - t2
        return (fm * h00 + h01 - h11) / eps
    }

    /// Smooth (Hermite, zero slopes) fall to zero over the last `eps` before `range`.
    @inline(__always)
    static func taper(_ dist: Float, _ range: Float, _ eps: Float) -> Float {
        let start = range - eps
        if dist <= start { return 1 }
        if dist >= range { return 0 }
        let t = (dist - start) / eps
        return 1 - t * t * (3 - 2 * t)
    }

    static let maxWalls = 32

    static func solve(_ f: AgentFrame, _ p: Parameters, _ dt: Float, _ first: Int, _ end: Int) {
        let sr = f.sr.base, svx = f.svx.base, svz = f.svz.base
        let order = f.order.base
        let v0 = f.v0.base, e0x = f.ex.base, e0z = f.ez.base, regions = f.region.base
        let outX = f.newVX.base, outZ = f.newVZ.base
        let invTau = 1 / p.relaxationTime, eps = p.interpolationWidth, fm = p.maxForce
        let range = PedestrianSection.interactionRange
        let invDt = 1 / dt
        // Each agent's ellipse and orientation, in cell order, computed on the fly.
        @inline(__always) func shape(_ s: Int) -> (ux: Float, uz: Float, speed: Float, a: Float, b: Float) {
            let i = Int(order[s])
            let vx = svx[s], vz = svz[s]
            let speed = (vx * vx + vz * vz).squareRoot()
            let ux: Float, uz: Float
            if speed > 1e-6 { ux = vx / speed; uz = vz / speed } else { ux = e0x[i]; uz = e0z[i] }
            let ratio = v0[i] > 0 ? min(1, speed / v0[i]) : 0
            return (ux, uz, speed, p.aMin + p.stretch * speed, p.bMax - (p.bMax - p.bMin) * ratio)
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * maxWalls) { buf in
            guard let wnx = buf.baseAddress else { return }
            let wnz = wnx + maxWalls, wd = wnz + maxWalls
            for s in first..<end {
                let i = Int(order[s])
                let me = shape(s)
                let vxi = svx[s], vzi = svz[s], vd = v0[i]
                var ax: Float = 0, az: Float = 0
                f.forEachNeighbour(of: s) { t, dx, dz, d in
                    // e_ij = −(dx, dz)/d points from i to j.
                    let ex = -dx / d, ez = -dz / d
                    let k = me.ux * ex + me.uz * ez
                    if k <= 0 { return }
                    let other = shape(t)
                    let ri = polarRadius(me.a, me.b, cos: k)
                    let rj = polarRadius(other.a, other.b, cos: other.ux * ex + other.uz * ez)
                    let closing = max(0, (vxi - svx[t]) * ex + (vzi - svz[t]) * ez)
                    let c = p.strength * vd + closing
                    let mag = k * c * c * inverseDistance(d - ri - rj, eps, fm) * taper(d, range, eps)
                    ax -= mag * ex; az -= mag * ez
                }
                // Wall points are kept for the non-crossing step below.
                var nw = 0
                f.forEachWall(of: s, region: Int(regions[i])) { nx, nz, d in
                    if nw < maxWalls { wnx[nw] = nx; wnz[nw] = nz; wd[nw] = d; nw += 1 }
                    // The wall point lies along −n from the agent.
                    let k = -(me.ux * nx + me.uz * nz)
                    if k <= 0 { return }
                    let rw = polarRadius(me.a, me.b, cos: k)
                    let closing = max(0, -(vxi * nx + vzi * nz))
                    let c = p.wallStrength * vd + closing
                    let mag = k * c * c * inverseDistance(d - rw, eps, fm) * taper(d, range, eps)
                    ax += mag * nx; az += mag * nz
                }
                var vx = vxi + ((vd * e0x[i] - vxi) * invTau + ax) * dt
                var vz = vzi + ((vd * e0z[i] - vzi) * invTau + az) * dt
                // Walls are never crossed: the part of the step into a wall closer than the
                // body radius is removed.
                let ri = sr[s]
                for k in 0..<nw {
                    let approach = -(vx * wnx[k] + vz * wnz[k])
                    let allowed = max(0, wd[k] - ri) * invDt
                    if approach > allowed {
                        vx += wnx[k] * (approach - allowed); vz += wnz[k] * (approach - allowed)
                    }
                }
                outX[i] = vx; outZ[i] = vz
            }
        }
    }
}
