import TwinCore

/// The social force model of Helbing, Farkas & Vicsek (2000), with its published
/// parameters as defaults (those JuPedSim also uses): per unit mass,
///
/// `dv/dt = (v0·e0 − v)/τ + Σ_j [(A·e^{(r_ij−d_ij)/B} + k·g)·n_ij + κ·g·Δv^t_ji·t_ij] / m + walls`,
///
/// with `g = max(0, r_ij − d_ij)` the overlap, `n_ij` from j to i and `t_ij` its
/// tangent; walls act the same way with `r_ij = r_i`. Integrated semi-implicitly
/// (`v += a·dt`, then `x += v·dt`), speed capped at `maxSpeedFactor·v0` (at least
/// 0.5 m/s, so standing agents can still be pushed).
///
/// `socialTerm` chooses the repulsion between agents (body force, friction and walls
/// stay those of 2000):
/// - `"circular"` (default): `A·e^{(r_ij−d_ij)/B}` above, the 2000 model's.
/// - `"ellipticalII"`: Johansson, Helbing & Shukla (2007, Advances in Complex Systems 10,
///   271), elliptical specification II, calibrated on video tracks: per unit mass
///   `w(φ)·A'·e^{−b/B'}·(|d| + |d − y|)/(2b)·½(d/|d| + (d − y)/|d − y|)`, with
///   `d = x_i − x_j`, `y = (v_j − v_i)·Δt` and `2b = √((|d| + |d − y|)² − |y|²)` the
///   minor axis of the ellipse through i with foci j and j + y: the space kept from
///   another grows with the speed at which it closes in. Defaults are the paper's fit,
///   A' = 0.04 m/s², B' = 3.22 m, λ = 0.06, with Δt = 0.5 s.
/// - `"ellipticalI"`: Helbing & Molnár (1995, Phys. Rev. E 51, 4282), the same ellipse
///   built from the other's own step, `y = v_j·Δt`, and the potential `V⁰·e^{−b/σ}`
///   (force `(V⁰/σ)·e^{−b/σ}·∇b`), V⁰ = 2.1 m²/s², σ = 0.3 m, Δt = 2 s; weight 1 inside
///   the 200° field of view, c = 0.5 outside.
///
/// - `"calibrated"`: the circular term with our own parameter set, fitted to Weidmann's
///   (1993) fundamental diagram (RiMEA test 4, narrow 26 × 2 m periodic corridor, seeds
///   1–2, r = 0.2 m, v0 = 1.34 m/s): `calibratedStrength` A/m (0.55 m/s²),
///   `calibratedRange` B (1 m), `calibratedAnisotropy` λ (0). On what it was not fitted
///   to it passes the 10 m corridor (seeds 1–5), RiMEA 1, 6, 7, Jülich 1–6 and the stairs,
///   but misses the 2 m corridor on seeds 3–5 (the wall lane) and clogs doors (J_s ≈ 0.24
///   /(m·s) through 1 m): a term for corridors and open areas, not the default. In a
///   homogeneous crowd the pushes from ahead and behind cancel but for the anisotropy,
///   so the steady speed falls as v0 − τ·(1 − λ)·(A/m)·Σ e^{(r_ij − d_ij)/B} along the
///   walking direction; the push against the walking direction is capped at v0/τ, so
///   keeping distance can stop a walker but never walk it backwards. Walls, body force and
///   friction stay those of 2000. This is not a published set.
///
/// `respectFactor` f adds the respect mechanism of Parisi, Gilman & Moldovan (2009,
/// Physica A 388, 3600): each walker keeps a respect area ahead, a disc of radius
/// `R = f·r_i` centred at `x_i + R·e0_i` (it reaches 2R ahead of its centre along the
/// desired direction); while another walker's body touches it, `|x_j − x_i − R·e0_i| ≤
/// R + r_j`, the desired velocity is zero — the drive becomes `−v/τ` — and every other
/// force stays. A walker thus stops pushing into the one ahead instead of pressing
/// against it, which is what gives the force model a fundamental diagram. 0 (default)
/// turns it off. The area is seen only within `neighbourRange`.
///
/// Time step: stable at `dt` ≤ 1/64 s (0.0156 s) in jams — the body force k/m = 1500 s⁻²
/// limits it; the scenes for this model use 1/64 s. (JuPedSim needs 0.001–0.01 s.)
///
/// - Parameters: `mass` (kg, 80), `relaxationTime` τ (s, 0.5), `strength` A (N, 2000),
///   `range` B (m, 0.08), `bodyForce` k (kg/s², 1.2e5), `friction` κ (kg/(m·s), 2.4e5),
///   `maxSpeedFactor` (1.3), `anisotropy` λ (1: isotropic; Helbing & Johansson's
///   video calibration uses λ ≈ 0.12 with A = 0.42 m/s²·m, B = 1.65 m); for the
///   specification II `ellipticalStrength` A' (m/s², 0.04), `ellipticalRange` B' (m, 3.22),
///   `ellipticalAnisotropy` λ (0.06), `ellipticalHorizon` Δt (s, 0.5); for specification I
///   `molnarPotential` V⁰ (m²/s², 2.1), `molnarRange` σ (m, 0.3), `molnarStep` Δt (s, 2),
///   `molnarOutsideView` c (0.5); for the calibrated term `calibratedStrength` A/m (m/s², 0.55),
///   `calibratedRange` B (m, 1), `calibratedAnisotropy` λ (0); `respectFactor` f (0: off); and
///   `neighbourRange` (m, 2), the distance within which agents interact. Walls act within 2 m.
/// - Reads: Position, Velocity, Walker, PedestrianAgent. Writes: Velocity, Position.
public final class SocialForceSystem: UpdateSystem {
    public struct Parameters: SystemParameters, Hashable {
        public var mass: Float = 80
        public var relaxationTime: Float = 0.5
        public var strength: Float = 2000
        public var range: Float = 0.08
        public var bodyForce: Float = 1.2e5
        public var friction: Float = 2.4e5
        public var maxSpeedFactor: Float = 1.3
        public var anisotropy: Float = 1
        public var socialTerm: String = "circular"
        public var ellipticalStrength: Float = 0.04
        public var ellipticalRange: Float = 3.22
        public var ellipticalAnisotropy: Float = 0.06
        public var ellipticalHorizon: Float = 0.5
        public var molnarPotential: Float = 2.1
        public var molnarRange: Float = 0.3
        public var molnarStep: Float = 2
        public var molnarOutsideView: Float = 0.5
        public var calibratedStrength: Float = 0.55
        public var calibratedRange: Float = 1
        public var calibratedAnisotropy: Float = 0
        public var respectFactor: Float = 0
        public var neighbourRange: Float = 2
        public init() {}
        public static let units = [
            "mass": "kg", "relaxationTime": "s", "strength": "N", "range": "m", "bodyForce": "kg/s²", "friction": "kg/(m·s)",
            "ellipticalStrength": "m/s²", "ellipticalRange": "m", "ellipticalHorizon": "s", "neighbourRange": "m",
            "molnarPotential": "m²/s²", "molnarRange": "m", "molnarStep": "s",
            "calibratedStrength": "m/s²", "calibratedRange": "m",
        ]
        public static let documentation = [
            "mass": "Body mass m.",
            "relaxationTime": "τ: time to reach the desired velocity.",
            "strength": "A: social repulsion strength (agents and walls).",
            "range": "B: decay length of the social repulsion.",
            "bodyForce": "k: body compression force per metre of overlap.",
            "friction": "κ: sliding friction per metre of overlap and m/s of tangential speed.",
            "maxSpeedFactor": "Speed cap as a multiple of the desired speed.",
            "anisotropy": "λ: weight of the social force from behind (1: isotropic, as Helbing, Farkas & Vicsek 2000).",
            "socialTerm": "Repulsion between agents: circular (Helbing, Farkas & Vicsek 2000), ellipticalI (Helbing & Molnár 1995), ellipticalII (Johansson, Helbing & Shukla 2007) or calibrated (circular, our fit to Weidmann 1993; braking capped at the drive).",
            "ellipticalStrength": "A' of the elliptical term, per unit mass.",
            "ellipticalRange": "B': decay length of the elliptical term.",
            "ellipticalAnisotropy": "λ of the elliptical term: weight of what lies behind.",
            "ellipticalHorizon": "Δt: the ellipse's foci are the other agent and where it will be relative to this one after Δt.",
            "molnarPotential": "V⁰ of specification I's potential V⁰·e^{−b/σ}, per unit mass.",
            "molnarRange": "σ: decay length of specification I's potential.",
            "molnarStep": "Δt: specification I's ellipse has foci at the other agent and where it will be after Δt.",
            "molnarOutsideView": "c: weight of what lies outside the 200° field of view (specification I).",
            "calibratedStrength": "A/m of the calibrated term (our fit to Weidmann 1993), per unit mass.",
            "calibratedRange": "B: decay length of the calibrated term.",
            "calibratedAnisotropy": "λ of the calibrated term: weight of what lies behind.",
            "respectFactor": "f of the respect mechanism (Parisi, Gilman & Moldovan 2009): the desired velocity is zero while another body touches the disc of radius f·r centred f·r ahead (0: off).",
            "neighbourRange": "Agents farther apart do not interact.",
        ]
        public func validate() throws(ParameterError) {
            for (name, v, lo, hi) in [("mass", mass, Float(1), Float(1000)), ("relaxationTime", relaxationTime, 0.05, 10),
                                      ("strength", strength, 0, 1e5), ("range", range, 0.01, 2), ("bodyForce", bodyForce, 0, 1e7),
                                      ("friction", friction, 0, 1e7), ("maxSpeedFactor", maxSpeedFactor, 1, 5),
                                      ("anisotropy", anisotropy, 0, 1), ("ellipticalStrength", ellipticalStrength, 0, 100),
                                      ("ellipticalRange", ellipticalRange, 0.01, 10), ("ellipticalAnisotropy", ellipticalAnisotropy, 0, 1),
                                      ("ellipticalHorizon", ellipticalHorizon, 0, 10), ("molnarPotential", molnarPotential, 0, 100),
                                      ("molnarRange", molnarRange, 0.01, 10), ("molnarStep", molnarStep, 0, 10),
                                      ("molnarOutsideView", molnarOutsideView, 0, 1), ("calibratedStrength", calibratedStrength, 0, 100),
                                      ("calibratedRange", calibratedRange, 0.01, 10), ("calibratedAnisotropy", calibratedAnisotropy, 0, 1), ("respectFactor", respectFactor, 0, 2), ("neighbourRange", neighbourRange, 1, 8)] where !(v >= lo && v <= hi) {
                throw ParameterError(name, "\(name) must be in [\(lo), \(hi)], got \(v)")
            }
            guard SocialTerm(rawValue: socialTerm) != nil else {
                throw ParameterError("socialTerm", "socialTerm must be \"circular\", \"ellipticalI\", \"ellipticalII\" or \"calibrated\", got \"\(socialTerm)\"")
            }
        }
    }

