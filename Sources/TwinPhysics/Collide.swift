import TwinMath

/// A shape placed in the world for one collision test.
struct PlacedShape {
    var shape: Shape
    var position: Vec3
    var rotation: Mat3
}

/// Narrowphase dispatch: the contact manifold of two shapes, normal from `a` to `b`,
/// keeping points closer than `margin` (speculative contacts, m). `scratch` lends the
/// polytope and mesh paths their buffers.
func collide(_ a: PlacedShape, _ b: PlacedShape, margin: Float, scratch: CollideScratch) -> Manifold {
    if rank(a.shape) > rank(b.shape) {
        var m = collide(b, a, margin: margin, scratch: scratch)
        m.flip()
        return m
    }
    switch (a.shape, b.shape) {
    case (.compound(let c), _):
        return collideCompound(c, a, b, margin: margin, scratch: scratch)
    case (_, .compound(let c)):
        var m = collideCompound(c, b, a, margin: margin, scratch: scratch)
        m.flip()
        return m
    case (_, .mesh(let mesh)):
        return collideMesh(a, mesh, b, margin: margin, scratch: scratch)
    case (.sphere(let r), .hull(let h)):
        return collideCapsulePolytope(a.position, a.position, r, a.position, h, b, margin: margin, scratch: scratch)
    case (.capsule(let r, let hh), .hull(let h)):
        let axis = a.rotation.c1 * hh
        return collideCapsulePolytope(a.position - axis, a.position + axis, r, a.position, h, b, margin: margin, scratch: scratch)
    case (.box(let h), .hull(let hb)):
        return collidePolytopes(ConvexHull.box(h), a, hb, b, margin: margin, scratch: scratch)
    case (.hull(let ha), .hull(let hb)):
        return collidePolytopes(ha, a, hb, b, margin: margin, scratch: scratch)
    case (.hull(let h), .plane):
        return collideHullPlane(h, a, b, margin: margin, scratch: scratch)
    case (.sphere(let ra), .sphere(let rb)):
        return collideSpheres(a.position, ra, b.position, rb, margin: margin, id: 0)
    case (.sphere(let r), .capsule(let rc, let hh)):
        let q = closestOnSegment(a.position, b.position, b.rotation.c1 * hh)
        var m = collideSpheres(a.position, r, q, rc, margin: margin, id: 0)
        rebase(&m, b: b.position, from: q)
        return m
    case (.sphere(let r), .box(let h)):
        return collideSphereBox(a.position, r, b, h, margin: margin, id: 0)
    case (.sphere(let r), .plane):
        return collideSpherePlane(a.position, r, b, margin: margin, id: 0)
    case (.capsule(let ra, let ha), .capsule(let rb, let hb)):
        let (p, q) = closestBetweenSegments(a.position, a.rotation.c1 * ha, b.position, b.rotation.c1 * hb)
        var m = collideSpheres(p, ra, q, rb, margin: margin, id: 0)
        rebase(&m, a: a.position, from: p)
        rebase(&m, b: b.position, from: q)
        return m
    case (.capsule(let r, let hh), .box(let h)):
        let axis = a.rotation.c1 * hh
        return collideCapsulePolytope(a.position - axis, a.position + axis, r, a.position, ConvexHull.box(h), b, margin: margin, scratch: scratch)
    case (.capsule(let r, let hh), .plane):
        var m = Manifold()
        let axis = a.rotation.c1 * hh
        for (k, c) in [a.position - axis, a.position + axis].enumerated() {
            let s = collideSpherePlane(c, r, b, margin: margin, id: UInt32(k))
            if s.count > 0 {
                m.normal = s.normal
                m.add(c + s.p0.anchorA, separation: s.p0.separation, id: UInt32(k), a.position, b.position)
            }
        }
        return m
    case (.box(let ha), .box(let hb)):
        return collideBoxes(a, ha, b, hb, margin: margin)
    case (.box(let h), .plane):
        return collideBoxPlane(a, h, b, margin: margin)
    default:
        return Manifold()  // plane and mesh pairs: static pairs never collide
    }
}

