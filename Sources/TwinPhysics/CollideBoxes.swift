import TwinMath

/// Box–box contact by the separating axis test (3 + 3 face axes, 9 edge axes).
///
/// A face axis wins unless an edge axis separates clearly more (edge contacts give one
/// point and rock a resting box); the incident face of the other box is then clipped
/// against the side planes of the reference face (Sutherland–Hodgman) and reduced to at
/// most four points: the deepest, the farthest from it, and the two spanning the
/// largest area. Each point's id names the reference face, incident face and the
/// vertex or edge-plane pair that made it, so warm starting survives small motions.
func collideBoxes(_ a: PlacedShape, _ ha: Vec3, _ b: PlacedShape, _ hb: Vec3, margin: Float) -> Manifold {
    let d = b.position - a.position
    let ra = a.rotation, rb = b.rotation

    @inline(__always) func project(_ r: Mat3, _ h: Vec3, _ axis: Vec3) -> Float {
        h.x * abs(r.c0.dot(axis)) + h.y * abs(r.c1.dot(axis)) + h.z * abs(r.c2.dot(axis))
    }

    /// The face axis of `r` separating most, or nil if one separates beyond the margin.
    func bestFace(_ r: Mat3, _ h: Vec3, against o: Mat3, _ oh: Vec3) -> (Float, Int)? {
        var best: Float = -.infinity, axis = 0
        for i in 0..<3 {
            let n = r.column(i)
            let s = abs(d.dot(n)) - h[i] - project(o, oh, n)
            if s > margin { return nil }
            if s > best { best = s; axis = i }
        }
        return (best, axis)
    }
    guard let (bestA, axisA) = bestFace(ra, ha, against: rb, hb), let (bestB, axisB) = bestFace(rb, hb, against: ra, ha) else {
        return Manifold()
    }
    var bestE: Float = -.infinity, edgeA = 0, edgeB = 0, edgeAxis = Vec3.zero
    for i in 0..<3 {
        for j in 0..<3 {
            var l = ra.column(i).cross(rb.column(j))
            let len = l.length
            if len < 1e-4 { continue }  // parallel edges: a face axis covers this direction
            l = l / len
            let s = abs(d.dot(l)) - project(ra, ha, l) - project(rb, hb, l)
            if s > margin { return Manifold() }
            if s > bestE { bestE = s; edgeA = i; edgeB = j; edgeAxis = l }
        }
    }

    let tolerance: Float = 0.005
    let bestFace = max(bestA, bestB)
    if bestE > bestFace + tolerance {
        return edgeContact(a, ha, edgeA, b, hb, edgeB, edgeAxis.dot(d) < 0 ? -edgeAxis : edgeAxis, margin: margin)
    }
    if bestB > bestA + tolerance {
        var m = faceContact(reference: b, hb, axisB, incident: a, ha, towards: -d, margin: margin, tag: 1)
        m.flip()
        return m
    }
    return faceContact(reference: a, ha, axisA, incident: b, hb, towards: d, margin: margin, tag: 0)
}

private func edgeContact(
    _ a: PlacedShape, _ ha: Vec3, _ i: Int, _ b: PlacedShape, _ hb: Vec3, _ j: Int, _ n: Vec3, margin: Float
) -> Manifold {
    // The supporting edge of A along +n and of B along −n.
    var pa = a.position, pb = b.position
    for k in 0..<3 where k != i {
        let ax = a.rotation.column(k)
        pa += ax * (ax.dot(n) > 0 ? ha[k] : -ha[k])
    }
    for k in 0..<3 where k != j {
        let ax = b.rotation.column(k)
        pb += ax * (ax.dot(n) > 0 ? -hb[k] : hb[k])
    }
    let (qa, qb) = closestBetweenSegments(pa, a.rotation.column(i) * ha[i], pb, b.rotation.column(j) * hb[j])
    let sep = (qb - qa).dot(n)
    var m = Manifold()
    guard sep <= margin else { return m }
    m.normal = n
    m.add((qa + qb) * 0.5, separation: sep, id: 0x8000_0000 | UInt32(i * 3 + j), a.position, b.position)
    return m
}

