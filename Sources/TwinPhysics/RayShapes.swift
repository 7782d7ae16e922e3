import TwinMath

/// Ray against a hull: the ray clipped by every face plane (Cyrus–Beck), in the hull's
/// frame. Nil from inside, like the other shapes.
func rayHull(_ h: ConvexHull, _ s: PlacedShape, _ o: Vec3, _ d: Vec3) -> (Float, Vec3)? {
    let lo = s.rotation.transposedTimes(o - s.position), ld = s.rotation.transposedTimes(d)
    var enter: Float = 0, exit = Float.infinity, face = -1
    for (f, plane) in h.faces.enumerated() {
        let num = plane.offset - plane.normal.dot(lo), den = plane.normal.dot(ld)
        if abs(den) < 1e-12 {
            if num < 0 { return nil }
            continue
        }
        let t = num / den
        if den < 0 {
            if t > enter { enter = t; face = f }
        } else {
            exit = min(exit, t)
        }
        if enter > exit { return nil }
    }
    guard face >= 0 else { return nil }
    return (enter, s.rotation * h.faces[face].normal)
}

/// Ray against a triangle mesh: the BVH walk over the ray's bounds, then Möller–Trumbore
/// on each triangle; both sides hit, the normal faces the ray.
func rayMesh(_ m: TriangleMesh, _ s: PlacedShape, _ o: Vec3, _ d: Vec3, _ limit: Float) -> (Float, Vec3)? {
    let lo = s.rotation.transposedTimes(o - s.position), ld = s.rotation.transposedTimes(d)
    let end = lo + ld * (limit.isFinite ? limit : 1e6)
    var triangles: [Int32] = []
    m.query(min: lo.pointwiseMin(end), max: lo.pointwiseMax(end), into: &triangles)
    var best: (Float, Vec3)?
    for t in triangles {
        let k = Int(t)
        let a = m.corner(k, 0), e1 = m.corner(k, 1) - a, e2 = m.corner(k, 2) - a
        let p = ld.cross(e2)
        let det = e1.dot(p)
        guard abs(det) > 1e-12 else { continue }
        let inv = 1 / det, tv = lo - a
        let u = tv.dot(p) * inv
        guard u >= 0, u <= 1 else { continue }
        let q = tv.cross(e1)
        let v = ld.dot(q) * inv
        guard v >= 0, u + v <= 1 else { continue }
        let dist = e2.dot(q) * inv
        guard dist >= 0, dist < (best?.0 ?? .infinity) else { continue }
        let n = m.normals[k]
        best = (dist, s.rotation * (n.dot(ld) < 0 ? n : -n))
    }
    return best
}