@inline(__always) private func rank(_ s: Shape) -> Int {
    switch s { case .sphere: 0; case .capsule: 1; case .box: 2; case .hull: 3; case .compound: 4; case .plane: 5; case .mesh: 6 }
}

/// Each child of a compound against `b`, merged into one manifold; ids salted with the
/// child index.
private func collideCompound(_ c: CompoundShape, _ a: PlacedShape, _ b: PlacedShape, margin: Float, scratch: CollideScratch) -> Manifold {
    let bb = b.shape.bounds(position: b.position, rotation: b.rotation)
    var parts: [(Manifold, UInt32)] = []
    swap(&parts, &scratch.parts)
    defer { swap(&parts, &scratch.parts) }
    parts.removeAll(keepingCapacity: true)
    for k in c.children.indices {
        let child = c.placedChild(k, a.position, a.rotation)
        let cb = child.shape.bounds(position: child.position, rotation: child.rotation)
        guard cb.min.x <= bb.max.x + margin, bb.min.x <= cb.max.x + margin, cb.min.y <= bb.max.y + margin,
              bb.min.y <= cb.max.y + margin, cb.min.z <= bb.max.z + margin, bb.min.z <= cb.max.z + margin else { continue }
        var m = collide(child, b, margin: margin, scratch: scratch)
        guard m.count > 0 else { continue }
        // Anchors on A were taken from the child's centre.
        for i in 0..<m.count {
            var p = m[i]
            p.anchorA = p.anchorA + child.position - a.position
            m[i] = p
        }
        parts.append((m, UInt32(k + 1) &* 0x85EB_CA6B))
    }
    return Manifold(merging: parts, a.position, b.position, scratch: scratch)
}

/// Re-expresses anchors computed for a stand-in centre (a capsule's segment point) relative
/// to the body centre.
private func rebase(_ m: inout Manifold, a: Vec3? = nil, b: Vec3? = nil, from q: Vec3) {
    for i in 0..<m.count {
        var p = m[i]
        if let a { p.anchorA = p.anchorA + q - a }
        if let b { p.anchorB = p.anchorB + q - b }
        m[i] = p
    }
}

func collideSpheres(_ ca: Vec3, _ ra: Float, _ cb: Vec3, _ rb: Float, margin: Float, id: UInt32) -> Manifold {
    var m = Manifold()
    let d = cb - ca
    let dist = d.length
    let sep = dist - ra - rb
    guard sep <= margin else { return m }
    m.normal = dist > 1e-9 ? d / dist : Vec3.up
    m.add(ca + m.normal * (ra + 0.5 * sep), separation: sep, id: id, ca, cb)
    return m
}

func collideSpherePlane(_ c: Vec3, _ r: Float, _ plane: PlacedShape, margin: Float, id: UInt32) -> Manifold {
    var m = Manifold()
    let n = plane.rotation.c1
    let dist = n.dot(c - plane.position)
    let sep = dist - r
    guard sep <= margin else { return m }
    m.normal = -n
    m.add(c - n * (0.5 * (r + dist)), separation: sep, id: id, c, plane.position)
    return m
}

