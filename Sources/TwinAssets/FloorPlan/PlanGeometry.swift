/// Small 2D helpers for floor plans on the `(x, z)` ground plane.
enum PlanGeometry {
    /// Signed area, positive when the ring runs counter-clockwise **seen from above**
    /// (+Y looking down, X to the right, Z towards the viewer's bottom): Σ (zᵢ·xᵢ₊₁ − xᵢ·zᵢ₊₁) / 2.
    static func signedArea(_ ring: [SIMD2<Float>]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        var previous = ring[ring.count - 1]
        for p in ring {
            sum += Double(previous.y) * Double(p.x) - Double(previous.x) * Double(p.y)
            previous = p
        }
        return sum / 2
    }

    /// The ring with the requested orientation.
    static func oriented(_ ring: [SIMD2<Float>], counterClockwise: Bool) -> [SIMD2<Float>] {
        (signedArea(ring) > 0) == counterClockwise ? ring : ring.reversed()
    }

    /// Even-odd point-in-polygon test.
    static func contains(_ ring: [SIMD2<Float>], _ p: SIMD2<Float>) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y) {
                let x = (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x
                if p.x < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Drops consecutive duplicate points (and a closing duplicate of the first point).
    static func deduplicated(_ points: [SIMD2<Float>], closed: Bool) -> [SIMD2<Float>] {
        var out: [SIMD2<Float>] = []
        out.reserveCapacity(points.count)
        for p in points where out.last != p { out.append(p) }
        if closed, out.count > 1, out.first == out.last { out.removeLast() }
        return out
    }
}
