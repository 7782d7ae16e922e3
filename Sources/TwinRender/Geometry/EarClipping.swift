import TwinMath

/// Triangulates a simple polygon (no self-intersections) by ear clipping, O(n²).
enum EarClipping {
    /// Above this many points a polygon is triangulated as a fan from its first point
    /// (exact for convex outlines), keeping the work bounded.
    static let maxPoints = 4096

    /// Triangles as index triples into `ring`, counter-clockwise in the ring's own (x, y)
    /// plane whatever the ring's orientation. Empty for fewer than 3 finite points.
    static func triangulate(_ ring: [Vec2]) -> [UInt32] {
        let n = ring.count
        guard n >= 3, ring.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return [] }
        // Work on a counter-clockwise (positive signed area) copy.
        var idx = Array(0..<n)
        if Polygon.signedArea(ring) < 0 { idx.reverse() }
        if n > maxPoints {
            return (1..<(n - 1)).flatMap { [UInt32(idx[0]), UInt32(idx[$0]), UInt32(idx[$0 + 1])] }
        }
        var out: [UInt32] = []
        out.reserveCapacity((n - 2) * 3)
        var guardCount = 0
        var i = 0
        while idx.count > 3 && guardCount < 2 * n * n {
            guardCount += 1
            let m = idx.count
            let a = idx[(i + m - 1) % m], b = idx[i % m], c = idx[(i + 1) % m]
            let pa = ring[a], pb = ring[b], pc = ring[c]
            let convex = (pb - pa).cross(pc - pb) > 0
            var ear = convex
            if ear {
                for k in idx where k != a && k != b && k != c && inside(ring[k], pa, pb, pc) {
                    ear = false
                    break
                }
            }
            if ear {
                out += [UInt32(a), UInt32(b), UInt32(c)]
                idx.remove(at: i % m)
                i = max(0, i - 1)
            } else {
                i = (i + 1) % m
            }
        }
        if idx.count == 3 { out += idx.map { UInt32($0) } }
        return out
    }

    private static func inside(_ p: Vec2, _ a: Vec2, _ b: Vec2, _ c: Vec2) -> Bool {
        (b - a).cross(p - a) >= 0 && (c - b).cross(p - b) >= 0 && (a - c).cross(p - c) >= 0
    }
}
