import TwinCore

/// Pedestrian measurements: crossings of counting lines (every step; `count` all of
/// them, `net` forward minus backward, forward being the direction of the line's
/// normal (b_z − a_z, a_x − b_x): a line drawn from south to north counts west → east
/// as forward) and, every
/// `measure.every` seconds, density and speed in each measurement area — classical
/// (agents inside / area, their mean speed) and Voronoi (Steffen & Seyfried 2010:
/// ρ_V = Σ|V_i ∩ A| / (|V_i|·|A|), v_V = Σ|V_i ∩ A|·|v_i| / |A|, each cell V_i clipped
/// to its agent's walkable ground and cut at 2 m where no wall or neighbour bounds it).
/// Publishes KPIs `pedestrians.line.NAME.count` and `.net` and `pedestrians.area.NAME.*`, and the
/// tables `pedestrians.crossings` and `pedestrians.areas`.
///
/// - Reads: Position, Velocity, Walker, PedestrianAgent.
public final class MeasureSystem: PostUpdateSystem {
    public static let id: SystemID = "pedestrians.measure"
    public static let summary = "Pedestrian measurements: counting lines, classical and Voronoi density and speed in areas."
    public static let reads = ["Position", "Velocity", "Walker", "PedestrianAgent"]

    /// Voronoi cells are cut to this distance from their agent, m.
    static let voronoiReach: Float = 2

    let ped: PedestrianWorld?
    let everySteps: Int64
    let agents: Query<Position, Velocity, PedestrianAgent>
    /// Last plan position by entity index (with its generation), for line crossings.
    var last: [Int: (UInt32, Vec2)] = [:]
    private var spare: [Int: (UInt32, Vec2)] = [:]
    var lineCounts: [Int]
    var lineNet: [Int]
    /// Walkable ground per region, for clipping Voronoi cells.
    let clips: [WalkableClip]

    public init(parameters: NoParameters, setup: inout SystemSetup) throws {
        ped = setup.world.resource(PedestrianWorld.self)
        everySteps = max(1, setup.scene.settings.steps(for: ped?.measureEvery ?? 1))
        agents = setup.world.query(Position.self, Velocity.self, PedestrianAgent.self)
        lineCounts = Array(repeating: 0, count: ped?.lines.count ?? 0)
        lineNet = lineCounts
        clips = ped.map { p in p.regions.map { WalkableClip(region: $0, periodic: p.periodic != nil) } } ?? []
    }

    public func postUpdate(_ step: StepInfo, world: WorldReader) {
        guard let ped else { return }
        let t = step.endTime
        let reports = world.resource(PluginReports.self)
        if !ped.lines.isEmpty { countCrossings(ped, t, reports) }
        guard (step.step + 1) % everySteps == 0, !ped.areas.isEmpty else { return }
        for a in ped.areas { measure(ped, a, t, reports) }
    }

    func countCrossings(_ ped: PedestrianWorld, _ t: Double, _ reports: PluginReports?) {
        let half = ped.periodic.map { ($0.max - $0.min) / 2 } ?? .infinity
        // Two maps swapped every step: no allocation once they have grown.
        var seen: [Int: (UInt32, Vec2)] = [:]
        swap(&seen, &spare)
        seen.removeAll(keepingCapacity: true)
        agents.forEach { e, pos, _, agent in
            let p = Vec2(pos.value.x, pos.value.z)
            let key = Int(e.index)
            if let (gen, q) = last[key], gen == e.generation, abs(p.x - q.x) < half {
                let move = Segment(a: q, b: p)
                for (k, line) in ped.lines.enumerated() where move.crosses(line.segment) {
                    let d = line.segment.b - line.segment.a
                    let forward = (p - q).dot(Vec2(d.y, -d.x)) > 0
                    let dir: Double = forward ? 1 : -1
                    lineCounts[k] += 1
                    lineNet[k] += forward ? 1 : -1
                    reports?.append(to: "pedestrians.crossings", columns: ["time", "line", "agent", "direction"],
                                    row: [t, Double(k), Double(e.id), dir])
                }
            }
            seen[key] = (e.generation, p)
        }
        swap(&last, &seen)
        spare = seen
        for (k, line) in ped.lines.enumerated() {
            reports?.set("pedestrians.line.\(line.name).count", Double(lineCounts[k]))
            reports?.set("pedestrians.line.\(line.name).net", Double(lineNet[k]))
        }
    }

