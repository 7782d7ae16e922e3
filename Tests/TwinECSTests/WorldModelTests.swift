import Testing
import TwinECS

/// A naive reference model: a dictionary per live entity.
private struct ReferenceModel {
    var pos: [Entity: Pos] = [:]
    var vel: [Entity: Vel] = [:]
    var tag: [Entity: Tag] = [:]
    var alive: Set<Entity> = []
}

/// A tiny deterministic generator for the test's own choices.
private struct TestRNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func float() -> Float { Float(below(2000)) - 1000 }
}

@Suite("World against a reference model")
struct WorldModelTests {
    @Test("random spawn/despawn/insert/remove/query sequences agree with a naive model", arguments: [1, 2, 3, 42, 1234] as [UInt64])
    func randomSequences(seed: UInt64) {
        var rng = TestRNG(state: seed)
        let world = World()
        var model = ReferenceModel()
        var dead: [Entity] = []
        let moving = world.query(Pos.self, Vel.self)
        let taggedNoVel = world.query(Tag.self).without(Vel.self)

        for step in 0..<3000 {
            let live = model.alive.sorted()
            var op = rng.below(10)
            if live.isEmpty && (2...5).contains(op) { op = 0 }
            if dead.isEmpty && op == 8 { op = 9 }
            switch op {
            case 0, 1:
                let e: Entity
                switch rng.below(3) {
                case 0: e = world.spawn()
                case 1:
                    let p = Pos(x: rng.float(), y: rng.float())
                    e = world.spawn(p); model.pos[e] = p
                default:
                    let p = Pos(x: rng.float(), y: rng.float()), v = Vel(dx: rng.float(), dy: rng.float())
                    e = world.spawn(p, v); model.pos[e] = p; model.vel[e] = v
                }
                #expect(!model.alive.contains(e), "seed \(seed) step \(step): reused a live handle")
                #expect(!dead.contains(e), "seed \(seed) step \(step): a dead handle came back to life")
                model.alive.insert(e)
            case 2:
                let e = live[rng.below(live.count)]
                #expect(world.despawn(e))
                model.alive.remove(e); model.pos[e] = nil; model.vel[e] = nil; model.tag[e] = nil
                dead.append(e)
            case 3, 4:
                let e = live[rng.below(live.count)]
                switch rng.below(3) {
                case 0: let p = Pos(x: rng.float(), y: rng.float()); world.insert(p, on: e); model.pos[e] = p
                case 1: let v = Vel(dx: rng.float(), dy: rng.float()); world.insert(v, on: e); model.vel[e] = v
                default: let t = Tag(label: "t\(rng.below(100))"); world.insert(t, on: e); model.tag[e] = t
                }
            case 5:
                let e = live[rng.below(live.count)]
                switch rng.below(3) {
                case 0: #expect(world.remove(Pos.self, from: e) == model.pos.removeValue(forKey: e))
                case 1: #expect(world.remove(Vel.self, from: e) == model.vel.removeValue(forKey: e))
                default: #expect(world.remove(Tag.self, from: e) == model.tag.removeValue(forKey: e))
                }
            case 6:
                moving.forEach { e, p, v in
                    #expect(model.pos[e] == p && model.vel[e] == v, "seed \(seed) step \(step)")
                }
            case 7:
                // Mutate through the query and mirror it in the model.
                world.query(Mut<Pos>.self, Vel.self).forEach { e, p, v in
                    p.pointee.x += v.dx
                    model.pos[e]?.x += v.dx
                }
            case 8:
                let e = dead[rng.below(dead.count)]
                #expect(!world.isAlive(e))
                #expect(world.get(Pos.self, of: e) == nil)
                #expect(!world.insert(Pos(x: 0, y: 0), on: e))
                #expect(!world.despawn(e))
            default:
                break
            }
            // After every operation: counts and every entity's components agree.
            #expect(world.aliveCount == model.alive.count, "seed \(seed) step \(step)")
            #expect(moving.count == model.alive.filter { model.pos[$0] != nil && model.vel[$0] != nil }.count,
                    "seed \(seed) step \(step)")
            #expect(taggedNoVel.count == model.alive.filter { model.tag[$0] != nil && model.vel[$0] == nil }.count,
                    "seed \(seed) step \(step)")
            if step % 50 == 0 {
                for e in model.alive {
                    #expect(world.get(Pos.self, of: e) == model.pos[e], "seed \(seed) step \(step) \(e)")
                    #expect(world.get(Vel.self, of: e) == model.vel[e], "seed \(seed) step \(step) \(e)")
                    #expect(world.get(Tag.self, of: e) == model.tag[e], "seed \(seed) step \(step) \(e)")
                }
                #expect(world.entities == model.alive.sorted())
            }
        }
    }

    @Test("a despawned handle stays dead even after its slot is reused")
    func staleHandles() {
        let world = World()
        let a = world.spawn(Pos(x: 1, y: 2))
        #expect(world.despawn(a))
        let b = world.spawn(Pos(x: 3, y: 4))
        #expect(b.index == a.index && b.generation != a.generation)
        #expect(!world.isAlive(a))
        #expect(world.get(Pos.self, of: a) == nil)
        #expect(world.get(Pos.self, of: b) == Pos(x: 3, y: 4))
        #expect(!world.despawn(a))
        #expect(world.isAlive(b))
    }

    @Test("batched spawn equals one-by-one spawn")
    func batchSpawn() {
        let w1 = World(), w2 = World()
        for i in 0..<100 { w1.spawn(Pos(x: Float(i), y: 0), Vel(dx: 1, dy: Float(i))) }
        w2.spawnBatch((0..<100).map { Pos(x: Float($0), y: 0) }, (0..<100).map { Vel(dx: 1, dy: Float($0)) })
        #expect(w1.stateHash() == w2.stateHash())
        #expect(w2.query(Pos.self, Vel.self).count == 100)
        let w3 = World(), w4 = World()
        for _ in 0..<50 { w3.spawn(Tag(label: "same"), Health(hp: 3)) }
        let made = w4.spawnBatch(count: 50, Tag(label: "same"), Health(hp: 3))
        #expect(made.count == 50 && Set(made).count == 50)
        #expect(w3.stateHash() == w4.stateHash())
    }

    @Test("chunk iteration sees every matching row once and writes stick")
    func chunks() {
        let world = World()
        for i in 0..<1000 { world.spawn(Pos(x: Float(i), y: 0), Vel(dx: 2, dy: 0)) }
        for i in 0..<500 { world.spawn(Pos(x: Float(i), y: 0), Vel(dx: 2, dy: 0), Tag(label: "x")) }
        let q = world.query(Mut<Pos>.self, Vel.self)
        var seen = 0
        q.forEachChunk { chunk, pos, vel in
            for i in 0..<chunk.count { pos[i].x += vel[i].dx }
            seen += chunk.count
        }
        #expect(seen == 1500)
        var sum: Float = 0
        world.query(Pos.self).forEach { _, p in sum += p.x }
        #expect(sum == Float((0..<1000).reduce(0, +) + (0..<500).reduce(0, +)) + 2 * 1500)
        // Slices cover the same rows.
        let slices = q.slices(maxRows: 128)
        #expect(slices.reduce(0) { $0 + $1.count } == 1500)
        for s in slices { q.withSlice(s) { chunk, pos, _ in for i in 0..<chunk.count { pos[i].y = 1 } } }
        var ones = 0
        world.query(Pos.self).forEach { _, p in if p.y == 1 { ones += 1 } }
        #expect(ones == 1500)
    }
}
