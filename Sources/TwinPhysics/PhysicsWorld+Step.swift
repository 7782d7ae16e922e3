import TwinCore
import TwinMath

extension PhysicsWorld {
    /// Advances the world by `dt` seconds: bounds, broadphase, narrowphase, island
    /// waking, the substepped solver, sleeping, sensors (Box2D's `b2World_Step` order).
    public func step(dt: Float, executor: ParallelExecutor = .serial) {
        guard dt > 0, dt.isFinite else { return }
        events = StepEvents()
        var t = clock?() ?? 0
        func lap() -> Double {
            guard let clock else { return 0 }
            let now = clock()
            defer { t = now }
            return Double(now &- t) / 1e9
        }
        updateBounds(dt)
        let pairs = broadphase.findPairs(self, executor: executor)
        mergeContacts(pairs)
        profile.broadphase = lap()
        updateManifolds(executor: executor)
        profile.narrowphase = lap()
        var islands = Islands(self)
        islands.wake(self)
        let start = position
        solve(dt: dt, executor: executor)
        sweepFastBodies(from: start)
        profile.solve = lap()
        checkBodies()
        islands.sleep(self, dt: dt)
        updateSensors()
        profile.sleep = lap()
    }

    /// Fattened bounds: the shape's bounds grown by half the speculative distance plus
    /// the distance the body can travel this step.
    func updateBounds(_ dt: Float) {
        let spec = settings.speculativeDistance
        for i in 0..<bodyCount where isEnabled[i] && (isAwake[i] || kind[i] == .static) {
            let b = shape[i].bounds(position: position[i], rotation: Mat3(rotation[i]))
            let reach = 0.5 * spec + (linearVelocity[i].length + angularVelocity[i].length * radius[i]) * dt
            self.reach[i] = reach
            boundsMin[i] = b.min - Vec3(repeating: reach)
            boundsMax[i] = b.max + Vec3(repeating: reach)
        }
    }

    /// Does body `i` take part in this step's pair search? Kinematic bodies always (other
    /// systems may move them without waking them); static and sleeping bodies do not.
    @inline(__always) func movesInBroadphase(_ i: Int) -> Bool {
        kind[i] == .kinematic || (kind[i] == .dynamic && isAwake[i])
    }

    /// Keeps contacts of pairs still overlapping (their impulses warm start) and of two
    /// resting bodies (not searched: nothing between them changed), adds new pairs, drops
    /// the rest; both lists are sorted by key, so this is one merge.
    func mergeContacts(_ pairs: [UInt64]) {
        // Most steps keep every contact and find no new pair: nothing to merge or copy.
        var same = true, i = 0
        for c in contacts {
            if i < pairs.count && pairs[i] == c.key { i += 1; continue }
            if isEnabled[c.a] && isEnabled[c.b] && !movesInBroadphase(c.a) && !movesInBroadphase(c.b) { continue }
            same = false
            break
        }
        if same && i == pairs.count { return }
        var merged: [Contact] = []
        merged.reserveCapacity(pairs.count)
        var j = 0
        for key in pairs {
            while j < contacts.count && contacts[j].key < key {
                keepOrEnd(contacts[j], &merged)
                j += 1
            }
            if j < contacts.count && contacts[j].key == key {
                merged.append(contacts[j])
                j += 1
            } else {
                merged.append(Contact(key: key))
            }
        }
        while j < contacts.count {
            keepOrEnd(contacts[j], &merged)
            j += 1
        }
        contacts = merged
    }

    private func keepOrEnd(_ c: Contact, _ merged: inout [Contact]) {
        let a = c.a, b = c.b
        if isEnabled[a] && isEnabled[b] && !movesInBroadphase(a) && !movesInBroadphase(b) {
            merged.append(c)
            return
        }
        if c.isTouching { events.contactEnded.append(ContactPair(a: BodyID(Int32(c.a)), b: BodyID(Int32(c.b)))) }
    }

    /// Is body `i` moving this step (an awake dynamic or a moving kinematic body)?
    @inline(__always) func isActive(_ i: Int) -> Bool {
        switch kind[i] {
        case .dynamic: return isAwake[i]
        case .kinematic: return linearVelocity[i] != .zero || angularVelocity[i] != .zero
        case .static: return false
        }
    }

    /// Narrowphase for every contact with a moving body, in fixed chunks on all workers.
    func updateManifolds(executor: ParallelExecutor) {
        let chunk = 256
        let count = contacts.count
        let slop = settings.linearSlop
        let wasTouching = contacts.map(\.isTouching)
        let chunks = (count + chunk - 1) / chunk
        while scratch.count < chunks { scratch.append(CollideScratch()) }
        let world = self
        contacts.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let cs = buf
            executor.run(chunks) { c in
                let scratch = world.scratch[c]
                for k in (c * chunk)..<min(count, (c + 1) * chunk) {
                    let a = cs[k].a, b = cs[k].b
                    guard world.isActive(a) || world.isActive(b) else { continue }
                    let margin = world.reach[a] + world.reach[b]
                    var m = collide(world.placed(a), world.placed(b), margin: margin, scratch: scratch)
                    m.warmStart(from: cs[k].manifold)
                    cs[k].manifold = m
                    cs[k].isTouching = m.count > 0 && m.minSeparation <= slop
                }
            }
        }
        for k in 0..<count where contacts[k].isTouching != wasTouching[k] {
            let pair = ContactPair(a: BodyID(Int32(contacts[k].a)), b: BodyID(Int32(contacts[k].b)))
            if contacts[k].isTouching { events.contactBegan.append(pair) } else { events.contactEnded.append(pair) }
        }
    }

    @inline(__always) func placed(_ i: Int) -> PlacedShape {
        PlacedShape(shape: shape[i], position: position[i], rotation: Mat3(rotation[i]))
    }

    /// Removes bodies whose state is not finite or implausibly fast; the rest of the
    /// world goes on.
    func checkBodies() {
        let limit = settings.maxSpeed
        for i in 0..<bodyCount where isEnabled[i] && kind[i] == .dynamic && isAwake[i] {
            let v = linearVelocity[i], w = angularVelocity[i]
            let ok = position[i].isFinite && rotation[i].vector.isFinite && rotation[i].w.isFinite && v.isFinite && w.isFinite
            guard !ok || v.length > limit || w.length * max(radius[i], 0.01) > limit else { continue }
            let reason = ok ? "speed above \(limit) m/s" : "non-finite position or velocity"
            events.problems.append(BodyProblem(body: BodyID(Int32(i)), reason: reason))
            removeBody(BodyID(Int32(i)))
            if !ok { position[i] = position[i].isFinite ? position[i] : .zero; rotation[i] = .identity }
        }
    }
}
