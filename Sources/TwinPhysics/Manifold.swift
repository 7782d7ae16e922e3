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