/// Contact of the face of `reference` whose outward normal is nearest `towards` with the
/// most anti-parallel face of `incident`; normal from reference to incident.
private func faceContact(
    reference r: PlacedShape, _ hr: Vec3, _ axis: Int, incident inc: PlacedShape, _ hi: Vec3,
    towards d: Vec3, margin: Float, tag: UInt32
) -> Manifold {
    var n = r.rotation.column(axis)
    var sign: UInt32 = 0
    if n.dot(d) < 0 { n = -n; sign = 1 }
    // Incident face: the face of `inc` most opposed to n.
    var k = 0, kd: Float = 0
    for c in 0..<3 {
        let v = inc.rotation.column(c).dot(n)
        if abs(v) > abs(kd) { kd = v; k = c }
    }
    let ni = inc.rotation.column(k) * (kd > 0 ? -1 : 1)
    let fc = inc.position + ni * hi[k]
    let u = inc.rotation.column((k + 1) % 3) * hi[(k + 1) % 3]
    let v = inc.rotation.column((k + 2) % 3) * hi[(k + 2) % 3]

    let rc = r.position + n * hr[axis]
    let su = r.rotation.column((axis + 1) % 3), eu = hr[(axis + 1) % 3]
    let sv = r.rotation.column((axis + 2) % 3), ev = hr[(axis + 2) % 3]
    let incidentFace = UInt32(k) << 1 | (kd > 0 ? 1 : 0)
    let idBase = tag << 30 | UInt32(axis) << 27 | sign << 26 | incidentFace << 22

    var m = Manifold()
    m.normal = n
    withUnsafeTemporaryAllocation(of: ClipVertex.self, capacity: 32) { buf in
        let inPoly = buf.baseAddress!, outPoly = buf.baseAddress! + 16
        inPoly[0] = ClipVertex(p: fc + u + v, code: 0)
        inPoly[1] = ClipVertex(p: fc - u + v, code: 1)
        inPoly[2] = ClipVertex(p: fc - u - v, code: 2)
        inPoly[3] = ClipVertex(p: fc + u - v, code: 3)
        var count = 4
        var src = inPoly, dst = outPoly
        for plane in 0..<4 {
            let dir = plane == 0 ? su : (plane == 1 ? -su : (plane == 2 ? sv : -sv))
            let ext = plane < 2 ? eu : ev
            var out = 0
            for e in 0..<count {
                let p0 = src[e], p1 = src[(e + 1) % count]
                let d0 = dir.dot(p0.p - rc) - ext, d1 = dir.dot(p1.p - rc) - ext
                if d0 <= 0 { dst[out] = p0; out += 1 }
                if (d0 <= 0) != (d1 <= 0) && out < 16 {
                    let t = d0 / (d0 - d1)
                    dst[out] = ClipVertex(p: p0.p + (p1.p - p0.p) * t, code: 4 + UInt32(e) * 4 + UInt32(plane))
                    out += 1
                }
            }
            count = out
            swap(&src, &dst)
            if count == 0 { return }
        }
        // Keep points within the margin; reduce to four.
        var kept = 0
        for e in 0..<count {
            let s = n.dot(src[e].p - rc)
            if s <= margin { dst[kept] = ClipVertex(p: src[e].p - n * (0.5 * s), code: src[e].code); kept += 1 }
        }
        let pts = dst
        @inline(__always) func sep(_ e: Int) -> Float { n.dot(pts[e].p - rc) * 2 }
        var pick: (Int, Int, Int, Int) = (-1, -1, -1, -1)
        if kept <= 4 {
            pick = (kept > 0 ? 0 : -1, kept > 1 ? 1 : -1, kept > 2 ? 2 : -1, kept > 3 ? 3 : -1)
        } else {
            var i0 = 0
            for e in 1..<kept where sep(e) < sep(i0) { i0 = e }
            var i1 = -1, far: Float = -1
            for e in 0..<kept where e != i0 {
                let l = (pts[e].p - pts[i0].p).lengthSquared
                if l > far { far = l; i1 = e }
            }
            var i2 = -1, i3 = -1, hi: Float = 0, lo: Float = 0
            for e in 0..<kept where e != i0 && e != i1 {
                let area = (pts[i1].p - pts[i0].p).cross(pts[e].p - pts[i0].p).dot(n)
                if area > hi { hi = area; i2 = e }
                if area < lo { lo = area; i3 = e }
            }
            pick = (i0, i1, i2, i3)
        }
        for slot in 0..<4 {
            let e = slot == 0 ? pick.0 : (slot == 1 ? pick.1 : (slot == 2 ? pick.2 : pick.3))
            if e < 0 { continue }
            m.add(pts[e].p, separation: sep(e), id: idBase | pts[e].code, r.position, inc.position)
        }
    }
    return m
}
