import TwinCore

/// The collision-free speed model (Tordeux, Chraibi & Seyfried 2015), first order:
/// each step every agent picks a direction and a speed, and moves `x += v·e·dt`.
///
/// - Direction: `e ∝ e0 + Σ_j a·exp((ℓ_ij − s_ij)/D)·n_ij + Σ_walls a_w·exp((r − d)/D_w)·n_w`,
///   with `e0` from the stage's floor field, `ℓ_ij = r_i + r_j`, `s_ij` the distance of
///   centres, `n_ij` the unit vector from j to i.
/// - Speed: `v = min(v0, max(0, s/T))` with `s` the smallest distance the agent can walk
///   along `e` before touching a neighbour in front (`a − √(ℓ² − p²)` for a neighbour at
///   distance `a` along `e` and `p` across it, `p < ℓ`) — the paper's gap `s_ij − ℓ_ij`
///   for a neighbour straight ahead, and exact for offset ones (people passing a door
///   side by side, in a zipper), so an agent never walks into a body within a step. A step that would enter a wall loses its
///   component into the wall: agents slide along walls and never cross them.
/// - The direction turns to the new one with relaxation time `turnTime` (0.1 s; 0 is
///   the paper's instant turn), which keeps crowds from jittering between steps.
/// - Stable at `dt` = 0.05 s (the scenes' default for this model) and below.
/// Neighbours within 2 m come from a uniform grid rebuilt every step into reused
/// buffers; chunks of agents run on all workers, each writing only its own agents,
/// so 1 and 2 workers give identical results.
///
/// - Parameters: `timeGap` T (s, 1), `neighbourStrength` a (5), `neighbourRange` D
///   (m, 0.1), `wallStrength` a_w (5), `wallRange` D_w (m, 0.02), `turnTime` (s, 0.1).
/// - Reads: Position, Walker, PedestrianAgent. Writes: Velocity, Position.
public final class CollisionFreeSpeedSystem: UpdateSystem {
    public struct Parameters: SystemParameters, Hashable {
        public var timeGap: Float = 1
        public var neighbourStrength: Float = 5
        public var neighbourRange: Float = 0.1
        public var wallStrength: Float = 5
        public var wallRange: Float = 0.02
        public var turnTime: Float = 0.1
        public init() {}
        public static let units = ["timeGap": "s", "neighbourRange": "m", "wallRange": "m", "turnTime": "s"]
        public static let documentation = [
            "timeGap": "T: time gap kept to the agent ahead (speed = gap / T).",
            "neighbourStrength": "a: weight of a neighbour's push on the walking direction.",
            "neighbourRange": "D: decay length of the neighbour push.",
            "wallStrength": "Weight of a wall's push on the walking direction.",
            "wallRange": "Decay length of the wall push.",
            "turnTime": "Relaxation time of the walking direction (0: the paper's instant turn).",
        ]
        public func validate() throws(ParameterError) {
            for (name, v, lo, hi) in [("timeGap", timeGap, Float(0.05), Float(10)), ("neighbourStrength", neighbourStrength, 0, 100),
                                      ("neighbourRange", neighbourRange, 0.01, 1), ("wallStrength", wallStrength, 0, 100),
                                      ("wallRange", wallRange, 0.001, 1), ("turnTime", turnTime, 0, 5)] where !(v >= lo && v <= hi) {
                throw ParameterError(name, "\(name) must be in [\(lo), \(hi)], got \(v)")
            }
        }
    }

