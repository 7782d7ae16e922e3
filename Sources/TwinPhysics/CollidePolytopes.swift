import TwinMath

/// Contact of two convex polyhedra (hulls, boxes as hulls, mesh triangles) by the
/// separating axis test, in A's local frame.
///
/// Why SAT with Gauss-map pruning (Gregorius, "The Separating Axis Test between Convex
/// Polyhedra", GDC 2013): face axes of both hulls, then only the edge pairs whose arcs
/// cross on the Gauss map, i.e. whose cross product is a face of the Minkowski
/// difference; every other edge pair is skipped, so ≤ 64-vertex hulls stay cheap. Face
/// contacts clip the incident face (the other hull's face most opposed to the reference
/// normal) against the reference face's side planes, as the box–box path does, and
/// keep four points; each point's id names the reference face, the incident face and
/// the vertex or edge-plane pair that made it, so warm starting survives small motions.
/// An edge axis wins only when it separates 5 mm more than any face (edges give one
/// point and would rock a resting body).
///
/// `referenceFaceOfB` forces B's face as the reference (a mesh triangle's front face,
/// for contacts on inactive edges); `oneSidedB` drops contacts whose best axis is B's
/// second face (a triangle's back).
func collidePolytopes(
    _ ha: ConvexHull, _ a: PlacedShape, _ hb: ConvexHull, _ b: PlacedShape, margin: Float,
    referenceFaceOfB: Int? = nil, oneSidedB: Bool = false, scratch: CollideScratch
) -> Manifold {
    let ra = a.rotation
    // B in A's frame.
    let rr = Mat3(c0: ra.transposedTimes(b.rotation.c0), c1: ra.transposedTimes(b.rotation.c1), c2: ra.transposedTimes(b.rotation.c2))
    let t = ra.transposedTimes(b.position - a.position)
    var vb: [Vec3] = [], nb: [Vec3] = []
    swap(&vb, &scratch.vertices)
    swap(&nb, &scratch.normals)
    defer {
        swap(&vb, &scratch.vertices)
        swap(&nb, &scratch.normals)
    }
    vb.removeAll(keepingCapacity: true)
    nb.removeAll(keepingCapacity: true)
    for v in hb.vertices { vb.append(t + rr * v) }
    for f in hb.faces { nb.append(rr * f.normal) }
    let va = ha.vertices

    @inline(__always) func minDot(_ vs: [Vec3], _ n: Vec3) -> Float {
        var m = Float.infinity
        for v in vs { m = min(m, v.dot(n)) }
        return m
    }

    var sepA = -Float.infinity, faceA = 0
    var sepB = -Float.infinity, faceB = 0
    var sepE = -Float.infinity, edgeA = 0, edgeB = 0, edgeAxis = Vec3.zero
    if let forced = referenceFaceOfB {
        faceB = forced
        sepB = minDot(va, nb[forced]) - nb[forced].dot(vb[Int(hb.faceVertices[Int(hb.faces[forced].first)])])
        if sepB > margin { return Manifold() }
    } else {
        for (f, face) in ha.faces.enumerated() {
            let s = minDot(vb, face.normal) - face.offset
            if s > margin { return Manifold() }
            if s > sepA { sepA = s; faceA = f }
        }
        for f in hb.faces.indices {
            let s = minDot(va, nb[f]) - nb[f].dot(vb[Int(hb.faceVertices[Int(hb.faces[f].first)])])
            if s > margin { return Manifold() }
            if s > sepB { sepB = s; faceB = f }
        }
        for (i, ea) in ha.edges.enumerated() {
            let a0 = va[Int(ea.v0)], a1 = va[Int(ea.v1)]
            let na0 = ha.faces[Int(ea.face0)].normal, na1 = ha.faces[Int(ea.face1)].normal
            let bxa = a0 - a1
            for (j, eb) in hb.edges.enumerated() {
                let b0 = vb[Int(eb.v0)], b1 = vb[Int(eb.v1)]
                let c = -nb[Int(eb.face0)], d = -nb[Int(eb.face1)]
                let dxc = b0 - b1
                // Do the arcs (na0, na1) and (c, d) cross on the Gauss map?
                let cba = c.dot(bxa), dba = d.dot(bxa), adc = na0.dot(dxc), bdc = na1.dot(dxc)
                guard cba * dba < 0, adc * bdc < 0, cba * bdc > 0 else { continue }
                var axis = (a1 - a0).cross(b1 - b0)
                let len = axis.length
                guard len > 1e-5 * (a1 - a0).length * (b1 - b0).length else { continue }
                axis = axis / len
                if axis.dot(a0) < 0 { axis = -axis }  // A's origin (its centre) is inside A
                let s = axis.dot(b0 - a0)
                if s > margin { return Manifold() }
                if s > sepE { sepE = s; edgeA = i; edgeB = j; edgeAxis = axis }
            }
        }
        if oneSidedB && faceB == 1 && sepB >= sepA && sepB >= sepE - 0.005 { return Manifold() }
    }

    var normal: Vec3
    var points: [ContactCandidate] = []
    swap(&points, &scratch.candidates)
    defer { swap(&points, &scratch.candidates) }
    points.removeAll(keepingCapacity: true)
    let tolerance: Float = 0.005
    if referenceFaceOfB == nil && sepE > max(sepA, sepB) + tolerance {
        let ea = ha.edges[edgeA], eb = hb.edges[edgeB]
        let a0 = va[Int(ea.v0)], a1 = va[Int(ea.v1)], b0 = vb[Int(eb.v0)], b1 = vb[Int(eb.v1)]
        let (qa, qb) = closestBetweenSegments((a0 + a1) * 0.5, (a1 - a0) * 0.5, (b0 + b1) * 0.5, (b1 - b0) * 0.5)
        normal = edgeAxis
        points.append(ContactCandidate(point: (qa + qb) * 0.5, separation: (qb - qa).dot(edgeAxis), id: 1 << 30 | UInt32(edgeA & 0x7FFF) << 15 | UInt32(edgeB & 0x7FFF)))
    } else if referenceFaceOfB != nil || sepB > sepA + tolerance {
        let n = nb[faceB]
        clipFaces(reference: hb, faceB, vb, n, incident: ha, va, { ha.faces[$0].normal }, margin: margin, tag: 1 << 31,
                  into: &points, scratch)
        normal = -n
    } else {
        let n = ha.faces[faceA].normal
        clipFaces(reference: ha, faceA, va, n, incident: hb, vb, { nb[$0] }, margin: margin, tag: 0, into: &points, scratch)
        normal = n
    }
    // Back to the world frame.
    for k in points.indices { points[k].point = a.position + ra * points[k].point }
    return Manifold(normal: ra * normal, reducing: points, a.position, b.position)
}

