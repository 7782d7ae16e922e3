import TwinMath

/// A convex shape against a static triangle mesh: the triangles under its bounds (grown
/// by the margin), each collided as a one-sided flat hull, merged into one manifold
/// (`Manifold.init(merging:)`). Ids are salted with the triangle index, so a body
/// sliding onto the next triangle starts fresh there.
func collideMesh(_ a: PlacedShape, _ mesh: TriangleMesh, _ b: PlacedShape, margin: Float, scratch: CollideScratch) -> Manifold {
    let wb = a.shape.bounds(position: a.position, rotation: a.rotation)
    let r = b.rotation
    let c = r.transposedTimes((wb.min + wb.max) * 0.5 - b.position)
    let h = (wb.max - wb.min) * 0.5 + Vec3(repeating: max(margin, 0))
    let e = Vec3(abs(r.c0.x) * h.x + abs(r.c0.y) * h.y + abs(r.c0.z) * h.z,
                 abs(r.c1.x) * h.x + abs(r.c1.y) * h.y + abs(r.c1.z) * h.z,
                 abs(r.c2.x) * h.x + abs(r.c2.y) * h.y + abs(r.c2.z) * h.z)
    var triangles: [Int32] = [], parts: [(Manifold, UInt32)] = []
    swap(&triangles, &scratch.triangles)
    swap(&parts, &scratch.parts)
    defer {
        swap(&triangles, &scratch.triangles)
        swap(&parts, &scratch.parts)
    }
    triangles.removeAll(keepingCapacity: true)
    parts.removeAll(keepingCapacity: true)
    mesh.query(min: c - e, max: c + e, into: &triangles)
    for t in triangles {
        let k = Int(t)
        let tri = ConvexHull(triangle: b.position + r * mesh.corner(k, 0), b.position + r * mesh.corner(k, 1),
                             b.position + r * mesh.corner(k, 2), normal: r * mesh.normals[k])
        var m = collideTriangle(a, tri, mesh.activeEdges[k], margin: margin, scratch: scratch)
        guard m.count > 0 else { continue }
        // Anchors on B were taken from the world origin (the triangle's frame).
        for i in 0..<m.count {
            var p = m[i]
            p.anchorB = p.anchorB - b.position
            m[i] = p
        }
        parts.append((m, UInt32(truncatingIfNeeded: k) &* 0x9E37_79B1))
    }
    return Manifold(merging: parts, a.position, b.position, scratch: scratch)
}

/// One convex shape against one triangle (world coordinates); normal from the shape to
/// the triangle.
private func collideTriangle(_ a: PlacedShape, _ tri: ConvexHull, _ active: UInt8, margin: Float, scratch: CollideScratch) -> Manifold {
    let frame = PlacedShape(shape: .hull(tri), position: .zero, rotation: Mat3(.identity))
    switch a.shape {
    case .sphere(let r):
        return collideCapsulePolytope(a.position, a.position, r, a.position, tri, frame, margin: margin, triangleEdges: active, scratch: scratch)
    case .capsule(let r, let hh):
        let axis = a.rotation.c1 * hh
        return collideCapsulePolytope(a.position - axis, a.position + axis, r, a.position, tri, frame, margin: margin, triangleEdges: active, scratch: scratch)
    case .box(let h):
        return collidePolytopeTriangle(ConvexHull.box(h), a, tri, frame, active, margin: margin, scratch: scratch)
    case .hull(let hull):
        return collidePolytopeTriangle(hull, a, tri, frame, active, margin: margin, scratch: scratch)
    default:
        return Manifold()
    }
}

/// A polyhedron against a triangle: the SAT result unless its normal leans more than 8°
/// off the face normal without coming from an active edge; then the face is forced as
/// the reference (no snagging on the seams of a flat floor).
private func collidePolytopeTriangle(
    _ hull: ConvexHull, _ a: PlacedShape, _ tri: ConvexHull, _ frame: PlacedShape, _ active: UInt8, margin: Float,
    scratch: CollideScratch
) -> Manifold {
    let m = collidePolytopes(hull, a, tri, frame, margin: margin, oneSidedB: true, scratch: scratch)
    guard m.count > 0 else { return m }
    let face = tri.faces[0].normal
    if m.normal.dot(-face) >= 0.99 { return m }
    let id = m.p0.id
    let isEdge = id & (1 << 31) == 0 && id & (1 << 30) != 0
    let fromActiveEdge = isEdge ? active & (1 << (id & 0x7FFF)) != 0 : active != 0
    if fromActiveEdge { return m }
    return collidePolytopes(hull, a, tri, frame, margin: margin, referenceFaceOfB: 0, scratch: scratch)
}
