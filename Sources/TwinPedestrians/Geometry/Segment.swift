import TwinCore

/// A straight wall piece on the ground plane (x, z), metres.
struct Segment: Hashable, Sendable {
    var a: Vec2
    var b: Vec2

    var length: Float { (b - a).length }

    /// The point of the segment closest to `p`.
    @inline(__always)
    func closestPoint(to p: Vec2) -> Vec2 {
        let ab = b - a
        let len2 = ab.dot(ab)
        guard len2 > 0 else { return a }
        let t = min(1, max(0, (p - a).dot(ab) / len2))
        return a + ab * t
    }

    @inline(__always)
    func distance(to p: Vec2) -> Float { (p - closestPoint(to: p)).length }

    /// Whether the open segments properly cross (touching endpoints do not count).
    func crosses(_ o: Segment) -> Bool {
        let d1 = (b - a).cross(o.a - a), d2 = (b - a).cross(o.b - a)
        let d3 = (o.b - o.a).cross(a - o.a), d4 = (o.b - o.a).cross(b - o.a)
        return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
    }

    /// The parts of this segment not covered by `cut` when both lie on one line
    /// (within `tolerance` metres); otherwise the segment itself.
    func subtracting(_ cut: Segment, tolerance: Float = 1e-3) -> [Segment] {
        let ab = b - a
        let len = ab.length
        guard len > 0 else { return [] }
        let u = ab / len
        guard abs(u.cross(cut.a - a)) <= tolerance, abs(u.cross(cut.b - a)) <= tolerance else { return [self] }
        var t0 = (cut.a - a).dot(u), t1 = (cut.b - a).dot(u)
        if t0 > t1 { swap(&t0, &t1) }
        t0 = max(0, t0); t1 = min(len, t1)
        guard t1 - t0 > tolerance else { return [self] }
        var out: [Segment] = []
        if t0 > tolerance { out.append(Segment(a: a, b: a + u * t0)) }
        if len - t1 > tolerance { out.append(Segment(a: a + u * t1, b: b)) }
        return out
    }
}

extension Polygon {
    /// Every edge of the outline and of each hole.
    var edges: [Segment] {
        var out: [Segment] = []
        for ring in [outline] + holes where ring.count >= 2 {
            for i in 0..<ring.count { out.append(Segment(a: ring[i], b: ring[(i + 1) % ring.count])) }
        }
        return out
    }

    /// True when two non-adjacent edges of one ring cross (a bow tie).
    var isSelfIntersecting: Bool {
        for ring in [outline] + holes {
            let n = ring.count
            guard n >= 4 else { continue }
            for i in 0..<(n - 2) {
                let e = Segment(a: ring[i], b: ring[(i + 1) % n])
                for j in (i + 2)..<n where !(i == 0 && j == n - 1) {
                    if e.crosses(Segment(a: ring[j], b: ring[(j + 1) % n])) { return true }
                }
            }
        }
        return false
    }
}
