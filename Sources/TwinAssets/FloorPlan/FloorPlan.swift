/// A 2D floor plan in scene units, ready to become scene `geometry`.
///
/// Coordinates are `SIMD2(x, z)` on the ground plane, in **metres**: scene X is the
/// plan's x (east), scene Z is the plan's **−y** (the plan's "up"/north becomes −Z,
/// which is "forward" in a right-handed Y-up scene, as in glTF). For raster plans the
/// image's top-left pixel corner is the origin and image rows go towards +Z.
///
/// Polygon outlines run counter-clockwise seen from above (+Y looking down) and holes
/// clockwise; polygons are not closed by repeating the first point.
public struct FloorPlan: Sendable, Hashable {
    /// Walls as open or closed polylines (centre lines as drawn).
    public var walls: [PlanPolyline]
    /// Areas pedestrians may walk on; obstacles lying inside an area are its holes.
    public var walkableAreas: [PlanPolygon]
    /// Solid obstacles (also present as holes of the walkable area containing them).
    public var obstacles: [PlanPolygon]
    /// Exit areas (polygons, the JuPedSim convention).
    public var exits: [PlanPolygon]
    /// Doors as polylines (usually a segment across the opening).
    public var doors: [PlanPolyline]
    /// Bounds of everything above; nil for an empty plan.
    public var bounds: PlanBounds?
    /// Metres per drawing unit (DXF) or per pixel (raster) that were applied.
    public var metresPerUnit: Double
    /// Non-fatal problems found while building the plan.
    public var warnings: [String]

    public init(
        walls: [PlanPolyline] = [], walkableAreas: [PlanPolygon] = [], obstacles: [PlanPolygon] = [],
        exits: [PlanPolygon] = [], doors: [PlanPolyline] = [], metresPerUnit: Double = 1, warnings: [String] = []
    ) {
        self.walls = walls
        self.walkableAreas = walkableAreas
        self.obstacles = obstacles
        self.exits = exits
        self.doors = doors
        self.metresPerUnit = metresPerUnit
        self.warnings = warnings
        self.bounds = nil
        self.bounds = computeBounds()
    }

    /// Bounds of all points of the plan.
    public func computeBounds() -> PlanBounds? {
        var result: PlanBounds?
        func add(_ points: [SIMD2<Float>]) {
            for p in points {
                if let b = result {
                    result = PlanBounds(min: pointwiseMin(b.min, p), max: pointwiseMax(b.max, p))
                } else {
                    result = PlanBounds(min: p, max: p)
                }
            }
        }
        for w in walls { add(w.points) }
        for a in walkableAreas { add(a.outline) }
        for o in obstacles { add(o.outline) }
        for e in exits { add(e.outline) }
        for d in doors { add(d.points) }
        return result
    }
}

/// An axis-aligned rectangle on the ground plane, `(x, z)` in metres.
public struct PlanBounds: Sendable, Hashable {
    public var min: SIMD2<Float>
    public var max: SIMD2<Float>
}

/// A polyline on the ground plane, `(x, z)` in metres.
public struct PlanPolyline: Sendable, Hashable {
    public var points: [SIMD2<Float>]
    /// Whether the last point connects back to the first.
    public var closed: Bool
    /// The source layer (DXF) or "raster".
    public var layer: String

    public init(points: [SIMD2<Float>], closed: Bool, layer: String) {
        self.points = points
        self.closed = closed
        self.layer = layer
    }
}

/// A polygon with holes on the ground plane, `(x, z)` in metres.
public struct PlanPolygon: Sendable, Hashable {
    /// Counter-clockwise seen from above.
    public var outline: [SIMD2<Float>]
    /// Clockwise seen from above.
    public var holes: [[SIMD2<Float>]]
    public var layer: String

    public init(outline: [SIMD2<Float>], holes: [[SIMD2<Float>]] = [], layer: String) {
        self.outline = outline
        self.holes = holes
        self.layer = layer
    }

    /// Area in m² (outline minus holes).
    public var area: Double {
        abs(PlanGeometry.signedArea(outline)) - holes.reduce(0) { $0 + abs(PlanGeometry.signedArea($1)) }
    }
}