    enum SocialTerm: String { case circular, ellipticalI, ellipticalII, calibrated }

    public static let id: SystemID = "pedestrians.social-force"
    public static let summary = "Social force model (Helbing, Farkas & Vicsek 2000): relaxation to the desired velocity, repulsion, body force and friction."
    public static let reads = ["Position", "Velocity", "Walker", "PedestrianAgent"]
    public static let writes = ["Velocity", "Position"]
    public static let defaultPriority = SystemPriority.prePhysics

    let p: Parameters
    let frame: AgentFrame?

    public init(parameters: Parameters, setup: inout SystemSetup) throws {
        p = parameters
        frame = AgentFrame.make(&setup, range: parameters.neighbourRange)
    }

    public func update(_ step: StepInfo, world: World) {
        guard let f = frame else { return }
        let p = self.p, dt = step.dtFloat
        f.advance(step) { first, end in Self.solve(f, p, dt, first, end) }
    }

    static func solve(_ f: AgentFrame, _ p: Parameters, _ dt: Float, _ first: Int, _ end: Int) {
        let sr = f.sr.base, svx = f.svx.base, svz = f.svz.base
        let order = f.order.base
        let v0 = f.v0.base, e0x = f.ex.base, e0z = f.ez.base, regions = f.region.base
        let outX = f.newVX.base, outZ = f.newVZ.base
        let invM = 1 / p.mass, invTau = 1 / p.relaxationTime
        let A = p.strength, invB = 1 / p.range, k = p.bodyForce, kappa = p.friction
        // Beyond this gap the social force is below 1e-4·A: skip the exponential.
        let cut = p.range * 9.3
        let term = SocialTerm(rawValue: p.socialTerm) ?? .circular
        // The calibrated term is the circular one with its own A, B and λ between agents.
        let fitted = term == .calibrated
        let socialA = fitted ? p.calibratedStrength * p.mass : A, socialInvB = fitted ? 1 / p.calibratedRange : invB
        let lambda = fitted ? p.calibratedAnisotropy : p.anisotropy
        let socialCut = fitted ? p.calibratedRange * 9.3 : cut
        let circular = term == .circular || fitted
        let ellipseA = p.ellipticalStrength * p.mass, ellipseInvB = 1 / p.ellipticalRange
        let ellipseLambda = p.ellipticalAnisotropy, horizon = p.ellipticalHorizon
        let molnarA = p.molnarPotential / p.molnarRange * p.mass, molnarInvB = 1 / p.molnarRange
        let molnarStep = p.molnarStep, outside = p.molnarOutsideView
        // cos 100°: the edge of the 200° field of view.
        let viewEdge: Float = -0.17364818
        let respect = p.respectFactor
        for s in first..<end {
            let i = Int(order[s])
            let ri = sr[s], vxi = svx[s], vzi = svz[s]
            var ex = e0x[i], ez = e0z[i]
            var ax: Float = 0, az: Float = 0
            // The respect area's centre relative to this walker, and its radius.
            let reach = respect * ri, cx = reach * ex, cz = reach * ez
            var yielding = false
            var sx: Float = 0, sz: Float = 0
            f.forEachNeighbour(of: s) { t, dx, dz, d in
                if reach > 0 {
                    // (dx, dz) points from t to s, so t sits at −(dx, dz).
                    let ux = dx + cx, uz = dz + cz, touch = reach + sr[t]
                    if ux * ux + uz * uz <= touch * touch { yielding = true }
                }
                let gap = d - (ri + sr[t])
                if circular && gap > socialCut { return }
                let nxv = dx / d, nzv = dz / d
                // w(φ) = λ + (1 − λ)(1 + cos φ)/2, φ between the walking direction
                // and the direction to the other agent (Helbing & Johansson).
                let cosPhi = -(e0x[i] * nxv + e0z[i] * nzv)
                var mag: Float = 0
                switch term {
                case .circular:
                    mag = A * _exp(-gap * invB) * (lambda + (1 - lambda) * 0.5 * (1 + cosPhi))
                case .calibrated:
                    let push = socialA * _exp(-gap * socialInvB) * (lambda + (1 - lambda) * 0.5 * (1 + cosPhi))
                    sx += push * nxv; sz += push * nzv
                case .ellipticalII:
                    let w = ellipseLambda + (1 - ellipseLambda) * 0.5 * (1 + cosPhi)
                    let g = Self.ellipseGradient(dx, dz, d, (svx[t] - vxi) * horizon, (svz[t] - vzi) * horizon, ellipseInvB)
                    ax += ellipseA * w * g.x; az += ellipseA * w * g.z
                case .ellipticalI:
                    let g = Self.ellipseGradient(dx, dz, d, svx[t] * molnarStep, svz[t] * molnarStep, molnarInvB)
                    // Seen when the force comes from within the field of view: −g·e ≥ |g|·cos 100°.
                    let seen = -(g.x * e0x[i] + g.z * e0z[i]) >= viewEdge * (g.x * g.x + g.z * g.z).squareRoot()
                    let w = seen ? 1 : outside
                    ax += molnarA * w * g.x; az += molnarA * w * g.z
                }
                if gap < 0 {
                    let g = -gap
                    mag += k * g
                    // Sliding friction along the tangent t = (−n_z, n_x).
                    let tx = -nzv, tz = nxv
                    let dvt = (svx[t] - vxi) * tx + (svz[t] - vzi) * tz
                    ax += kappa * g * dvt * tx; az += kappa * g * dvt * tz
                }
                ax += mag * nxv; az += mag * nzv
            }
            f.forEachWall(of: s, region: Int(regions[i])) { nxv, nzv, d in
                let gap = d - ri
                if gap > cut { return }
                var mag = A * _exp(-gap * invB)
                if gap < 0 {
                    let g = -gap
                    mag += k * g
                    let tx = -nzv, tz = nxv
                    let vt = vxi * tx + vzi * tz
                    ax -= kappa * g * vt * tx; az -= kappa * g * vt * tz
                }
                ax += mag * nxv; az += mag * nzv
                // At a wall the agent wants to walk along it, not into it: otherwise the
                // drive and the wall's push balance and it stands stuck at a corner.
                if gap < 0.1 {
                    let into = ex * nxv + ez * nzv
                    if into < 0 { ex -= into * nxv; ez -= into * nzv }
                }
            }
            let el = (ex * ex + ez * ez).squareRoot()
            if el > 1e-6 { ex /= el; ez /= el } else { ex = e0x[i]; ez = e0z[i] }
            let drive = yielding ? 0 : v0[i]
            if fitted {
                // Keeping distance may stop a walker, never walk it backwards: the push
                // against the walking direction is capped at the drive v0/τ. Uncapped, the
                // front/back imbalance grows without bound with density and a crowd above
                // 4 /m² walks backwards in a periodic corridor.
                let along = (sx * ex + sz * ez) * invM, floor = -drive * invTau
                ax += sx; az += sz
                if along < floor { ax += (floor - along) * p.mass * ex; az += (floor - along) * p.mass * ez }
            }
            let fx = (drive * ex - vxi) * invTau + ax * invM
            let fz = (drive * ez - vzi) * invTau + az * invM
            var nvx = vxi + fx * dt, nvz = vzi + fz * dt
            let cap = max(p.maxSpeedFactor * v0[i], 0.5)
            let speed2 = nvx * nvx + nvz * nvz
            if speed2 > cap * cap {
                let scale = cap / speed2.squareRoot()
                nvx *= scale; nvz *= scale
            }
            outX[i] = nvx; outZ[i] = nvz
        }
    }

    /// `e^{−b/B}·(|d| + |u|)/(2b)·½(d/|d| + u/|u|)` with `u = d − y`, the elliptical
    /// term's direction and size per unit strength (Johansson, Helbing & Shukla 2007).
    /// Where d lies inside the segment from 0 to y the ellipse degenerates (b = 0) and the
    /// two unit vectors cancel; at its ends the published gradient is unbounded. b is
    /// floored at 0.1 mm so both stay finite.
    @inline(__always)
    static func ellipseGradient(_ dx: Float, _ dz: Float, _ d: Float, _ yx: Float, _ yz: Float, _ invB: Float) -> (x: Float, z: Float) {
        let ux = dx - yx, uz = dz - yz
        let u = max(1e-6, (ux * ux + uz * uz).squareRoot())
        let sum = d + u
        let b = max(1e-4, 0.5 * max(0, sum * sum - (yx * yx + yz * yz)).squareRoot())
        let scale = _exp(-b * invB) * sum / (4 * b)
        return (scale * (dx / d + ux / u), scale * (dz / d + uz / u))
    }
}
