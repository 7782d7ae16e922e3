import TwinCore

/// Moves agents along their journeys: arrivals from sources, pre-movement, reaching
/// waypoints, joining and leaving queues and waiting areas, releases (timed, or
/// requested by other systems through `WalkerStage.pendingReleases`), route choice
/// and its periodic reconsideration, exits (agents leave and their travel times are
/// recorded), and the change of region on stairs (with the walking height).
///
/// - Reads: Walker, WalkerStage. Writes: PedestrianAgent, Position (height, region
///   change), WalkerStage. Spawns and despawns agents.
public final class JourneySystem: PreUpdateSystem {
    public static let id: SystemID = "pedestrians.journeys"
    public static let summary = "Pedestrian journeys: sources, stages (waypoint, queue, waiting, exit), route choice, stairs."
    public static let reads = ["Walker", "WalkerStage"]
    public static let writes = ["PedestrianAgent", "Position", "WalkerStage"]
    public static let defaultPriority = SystemPriority.spawning

    let ped: PedestrianWorld?
    var random: RandomStream
    var placer: AgentPlacer?
    let agents: Query<Mut<Position>, Mut<PedestrianAgent>, Walker>
    /// Next timed release per stage, s.
    var nextRelease: [Double]
    /// Agents standing in each waiting area.
    var waiting: [[Entity]]
    /// Passes per stage this step (applied to WalkerStage after the agent pass).
    var passes: [Int]
    var levelCounts: [Int]

    public init(parameters: NoParameters, setup: inout SystemSetup) throws {
        let ped = setup.world.resource(PedestrianWorld.self)
        self.ped = ped
        random = setup.random
        agents = setup.world.query(Mut<Position>.self, Mut<PedestrianAgent>.self, Walker.self)
        let n = ped?.stages.count ?? 0
        nextRelease = (ped?.stages ?? []).map { s in
            switch s.kind {
            case .queue(_, .every(let e)), .waiting(_, _, .every(let e)?): return e
            default: return .infinity
            }
        }
        waiting = Array(repeating: [], count: n)
        passes = Array(repeating: 0, count: n)
        levelCounts = Array(repeating: 0, count: ped?.levelCount ?? 0)
        if let ped { placer = AgentPlacer(ped: ped, world: setup.world, prefabs: setup.scene.prefabs) }
    }

    public func preUpdate(_ step: StepInfo, world: World) {
        guard let ped else { return }
        let t = step.time
        for (k, s) in ped.stages.enumerated() { ped.closed[k] = !(world.get(WalkerStage.self, of: s.entity)?.open ?? true) }
        arrivals(ped, step, world)
        releases(ped, t, world)
        for k in passes.indices { passes[k] = 0 }
        for k in levelCounts.indices { levelCounts[k] = 0 }
        var inside = 0
        agents.forEach { e, pos, agent, walker in
            inside += 1
            self.moveRegion(ped, pos, agent)
            let r = Int(agent.pointee.region)
            if r < ped.levelCount { levelCounts[r] += 1 }
            self.advance(ped, e, pos.pointee.value, agent, walker, t, world)
        }
        for (k, s) in ped.stages.enumerated() {
            let n = passes[k], w = ped.queues[k].count + waiting[k].count
            world.update(WalkerStage.self, of: s.entity) { st in
                if n > 0 { st.passed += n }
                if st.waiting != w { st.waiting = w }
            }
        }
        let reports = world.pluginReports
        reports.set("pedestrians.inside", Double(inside - exitsThisStep))
        reports.set("pedestrians.exited", Double(ped.exited))
        reports.set("pedestrians.meanTravelTime", ped.exited > 0 ? ped.travelTimeSum / Double(ped.exited) : .nan)
        for l in 0..<ped.levelCount { reports.set("pedestrians.level.\(ped.regions[l].name).agents", Double(levelCounts[l])) }
        exitsThisStep = 0
    }

    var exitsThisStep = 0

    /// Floor-field distance (m) beyond which no stage can have been reached: waypoint
    /// radii are at most 50 m, so the check only skips stages with small targets.
    static let arrivalReach: Float = 1

    // MARK: Arrivals