    public static let id: SystemID = "pedestrians.collision-free-speed"
    public static let summary = "Collision-free speed model (Tordeux et al. 2015): direction from the floor field and neighbours, speed from the gap ahead."
    public static let reads = ["Position", "Walker", "PedestrianAgent"]
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
        let p = self.p, invDt = 1 / step.dtFloat
        f.advance(step) { first, end in Self.solve(f, p, invDt, first, end) }
    }

    static let maxNeighbours = 256
    static let maxWalls = 32

    /// New velocities of agents `first..<end` in cell order.
    static func solve(_ f: AgentFrame, _ p: Parameters, _ invDt: Float, _ first: Int, _ end: Int) {
        let sr = f.sr.base, order = f.order.base
        let v0 = f.v0.base, e0x = f.ex.base, e0z = f.ez.base, regions = f.region.base
        let pvx = f.vx.base, pvz = f.vz.base
        let turn = p.turnTime > 0 ? min(1, 1 / (invDt * p.turnTime)) : 1
        let outX = f.newVX.base, outZ = f.newVZ.base
        let a = p.neighbourStrength, invD = 1 / p.neighbourRange, aw = p.wallStrength, invDw = 1 / p.wallRange
        let invT = 1 / p.timeGap
        // Beyond this gap a neighbour turns the direction by less than 1e-3 rad.
        let repulsionCut = p.neighbourRange * Float(_log(Double(max(1, 1000 * a))))
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * maxNeighbours + 3 * maxWalls) { buf in
            guard let nbx = buf.baseAddress else { return }
            let nbz = nbx + maxNeighbours, nbd = nbz + maxNeighbours, nbl = nbd + maxNeighbours
            let wnx = nbl + maxNeighbours, wnz = wnx + maxWalls, wd = wnz + maxWalls
            for s in first..<end {
                let i = Int(order[s])
                let ri = sr[s]
                var rx: Float = 0, rz: Float = 0
                var m = 0
                f.forEachNeighbour(of: s) { t, dx, dz, d in
                    let l = ri + sr[t]
                    if d - l < repulsionCut {
                        let w = a * _exp((l - d) * invD) / d
                        rx += w * dx; rz += w * dz
                    }
                    if m < maxNeighbours { nbx[m] = dx; nbz[m] = dz; nbd[m] = d; nbl[m] = l; m += 1 }
                }
                // Walls push the direction; the walls found are kept for the slide below.
                var dirx = e0x[i], dirz = e0z[i]
                var nw = 0
                f.forEachWall(of: s, region: Int(regions[i])) { nx, nz, d in
                    if d - ri < 12 * p.wallRange {
                        let w = aw * _exp((ri - d) * invDw)
                        rx += w * nx; rz += w * nz
                    }
                    if nw < maxWalls { wnx[nw] = nx; wnz[nw] = nz; wd[nw] = d; nw += 1 }
                }
                dirx += rx; dirz += rz
                var len = (dirx * dirx + dirz * dirz).squareRoot()
                if len < 1e-6 { dirx = e0x[i]; dirz = e0z[i]; len = max(1e-6, (dirx * dirx + dirz * dirz).squareRoot()) }
                dirx /= len; dirz /= len
                // The walking direction turns towards the new one over `turnTime`: without
                // it the direction flips between steps in a dense crowd, more so at larger dt.
                let px = pvx[i], pz = pvz[i]
                let pv = (px * px + pz * pz).squareRoot()
                if turn < 1, pv > 1e-3 {
                    dirx = px / pv + (dirx - px / pv) * turn
                    dirz = pz / pv + (dirz - pz / pv) * turn
                    let l2 = (dirx * dirx + dirz * dirz).squareRoot()
                    if l2 > 1e-6 { dirx /= l2; dirz /= l2 } else { dirx = e0x[i]; dirz = e0z[i] }
                }
                // The smallest gap ahead along the chosen direction.
                var gap = Float.infinity
                for k in 0..<m {
                    let px = -nbx[k], pz = -nbz[k]
                    let along = dirx * px + dirz * pz
                    if along < 0 { continue }
                    let perp = abs(dirx * pz - dirz * px)
                    let l = nbl[k]
                    if perp >= l { continue }
                    // Distance to walk along e until the two discs touch.
                    gap = min(gap, along - (l * l - perp * perp).squareRoot())
                }
                let speed = min(v0[i], max(0, gap * invT))
                var vx = speed * dirx, vz = speed * dirz
                // Walls do not stop an agent: the part of its step that would enter a
                // wall is removed, so it slides along instead.
                for k in 0..<nw {
                    let nx = wnx[k], nz = wnz[k]
                    let approach = -(vx * nx + vz * nz)
                    let allowed = max(0, wd[k] - ri) * invDt
                    if approach > allowed {
                        vx += nx * (approach - allowed); vz += nz * (approach - allowed)
                    }
                }
                outX[i] = vx
                outZ[i] = vz
            }
        }
    }
}
