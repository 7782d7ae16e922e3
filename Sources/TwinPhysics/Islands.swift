import TwinMath

/// Sleeping by islands: dynamic bodies linked by contacts (speculative ones included)
/// sleep together once every one of them has stayed put for `timeToSleep` and is slow
/// at that moment, and wake together when anything moving touches one of them.
///
/// "Stayed put" combines Box2D's and Jolt's sleep tests: a body's timer keeps running
/// while it is slower than `sleepSpeed` (Box2D) or its pose stays within
/// `sleepSpeed × timeToSleep` (2.5 cm, rotation counted at its bounding radius) of an
/// anchor (Jolt); it restarts only when the body is both fast and has left the anchor,
/// which then moves to the current pose. Each test alone fails a settled heap of 10,000
/// boxes, one island through box–box contacts: Box2D's resets on every momentary spike
/// (a corner slipping off an edge and catching again, 0.1 m/s for a step, going
/// nowhere) and kept 9,660 bodies awake for good; Jolt's resets on slow creep (a dozen
/// boxes settling by millimetres a second leave their 2.5 cm sphere every few seconds),
/// and at 21–25 s, every box slower than 0.03 m/s, about 20 young timers kept the
/// 9,552-body island awake until a slip at 30 s. The island still sleeps only at a step
/// where every body is slower than `sleepSpeed`.
///
/// Box2D keeps islands persistent and splits them lazily; we rebuild them every step by
/// union-find over the sorted contact list — linear in contacts, deterministic, and
/// simpler; a sleeping island's bodies cost nothing in the solver but still sit in the
/// broadphase.
struct Islands {
    var parent: [Int32]

    init(_ w: PhysicsWorld) {
        parent = (0..<Int32(w.bodyCount)).map { $0 }
        for c in w.contacts where c.manifold.count > 0 {
            let a = c.a, b = c.b
            guard w.kind[a] == .dynamic, w.kind[b] == .dynamic else { continue }
            union(a, b)
        }
    }

    mutating func find(_ i: Int) -> Int {
        var i = i
        while Int(parent[i]) != i {
            parent[i] = parent[Int(parent[i])]
            i = Int(parent[i])
        }
        return i
    }

    mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra == rb { return }
        // The smaller index becomes the root: independent of contact order.
        if ra < rb { parent[rb] = Int32(ra) } else { parent[ra] = Int32(rb) }
    }

    /// Wakes every island that holds an awake body, and bodies touched by a moving
    /// kinematic body or a moving surface (conveyor).
    mutating func wake(_ w: PhysicsWorld) {
        for c in w.contacts where c.manifold.count > 0 {
            let a = c.a, b = c.b
            if w.kind[a] == .dynamic, w.kind[b] != .dynamic, w.isActive(b) || w.surfaceVelocity[b] != .zero { w.wake(a) }
            if w.kind[b] == .dynamic, w.kind[a] != .dynamic, w.isActive(a) || w.surfaceVelocity[a] != .zero { w.wake(b) }
        }
        let n = w.bodyCount
        var awake = [Bool](repeating: false, count: n)
        for i in 0..<n where w.kind[i] == .dynamic && w.isAwake[i] { awake[find(i)] = true }
        for i in 0..<n where w.kind[i] == .dynamic && w.isEnabled[i] && !w.isAwake[i] && awake[find(i)] { w.wake(i) }
    }

    /// Advances the sleep timer of bodies that are slow or stayed near their anchor pose
    /// (restarts the others from where they are) and puts islands to sleep whose every
    /// body has stayed long enough and is slow now.
    mutating func sleep(_ w: PhysicsWorld, dt: Float) {
        let n = w.bodyCount
        let speedLimit = w.settings.sleepSpeed
        let threshold = w.settings.timeToSleep
        let reach = speedLimit * threshold
        var minTime = [Float](repeating: .infinity, count: n)
        var slow = [Bool](repeating: true, count: n)
        for i in 0..<n where w.kind[i] == .dynamic && w.isEnabled[i] && w.isAwake[i] {
            let speed = w.linearVelocity[i].length + w.angularVelocity[i].length * w.radius[i]
            let turn = (w.sleepAnchorRotation[i].conjugate * w.rotation[i]).vector.length
            let moved = (w.position[i] - w.sleepAnchor[i]).length + 2 * turn * w.radius[i]
            let stays = moved <= reach
            if !stays {
                w.sleepAnchor[i] = w.position[i]
                w.sleepAnchorRotation[i] = w.rotation[i]
            }
            w.sleepTime[i] = w.allowSleep[i] && (stays || speed < speedLimit) ? w.sleepTime[i] + dt : 0
            let r = find(i)
            minTime[r] = min(minTime[r], w.sleepTime[i])
            if speed >= speedLimit { slow[r] = false }
        }
        for i in 0..<n where w.kind[i] == .dynamic && w.isEnabled[i] && w.isAwake[i] && minTime[find(i)] >= threshold && slow[find(i)] {
            w.isAwake[i] = false
            w.linearVelocity[i] = .zero
            w.angularVelocity[i] = .zero
        }
    }
}