    func arrivals(_ ped: PedestrianWorld, _ step: StepInfo, _ world: World) {
        guard let placer else { return }
        let end = step.endTime
        for k in ped.sources.indices {
            var s = ped.sources[k]
            var made = 0
            while s.nextArrival < end, made < 10_000 {
                if let stop = s.stop, s.nextArrival >= stop { s.nextArrival = .infinity; break }
                if let limit = s.limit, s.spawned >= limit { s.nextArrival = .infinity; break }
                // A spot that overlaps someone is retried next step (the arrival waits).
                var placed = false
                for _ in 0..<8 {
                    guard let p = s.area.randomPoint(using: &random), ped.regions[s.region].contains(p),
                          let c = ped.grid.cell(region: s.region, p), ped.grid.walkable[c] else { continue }
                    let r = Float(s.template.radius.sample(&random))
                    if placer.isFree(p, r, region: s.region), isClear(ped, p, r, world) {
                        let speed = Float(s.template.speed.sample(&random))
                        let pre = s.template.premovement.sample(&random)
                        _ = placer.spawn(at: p, region: s.region, template: s.template, radius: r, speed: speed,
                                         premovement: pre, time: s.nextArrival, random: &random)
                        placed = true
                        break
                    }
                }
                guard placed else { break }
                made += 1
                s.spawned += 1
                let gap = s.poisson ? random.exponential(rate: s.rate) : 1 / s.rate
                s.nextArrival = s.rate > 0 ? s.nextArrival + gap : .infinity
            }
            ped.sources[k] = s
        }
    }

    /// No agent already in the world overlaps a body of radius `r` at `p`.
    func isClear(_ ped: PedestrianWorld, _ p: Vec2, _ r: Float, _ world: World) -> Bool {
        var clear = true
        world.query(Position.self, Walker.self).forEachChunk { chunk, pos, walker in
            guard clear else { return }
            for i in 0..<chunk.count {
                let q = pos[i].value
                let dx = q.x - p.x, dz = q.z - p.y
                let l = r + walker[i].radius
                if dx * dx + dz * dz < l * l { clear = false; return }
            }
        }
        return clear
    }

    // MARK: Releases

    func releases(_ ped: PedestrianWorld, _ t: Double, _ world: World) {
        for (k, s) in ped.stages.enumerated() {
            var n = world.update(WalkerStage.self, of: s.entity) { st -> Int in
                let r = st.pendingReleases
                st.pendingReleases = 0
                return r
            } ?? 0
            var interval: Double?
            switch s.kind {
            case .queue(_, .every(let e)), .waiting(_, _, .every(let e)?): interval = e
            default: break
            }
            if let e = interval {
                while nextRelease[k] <= t { n += 1; nextRelease[k] += e }
            }
            guard n > 0 else { continue }
            switch s.kind {
            case .queue(let slots, _):
                let go = min(n, ped.queues[k].count)
                let leaving = ped.queues[k].prefix(go)
                ped.queues[k].removeFirst(go)
                for e in leaving { leave(ped, e, k, t, world) }
                for (idx, e) in ped.queues[k].enumerated() {
                    world.update(PedestrianAgent.self, of: e) { $0.spot = slots[min(idx, slots.count - 1)] }
                }
            case .waiting:
                let leaving = waiting[k]
                waiting[k].removeAll()
                for e in leaving { leave(ped, e, k, t, world) }
            default: break
            }
        }
    }

    /// An agent released from a queue or waiting area goes on with its journey.
    func leave(_ ped: PedestrianWorld, _ e: Entity, _ stage: Int, _ t: Double, _ world: World) {
        guard let pos = world.get(Position.self, of: e), let speed = world.get(Walker.self, of: e)?.desiredSpeed else { return }
        world.update(PedestrianAgent.self, of: e) { a in
            nextLeg(ped, &a, Vec2(pos.value.x, pos.value.z), speed, t)
        }
        world.update(WalkerStage.self, of: ped.stages[stage].entity) { $0.passed += 1 }
    }

    // MARK: Per agent

    /// Follows a stair portal when the agent has walked through one.
    func moveRegion(_ ped: PedestrianWorld, _ pos: UnsafeMutablePointer<Position>, _ agent: UnsafeMutablePointer<PedestrianAgent>) {
        let r = Int(agent.pointee.region)
        let p = Vec2(pos.pointee.value.x, pos.pointee.value.z)
        let region = ped.regions[r]
        if let c = ped.grid.cell(region: r, p), ped.grid.walkable[c] {
            if region.isStair { pos.pointee.value.y = region.height(at: p) }
            return
        }
        if region.contains(p) {
            if region.isStair { pos.pointee.value.y = region.height(at: p) }
            return
        }
        for portal in region.portals where portal.edge.distance(to: p) < 1 && ped.regions[portal.region].contains(p) {
            agent.pointee.region = Int32(portal.region)
            pos.pointee.value.y = ped.regions[portal.region].height(at: p)
            return
        }
    }

