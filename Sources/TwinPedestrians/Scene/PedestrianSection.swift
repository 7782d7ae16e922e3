import TwinCore

/// Reads the `pedestrians` section: builds the regions, navigation grid and floor
/// fields, checks every reference and placement, and spawns the initial agents.
/// Every problem is an error at the JSON path of the element at fault.
struct PedestrianSection {
    static let defaultCell: Float = 0.2
    /// Above this many grid cells the spacing is coarsened (memory and build time).
    static let maxCells = 12_000_000
    static let interactionRange: Float = 2

    let json: JSONValue
    let ctx: SceneSectionContext

    func fail(_ message: String, _ path: [JSONPathComponent]) -> JSONDecodingError {
        ctx.error(message, at: json.value(at: path) ?? json, path: path)
    }

    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        try PedestrianSection(json: json, ctx: ctx).build()
    }

    func build() throws(JSONDecodingError) {
        let spec = try ctx.decoder.decode(PedestriansSpec.self, from: json)
        try checkSystems()

        // Levels.
        var levelSpecs = spec.levels ?? []
        if levelSpecs.isEmpty {
            guard let g = ctx.world.resource(SceneGeometry.self), !g.walkableAreas.isEmpty else {
                throw fail("pedestrians need walkable ground: a \"geometry\" section with walkableAreas, or \"levels\" here", [])
            }
            levelSpecs = [LevelSpec(name: "ground", height: 0, geometry: g)]
        }
        var levelIndex: [String: Int] = [:]
        var regions: [WalkableRegion] = []
        var geometryExits: [(level: Int, polygon: Polygon)] = []
        for (i, l) in levelSpecs.enumerated() {
            let path: [JSONPathComponent] = spec.levels == nil ? [] : [.key("levels"), .index(i)]
            guard levelIndex[l.name] == nil else { throw fail("level \"\(l.name)\" is defined twice", path + [.key("name")]) }
            levelIndex[l.name] = i
            let g = l.geometry
            guard !g.walkableAreas.isEmpty else { throw fail("level \"\(l.name)\" has no walkableAreas", path) }
            for (k, p) in (g.walkableAreas + g.obstacles + g.exits).enumerated() {
                let what = k < g.walkableAreas.count ? "walkable area \(k)" : k < g.walkableAreas.count + g.obstacles.count
                    ? "obstacle \(k - g.walkableAreas.count)" : "exit \(k - g.walkableAreas.count - g.obstacles.count)"
                try checkPolygon(p, "level \"\(l.name)\" \(what)", path)
            }
            for (k, d) in g.doors.enumerated() where d.length < 0.05 {
                throw fail("level \"\(l.name)\" door \(k) has zero width (\(d.length) m)",
                           spec.levels == nil ? [] : path + [.key("geometry"), .key("doors"), .index(k)])
            }
            let h = l.height ?? 0
            guard h.isFinite else { throw fail("level height must be finite", path + [.key("height")]) }
            // Exits drawn in the plan are walkable ground agents leave through.
            let areas = g.walkableAreas + g.exits
            let region = WalkableRegion(
                name: l.name, kind: .level(height: h), areas: areas, obstacles: g.obstacles,
                innerWalls: g.walls.flatMap { line in zip(line.points, line.points.dropFirst()).map { Segment(a: $0, b: $1) } })
            regions.append(region)
            geometryExits += g.exits.map { (i, $0) }
        }
        let levelCount = regions.count

        // Stairs.
        for (i, s) in (spec.stairs ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("stairs"), .index(i)]
            guard let from = levelIndex[s.from] else {
                throw fail(Suggestions.unknownMessage(kind: "level", name: s.from, known: levelSpecs.map(\.name)), path + [.key("from")])
            }
            guard let to = levelIndex[s.to] else {
                throw fail(Suggestions.unknownMessage(kind: "level", name: s.to, known: levelSpecs.map(\.name)), path + [.key("to")])
            }
            guard s.bottom.count == 2, s.top.count == 2 else { throw fail("a stair's bottom and top are two points each", path) }
            let bottom = Segment(a: s.bottom[0], b: s.bottom[1]), top = Segment(a: s.top[0], b: s.top[1])
            guard bottom.length > 0.3, top.length > 0.3 else { throw fail("stair \"\(s.name)\" is narrower than 0.3 m", path) }
            let outline = [bottom.a, bottom.b, top.b, top.a]
            let poly = Polygon(outline: Polygon.signedArea(outline) < 0 ? outline.reversed() : outline)
            guard !poly.isSelfIntersecting, poly.area > 0.1 else {
                throw fail("stair \"\(s.name)\": bottom and top must be listed in the same direction (the outline crosses itself)", path)
            }
            guard case .level(let hb) = regions[from].kind, case .level(let ht) = regions[to].kind else { continue }
            let (_, _, run) = WalkableRegion.stairAxis(bottom: bottom, top: top)
            let slope = s.length ?? (run * run + (ht - hb) * (ht - hb)).squareRoot()
            let up = s.upFactor ?? 0.5, down = s.downFactor ?? 0.56
            guard slope.isFinite, slope >= run - 1e-3 else {
                throw fail("stair length must be at least its plan run (\(run) m)", path + [.key("length")])
            }
            guard up.isFinite, down.isFinite, up > 0, down > 0, up <= 2, down <= 2 else {
                throw fail("upFactor and downFactor must be in (0, 2]", path)
            }
            var stair = WalkableRegion(
                name: s.name, kind: .stair(bottom: bottom, top: top, bottomHeight: hb, topHeight: ht, slopeLength: slope,
                                           upFactor: up, downFactor: down),
                areas: [poly], obstacles: [], innerWalls: [])
            let si = regions.count
            for (edge, level, key) in [(bottom, from, "bottom"), (top, to, "top")] {
                let mid = (edge.a + edge.b) * 0.5
                let inward = poly.contains(mid + Self.normal(edge) * 0.05) ? Self.normal(edge) : Self.normal(edge) * -1
                guard regions[level].contains(mid - inward * 0.1) else {
                    throw fail("stair \"\(s.name)\": its \(key) edge does not border level \"\(levelSpecs[level].name)\"'s walkable area", path + [.key(key)])
                }
                stair.open(edge)
                stair.portals.append(.init(edge: edge, region: level))
                regions[level].open(edge)
                regions[level].portals.append(.init(edge: edge, region: si))
            }
            regions.append(stair)
        }

        // A periodic corridor has no walls where it wraps.
        var periodic: (min: Float, max: Float)?
        if let p = spec.periodic {
            guard p.min.isFinite, p.max.isFinite, p.max - p.min >= 2 * Self.interactionRange else {
                throw fail("periodic needs max − min ≥ \(2 * Self.interactionRange) m", [.key("periodic")])
            }
            periodic = (p.min, p.max)
            for r in regions.indices {
                regions[r].walls.removeAll { w in
                    (w.a.x <= p.min + 1e-3 && w.b.x <= p.min + 1e-3) || (w.a.x >= p.max - 1e-3 && w.b.x >= p.max - 1e-3)
                }
            }
        }

        // Grid and walls.
        let totalArea = regions.reduce(Float(0)) { $0 + ($1.boundsMax.x - $1.boundsMin.x + 1) * ($1.boundsMax.y - $1.boundsMin.y + 1) }
        var h = spec.cell ?? Self.defaultCell
        guard h.isFinite, h >= 0.05, h <= 1 else { throw fail("cell must be in [0.05, 1] m", [.key("cell")]) }
        if totalArea / (h * h) > Float(Self.maxCells) { h = (totalArea / Float(Self.maxCells)).squareRoot() }
        guard h <= 1 else { throw fail("the walkable area is too large for a floor field (\(Int(totalArea)) m²)", []) }
        let walls = regions.map { WallIndex(walls: $0.walls, boundsMin: $0.boundsMin, boundsMax: $0.boundsMax, range: Self.interactionRange) }
        let grid = NavigationGrid(regions: regions, cell: h, wallIndexes: walls)

        // Stages.
        var stages: [Stage] = []
        var stageIndex: [String: Int] = [:]
        var targets: [[Int]] = []
        for (i, s) in spec.stages.enumerated() {
            let path: [JSONPathComponent] = [.key("stages"), .index(i)]
            guard stageIndex[s.name] == nil else { throw fail("stage \"\(s.name)\" is defined twice", path + [.key("name")]) }
            let (stage, cells) = try buildStage(s, path, regions: regions, levels: levelIndex, levelNames: levelSpecs.map(\.name), grid: grid)
            stageIndex[s.name] = stages.count
            stages.append(stage)
            targets.append(cells)
        }
        for (k, e) in geometryExits.enumerated() {
            let name = "\(levelSpecs[e.level].name).exit\(k)"
            guard stageIndex[name] == nil else { continue }
            let cells = Self.cells(of: e.level, grid: grid) { e.polygon.contains($0) }
            guard !cells.isEmpty else { continue }
            stageIndex[name] = stages.count
            stages.append(Stage(name: name, region: e.level, kind: .exit(area: e.polygon)))
            targets.append(cells)
        }
        var fields: [FloorField] = []
        for (k, cells) in targets.enumerated() {
            stages[k].field = fields.count
            fields.append(FloorField(grid: grid, regions: regions, targets: cells))
        }

        // Journeys.
        var journeys: [Journey] = []
        var journeyIndex: [String: Int] = [:]
        let stageNames = stages.map(\.name)
        func stageRef(_ name: String, _ path: [JSONPathComponent]) throws(JSONDecodingError) -> Int {
            guard let s = stageIndex[name] else { throw fail(Suggestions.unknownMessage(kind: "stage", name: name, known: stageNames), path) }
            return s
        }
        for (i, j) in spec.journeys.enumerated() {
            let path: [JSONPathComponent] = [.key("journeys"), .index(i)]
            guard journeyIndex[j.name] == nil else { throw fail("journey \"\(j.name)\" is defined twice", path + [.key("name")]) }
            guard !j.stages.isEmpty else { throw fail("journey \"\(j.name)\" has no stages", path + [.key("stages")]) }
            var legs: [Journey.Leg] = []
            for (k, leg) in j.stages.enumerated() {
                let lp = path + [.key("stages"), .index(k)]
                if let name = leg.stringValue {
                    legs.append(.stage(try stageRef(name, lp)))
                    continue
                }
                let c = try ctx.decoder.decode(ChoiceSpec.self, from: leg)
                guard c.oneOf.count >= 2 else { throw fail("a choice needs at least two stages in oneOf", lp + [.key("oneOf")]) }
                var options: [Int] = []
                for (m, n) in c.oneOf.enumerated() { options.append(try stageRef(n, lp + [.key("oneOf"), .index(m)])) }
                let rule = c.choose ?? (c.weights == nil ? .leastCrowded : .weights)
                let weights = c.weights ?? Array(repeating: 1, count: options.count)
                guard weights.count == options.count, weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.reduce(0, +) > 0 else {
                    throw fail("weights must be one finite number ≥ 0 per stage, not all zero", lp + [.key("weights")])
                }
                if let r = c.reconsider, !(r.isFinite && r > 0) { throw fail("reconsider must be > 0 seconds", lp + [.key("reconsider")]) }
                legs.append(.choice(options: options, rule: rule, weights: weights, reconsiderEvery: c.reconsider))
            }
            journeyIndex[j.name] = journeys.count
            journeys.append(Journey(name: j.name, legs: legs))
        }
        let journeyNames = spec.journeys.map(\.name)
        func journeyRef(_ name: String, _ path: [JSONPathComponent]) throws(JSONDecodingError) -> Int {
            guard let j = journeyIndex[name] else { throw fail(Suggestions.unknownMessage(kind: "journey", name: name, known: journeyNames), path) }
            return j
        }

        // Sources.
        var sources: [PedestrianWorld.Source] = []
        for (i, s) in (spec.sources ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("sources"), .index(i)]
            let template = try self.template(journey: try journeyRef(s.journey, path + [.key("journey")]), speed: s.speed,
                                             radius: s.radius, premovement: s.premovement, prefab: s.prefab, path)
            guard s.rate.isFinite, s.rate >= 0, s.rate <= 1e4 else { throw fail("rate must be in [0, 10000] per second", path + [.key("rate")]) }
            if let l = s.limit, l < 0 { throw fail("limit must be ≥ 0", path + [.key("limit")]) }
            let area = try polygon(s.area, path + [.key("area")])
            let region = try regionFor(area.centroid, level: s.level, levels: levelIndex, levelNames: levelSpecs.map(\.name), regions, path,
                                       polygonHint: area)
            guard Self.cells(of: region, grid: grid, { area.contains($0) }).count > 0 else {
                throw fail("source area has no walkable ground", path + [.key("area")])
            }
            let start = s.start ?? 0
            guard start.isFinite, start >= 0 else { throw fail("start must be ≥ 0", path + [.key("start")]) }
            sources.append(.init(
                name: s.name ?? "source\(i)", template: template, rate: s.rate, poisson: (s.arrivals ?? .poisson) == .poisson,
                area: area, region: region, start: start, stop: s.stop, limit: s.limit, nextArrival: start))
        }

        // Measurements.
        let m = spec.measure
        let every = m?.every ?? 0.5
        guard every.isFinite, every > 0 else { throw fail("measure.every must be > 0 s", [.key("measure"), .key("every")]) }
        var lines: [PedestrianWorld.CountingLine] = []
        for (i, l) in (m?.lines ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("measure"), .key("lines"), .index(i)]
            guard l.points.count == 2, (l.points[1] - l.points[0]).length > 0 else { throw fail("a counting line is two distinct points", path + [.key("points")]) }
            let mid = (l.points[0] + l.points[1]) * 0.5
            let region = try regionFor(mid, level: l.level, levels: levelIndex, levelNames: levelSpecs.map(\.name), regions, path, strict: false)
            lines.append(.init(name: l.name, segment: Segment(a: l.points[0], b: l.points[1]), region: region))
        }
        var areas: [PedestrianWorld.MeasurementArea] = []
        for (i, a) in (m?.areas ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("measure"), .key("areas"), .index(i)]
            let poly = try polygon(a.outline, path + [.key("outline")])
            guard poly.isConvex else { throw fail("a measurement area must be convex (Voronoi cells are clipped to it)", path + [.key("outline")]) }
            let region = try regionFor(poly.centroid, level: a.level, levels: levelIndex, levelNames: levelSpecs.map(\.name), regions, path, strict: false)
            areas.append(.init(name: a.name, polygon: poly, region: region))
        }
        let ped = PedestrianWorld(
            regions: regions, levelCount: levelCount, wallIndexes: walls, grid: grid, stages: stages, fields: fields,
            journeys: journeys, sources: sources, lines: lines, areas: areas, measureEvery: every,
            periodic: periodic, interactionRange: Self.interactionRange)
        for k in ped.stages.indices {
            let s = ped.stages[k]
            let e = ctx.world.spawn()
            ctx.world.insert(Name(s.name), on: e)
            ctx.world.insert(Position(s.center.onGround(height: regions[s.region].height(at: s.center))), on: e)
            ctx.world.insert(WalkerStage(type: s.typeName), on: e)
            ped.stages[k].entity = e
        }
        ctx.world.setResource(ped)
        declareReports(ped)

        // Initial agents.
        var random = RandomStream(seed: ctx.scene.settings.seed).derived("pedestrians.placement")
        var placer = AgentPlacer(ped: ped, world: ctx.world, prefabs: ctx.scene.prefabs)
        for (i, g) in (spec.agents ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("agents"), .index(i)]
            let template = try self.template(journey: try journeyRef(g.journey, path + [.key("journey")]), speed: g.speed,
                                             radius: g.radius, premovement: g.premovement, prefab: g.prefab, path)
            try placeGroup(g, template, path, placer: &placer, levels: levelIndex, levelNames: levelSpecs.map(\.name), random: &random)
        }
    }

    // MARK: Pieces

    /// The scene's operational model (the default systems run the speed model).
    var modelID: String {
        let ids = ctx.root["systems"]?.elements?.compactMap { $0["id"]?.stringValue } ?? []
        return ids.first { PedestriansPlugin.modelIDs.contains($0) } ?? CollisionFreeSpeedSystem.id.rawValue
    }

    /// Body radius when a scene gives none: the model's published value — ℓ/2 = 0.15 m
    /// for the speed model (Tordeux et al. 2015: ℓ = 0.3 m; JuPedSim uses 0.2 m),
    /// uniform 0.25–0.35 m for the social force model (Helbing, Farkas & Vicsek 2000),
    /// b_max = 0.25 m (the half-width at rest) for the generalized centrifugal force model.
    var defaultRadius: Distribution {
        switch modelID {
        case SocialForceSystem.id.rawValue: return .uniform(0.25, 0.35)
        case GeneralizedCentrifugalForceSystem.id.rawValue: return .fixed(0.25)
        default: return .fixed(0.15)
        }
    }

    /// A scene that lists its systems must run the journeys system and one model.
    func checkSystems() throws(JSONDecodingError) {
        guard let list = ctx.root["systems"]?.elements else { return }
        let ids = list.compactMap { $0["id"]?.stringValue }
        let models = ids.filter { PedestriansPlugin.modelIDs.contains($0) }
        guard ids.contains(JourneySystem.id.rawValue) else {
            throw ctx.error("a scene with \"pedestrians\" that lists its systems must include \(JourneySystem.id.rawValue)",
                            at: ctx.root["systems"] ?? json, path: [])
        }
        guard models.count == 1 else {
            throw ctx.error("a scene with \"pedestrians\" must run exactly one model: \(PedestriansPlugin.modelIDs.joined(separator: " or "))",
                            at: ctx.root["systems"] ?? json, path: [])
        }
    }

    func checkPolygon(_ p: Polygon, _ what: String, _ path: [JSONPathComponent]) throws(JSONDecodingError) {
        for v in p.outline + p.holes.flatMap({ $0 }) where !(v.x.isFinite && v.y.isFinite) {
            throw fail("\(what) has a non-finite point", path)
        }
        guard !p.isSelfIntersecting else { throw fail("\(what) intersects itself", path) }
        guard abs(Polygon.signedArea(p.outline)) > 1e-6 else { throw fail("\(what) has no area", path) }
    }

    func polygon(_ points: [Vec2], _ path: [JSONPathComponent]) throws(JSONDecodingError) -> Polygon {
        guard points.count >= 3 else { throw fail("a polygon needs at least 3 points, got \(points.count)", path) }
        let p = Polygon(outline: points)
        try checkPolygon(p, "the polygon", path)
        return p
    }

    func regionFor(_ p: Vec2, level: String?, levels: [String: Int], levelNames: [String], _ regions: [WalkableRegion],
                   _ path: [JSONPathComponent], strict: Bool = true, polygonHint: Polygon? = nil) throws(JSONDecodingError) -> Int {
        if let l = level {
            guard let i = levels[l] else { throw fail(Suggestions.unknownMessage(kind: "level", name: l, known: levelNames), path + [.key("level")]) }
            return i
        }
        if let r = regions.indices.first(where: { regions[$0].contains(p) }) { return r }
        if let area = polygonHint {
            // An area whose centre is blocked (an obstacle in a room): try its corners.
            for v in area.outline {
                let q = v + (area.centroid - v) * 0.02
                if let r = regions.indices.first(where: { regions[$0].contains(q) }) { return r }
            }
        }
        if !strict { return 0 }
        throw fail("(\(p.x), \(p.y)) lies on no walkable area", path)
    }

    func template(journey: Int, speed: JSONValue?, radius: JSONValue?, premovement: JSONValue?, prefab: String?,
                  _ path: [JSONPathComponent]) throws(JSONDecodingError) -> PedestrianWorld.AgentTemplate {
        func dist(_ v: JSONValue?, _ key: String, _ fallback: Distribution, _ range: ClosedRange<Double>) throws(JSONDecodingError) -> Distribution {
            guard let v else { return fallback }
            switch Distribution.decode(v) {
            case .failure(.invalid(let msg)): throw fail("\(key): \(msg)", path + [.key(key)])
            case .success(let d):
                guard range.contains(d.range.lowerBound), range.contains(d.range.upperBound) else {
                    throw fail("\(key) must stay within \(range.lowerBound)…\(range.upperBound)", path + [.key(key)])
                }
                return d
            }
        }
        if let p = prefab, ctx.scene.prefabs[p] == nil {
            throw fail(Suggestions.unknownMessage(kind: "prefab", name: p, known: Array(ctx.scene.prefabs.keys)), path + [.key("prefab")])
        }
        return .init(
            journey: journey, speed: try dist(speed, "speed", .weidmann, 0...10),
            radius: try dist(radius, "radius", defaultRadius, 0.05...1), premovement: try dist(premovement, "premovement", .fixed(0), 0...86_400),
            prefab: prefab)
    }

    func placeGroup(_ g: GroupSpec, _ template: PedestrianWorld.AgentTemplate, _ path: [JSONPathComponent],
                    placer: inout AgentPlacer, levels: [String: Int], levelNames: [String], random: inout RandomStream) throws(JSONDecodingError) {
        let ped = placer.ped
        var points: [(Vec2, Int)] = []
        if let list = g.positions ?? g.position.map({ [$0] }) {
            for (k, p) in list.enumerated() {
                let kp = g.positions == nil ? path + [.key("position")] : path + [.key("positions"), .index(k)]
                let r = try regionFor(p, level: g.level, levels: levels, levelNames: levelNames, ped.regions, kp)
                guard ped.regions[r].contains(p) else { throw fail("agent at (\(p.x), \(p.y)) is outside the walkable area", kp) }
                points.append((p, r))
            }
            for (p, r) in points {
                guard let e = placer.place(at: p, region: r, template: template, time: 0, random: &random, checkOverlap: false) else {
                    throw fail("agent at (\(p.x), \(p.y)) stands inside a wall or obstacle", path)
                }
                try checkReachable(e, placer, path)
            }
            return
        }
        guard let pts = g.area else { throw fail("a group needs \"area\", \"position\" or \"positions\"", path) }
        let area = try polygon(pts, path + [.key("area")])
        let region = try regionFor(area.centroid, level: g.level, levels: levels, levelNames: levelNames, ped.regions, path + [.key("area")],
                                   polygonHint: area)
        var count: Int
        if let n = g.count {
            guard n >= 0, n <= 10_000_000 else { throw fail("count must be in 0…10000000", path + [.key("count")]) }
            count = n
        } else if let d = g.density {
            guard d.isFinite, d >= 0, d <= 10 else { throw fail("density must be in 0…10 persons/m²", path + [.key("density")]) }
            count = Int((d * Double(area.area)).rounded())
        } else {
            throw fail("a group needs \"count\" or \"density\"", path)
        }
        if count == 0 { return }
        guard Self.cells(of: region, grid: ped.grid, { area.contains($0) }).count > 0 else {
            throw fail("the group's area has no walkable ground (inside walls or outside every walkable area)", path + [.key("area")])
        }
        // Cells cut off from the journey's first stage (pockets of a floor plan) are no place to start.
        let firstFields: [Int] = {
            switch ped.journeys[template.journey].legs[0] {
            case .stage(let s): return [ped.stages[s].field]
            case .choice(let options, _, _, _): return options.map { ped.stages[$0].field }
            }
        }()
        var placed = 0, tries = 0
        let maxTries = count * 200 + 10_000
        while placed < count {
            tries += 1
            guard tries <= maxTries else {
                throw fail("cannot place \(count) agents without overlap in this area (placed \(placed)); enlarge the area or lower count/density", path)
            }
            // Random spots only on walkable grid cells: not in slivers between obstacles
            // too narrow for the floor field (an agent there would have no way out).
            guard let p = area.randomPoint(using: &random), ped.regions[region].contains(p),
                  let c = ped.grid.cell(region: region, p), ped.grid.walkable[c],
                  firstFields.allSatisfy({ ped.fields[$0].distance[c].isFinite }) else { continue }
            if let e = placer.place(at: p, region: region, template: template, time: 0, random: &random, checkOverlap: true) {
                if placed == 0 { try checkReachable(e, placer, path) }
                placed += 1
            }
        }
    }

    func checkReachable(_ e: Entity, _ placer: AgentPlacer, _ path: [JSONPathComponent]) throws(JSONDecodingError) {
        guard let a = ctx.world.get(PedestrianAgent.self, of: e), let pos = ctx.world.get(Position.self, of: e) else { return }
        let ped = placer.ped
        let stage = ped.stages[Int(a.stage)]
        let d = ped.fields[stage.field].distance(grid: ped.grid, region: Int(a.region), Vec2(pos.value.x, pos.value.z))
        guard d.isFinite else {
            throw fail("stage \"\(stage.name)\" cannot be reached from (\(pos.value.x), \(pos.value.z)) (no walkable path)", path)
        }
    }

    func buildStage(_ s: StageSpec, _ path: [JSONPathComponent], regions: [WalkableRegion], levels: [String: Int], levelNames: [String],
                    grid: NavigationGrid) throws(JSONDecodingError) -> (Stage, [Int]) {
        func need<T>(_ v: T?, _ key: String) throws(JSONDecodingError) -> T {
            guard let v else { throw fail("a \(s.type) stage needs \"\(key)\"", path) }
            return v
        }
        func release(_ v: JSONValue?) throws(JSONDecodingError) -> Stage.Release? {
            guard let v else { return nil }
            if v.stringValue == "manual" { return .manual }
            if let e = v["every"]?.doubleValue, e.isFinite, e > 0, v.members?.count == 1 { return .every(e) }
            throw fail("release is \"manual\" or {\"every\": seconds > 0}", path + [.key("release")])
        }
        let stage: Stage
        var cells: [Int]
        switch s.type {
        case "waypoint":
            let p = try need(s.position, "position")
            let d = s.distance ?? 0.5
            guard d.isFinite, d > 0, d <= 50 else { throw fail("distance must be in (0, 50] m", path + [.key("distance")]) }
            let r = try regionFor(p, level: s.level, levels: levels, levelNames: levelNames, regions, path + [.key("position")])
            stage = Stage(name: s.name, region: r, kind: .waypoint(point: p, distance: d))
            cells = Self.cells(of: r, grid: grid) { ($0 - p).length <= d }
            if cells.isEmpty, let c = Self.nearestWalkable(r, p, grid: grid, within: d + 2 * grid.h) { cells = [c] }
        case "exit", "waiting":
            let area = try polygon(try need(s.area, "area"), path + [.key("area")])
            let r = try regionFor(area.centroid, level: s.level, levels: levels, levelNames: levelNames, regions, path + [.key("area")],
                                  strict: false, polygonHint: area)
            if s.type == "exit" {
                stage = Stage(name: s.name, region: r, kind: .exit(area: area))
            } else {
                if let d = s.duration, !(d.isFinite && d >= 0) { throw fail("duration must be ≥ 0 s", path + [.key("duration")]) }
                let rel = try release(s.release)
                guard s.duration != nil || rel != nil else { throw fail("a waiting stage needs \"duration\" or \"release\"", path) }
                stage = Stage(name: s.name, region: r, kind: .waiting(area: area, duration: s.duration, release: rel))
            }
            cells = Self.cells(of: r, grid: grid) { area.contains($0) }
        case "queue":
            let slots = try need(s.slots, "slots")
            guard !slots.isEmpty else { throw fail("a queue needs at least one slot", path + [.key("slots")]) }
            let r = try regionFor(slots[0], level: s.level, levels: levels, levelNames: levelNames, regions, path + [.key("slots"), .index(0)])
            for (k, p) in slots.enumerated() where !regions[r].contains(p) {
                throw fail("queue slot \(k) at (\(p.x), \(p.y)) is outside the walkable area", path + [.key("slots"), .index(k)])
            }
            stage = Stage(name: s.name, region: r, kind: .queue(slots: slots, release: try release(s.release) ?? .manual))
            cells = Self.cells(of: r, grid: grid) { p in slots.contains { ($0 - p).length <= 0.3 } }
            for p in slots { if let c = Self.nearestWalkable(r, p, grid: grid, within: 1) { cells.append(c) } }
        default:
            throw fail("unknown stage type \"\(s.type)\" (known: waypoint, exit, queue, waiting)", path + [.key("type")])
        }
        guard !cells.isEmpty else {
            throw fail("stage \"\(s.name)\" covers no walkable ground (inside a wall, or outside every walkable area)", path)
        }
        return (stage, cells)
    }

    static func cells(of region: Int, grid: NavigationGrid, _ inside: (Vec2) -> Bool) -> [Int] {
        let g = grid.grids[region]
        var out: [Int] = []
        for j in 0..<g.nz {
            for i in 0..<g.nx {
                let c = g.offset + j * g.nx + i
                guard grid.walkable[c] else { continue }
                if inside(Vec2(g.origin.x + (Float(i) + 0.5) * grid.h, g.origin.y + (Float(j) + 0.5) * grid.h)) { out.append(c) }
            }
        }
        return out
    }

    static func nearestWalkable(_ region: Int, _ p: Vec2, grid: NavigationGrid, within: Float) -> Int? {
        let g = grid.grids[region]
        var best: (Float, Int)?
        let reach = Int((within / grid.h).rounded(.up))
        guard let c0 = grid.cell(region: region, p) else { return nil }
        let i0 = (c0 - g.offset) % g.nx, j0 = (c0 - g.offset) / g.nx
        for j in max(0, j0 - reach)...min(g.nz - 1, j0 + reach) {
            for i in max(0, i0 - reach)...min(g.nx - 1, i0 + reach) {
                let c = g.offset + j * g.nx + i
                guard grid.walkable[c] else { continue }
                let d = (grid.center(c) - p).length
                if d <= within, best.map({ d < $0.0 }) ?? true { best = (d, c) }
            }
        }
        return best?.1
    }

    static func normal(_ s: Segment) -> Vec2 {
        let d = s.b - s.a
        let len = d.length
        return len > 0 ? Vec2(-d.y / len, d.x / len) : .zero
    }

    func declareReports(_ ped: PedestrianWorld) {
        let r = ctx.world.pluginReports
        let every = ped.measureEvery
        r.declare("pedestrians.inside", every: every)
        r.declare("pedestrians.exited", every: every)
        r.declare("pedestrians.meanTravelTime", every: every)
        for l in 0..<ped.levelCount { r.declare("pedestrians.level.\(ped.regions[l].name).agents", every: every) }
        for l in ped.lines {
            r.declare("pedestrians.line.\(l.name).count", every: every)
            r.declare("pedestrians.line.\(l.name).net", every: every)
        }
        for a in ped.areas {
            for q in ["density", "speed", "voronoiDensity", "voronoiSpeed"] { r.declare("pedestrians.area.\(a.name).\(q)", every: every) }
        }
        r.declareTable("pedestrians.travel-times", columns: TravelTimeRow.columns)
        if !ped.lines.isEmpty { r.declareTable("pedestrians.crossings", columns: ["time", "line", "agent", "direction"]) }
        if !ped.areas.isEmpty {
            r.declareTable("pedestrians.areas", columns: ["time", "area", "agents", "density", "speed", "voronoiDensity", "voronoiSpeed"])
        }
    }
}

enum TravelTimeRow {
    static let columns = ["agent", "spawnTime", "exitTime", "travelTime", "exitStage"]
}
