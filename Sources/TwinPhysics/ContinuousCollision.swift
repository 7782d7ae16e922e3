import TwinMath

// Why speculative contacts plus a centre sweep
// --------------------------------------------
// Continuous collision is first the speculative margin (Box2D v3): a body's bounds are
// fattened by the distance it can travel this step and its contacts exist that far
// ahead, so the solver stops it at the surface it would cross. For one convex pair that
// cannot tunnel by translation: the contact plane separates the two, and the solver
// keeps the body in front of it.
//
// It can fail where one manifold stands for many surfaces: a body resting on a mesh
// floor and racing at a wall of the same mesh keeps the floor's normal (the manifold
// holds one), so the wall's speculative points are dropped; likewise a compound. So
// after the solve, every body that moved more than half its inner radius in the step
// (or is flagged `isBullet`) has its centre's path ray-cast against the static bodies
// whose bounds it crosses; if the centre would pass a surface, the body is put back on
// the path, one inner radius short of the hit, velocity kept, and next step's
// contacts (now near) stop or bounce it. Rays pass from inside a shape out, so a body
// already touching a surface is never pulled back into it. Time of impact by
// conservative advancement against every shape was the alternative; the ray is exact
// for the failure that matters (the centre crossing a thin wall), costs one ray per
// fast body, and never freezes a body sliding along a surface it touches.

extension PhysicsWorld {
    /// Pulls back fast bodies whose centre crossed a static surface this step (see the
    /// essay above). Serial, in body order.
    func sweepFastBodies(from start: [Vec3]) {
        var statics: [Int] = []
        for i in 0..<bodyCount where isEnabled[i] && isActive(i) && kind[i] == .dynamic {
            let move = position[i] - start[i]
            let distance = move.length
            guard distance > 0, isBullet[i] || distance > 0.5 * innerRadius[i] else { continue }
            if statics.isEmpty {
                statics = (0..<bodyCount).filter { kind[$0] == .static && isEnabled[$0] }
                if statics.isEmpty { return }
            }
            let lo = start[i].pointwiseMin(position[i]), hi = start[i].pointwiseMax(position[i])
            let dir = move / distance
            var nearest = distance
            for s in statics where layer[i] & mask[s] != 0 && layer[s] & mask[i] != 0 {
                let blo = boundsMin[s], bhi = boundsMax[s]
                guard blo.x <= hi.x, lo.x <= bhi.x, blo.y <= hi.y, lo.y <= bhi.y, blo.z <= hi.z, lo.z <= bhi.z else { continue }
                if let (t, _) = Self.ray(placed(s), start[i], dir, nearest), t < nearest { nearest = t }
            }
            guard nearest < distance else { continue }
            position[i] = start[i] + dir * max(0, nearest - innerRadius[i])
        }
    }
}
