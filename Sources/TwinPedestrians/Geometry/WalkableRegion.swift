import TwinCore

/// One connected piece of walkable ground: a level (a floor at one height) or a
/// stair/ramp joining two levels. Agents belong to exactly one region at a time and
/// change region only through a portal (a stair's bottom or top edge).
struct WalkableRegion: Sendable {
    enum Kind: Sendable, Hashable {
        case level(height: Float)
        /// A straight flight: `bottom` on level `from`, `top` on level `to`.
        case stair(bottom: Segment, top: Segment, bottomHeight: Float, topHeight: Float, slopeLength: Float,
                   upFactor: Float, downFactor: Float)
    }

    /// A way out of this region into another.
    struct Portal: Sendable, Hashable {
        var edge: Segment
        var region: Int
    }

    let name: String
    let kind: Kind
    /// Walkable polygons (holes are obstacles).
    let areas: [Polygon]
    /// Solid obstacles inside the areas.
    let obstacles: [Polygon]
    /// Walls agents must not cross: area boundaries, obstacle outlines and inline
    /// walls, minus the portals.
    var walls: [Segment]
    var portals: [Portal] = []
    let boundsMin: Vec2
    let boundsMax: Vec2

    init(name: String, kind: Kind, areas: [Polygon], obstacles: [Polygon], innerWalls: [Segment]) {
        self.name = name; self.kind = kind; self.areas = areas; self.obstacles = obstacles
        walls = Self.unionBoundary(areas) + obstacles.flatMap(\.edges) + innerWalls
        var lo = Vec2(.infinity, .infinity), hi = Vec2(-.infinity, -.infinity)
        for a in areas {
            let b = a.bounds
            lo = Vec2(min(lo.x, b.min.x), min(lo.y, b.min.y)); hi = Vec2(max(hi.x, b.max.x), max(hi.y, b.max.y))
        }
        boundsMin = lo; boundsMax = hi
    }

    func contains(_ p: Vec2) -> Bool {
        areas.contains { $0.contains(p) } && !obstacles.contains { $0.contains(p) }
    }

    var area: Float { areas.reduce(0) { $0 + $1.area } - obstacles.reduce(0) { $0 + $1.area } }

    var isStair: Bool { if case .stair = kind { return true } else { return false } }

    /// Height of the walking surface at `p` (m, world Y).
    func height(at p: Vec2) -> Float {
        switch kind {
        case .level(let h): return h
        case .stair(let bottom, let top, let hb, let ht, _, _, _):
            let (origin, axis, run) = Self.stairAxis(bottom: bottom, top: top)
            let s = run > 0 ? min(1, max(0, (p - origin).dot(axis) / run)) : 0
            return hb + (ht - hb) * s
        }
    }

    /// Plan-speed factor for walking in `direction`: 1 on a level; on a stair the
    /// up/down factor (speed along the slope relative to the free speed) times the
    /// plan share of the slope length.
    func speedFactor(direction: Vec2) -> Float {
        switch kind {
        case .level: return 1
        case .stair(let bottom, let top, _, _, let slope, let up, let down):
            let (_, axis, run) = Self.stairAxis(bottom: bottom, top: top)
            let f = direction.dot(axis) >= 0 ? up : down
            return slope > 0 ? f * run / slope : f
        }
    }

    /// Origin (bottom midpoint), unit plan axis bottom → top, plan run length.
    static func stairAxis(bottom: Segment, top: Segment) -> (Vec2, Vec2, Float) {
        let b = (bottom.a + bottom.b) * 0.5, t = (top.a + top.b) * 0.5
        let d = t - b
        let run = d.length
        return (b, run > 0 ? d / run : Vec2(1, 0), run)
    }

    /// The boundary of the union of `polygons`: every edge piece that is neither
    /// inside another polygon nor shared with one (areas drawn side by side, or an exit
    /// drawn over the end of a corridor, are one floor).
    static func unionBoundary(_ polygons: [Polygon]) -> [Segment] {
        guard polygons.count > 1 else { return polygons.flatMap(\.edges) }
        let edgeLists = polygons.map(\.edges)
        let boxes = polygons.map(\.bounds)
        var out: [Segment] = []
        for (i, edges) in edgeLists.enumerated() {
            for e in edges {
                let lo = Vec2(min(e.a.x, e.b.x), min(e.a.y, e.b.y)), hi = Vec2(max(e.a.x, e.b.x), max(e.a.y, e.b.y))
                let others = polygons.indices.filter { j in
                    j != i && boxes[j].min.x <= hi.x + 1e-3 && lo.x <= boxes[j].max.x + 1e-3
                        && boxes[j].min.y <= hi.y + 1e-3 && lo.y <= boxes[j].max.y + 1e-3
                }
                guard !others.isEmpty else { out.append(e); continue }
                // Cut the edge wherever another polygon's edge meets it, then keep the
                // pieces whose midpoint is outside every other polygon.
                let d = e.b - e.a
                let len2 = d.dot(d)
                guard len2 > 0 else { continue }
                var cuts: [Float] = [0, 1]
                for j in others {
                    for f in edgeLists[j] {
                        for p in [f.a, f.b] where e.distance(to: p) < 1e-3 { cuts.append((p - e.a).dot(d) / len2) }
                        let fd = f.b - f.a
                        let den = d.cross(fd)
                        guard abs(den) > 1e-12 else { continue }
                        let t = (f.a - e.a).cross(fd) / den, u = (f.a - e.a).cross(d) / den
                        if t > 0, t < 1, u >= 0, u <= 1 { cuts.append(t) }
                    }
                }
                cuts = cuts.filter { $0 >= 0 && $0 <= 1 }.sorted()
                for k in 0..<(cuts.count - 1) where cuts[k + 1] - cuts[k] > 1e-6 {
                    let a = e.a + d * cuts[k], b = e.a + d * cuts[k + 1]
                    let m = (a + b) * 0.5
                    let covered = others.contains { j in
                        polygons[j].contains(m) || edgeLists[j].contains { $0.distance(to: m) < 1e-3 }
                    }
                    if !covered { out.append(Segment(a: a, b: b)) }
                }
            }
        }
        return out
    }

    /// Removes the parts of walls lying on `cut` (a portal's edge).
    mutating func open(_ cut: Segment) {
        walls = walls.flatMap { $0.subtracting(cut) }
    }
}
