import TwinCore

/// The agents of one step as flat arrays, in two orders: gather order (the ECS
/// query's) and cell order (sorted by neighbour-grid cell with a counting sort, so
/// neighbours sit next to each other in memory). Rebuilt every step into reused
/// buffers; the model reads cell order and writes new velocities in gather order.
final class AgentFrame: @unchecked Sendable {
    private(set) var count = 0
    // Gather order.
    var x = ScratchArray<Float>(), z = ScratchArray<Float>(), y = ScratchArray<Float>()
    var vx = ScratchArray<Float>(), vz = ScratchArray<Float>()
    var radius = ScratchArray<Float>(), v0 = ScratchArray<Float>()
    var ex = ScratchArray<Float>(), ez = ScratchArray<Float>()
    var region = ScratchArray<Int32>()
    /// Per agent: floor field of its stage (-1 when it heads for its `spot`), and
    /// whether it may walk yet; the spot it stands at; its free speed.
    var field = ScratchArray<Int32>(), stage = ScratchArray<Int32>(), moving = ScratchArray<Bool>()
    var spotX = ScratchArray<Float>(), spotZ = ScratchArray<Float>(), speed = ScratchArray<Float>()
    var newVX = ScratchArray<Float>(), newVZ = ScratchArray<Float>()
    // Cell order.
    var order = ScratchArray<Int32>()
    var sx = ScratchArray<Float>(), sz = ScratchArray<Float>(), sy = ScratchArray<Float>()
    var svx = ScratchArray<Float>(), svz = ScratchArray<Float>(), sr = ScratchArray<Float>()
    var cellOf = ScratchArray<Int32>()
    var cellStart = ScratchArray<Int32>()

    // Neighbour grid.
    private(set) var originX: Float = 0, originZ: Float = 0
    /// Cell sides along x and z: at least `range` each, so the 3 × 3 cells around an
    /// agent hold every neighbour (a periodic x needs ≥ 3 cells, which then cover it).
    private(set) var cell: Float = 2, cellZ: Float = 2
    private(set) var nx = 1, nz = 1
    /// Period along x when the corridor is periodic (0 otherwise).
    private(set) var period: Float = 0
    /// Agents farther apart than this do not interact (m).
    let range: Float

    let ped: PedestrianWorld
    let query: Query<Position, Velocity, Walker, PedestrianAgent>
    /// The same rows as `query`, in the same order, for writing back.
    let writeQuery: Query<Mut<Position>, Mut<Velocity>, Walker, PedestrianAgent>

    init(ped: PedestrianWorld, world: World, range: Float) {
        self.ped = ped
        self.range = range
        query = world.query(Position.self, Velocity.self, Walker.self, PedestrianAgent.self)
        writeQuery = world.query(Mut<Position>.self, Mut<Velocity>.self, Walker.self, PedestrianAgent.self)
        var lo = Vec2(.infinity, .infinity), hi = Vec2(-.infinity, -.infinity)
        for r in ped.regions {
            lo = Vec2(min(lo.x, r.boundsMin.x), min(lo.y, r.boundsMin.y))
            hi = Vec2(max(hi.x, r.boundsMax.x), max(hi.y, r.boundsMax.y))
        }
        if let p = ped.periodic {
            period = p.max - p.min
            nx = max(3, Int(period / range))
            cell = period / Float(nx)
            cellZ = range
            originX = p.min
        } else {
            cell = range
            cellZ = range
            originX = lo.x - range
            nx = max(1, Int(((hi.x + range - originX) / cell).rounded(.up)))
        }
        originZ = lo.y - range
        nz = max(1, Int(((hi.y + range - originZ) / cellZ).rounded(.up)))
        cellStart.reserve(nx * nz + 1)
    }

    deinit {
        for a in [x, z, y, vx, vz, radius, v0, ex, ez, newVX, newVZ, sx, sz, sy, svx, svz, sr] { a.free() }
        for a in [spotX, spotZ, speed] { a.free() }
        order.free(); region.free(); cellOf.free(); cellStart.free(); field.free(); stage.free(); moving.free()
    }

    var cellCount: Int { nx * nz }
    var columns: Int { nx }
    var rows: Int { nz }

    @inline(__always)
    func cellIndex(_ px: Float, _ pz: Float) -> Int {
        var fx = (px - originX) / cell, fz = (pz - originZ) / cellZ
        // NaN and far-away agents land in border cells instead of trapping.
        fx = fx >= 0 ? min(fx, Float(nx - 1)) : 0
        fz = fz >= 0 ? min(fz, Float(nz - 1)) : 0
        return Int(fz) * nx + Int(fx)
    }

