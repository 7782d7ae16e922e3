import Foundation

/// JSON forms of a floor plan for the CLI: the summary report and the scene `geometry` fragment.
public enum FloorPlanFragment {
    /// `{"geometry": {"walkableAreas": [{"outline": [[x,z],…], "holes": [[[x,z],…]]}], "walls": [{"points": …}],
    /// "obstacles": [{"outline": …, "holes": …}], "doors": [{"points": …}], "exits": [{"outline": …}]}}`,
    /// metres on the ground plane. Closed walls and doors repeat their first point at the end.
    public static func sceneFragment(_ plan: FloorPlan) -> [String: Any] {
        func point(_ p: SIMD2<Float>) -> [Double] { [rounded(p.x), rounded(p.y)] }
        func polyline(_ line: PlanPolyline) -> [String: Any] {
            var points = line.points.map(point)
            if line.closed, let first = points.first { points.append(first) }
            return ["points": points]
        }
        func polygon(_ polygon: PlanPolygon) -> [String: Any] {
            ["outline": polygon.outline.map(point), "holes": polygon.holes.map { $0.map(point) }]
        }
        return [
            "geometry": [
                "walkableAreas": plan.walkableAreas.map(polygon),
                "walls": plan.walls.map(polyline),
                "obstacles": plan.obstacles.map(polygon),
                "doors": plan.doors.map(polyline),
                "exits": plan.exits.map(polygon),
            ] as [String: Any]
        ]
    }

    /// The `twin import PLAN --floor-plan --json` report: counts and bounds.
    public static func report(_ plan: FloorPlan, file: String) -> [String: Any] {
        var report: [String: Any] = [
            "file": file,
            "walls": plan.walls.count,
            "walkableAreas": plan.walkableAreas.count,
            "obstacles": plan.obstacles.count,
            "doors": plan.doors.count,
            "exits": plan.exits.count,
            "holes": plan.walkableAreas.reduce(0) { $0 + $1.holes.count },
            "obstacleHoles": plan.obstacles.reduce(0) { $0 + $1.holes.count },
            "metresPerUnit": plan.metresPerUnit,
            "warnings": plan.warnings,
        ]
        if let b = plan.bounds {
            report["bounds"] = ["min": [rounded(b.min.x), rounded(b.min.y)], "max": [rounded(b.max.x), rounded(b.max.y)]]
        } else {
            report["bounds"] = NSNull()
        }
        return report
    }

    /// Serialises a JSON object with sorted keys (stable output for diffs and tests).
    public static func jsonData(_ object: [String: Any], pretty: Bool = false) -> Data {
        var options: JSONSerialization.WritingOptions = [.sortedKeys]
        if pretty { options.insert(.prettyPrinted) }
        return (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
    }

    /// Millimetre precision is plenty for plans and keeps files small.
    static func rounded(_ value: Float) -> Double {
        (Double(value) * 1000).rounded() / 1000
    }
}