    func advance(_ ped: PedestrianWorld, _ e: Entity, _ p3: Vec3, _ agent: UnsafeMutablePointer<PedestrianAgent>, _ walker: Walker,
                 _ t: Double, _ world: World) {
        let p = Vec2(p3.x, p3.z)
        switch agent.pointee.activity {
        case .premovement:
            if t >= agent.pointee.until { agent.pointee.activity = .walking }
        case .queued:
            return
        case .waiting:
            if t >= agent.pointee.until {
                let k = Int(agent.pointee.stage)
                if let i = waiting[k].firstIndex(of: e) { waiting[k].remove(at: i) }
                passes[k] += 1
                nextLeg(ped, &agent.pointee, p, walker.desiredSpeed, t)
            }
        case .walking:
            if t >= agent.pointee.reconsiderAt || (ped.closed[Int(agent.pointee.stage)] && hasOpenOption(ped, agent.pointee)) {
                // A closed target is left at once for an open option (a door closed by live
                // data or another system), not at the next periodic reconsideration.
                reconsider(ped, &agent.pointee, p, walker.desiredSpeed, t)
            }
            let k = Int(agent.pointee.stage)
            // Far from its stage's target cells an agent cannot have arrived: skip the
            // exact tests (and the copy of the stage) for most agents, most steps.
            let region = Int(agent.pointee.region)
            if let c = ped.grid.cell(region: region, p) {
                let d = ped.fields[Int(ped.stageFields[k])].distance[c]
                // (Cells touching walls have no distance: those agents are checked exactly.)
                if d > Self.arrivalReach && d.isFinite { return }
            }
            let stage = ped.stages[k]
            switch stage.kind {
            case .waypoint(let point, let distance):
                if (point - p).length <= distance {
                    passes[k] += 1
                    nextLeg(ped, &agent.pointee, p, walker.desiredSpeed, t)
                }
            case .exit(let area):
                guard !ped.closed[k], area.contains(p) else { return }
                world.commands.despawn(e)
                passes[k] += 1
                ped.heading[k] -= 1
                ped.exited += 1
                exitsThisStep += 1
                let travel = t - agent.pointee.spawnTime
                ped.travelTimeSum += travel
                world.pluginReports.append(
                    to: "pedestrians.travel-times", columns: TravelTimeRow.columns,
                    row: [Double(e.id), agent.pointee.spawnTime, t, travel, Double(k)])
            case .queue(let slots, _):
                let tail = slots[min(ped.queues[k].count, slots.count - 1)]
                if (tail - p).length <= 1 || ped.fields[stage.field].distance(grid: ped.grid, region: Int(agent.pointee.region), p) <= 0.3 {
                    agent.pointee.activity = .queued
                    agent.pointee.spot = tail
                    ped.queues[k].append(e)
                }
            case .waiting(let area, let duration, _):
                guard area.contains(p) else { return }
                agent.pointee.activity = .waiting
                agent.pointee.until = duration.map { t + $0 } ?? .infinity
                var spot = p
                for _ in 0..<16 {
                    if let q = area.randomPoint(using: &random), let c = ped.grid.cell(region: stage.region, q), ped.grid.walkable[c] {
                        spot = q
                        break
                    }
                }
                agent.pointee.spot = spot
                waiting[k].append(e)
            }
        }
    }

    /// Moves the agent to its journey's next leg (or lets it stand when the journey ends).
    func nextLeg(_ ped: PedestrianWorld, _ a: inout PedestrianAgent, _ p: Vec2, _ speed: Float, _ t: Double) {
        ped.heading[Int(a.stage)] -= 1
        let journey = ped.journeys[Int(a.journey)]
        guard Int(a.leg) + 1 < journey.legs.count else {
            // The journey is over: stand here.
            ped.heading[Int(a.stage)] += 1
            a.activity = .waiting
            a.until = .infinity
            a.spot = p
            return
        }
        a.leg += 1
        let s = ped.chooseStage(journey: Int(a.journey), leg: Int(a.leg), at: p, region: Int(a.region), speed: speed, random: &random)
        a.stage = Int32(s)
        ped.heading[s] += 1
        a.activity = .walking
        if case .choice(_, _, _, let every?) = journey.legs[Int(a.leg)] { a.reconsiderAt = t + every } else { a.reconsiderAt = .infinity }
    }

    /// Whether the agent's current leg is a choice with an open option.
    func hasOpenOption(_ ped: PedestrianWorld, _ a: PedestrianAgent) -> Bool {
        guard case .choice(let options, _, _, _) = ped.journeys[Int(a.journey)].legs[Int(a.leg)] else { return false }
        return options.contains { !ped.closed[$0] }
    }

    func reconsider(_ ped: PedestrianWorld, _ a: inout PedestrianAgent, _ p: Vec2, _ speed: Float, _ t: Double) {
        guard case .choice(let options, let rule, let weights, let every) = ped.journeys[Int(a.journey)].legs[Int(a.leg)] else {
            a.reconsiderAt = .infinity
            return
        }
        ped.heading[Int(a.stage)] -= 1
        let s = ped.choose(options, rule, weights, at: p, region: Int(a.region), speed: speed, random: &random)
        a.stage = Int32(s)
        ped.heading[s] += 1
        a.reconsiderAt = every.map { t + $0 } ?? .infinity
    }
}
