/// Douglas–Peucker simplification: keeps a point only if dropping it would move the
/// line by more than `tolerance` (same units as the points).
enum PolylineSimplifier {
    /// Simplifies an open polyline; the end points are always kept.
    static func simplify(_ points: [SIMD2<Float>], tolerance: Float) -> [SIMD2<Float>] {
        guard points.count > 2 else { return points }
        var keep = [Bool](repeating: false, count: points.count)
        keep[0] = true
        keep[points.count - 1] = true
        // Explicit stack instead of recursion: contour length is data-controlled.
        var stack: [(Int, Int)] = [(0, points.count - 1)]
        let toleranceSquared = tolerance * tolerance
        points.withUnsafeBufferPointer { p in
            while let (first, last) = stack.popLast() {
                guard last > first + 1 else { continue }
                let a = p[first], b = p[last]
                let ab = b - a
                let lengthSquared = (ab * ab).sum()
                var farthest = -1
                var farthestDistance: Float = -1
                for i in (first + 1)..<last {
                    let ap = p[i] - a
                    let d: Float
                    if lengthSquared == 0 {
                        d = (ap * ap).sum()
                    } else {
                        let cross = ab.x * ap.y - ab.y * ap.x
                        d = cross * cross / lengthSquared
                    }
                    if d > farthestDistance {
                        farthestDistance = d
                        farthest = i
                    }
                }
                if farthestDistance > toleranceSquared, farthest > 0 {
                    keep[farthest] = true
                    stack.append((first, farthest))
                    stack.append((farthest, last))
                }
            }
        }
        var out: [SIMD2<Float>] = []
        for (i, k) in keep.enumerated() where k { out.append(points[i]) }
        return out
    }

    /// Simplifies a closed ring: split at the point farthest from the first, simplify both halves.
    static func simplifyRing(_ ring: [SIMD2<Float>], tolerance: Float) -> [SIMD2<Float>] {
        guard ring.count > 3 else { return ring }
        let origin = ring[0]
        var split = 1
        var best: Float = -1
        for (i, p) in ring.enumerated() {
            let d = ((p - origin) * (p - origin)).sum()
            if d > best {
                best = d
                split = i
            }
        }
        guard split > 0 else { return ring }
        let firstHalf = simplify(Array(ring[0...split]), tolerance: tolerance)
        let secondHalf = simplify(Array(ring[split...]) + [origin], tolerance: tolerance)
        return Array(firstHalf.dropLast()) + Array(secondHalf.dropLast())
    }
}
