import TwinCore

extension Polygon {
    /// True when the outline turns one way only (and has no holes).
    var isConvex: Bool {
        guard holes.isEmpty else { return false }
        let r = outline, n = r.count
        var sign: Float = 0
        for i in 0..<n {
            let c = (r[(i + 1) % n] - r[i]).cross(r[(i + 2) % n] - r[(i + 1) % n])
            if abs(c) < 1e-9 { continue }
            if sign == 0 { sign = c } else if (c > 0) != (sign > 0) { return false }
        }
        return true
    }
}

/// Convex polygon clipping (Sutherland–Hodgman) for Voronoi measurements.
enum ConvexClip {
    /// Keeps the part of `poly` where `(q − point)·normal ≤ 0`.
    static func halfPlane(_ poly: [Vec2], point: Vec2, normal: Vec2) -> [Vec2] {
        guard !poly.isEmpty else { return [] }
        var out: [Vec2] = []
        out.reserveCapacity(poly.count + 1)
        var prev = poly[poly.count - 1]
        var prevSide = (prev - point).dot(normal)
        for cur in poly {
            let side = (cur - point).dot(normal)
            if side <= 0 {
                if prevSide > 0 { out.append(prev + (cur - prev) * (prevSide / (prevSide - side))) }
                out.append(cur)
            } else if prevSide <= 0 {
                out.append(prev + (cur - prev) * (prevSide / (prevSide - side)))
            }
            prev = cur; prevSide = side
        }
        return out
    }

    /// `poly` clipped to the convex polygon `clip` (either orientation).
    static func intersect(_ poly: [Vec2], _ clip: [Vec2]) -> [Vec2] {
        let ccw = Polygon.signedArea(clip) > 0
        var out = poly
        for i in 0..<clip.count where !out.isEmpty {
            let a = clip[i], b = clip[(i + 1) % clip.count]
            let d = b - a
            // Outward normal of edge a→b.
            let normal = ccw ? Vec2(d.y, -d.x) : Vec2(-d.y, d.x)
            out = halfPlane(out, point: a, normal: normal)
        }
        return out
    }

    static func area(_ poly: [Vec2]) -> Float { abs(Polygon.signedArea(poly)) }
}
