/// Sleeping by islands: dynamic bodies linked by contacts (speculative ones included)
/// sleep together once every one of them has been slow for `timeToSleep`, and wake
/// together when anything moving touches one of them.
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

    /// Adds `dt` to the sleep timer of slow bodies (resets fast ones) and puts islands
    /// whose every body has slept long enough to sleep.
    mutating func sleep(_ w: PhysicsWorld, dt: Float) {
        let n = w.bodyCount
        let speedLimit = w.settings.sleepSpeed
        var minTime = [Float](repeating: .infinity, count: n)
        for i in 0..<n where w.kind[i] == .dynamic && w.isEnabled[i] && w.isAwake[i] {
            let speed = w.linearVelocity[i].length + w.angularVelocity[i].length * w.radius[i]
            w.sleepTime[i] = w.allowSleep[i] && speed < speedLimit ? w.sleepTime[i] + dt : 0
            let r = find(i)
            minTime[r] = min(minTime[r], w.sleepTime[i])
        }
        let threshold = w.settings.timeToSleep
        for i in 0..<n where w.kind[i] == .dynamic && w.isEnabled[i] && w.isAwake[i] && minTime[find(i)] >= threshold {
            w.isAwake[i] = false
            w.linearVelocity[i] = .zero
            w.angularVelocity[i] = .zero
        }
    }
}
