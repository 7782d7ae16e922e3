import TwinMath

/// Closest points of a convex point set (a hull's vertices) and a segment, by GJK
/// (Gilbert–Johnson–Keerthi) on their Minkowski difference.
///
/// Why this simplex solver: instead of the usual case analysis of Voronoi regions, each
/// step tries every sub-simplex (at most 15 for a tetrahedron), projects the origin on
/// its affine hull and keeps the nearest projection whose barycentric weights are all
/// non-negative. That is the closest point of the simplex by convexity, costs nothing
/// that matters at ≤ 4 points, and has no branch that float rounding can send the wrong
/// way. Sums run in `Double`.
///
/// Everything is in the hull's local frame. Returns the distance (0 when the segment
/// touches or enters the hull), the closest point on the hull and on the segment.
func closestPoints(hull: [Vec3], segment s0: Vec3, _ s1: Vec3) -> (distance: Float, onHull: Vec3, onSegment: Vec3) {
    @inline(__always) func supportHull(_ d: Vec3) -> Vec3 {
        var best = hull[0], bestDot = best.dot(d)
        for v in hull {
            let s = v.dot(d)
            if s > bestDot { bestDot = s; best = v }
        }
        return best
    }
    @inline(__always) func supportSegment(_ d: Vec3) -> Vec3 { s0.dot(d) >= s1.dot(d) ? s0 : s1 }

    var simplex: [(w: Vec3, a: Vec3, b: Vec3)] = []
    simplex.reserveCapacity(4)
    let a0 = hull[0], b0 = s0
    simplex.append((a0 - b0, a0, b0))
    var closest = (v: a0 - b0, pa: a0, pb: b0)
    for _ in 0..<48 {
        let v = closest.v
        let vv = v.dot(v)
        if vv < 1e-14 { return (0, closest.pa, closest.pb) }
        let a = supportHull(-v), b = supportSegment(v)
        let w = a - b
        // No progress towards the origin: v is the distance vector.
        if vv - v.dot(w) <= 1e-6 * vv { break }
        if simplex.contains(where: { ($0.w - w).lengthSquared < 1e-14 }) { break }
        simplex.append((w, a, b))
        guard let best = closestOnSimplex(simplex) else { break }
        if best.v.dot(best.v) >= vv { break }
        closest = (best.v, best.pa, best.pb)
        simplex = best.kept
        if simplex.count == 4 { return (0, closest.pa, closest.pb) }
    }
    return (closest.v.length, closest.pa, closest.pb)
}

/// The point of the simplex nearest the origin, its witness points and the smallest
/// sub-simplex holding it.
private func closestOnSimplex(_ s: [(w: Vec3, a: Vec3, b: Vec3)]) -> (v: Vec3, pa: Vec3, pb: Vec3, kept: [(w: Vec3, a: Vec3, b: Vec3)])? {
    typealias D3 = SIMD3<Double>
    func d3(_ v: Vec3) -> D3 { D3(Double(v.x), Double(v.y), Double(v.z)) }
    var best: (dist: Double, mask: Int, lambda: [Double])?
    for mask in 1..<(1 << s.count) {
        let idx = (0..<s.count).filter { mask & (1 << $0) != 0 }
        let q0 = d3(s[idx[0]].w)
        let e = idx.dropFirst().map { d3(s[$0].w) - q0 }
        // Normal equations G μ = −Eᵀ q0 for the point q0 + Σ μ_j e_j nearest the origin.
        let k = e.count
        var g = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var rhs = [Double](repeating: 0, count: k)
        for i in 0..<k {
            rhs[i] = -(e[i] * q0).sum()
            for j in 0..<k { g[i][j] = (e[i] * e[j]).sum() }
        }
        guard let mu = solve(g, rhs) else { continue }
        var lambda = [1 - mu.reduce(0, +)] + mu
        if lambda.contains(where: { $0 < -1e-12 }) { continue }
        lambda = lambda.map { max(0, $0) }
        var p = D3.zero
        for (j, i) in idx.enumerated() { p += lambda[j] * d3(s[i].w) }
        let dist = (p * p).sum()
        if let current = best, dist >= current.dist - 1e-18 { continue }
        best = (dist, mask, lambda)
    }
    guard let b = best else { return nil }
    let idx = (0..<s.count).filter { b.mask & (1 << $0) != 0 }
    var v = Vec3.zero, pa = Vec3.zero, pb = Vec3.zero
    for (j, i) in idx.enumerated() {
        let l = Float(b.lambda[j])
        v += s[i].w * l; pa += s[i].a * l; pb += s[i].b * l
    }
    return (v, pa, pb, idx.map { s[$0] })
}

/// Solves a symmetric system of up to 3 unknowns by Cramer's rule; nil when singular.
private func solve(_ g: [[Double]], _ r: [Double]) -> [Double]? {
    switch g.count {
    case 0:
        return []
    case 1:
        return g[0][0] > 1e-18 ? [r[0] / g[0][0]] : nil
    case 2:
        let det = g[0][0] * g[1][1] - g[0][1] * g[1][0]
        let scale = g[0][0] * g[1][1]
        guard abs(det) > 1e-12 * scale, scale > 0 else { return nil }
        return [(r[0] * g[1][1] - g[0][1] * r[1]) / det, (g[0][0] * r[1] - r[0] * g[1][0]) / det]
    default:
        func det3(_ m: [[Double]]) -> Double {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        }
        let det = det3(g)
        let scale = g[0][0] * g[1][1] * g[2][2]
        guard abs(det) > 1e-12 * scale, scale > 0 else { return nil }
        var out: [Double] = []
        for c in 0..<3 {
            var m = g
            for row in 0..<3 { m[row][c] = r[row] }
            out.append(det3(m) / det)
        }
        return out
    }
}