    func measure(_ ped: PedestrianWorld, _ area: PedestrianWorld.MeasurementArea, _ t: Double, _ reports: PluginReports?) {
        let b = area.polygon.bounds
        let reach = Self.voronoiReach
        let period = ped.periodic.map { $0.max - $0.min } ?? 0
        // Agents whose cell can touch the area, and the neighbours that cut those cells.
        var near: [(p: Vec2, speed: Float, y: Float, region: Int)] = []
        var inside = 0
        var speedSum: Float = 0
        let areaSize = area.polygon.area
        agents.forEach { _, pos, vel, agent in
            var p = Vec2(pos.value.x, pos.value.z)
            let speed = Vec2(vel.value.x, vel.value.z).length
            if area.polygon.contains(p) { inside += 1; speedSum += speed }
            if period > 0 {
                // Bring the agent to the image nearest the area.
                let cx = (b.min.x + b.max.x) / 2
                if p.x - cx > period / 2 { p.x -= period } else if cx - p.x > period / 2 { p.x += period }
            }
            if p.x >= b.min.x - 2 * reach, p.x <= b.max.x + 2 * reach, p.y >= b.min.y - 2 * reach, p.y <= b.max.y + 2 * reach {
                near.append((p, speed, pos.value.y, Int(agent.region)))
            }
        }
        var rhoV: Float = 0, flowV: Float = 0
        for (i, a) in near.enumerated() {
            guard a.p.x >= b.min.x - reach, a.p.x <= b.max.x + reach, a.p.y >= b.min.y - reach, a.p.y <= b.max.y + reach else { continue }
            var cell = [Vec2(a.p.x - reach, a.p.y - reach), Vec2(a.p.x + reach, a.p.y - reach),
                        Vec2(a.p.x + reach, a.p.y + reach), Vec2(a.p.x - reach, a.p.y + reach)]
            for (j, o) in near.enumerated() where j != i && abs(o.y - a.y) < 1 {
                let d = o.p - a.p
                let d2 = d.dot(d)
                guard d2 > 0, d2 < 4 * reach * reach else { continue }
                cell = ConvexClip.halfPlane(cell, point: (a.p + o.p) * 0.5, normal: d)
            }
            guard clips.indices.contains(a.region) else { continue }
            let clip = clips[a.region]
            let full = clip.area(inside: cell)
            guard full > 0 else { continue }
            let part = clip.area(inside: ConvexClip.intersect(cell, area.polygon.outline))
            rhoV += part / full
            flowV += part * a.speed
        }
        let density = Double(inside) / Double(areaSize)
        let speed = inside > 0 ? Double(speedSum) / Double(inside) : .nan
        let vd = Double(rhoV) / Double(areaSize)
        let vs = Double(flowV) / Double(areaSize)
        reports?.set("pedestrians.area.\(area.name).density", density)
        reports?.set("pedestrians.area.\(area.name).speed", speed)
        reports?.set("pedestrians.area.\(area.name).voronoiDensity", vd)
        reports?.set("pedestrians.area.\(area.name).voronoiSpeed", vs)
        reports?.append(to: "pedestrians.areas", columns: ["time", "area", "agents", "density", "speed", "voronoiDensity", "voronoiSpeed"],
                        row: [t, Double(ped.areas.firstIndex { $0.name == area.name } ?? 0), Double(inside), density, speed, vd, vs])
    }
}