func collideSphereBox(_ c: Vec3, _ r: Float, _ box: PlacedShape, _ h: Vec3, margin: Float, id: UInt32) -> Manifold {
    var m = Manifold()
    let rel = box.rotation.transposedTimes(c - box.position)
    let q = Vec3(max(-h.x, min(h.x, rel.x)), max(-h.y, min(h.y, rel.y)), max(-h.z, min(h.z, rel.z)))
    let d = rel - q
    let dist = d.length
    var outward: Vec3, sep: Float
    if dist > 1e-6 {
        outward = d / dist
        sep = dist - r
    } else {
        // Centre inside: leave through the nearest face.
        let gaps = Vec3(h.x - abs(rel.x), h.y - abs(rel.y), h.z - abs(rel.z))
        if gaps.x <= gaps.y && gaps.x <= gaps.z {
            outward = Vec3(rel.x < 0 ? -1 : 1, 0, 0); sep = -gaps.x - r
        } else if gaps.y <= gaps.z {
            outward = Vec3(0, rel.y < 0 ? -1 : 1, 0); sep = -gaps.y - r
        } else {
            outward = Vec3(0, 0, rel.z < 0 ? -1 : 1); sep = -gaps.z - r
        }
    }
    guard sep <= margin else { return m }
    let n = box.rotation * outward
    m.normal = -n
    m.add(c - n * (r + 0.5 * sep), separation: sep, id: id, c, box.position)
    return m
}

private func collideBoxPlane(_ a: PlacedShape, _ h: Vec3, _ plane: PlacedShape, margin: Float) -> Manifold {
    var m = Manifold()
    let n = plane.rotation.c1
    m.normal = -n
    // The four deepest vertices within the margin, added in vertex order for stable ids.
    var seps: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
    var chosen: UInt8 = 0, inside = 0
    withUnsafeMutableBytes(of: &seps) { raw in
        let sep = raw.bindMemory(to: Float.self)
        for k in 0..<8 {
            sep[k] = n.dot(a.position + a.rotation * boxVertex(h, k) - plane.position)
            if sep[k] <= margin { inside += 1 }
        }
        for _ in 0..<min(4, inside) {
            var best = -1
            for k in 0..<8 where chosen & (1 << k) == 0 && sep[k] <= margin && (best < 0 || sep[k] < sep[best]) { best = k }
            chosen |= 1 << best
        }
        for k in 0..<8 where chosen & (1 << k) != 0 {
            let p = a.position + a.rotation * boxVertex(h, k)
            m.add(p - n * (0.5 * sep[k]), separation: sep[k], id: UInt32(k), a.position, plane.position)
        }
    }
    return m
}

@inline(__always) func boxVertex(_ h: Vec3, _ k: Int) -> Vec3 {
    Vec3(k & 1 == 0 ? -h.x : h.x, k & 2 == 0 ? -h.y : h.y, k & 4 == 0 ? -h.z : h.z)
}

@inline(__always) func closestOnSegment(_ p: Vec3, _ centre: Vec3, _ halfAxis: Vec3) -> Vec3 {
    let l2 = halfAxis.lengthSquared
    guard l2 > 1e-12 else { return centre }
    let t = max(-1, min(1, (p - centre).dot(halfAxis) / l2))
    return centre + halfAxis * t
}

/// Closest points of segments `ca ± ea` and `cb ± eb`.
func closestBetweenSegments(_ ca: Vec3, _ ea: Vec3, _ cb: Vec3, _ eb: Vec3) -> (Vec3, Vec3) {
    let p1 = ca - ea, d1 = ea * 2, p2 = cb - eb, d2 = eb * 2
    let r = p1 - p2
    let a = d1.dot(d1), e = d2.dot(d2), f = d2.dot(r)
    var s: Float = 0, t: Float = 0
    if a <= 1e-12 && e <= 1e-12 { return (p1, p2) }
    if a <= 1e-12 {
        t = max(0, min(1, f / e))
    } else {
        let c = d1.dot(r)
        if e <= 1e-12 {
            s = max(0, min(1, -c / a))
        } else {
            let b = d1.dot(d2), den = a * e - b * b
            s = den > 1e-12 ? max(0, min(1, (b * f - c * e) / den)) : 0.5
            t = (b * s + f) / e
            if t < 0 { t = 0; s = max(0, min(1, -c / a)) } else if t > 1 { t = 1; s = max(0, min(1, (b - c) / a)) }
        }
    }
    return (p1 + d1 * s, p2 + d2 * t)
}
