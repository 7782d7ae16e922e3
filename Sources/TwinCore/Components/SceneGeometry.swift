/// The static ground-plane geometry of a scene: where people may walk, what blocks
/// them, where they enter and leave. A world resource (`world.resource(SceneGeometry.self)`),
/// written once by the `geometry` scene section and read by pedestrians (navigation),
/// physics (static colliders) and renderers.
///
/// Units and axes: every coordinate is a `Vec2(x, z)` on the ground plane, in **metres**
/// (world X and world Z; Y is up). Polygons follow `Polygon`: an outline (counter-clockwise
/// seen from above, ≥ 3 points, not closed by repeating the first point) and holes. The
/// JSON form is the `geometry` section, and also what `twin import PLAN --floor-plan --out`
/// writes:
///
/// ```json
/// {"walkableAreas": [{"outline": [[0, 0], [10, 0], [10, 8], [0, 8]], "holes": [[[4, 3], [4, 5], [6, 5], [6, 3]]]}],
///  "walls": [{"points": [[0, 0], [10, 0]]}], "obstacles": [{"outline": [[4, 3], [6, 3], [6, 5], [4, 5]]}],
///  "doors": [{"points": [[10, 3], [10, 5]]}], "exits": [{"outline": [[10, 3], [11, 3], [11, 5], [10, 5]]}]}
/// ```
public struct SceneGeometry: Codable, Sendable, Hashable {
    /// An open polyline on the ground plane (a closed one repeats its first point at the end).
    public struct Polyline: Codable, Sendable, Hashable {
        /// At least 2 points, metres.
        public var points: [Vec2]

        public init(points: [Vec2]) { self.points = points }

        enum CodingKeys: String, CodingKey { case points }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            points = try c.decode([Vec2].self, forKey: .points)
            if points.count < 2 {
                throw DecodingError.dataCorruptedError(
                    forKey: .points, in: c, debugDescription: "a polyline needs at least 2 points, got \(points.count)")
            }
        }

        /// Length in metres.
        public var length: Float {
            zip(points, points.dropFirst()).reduce(0) { $0 + ($1.1 - $1.0).length }
        }
    }

    /// Areas pedestrians may walk on; obstacles inside an area are also its holes.
    public var walkableAreas: [Polygon]
    /// Walls as centre-line polylines (zero thickness).
    public var walls: [Polyline]
    /// Solid obstacles (columns, furniture, machines drawn in the plan).
    public var obstacles: [Polygon]
    /// Doors: usually one segment across the opening.
    public var doors: [Polyline]
    /// Exit areas: pedestrians reaching one leave the scene.
    public var exits: [Polygon]

    public init(
        walkableAreas: [Polygon] = [], walls: [Polyline] = [], obstacles: [Polygon] = [], doors: [Polyline] = [],
        exits: [Polygon] = []
    ) {
        self.walkableAreas = walkableAreas; self.walls = walls; self.obstacles = obstacles
        self.doors = doors; self.exits = exits
    }

    enum CodingKeys: String, CodingKey { case walkableAreas, walls, obstacles, doors, exits }

    /// Every member is optional (missing = none).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        walkableAreas = try c.decodeIfPresent([Polygon].self, forKey: .walkableAreas) ?? []
        walls = try c.decodeIfPresent([Polyline].self, forKey: .walls) ?? []
        obstacles = try c.decodeIfPresent([Polygon].self, forKey: .obstacles) ?? []
        doors = try c.decodeIfPresent([Polyline].self, forKey: .doors) ?? []
        exits = try c.decodeIfPresent([Polygon].self, forKey: .exits) ?? []
    }

    /// True when there is no geometry at all.
    public var isEmpty: Bool {
        walkableAreas.isEmpty && walls.isEmpty && obstacles.isEmpty && doors.isEmpty && exits.isEmpty
    }

    /// Total walkable area in m² (outlines minus holes).
    public var walkableArea: Float { walkableAreas.reduce(0) { $0 + $1.area } }

    /// Bounds of every point (x, z), metres; nil when empty.
    public var bounds: (min: Vec2, max: Vec2)? {
        var lo = Vec2(.infinity, .infinity), hi = Vec2(-.infinity, -.infinity)
        func add(_ points: [Vec2]) {
            for p in points { lo = Vec2(min(lo.x, p.x), min(lo.y, p.y)); hi = Vec2(max(hi.x, p.x), max(hi.y, p.y)) }
        }
        for a in walkableAreas + obstacles + exits { add(a.outline) }
        for l in walls + doors { add(l.points) }
        return lo.x <= hi.x ? (lo, hi) : nil
    }

    /// Appends everything in `other` (e.g. inline geometry after a floor plan's).
    public mutating func append(contentsOf other: SceneGeometry) {
        walkableAreas += other.walkableAreas; walls += other.walls; obstacles += other.obstacles
        doors += other.doors; exits += other.exits
    }
}
