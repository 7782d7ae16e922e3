import TwinCore

/// Creates agent entities: draws their parameters, picks their first stage, and
/// (when asked) refuses spots that overlap an agent placed before or a wall.
struct AgentPlacer {
    let ped: PedestrianWorld
    let world: World
    let prefabs: [String: Prefab]
    /// Agents placed so far, bucketed by 1 m cells (placement checks only).
    private var placed: [Int64: [(Vec2, Float, Int)]] = [:]

    init(ped: PedestrianWorld, world: World, prefabs: [String: Prefab]) {
        self.ped = ped; self.world = world; self.prefabs = prefabs
    }

    private static func key(_ p: Vec2) -> (Int64, Int64) {
        (Int64((p.x).rounded(.down)), Int64((p.y).rounded(.down)))
    }

    /// Whether a body of radius `r` at `p` in `region` overlaps a placed agent or a wall.
    func isFree(_ p: Vec2, _ r: Float, region: Int) -> Bool {
        guard clearsWalls(p, r, region: region) else { return false }
        let (cx, cz) = Self.key(p)
        for dz in -1...1 {
            for dx in -1...1 {
                for (q, rq, rg) in placed[(cz + Int64(dz)) &* 1_000_003 &+ (cx + Int64(dx))] ?? [] where rg == region {
                    if (q - p).length < r + rq { return false }
                }
            }
        }
        return true
    }

    /// Whether no wall comes closer than `r` to `p`.
    func clearsWalls(_ p: Vec2, _ r: Float, region: Int) -> Bool {
        let walls = ped.wallIndexes[region]
        for k in walls.bucket(p.x, p.y) {
            let w = Int(walls.items[k])
            if Segment(a: Vec2(walls.ax[w], walls.az[w]), b: Vec2(walls.bx[w], walls.bz[w])).distance(to: p) < r { return false }
        }
        return true
    }

    /// Spawns an agent at `p`; nil when the spot is taken (with `checkOverlap`) or in a wall.
    @discardableResult
    mutating func place(at p: Vec2, region: Int, template t: PedestrianWorld.AgentTemplate, time: Double,
                        random: inout RandomStream, checkOverlap: Bool) -> Entity? {
        let radius = Float(t.radius.sample(&random))
        if checkOverlap, !isFree(p, radius, region: region) { return nil }
        // Explicit positions may touch a wall, not stand half inside one.
        if !checkOverlap, !clearsWalls(p, radius * 0.5, region: region) { return nil }
        let speed = Float(t.speed.sample(&random))
        let pre = t.premovement.sample(&random)
        let e = spawn(at: p, region: region, template: t, radius: radius, speed: speed, premovement: pre, time: time, random: &random)
        let (cx, cz) = Self.key(p)
        placed[cz &* 1_000_003 &+ cx, default: []].append((p, radius, region))
        return e
    }

    /// Creates the entity with its components and journey state.
    func spawn(at p: Vec2, region: Int, template t: PedestrianWorld.AgentTemplate, radius: Float, speed: Float,
               premovement: Double, time: Double, random: inout RandomStream) -> Entity {
        var agent = PedestrianAgent(journey: Int32(t.journey), region: Int32(region), spawnTime: time)
        let stage = ped.chooseStage(journey: t.journey, leg: 0, at: p, region: region, speed: speed, random: &random)
        agent.stage = Int32(stage)
        ped.heading[stage] += 1
        if case .choice(_, _, _, let every?) = ped.journeys[t.journey].legs[0] { agent.reconsiderAt = time + every }
        if premovement > 0 {
            agent.activity = .premovement
            agent.until = time + premovement
        }
        let e = world.spawn()
        if let name = t.prefab, let prefab = prefabs[name] { prefab.instantiate(on: e, in: world) }
        world.insert(Position(p.onGround(height: ped.regions[region].height(at: p))), on: e)
        world.insert(Velocity(), on: e)
        world.insert(Walker(radius: radius, desiredSpeed: speed), on: e)
        world.insert(agent, on: e)
        world.insert(Steered(), on: e)
        if world.get(Kind.self, of: e) == nil { world.insert(Kind("pedestrian"), on: e) }
        return e
    }
}