/// Clips the incident face (most opposed to `n`; `inormal(k)` is face k's normal in the
/// reference frame) against the side planes of reference face `f` (vertices `rv`,
/// outward normal `n`); appends the points within `margin` of the reference plane,
/// moved midway between the surfaces, with separations along `n`.
private func clipFaces(
    reference: ConvexHull, _ f: Int, _ rv: [Vec3], _ n: Vec3, incident: ConvexHull, _ iv: [Vec3], _ inormal: (Int) -> Vec3,
    margin: Float, tag: UInt32, into points: inout [ContactCandidate], _ scratch: CollideScratch
) {
    var inc = 0, most = Float.infinity
    for k in incident.faces.indices where inormal(k).dot(n) < most { most = inormal(k).dot(n); inc = k }
    let rf = reference.faces[f], ifc = incident.faces[inc]
    var poly: [ClipVertex] = [], out: [ClipVertex] = []
    swap(&poly, &scratch.polygon)
    swap(&out, &scratch.clipped)
    defer {
        swap(&poly, &scratch.polygon)
        swap(&out, &scratch.clipped)
    }
    poly.removeAll(keepingCapacity: true)
    for k in 0..<Int(ifc.count) { poly.append(ClipVertex(p: iv[Int(incident.faceVertices[Int(ifc.first) + k])], code: UInt32(k))) }
    let count = Int(rf.count)
    for e in 0..<count {
        let u0 = rv[Int(reference.faceVertices[Int(rf.first) + e])]
        let u1 = rv[Int(reference.faceVertices[Int(rf.first) + (e + 1) % count])]
        let side = (u1 - u0).cross(n)
        out.removeAll(keepingCapacity: true)
        for k in poly.indices {
            let p0 = poly[k], p1 = poly[(k + 1) % poly.count]
            let d0 = side.dot(p0.p - u0), d1 = side.dot(p1.p - u0)
            if d0 <= 0 { out.append(p0) }
            if (d0 <= 0) != (d1 <= 0) {
                let s = d0 / (d0 - d1)
                out.append(ClipVertex(p: p0.p + (p1.p - p0.p) * s, code: 64 + UInt32(k & 63) * 64 + UInt32(e & 63)))
            }
        }
        swap(&poly, &out)
        if poly.isEmpty { return }
    }
    let origin = rv[Int(reference.faceVertices[Int(rf.first)])]
    let idBase = tag | UInt32(f & 0x3F) << 24 | UInt32(inc & 0x7F) << 17
    for q in poly {
        let s = n.dot(q.p - origin)
        if s <= margin { points.append(ContactCandidate(point: q.p - n * (0.5 * s), separation: s, id: idBase | q.code)) }
    }
}