    /// Reads every agent (positions, velocities, journey state), sorts them into cells
    /// and works out each one's desired velocity on the executor's workers.
    func gather(time: Double, executor: ParallelExecutor) {
        let n = query.count
        count = n
        x.reserve(n); z.reserve(n); y.reserve(n); vx.reserve(n); vz.reserve(n); radius.reserve(n); v0.reserve(n)
        ex.reserve(n); ez.reserve(n); region.reserve(n); newVX.reserve(n); newVZ.reserve(n)
        field.reserve(n); stage.reserve(n); moving.reserve(n); spotX.reserve(n); spotZ.reserve(n); speed.reserve(n)
        order.reserve(n); sx.reserve(n); sz.reserve(n); sy.reserve(n); svx.reserve(n); svz.reserve(n); sr.reserve(n); cellOf.reserve(n)
        var k = 0
        let stageFields = ped.stageFields
        query.forEachChunk { chunk, pos, vel, walker, agent in
            for i in 0..<chunk.count {
                let p = pos[i].value
                x[k] = p.x; z[k] = p.z; y[k] = p.y
                vx[k] = vel[i].value.x; vz[k] = vel[i].value.z
                radius[k] = walker[i].radius
                speed[k] = walker[i].desiredSpeed
                let a = agent[i]
                region[k] = a.region
                stage[k] = a.stage
                switch a.activity {
                case .queued, .waiting:
                    field[k] = -1; moving[k] = true
                case .premovement, .walking:
                    field[k] = stageFields[Int(a.stage)]; moving[k] = a.activity == .walking
                }
                spotX[k] = a.spot.x; spotZ[k] = a.spot.y
                k += 1
            }
        }
        sort()
        let chunk = 2048
        executor.run((n + chunk - 1) / chunk) { c in
            for i in (c * chunk)..<min(n, (c + 1) * chunk) { self.desire(i) }
        }
    }

    /// Desired direction and speed of agent `i` (gather order): down its stage's floor
    /// field (towards the stage's centre where the field is flat), or to its spot when it
    /// stands in a queue or waiting area; zero speed during pre-movement; the ground's
    /// speed factor on stairs.
    @inline(__always)
    private func desire(_ i: Int) {
        let px = x[i], pz = z[i], r = Int(region[i])
        let f = Int(field[i])
        if f < 0 {
            let dx = spotX[i] - px, dz = spotZ[i] - pz
            let dist = (dx * dx + dz * dz).squareRoot()
            if dist > 0.05 {
                // Slow down over the last half second to stop on the spot.
                ex[i] = dx / dist; ez[i] = dz / dist; v0[i] = min(speed[i], dist / 0.5)
            } else {
                ex[i] = 0; ez[i] = 0; v0[i] = 0
            }
            return
        }
        var dir = ped.fields[f].direction(grid: ped.grid, region: r, x: px, z: pz)
        if dir == .zero {
            let d = ped.stageCenters[Int(stage[i])] - Vec2(px, pz)
            let len = d.length
            dir = len > 1e-6 ? d / len : Vec2(1, 0)
        }
        ex[i] = dir.x; ez[i] = dir.y
        let plan = ped.planSpeed[r]
        v0[i] = moving[i] ? speed[i] * (dir.dot(plan.axis) >= 0 ? plan.up : plan.down) : 0
    }

    /// Counting sort of the gathered agents into neighbour-grid cells.
    private func sort() {
        let cells = nx * nz
        for c in 0...cells { cellStart[c] = 0 }
        for i in 0..<count {
            let c = Int32(cellIndex(x[i], z[i]))
            cellOf[i] = c
            cellStart[Int(c) + 1] += 1
        }
        for c in 0..<cells { cellStart[c + 1] += cellStart[c] }
        // Place with a running cursor per cell, then shift the starts back.
        for i in 0..<count {
            let c = Int(cellOf[i])
            let slot = Int(cellStart[c])
            cellStart[c] += 1
            order[slot] = Int32(i)
        }
        for c in stride(from: cells, to: 0, by: -1) { cellStart[c] = cellStart[c - 1] }
        cellStart[0] = 0
        for s in 0..<count {
            let i = Int(order[s])
            sx[s] = x[i]; sz[s] = z[i]; sy[s] = y[i]; svx[s] = vx[i]; svz[s] = vz[i]; sr[s] = radius[i]
        }
    }

