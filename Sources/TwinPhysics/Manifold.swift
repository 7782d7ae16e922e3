import TwinMath

/// One contact point, kept across steps so the solver can warm start from last step's
/// impulses (matched by `id`, the feature pair that made the point).
struct ManifoldPoint: Sendable {
    /// Contact point relative to each body's centre, world frame (m).
    var anchorA = Vec3.zero
    var anchorB = Vec3.zero
    /// Signed distance along the normal (m); negative when penetrating.
    var separation: Float = 0
    var id: UInt32 = 0
    /// Accumulated impulses (N·s): normal, and friction as a world vector so they survive
    /// a change of tangent basis.
    var normalImpulse: Float = 0
    var tangentImpulse = Vec3.zero
    /// Largest normal impulse in any substep (N·s): did this point really touch?
    var maxNormalImpulse: Float = 0
}

/// Up to four points sharing one normal (from body A to body B).
struct Manifold: Sendable {
    var normal = Vec3.zero
    var count = 0
    /// Accumulated rolling-resistance angular impulse (N·m·s, world), for warm starting.
    var rollingImpulse = Vec3.zero
    var p0 = ManifoldPoint(), p1 = ManifoldPoint(), p2 = ManifoldPoint(), p3 = ManifoldPoint()

    static let maxPoints = 4

    subscript(i: Int) -> ManifoldPoint {
        @inline(__always) get {
            switch i { case 0: return p0; case 1: return p1; case 2: return p2; default: return p3 }
        }
        @inline(__always) set {
            switch i { case 0: p0 = newValue; case 1: p1 = newValue; case 2: p2 = newValue; default: p3 = newValue }
        }
    }

    /// Adds a world-space point (midway between the surfaces) unless the manifold is full.
    @inline(__always) mutating func add(_ point: Vec3, separation: Float, id: UInt32, _ a: Vec3, _ b: Vec3) {
        guard count < Self.maxPoints else { return }
        var p = ManifoldPoint()
        p.anchorA = point - a
        p.anchorB = point - b
        p.separation = separation
        p.id = id
        self[count] = p
        count += 1
    }

    /// Swaps the roles of A and B.
    mutating func flip() {
        normal = -normal
        for i in 0..<count {
            var p = self[i]
            swap(&p.anchorA, &p.anchorB)
            self[i] = p
        }
    }

    var minSeparation: Float {
        var s = Float.infinity
        for i in 0..<count { s = min(s, self[i].separation) }
        return s
    }

    /// Carries last step's impulses over to points with the same feature id.
    mutating func warmStart(from old: Manifold) {
        rollingImpulse = old.rollingImpulse
        for i in 0..<count {
            var p = self[i]
            for j in 0..<old.count where old[j].id == p.id {
                p.normalImpulse = old[j].normalImpulse
                p.tangentImpulse = old[j].tangentImpulse
                break
            }
            self[i] = p
        }
    }
}

/// A contact point before a manifold is chosen: world position midway between the
/// surfaces, separation along the manifold normal (m) and feature id.
struct ContactCandidate: Sendable {
    var point: Vec3
    var separation: Float
    var id: UInt32
}

extension Manifold {
    /// A manifold of at most four of `points`: the deepest, the farthest from it, and
    /// the two spanning the largest area on either side of that pair (as the box–box
    /// path reduces its clipped polygon), in that order.
    init(normal: Vec3, reducing points: [ContactCandidate], _ a: Vec3, _ b: Vec3) {
        self.init()
        self.normal = normal
        guard !points.isEmpty else { return }
        if points.count <= Self.maxPoints {
            for e in points { add(e.point, separation: e.separation, id: e.id, a, b) }
        } else {
            var i0 = 0
            for e in points.indices where points[e].separation < points[i0].separation { i0 = e }
            var i1 = i0, far: Float = -1
            for e in points.indices where e != i0 {
                let l = (points[e].point - points[i0].point).lengthSquared
                if l > far { far = l; i1 = e }
            }
            var i2 = -1, hi: Float = 0, lo: Float = 0
            func area(_ e: Int) -> Float {
                (points[i1].point - points[i0].point).cross(points[e].point - points[i0].point).dot(normal)
            }
            for e in points.indices where e != i0 && e != i1 {
                let a = area(e)
                if a > hi { hi = a; i2 = e }
                lo = min(lo, a)
            }
            // On the other side, among points spanning (almost) the largest area, the one
            // nearest the mirror of the first: a face of a regular polygon (a hexagonal
            // prism's) then rests on a parallelogram centred on it, not on a lopsided quad
            // whose choice flips with rounding and walks a stack sideways.
            let mirror = points[i0].point + points[i1].point - (i2 >= 0 ? points[i2].point : points[i0].point)
            var i3 = -1, near = Float.infinity
            for e in points.indices where e != i0 && e != i1 && lo < 0 && area(e) <= 0.99 * lo {
                let d = (points[e].point - mirror).lengthSquared
                if d < near { near = d; i3 = e }
            }
            for e in [i0, i1, i2, i3] where e >= 0 { add(points[e].point, separation: points[e].separation, id: points[e].id, a, b) }
        }
    }

    /// One manifold from several (a compound's children, a mesh's triangles), which
    /// must share one normal: the deepest part's. When a second surface less than 60°
    /// away is touching too (a body in the crease at the foot of a ramp), the normal is
    /// the bisector and separations are measured along it (s / cos of the angle), so
    /// the body rests on both instead of being pushed out of each in turn. Parts more
    /// than 18° from the chosen normal(s) are left out: a body across a sharp edge
    /// pushes out of its deepest face first.
    init(merging parts: [(Manifold, UInt32)], _ a: Vec3, _ b: Vec3, touching: Float = 0.005, scratch: CollideScratch) {
        var deepest = -1, depth = Float.infinity
        for (k, p) in parts.enumerated() where p.0.count > 0 && p.0.minSeparation < depth {
            deepest = k; depth = p.0.minSeparation
        }
        guard deepest >= 0 else { self.init(); return }
        let n0 = parts[deepest].0.normal
        var second = -1, depth2 = touching
        for (k, p) in parts.enumerated() where p.0.count > 0 && p.0.normal.dot(n0) <= 0.95 && p.0.normal.dot(n0) > 0.5
            && p.0.minSeparation <= depth2 {
            second = k; depth2 = p.0.minSeparation
        }
        let n1 = second >= 0 ? parts[second].0.normal : n0
        let n = second >= 0 ? (n0 + n1).normalized() : n0
        var points: [ContactCandidate] = []
        swap(&points, &scratch.candidates)
        defer { swap(&points, &scratch.candidates) }
        points.removeAll(keepingCapacity: true)
        for (m, salt) in parts where m.count > 0 && (m.normal.dot(n0) > 0.95 || m.normal.dot(n1) > 0.95) {
            let scale = 1 / max(m.normal.dot(n), 0.5)
            for k in 0..<m.count {
                let p = m[k]
                points.append(ContactCandidate(point: p.anchorA + a, separation: p.separation * scale, id: p.id ^ salt))
            }
        }
        self.init(normal: n, reducing: points, a, b)
    }
}
