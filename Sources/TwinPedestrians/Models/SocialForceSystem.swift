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
/// Time step: stable at `dt` ≤ 1/64 s (0.0156 s) in jams — the body force k/m = 1500 s⁻²
/// limits it; the scenes for this model use 1/64 s. (JuPedSim needs 0.001–0.01 s.)
///
/// - Parameters: `mass` (kg, 80), `relaxationTime` τ (s, 0.5), `strength` A (N, 2000),
///   `range` B (m, 0.08), `bodyForce` k (kg/s², 1.2e5), `friction` κ (kg/(m·s), 2.4e5),
///   `maxSpeedFactor` (1.3), `anisotropy` λ (1: isotropic; Helbing & Johansson's
///   video calibration uses λ ≈ 0.12 with A = 0.42 m/s²·m, B = 1.65 m). Agents and walls
///   interact within 2 m.
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
        public init() {}
        public static let units = [
            "mass": "kg", "relaxationTime": "s", "strength": "N", "range": "m", "bodyForce": "kg/s²", "friction": "kg/(m·s)",
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
        ]
        public func validate() throws(ParameterError) {
            for (name, v, lo, hi) in [("mass", mass, Float(1), Float(1000)), ("relaxationTime", relaxationTime, 0.05, 10),
                                      ("strength", strength, 0, 1e5), ("range", range, 0.01, 2), ("bodyForce", bodyForce, 0, 1e7),
                                      ("friction", friction, 0, 1e7), ("maxSpeedFactor", maxSpeedFactor, 1, 5),
                                      ("anisotropy", anisotropy, 0, 1)] where !(v >= lo && v <= hi) {
                throw ParameterError(name, "\(name) must be in [\(lo), \(hi)], got \(v)")
            }
        }
    }

    public static let id: SystemID = "pedestrians.social-force"
    public static let summary = "Social force model (Helbing, Farkas & Vicsek 2000): relaxation to the desired velocity, repulsion, body force and friction."
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

    static func solve(_ f: AgentFrame, _ p: Parameters, _ dt: Float, _ first: Int, _ end: Int) {
        let sr = f.sr.base, svx = f.svx.base, svz = f.svz.base
        let order = f.order.base
        let v0 = f.v0.base, e0x = f.ex.base, e0z = f.ez.base, regions = f.region.base
        let outX = f.newVX.base, outZ = f.newVZ.base
        let invM = 1 / p.mass, invTau = 1 / p.relaxationTime
        let A = p.strength, invB = 1 / p.range, k = p.bodyForce, kappa = p.friction, lambda = p.anisotropy
        // Beyond this gap the social force is below 1e-4·A: skip the exponential.
        let cut = p.range * 9.3
        for s in first..<end {
            let i = Int(order[s])
            let ri = sr[s], vxi = svx[s], vzi = svz[s]
            var ex = e0x[i], ez = e0z[i]
            var ax: Float = 0, az: Float = 0
            f.forEachNeighbour(of: s) { t, dx, dz, d in
                let gap = d - (ri + sr[t])
                if gap > cut { return }
                let nxv = dx / d, nzv = dz / d
                // w(φ) = λ + (1 − λ)(1 + cos φ)/2, φ between the walking direction
                // and the direction to the other agent (Helbing & Johansson).
                let cosPhi = -(e0x[i] * nxv + e0z[i] * nzv)
                var mag = A * _exp(-gap * invB) * (lambda + (1 - lambda) * 0.5 * (1 + cosPhi))
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
            let fx = (v0[i] * ex - vxi) * invTau + ax * invM
            let fz = (v0[i] * ez - vzi) * invTau + az * invM
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
}