/// A hull against a static plane: its vertices within the margin, reduced to four.
func collideHullPlane(_ h: ConvexHull, _ a: PlacedShape, _ plane: PlacedShape, margin: Float, scratch: CollideScratch) -> Manifold {
    let n = plane.rotation.c1
    var points: [ContactCandidate] = []
    swap(&points, &scratch.candidates)
    defer { swap(&points, &scratch.candidates) }
    points.removeAll(keepingCapacity: true)
    for (k, v) in h.vertices.enumerated() {
        let p = a.position + a.rotation * v
        let s = n.dot(p - plane.position)
        if s <= margin { points.append(ContactCandidate(point: p - n * (0.5 * s), separation: s, id: UInt32(k))) }
    }
    return Manifold(normal: -n, reducing: points, a.position, plane.position)
}

/// A capsule (segment `s0`–`s1`, world frame, radius `r`; a sphere when the ends meet)
/// against a polyhedron; normal from the capsule to the polyhedron.
///
/// Separated cores: GJK's closest points give the normal; a capsule lying flat on the
/// face it touches gets that face's two clipped segment ends instead of one point, so
/// it rests without rocking. Cores overlapping: the polyhedron face the segment
/// penetrates least is the axis (edge axes are not tried: a deep capsule–edge overlap
/// pushes out through a face).
///
/// `triangleEdges` (a mesh triangle's active-edge bits) makes the contact one-sided and
/// replaces a normal from an inactive edge or vertex by the face normal.
func collideCapsulePolytope(
    _ s0: Vec3, _ s1: Vec3, _ r: Float, _ centre: Vec3, _ h: ConvexHull, _ b: PlacedShape, margin: Float,
    triangleEdges: UInt8? = nil, scratch: CollideScratch
) -> Manifold {
    let l0 = b.rotation.transposedTimes(s0 - b.position), l1 = b.rotation.transposedTimes(s1 - b.position)
    var points: [ContactCandidate] = []
    swap(&points, &scratch.candidates)
    defer { swap(&points, &scratch.candidates) }
    points.removeAll(keepingCapacity: true)
    var normal = Vec3.zero
    func facePoints(_ f: Int) {
        let face = h.faces[f]
        let n = face.normal
        var q0 = l0, q1 = l1, id0: UInt32 = 0, id1: UInt32 = 1
        let count = Int(face.count)
        for e in 0..<count {
            let u0 = h.vertices[Int(h.faceVertices[Int(face.first) + e])]
            let u1 = h.vertices[Int(h.faceVertices[Int(face.first) + (e + 1) % count])]
            let side = (u1 - u0).cross(n)
            let d0 = side.dot(q0 - u0), d1 = side.dot(q1 - u0)
            if d0 > 0 && d1 > 0 { return }
            if d0 > 0 { q0 = q0 + (q1 - q0) * (d0 / (d0 - d1)); id0 = 2 + UInt32(e) }
            if d1 > 0 { q1 = q1 + (q0 - q1) * (d1 / (d1 - d0)); id1 = 66 + UInt32(e) }
        }
        normal = -n
        let same = (q1 - q0).lengthSquared < 1e-12
        for k in 0..<(same ? 1 : 2) {
            let (q, id) = k == 0 ? (q0, id0) : (q1, id1)
            let s = n.dot(q) - face.offset - r
            if s <= margin { points.append(ContactCandidate(point: q - n * (r + 0.5 * s), separation: s, id: UInt32(f & 0xFF) << 8 | id)) }
        }
    }
    /// The face-normal contact of a mesh triangle's front at the segment point `q`.
    func frontContact(_ q: Vec3) {
        let n = h.faces[0].normal
        let d = n.dot(q) - h.faces[0].offset
        guard d >= 0 else { return }  // behind the triangle: one-sided
        let s = d - r
        normal = -n
        if s <= margin { points.append(ContactCandidate(point: q - n * (r + 0.5 * s), separation: s, id: 0xFFFD)) }
    }
    let closest = closestPoints(hull: h.vertices, segment: l0, l1)
    let (dist, ph, ps) = (closest.distance, closest.onHull, closest.onSegment)
    if dist > 1e-5 {
        let sep = dist - r
        guard sep <= margin else { return Manifold() }
        let n = (ph - ps) / dist
        if let edges = triangleEdges, !isActiveFeature(of: h, at: ph, edges) {
            frontContact(ps)
        } else {
            normal = n
            var flat = -1
            let axis = l1 - l0
            if axis.lengthSquared > 1e-12 {
                let dir = axis.normalized()
                for (f, face) in h.faces.enumerated() where face.normal.dot(n) < -0.999 && abs(face.normal.dot(dir)) < 0.02 { flat = f }
            }
            if flat >= 0 { facePoints(flat) }
            if points.isEmpty {
                normal = n
                points.append(ContactCandidate(point: (ps + n * r + ph) * 0.5, separation: sep, id: 0xFFFF))
            }
        }
    } else if triangleEdges != nil {
        let n = h.faces[0].normal
        guard n.dot((l0 + l1) * 0.5) - h.faces[0].offset >= 0 else { return Manifold() }
        facePoints(0)
        if points.isEmpty { frontContact(n.dot(l0) <= n.dot(l1) ? l0 : l1) }
    } else {
        var best = 0, bestSep = -Float.infinity
        for (f, face) in h.faces.enumerated() {
            let s = min(face.normal.dot(l0), face.normal.dot(l1)) - face.offset
            if s > bestSep { bestSep = s; best = f }
        }
        facePoints(best)
        if points.isEmpty {
            let n = h.faces[best].normal
            let q = n.dot(l0) <= n.dot(l1) ? l0 : l1
            let s = n.dot(q) - h.faces[best].offset - r
            normal = -n
            if s <= margin { points.append(ContactCandidate(point: q - n * (r + 0.5 * s), separation: s, id: 0xFFFE)) }
        }
    }
    for k in points.indices { points[k].point = b.position + b.rotation * points[k].point }
    return Manifold(normal: b.rotation * normal, reducing: points, centre, b.position)
}

/// Is the point `p` of triangle hull `h` inside its face, or on an active edge or at a
/// vertex touching one?
private func isActiveFeature(of h: ConvexHull, at p: Vec3, _ edges: UInt8) -> Bool {
    let a = h.vertices[0], b = h.vertices[1], c = h.vertices[2]
    let n = (b - a).cross(c - a)
    let nn = n.lengthSquared
    guard nn > 0 else { return true }
    // Barycentric weights; a weight near 0 puts p on the opposite edge.
    let wa = (c - b).cross(p - b).dot(n) / nn, wb = (a - c).cross(p - c).dot(n) / nn, wc = (b - a).cross(p - a).dot(n) / nn
    let eps: Float = 1e-4
    var onEdges: UInt8 = 0
    if wc < eps { onEdges |= 1 }       // edge 0: a→b
    if wa < eps { onEdges |= 2 }       // edge 1: b→c
    if wb < eps { onEdges |= 4 }       // edge 2: c→a
    return onEdges == 0 || onEdges & edges != 0
}
