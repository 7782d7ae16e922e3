import TwinCore

/// Everything the pedestrians plugin builds from a scene — regions, walls, the
/// navigation grid, one floor field per stage, journeys, arrival sources and
/// measurement definitions — plus the run-time state the systems share (queues,
/// counters). A world resource, created by the `pedestrians` section.
final class PedestrianWorld: @unchecked Sendable {
    /// How an agent is drawn when it appears.
    struct AgentTemplate: Sendable {
        var journey: Int
        var speed: Distribution
        var radius: Distribution
        var premovement: Distribution
        var prefab: String?
    }

    struct Source: Sendable {
        var name: String
        var template: AgentTemplate
        var rate: Double
        var poisson: Bool
        var area: Polygon
        var region: Int
        var start: Double
        var stop: Double?
        var limit: Int?
        var nextArrival: Double
        var spawned = 0
    }

    struct CountingLine: Sendable {
        var name: String
        var segment: Segment
        var region: Int
    }

    struct MeasurementArea: Sendable {
        var name: String
        var polygon: Polygon
        var region: Int
    }

    let regions: [WalkableRegion]
    let levelCount: Int
    let wallIndexes: [WallIndex]
    let grid: NavigationGrid
    var stages: [Stage]
    /// `stages[k].field` and `.center`, flat (hot loops read these, not the stages).
    let stageFields: [Int32]
    let stageCenters: [Vec2]
    /// Per region: the plan speed factor going up / down its axis (1 on levels).
    let planSpeed: [(axis: Vec2, up: Float, down: Float)]
    let fields: [FloorField]
    let journeys: [Journey]
    var sources: [Source]
    let lines: [CountingLine]
    let areas: [MeasurementArea]
    let measureEvery: Double
    let periodic: (min: Float, max: Float)?
    /// Largest distance at which agents or walls act on an agent, m.
    let interactionRange: Float

    // Run-time state.
    /// Agents in each queue, head first (queue stages only).
    var queues: [[Entity]]
    /// Agents heading for or standing at each stage.
    var heading: [Int]
    /// Stages closed through `WalkerStage.open` (refreshed every step).
    var closed: [Bool]
    var exited = 0
    var travelTimeSum = 0.0

    init(regions: [WalkableRegion], levelCount: Int, wallIndexes: [WallIndex], grid: NavigationGrid, stages: [Stage],
         fields: [FloorField], journeys: [Journey], sources: [Source], lines: [CountingLine], areas: [MeasurementArea],
         measureEvery: Double, periodic: (min: Float, max: Float)?, interactionRange: Float) {
        self.regions = regions; self.levelCount = levelCount; self.wallIndexes = wallIndexes; self.grid = grid
        self.stages = stages; self.fields = fields
        stageFields = stages.map { Int32($0.field) }; stageCenters = stages.map(\.center)
        planSpeed = regions.map { r in
            guard case .stair(let b, let t, _, _, _, _, _) = r.kind else { return (.zero, 1, 1) }
            let (_, axis, _) = WalkableRegion.stairAxis(bottom: b, top: t)
            return (axis, r.speedFactor(direction: axis), r.speedFactor(direction: axis * -1))
        }; self.journeys = journeys; self.sources = sources
        self.lines = lines; self.areas = areas; self.measureEvery = measureEvery
        self.periodic = periodic; self.interactionRange = interactionRange
        queues = Array(repeating: [], count: stages.count)
        heading = Array(repeating: 0, count: stages.count)
        closed = Array(repeating: false, count: stages.count)
    }

    /// The region of plan point `p`, preferring `hint`; levels before stairs.
    func region(containing p: Vec2, hint: Int? = nil) -> Int? {
        if let h = hint, regions[h].contains(p) { return h }
        return regions.indices.first { regions[$0].contains(p) }
    }

    /// Picks the stage for leg `leg` of `journey` for an agent at `p` in `region`.
    func chooseStage(journey: Int, leg: Int, at p: Vec2, region: Int, speed: Float, random: inout RandomStream) -> Int {
        switch journeys[journey].legs[leg] {
        case .stage(let s): return s
        case .choice(let options, let rule, let weights, _):
            return choose(options, rule, weights, at: p, region: region, speed: speed, random: &random)
        }
    }

    /// One of `options` by `rule`; closed stages only when every option is closed.
    func choose(_ all: [Int], _ rule: ChoiceRule, _ allWeights: [Double], at p: Vec2, region: Int, speed: Float,
                random: inout RandomStream) -> Int {
        var options = all, weights = allWeights
        if all.contains(where: { closed[$0] }) && !all.allSatisfy({ closed[$0] }) {
            let keep = all.indices.filter { !closed[all[$0]] }
            options = keep.map { all[$0] }; weights = keep.map { allWeights[$0] }
        }
        switch rule {
        case .weights:
            let total = weights.reduce(0, +)
            guard total > 0 else { return options[0] }
            var x = random.uniform(0, total)
            for (k, w) in weights.enumerated() {
                if x < w { return options[k] }
                x -= w
            }
            return options[options.count - 1]
        case .leastCrowded:
            return options.min { (heading[$0], $0) < (heading[$1], $1) } ?? options[0]
        case .travelTime:
            return options.min { estimatedTime($0, p, region, speed) < estimatedTime($1, p, region, speed) } ?? options[0]
        }
    }

    /// Walking time at `speed` plus the time for the agents already heading there to
    /// pass at a door's capacity (1.3 persons/(m·s) across the stage's width).
    func estimatedTime(_ stage: Int, _ p: Vec2, _ region: Int, _ speed: Float) -> Double {
        let d = Double(fields[stages[stage].field].distance(grid: grid, region: region, p))
        guard d.isFinite else { return .infinity }
        let walk = d / Double(max(speed, 0.1))
        return walk + Double(heading[stage]) / stageCapacity(stage)
    }

    /// Persons per second a stage lets through (1.3 /(m·s) × its width, at least 0.5 /s).
    func stageCapacity(_ stage: Int) -> Double {
        switch stages[stage].kind {
        case .exit(let a), .waiting(let a, _, _):
            let b = a.bounds
            return max(0.5, 1.3 * Double(max(b.max.x - b.min.x, b.max.y - b.min.y)))
        case .waypoint(_, let dist): return max(0.5, 1.3 * Double(2 * dist))
        case .queue: return 0.5
        }
    }
}
