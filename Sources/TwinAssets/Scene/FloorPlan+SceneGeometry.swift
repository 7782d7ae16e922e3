import TwinCore

extension SceneGeometry {
    /// The plan's geometry in scene form (same metres and axes: plan x → X, plan y → −Z,
    /// already applied by the importers). Closed wall and door polylines repeat their
    /// first point at the end, as in `FloorPlanFragment.sceneFragment`; layers are dropped.
    public init(_ plan: FloorPlan) {
        func vec(_ p: SIMD2<Float>) -> Vec2 { Vec2(p.x, p.y) }
        func polygon(_ p: PlanPolygon) -> Polygon { Polygon(outline: p.outline.map(vec), holes: p.holes.map { $0.map(vec) }) }
        func polyline(_ l: PlanPolyline) -> Polyline {
            var points = l.points.map(vec)
            if l.closed, let first = points.first { points.append(first) }
            return Polyline(points: points)
        }
        self.init(
            walkableAreas: plan.walkableAreas.map(polygon), walls: plan.walls.map(polyline),
            obstacles: plan.obstacles.map(polygon), doors: plan.doors.map(polyline), exits: plan.exits.map(polygon))
    }
}