    /// Calls `body(t, dx, dz, d)` for every agent `t` (cell order) within the
    /// interaction range of agent `s` and within 1 m of its height: `(dx, dz)` points
    /// from `t` to `s` (nearest periodic image), `d` is their distance (coincident
    /// centres are separated by a fixed 1 µm along x, by slot order).
    @inline(__always)
    func forEachNeighbour(of s: Int, _ body: (Int, Float, Float, Float) -> Void) {
        let sx = self.sx.base, sz = self.sz.base, sy = self.sy.base, starts = cellStart.base
        let nx = self.nx, nz = self.nz, period = self.period, half = period * 0.5
        let range2 = range * range
        let xi = sx[s], zi = sz[s], yi = sy[s]
        let c = cellIndex(xi, zi)
        let ci = c % nx, cj = c / nx
        for dj in -1...1 {
            let j = cj + dj
            if j < 0 || j >= nz { continue }
            for di in -1...1 {
                var ii = ci + di
                if period > 0 { ii = (ii + nx) % nx } else if ii < 0 || ii >= nx { continue }
                let cell = j * nx + ii
                for t in Int(starts[cell])..<Int(starts[cell + 1]) where t != s {
                    var dx = xi - sx[t]
                    if period > 0 { if dx > half { dx -= period } else if dx < -half { dx += period } }
                    let dz = zi - sz[t]
                    if abs(yi - sy[t]) > 1 { continue }
                    let d2 = dx * dx + dz * dz
                    if d2 > range2 { continue }
                    var d = d2.squareRoot()
                    if d < 1e-6 { d = 1e-6; dx = s < t ? 1e-6 : -1e-6 }
                    body(t, dx, dz, d)
                }
            }
        }
    }

    /// Calls `body(nx, nz, d)` for every wall point within the interaction range of the
    /// agent in slot `s` (cell order) standing in `region`: `(nx, nz)` is the unit vector
    /// from the wall to the agent, `d` the distance. Two walls meeting at a corner act
    /// once from it, not twice.
    @inline(__always)
    func forEachWall(of s: Int, region: Int, _ body: (Float, Float, Float) -> Void) {
        let xi = sx[s], zi = sz[s]
        let walls = ped.wallIndexes[region]
        var corners = CornerSet()
        for k in walls.bucket(xi, zi) {
            let w = Int(walls.items[k])
            let q = Segment(a: Vec2(walls.ax[w], walls.az[w]), b: Vec2(walls.bx[w], walls.bz[w])).closestPoint(to: Vec2(xi, zi))
            if !corners.insert(q) { continue }
            let dx = xi - q.x, dz = zi - q.y
            let d = max(1e-6, (dx * dx + dz * dz).squareRoot())
            if d > PedestrianSection.interactionRange { continue }
            body(dx / d, dz / d, d)
        }
    }

    /// The frame of a scene with a `pedestrians` section (nil without one); agents
    /// interact within `range` (walls always within `PedestrianSection.interactionRange`).
    static func make(_ setup: inout SystemSetup, range: Float = PedestrianSection.interactionRange) -> AgentFrame? {
        setup.world.resource(PedestrianWorld.self).map {
            AgentFrame(ped: $0, world: setup.world, range: range)
        }
    }

    /// One step of an operational model: gathers the agents, runs `solve(first, end)`
    /// (new velocities of that range of cell order) on the workers, moves everyone.
    func advance(_ step: StepInfo, _ solve: (Int, Int) -> Void) {
        gather(time: step.time, executor: step.executor)
        guard count > 0 else { return }
        forEachChunk(step.executor, solve)
        scatter(dt: step.dtFloat)
    }

    /// Runs `body(first, end)` over fixed chunks of cell order on the executor's workers.
    func forEachChunk(_ executor: ParallelExecutor, _ body: (Int, Int) -> Void) {
        let chunk = 1024
        let chunks = (count + chunk - 1) / chunk
        executor.run(chunks) { c in body(c * chunk, min(count, (c + 1) * chunk)) }
    }

    /// Writes the new velocities back and moves every agent: x += v·dt (wrapping a
    /// periodic corridor).
    func scatter(dt: Float) {
        var k = 0
        let lo = ped.periodic?.min ?? 0, hi = ped.periodic?.max ?? 0, period = self.period
        writeQuery.forEachChunk { chunk, pos, vel, _, _ in
            for i in 0..<chunk.count {
                let v = Vec3(newVX[k], 0, newVZ[k])
                vel[i].value = v
                var p = pos[i].value
                p.x += v.x * dt
                p.z += v.z * dt
                if period > 0 {
                    if p.x >= hi { p.x -= period } else if p.x < lo { p.x += period }
                }
                pos[i].value = p
                k += 1
            }
        }
    }
}
