import Testing
import TwinECS

/// The removal log stores entities removed in index order as one entry plus a count
/// (`RemovalLog`); these tests check that what it gives back is exactly what happened.
@Suite("Removal log")
struct RemovalLogTests {
    @Test("runs of consecutive entities are given back one by one; gaps, reversals, other generations and tick changes break them")
    func sequences() throws {
        let world = World()
        let first = world.spawnBatch((0..<40).map { Pos(x: Float($0), y: 0) })
        let posID = try #require(world.registry.id(of: Pos.self))
        var expected: [Removal] = []
        let tick = world.advanceChangeTick()
        // In order 0…9, a gap (11…14), backwards (19…15), then despawns 20…24.
        for i in Array(0..<10) + Array(11..<15) + Array((15..<20).reversed()) {
            world.remove(Pos.self, from: first[i])
            expected.append(Removal(entity: first[i], component: posID, tick: tick))
        }
        for i in 20..<25 {
            world.despawn(first[i])
            expected.append(Removal(entity: first[i], component: nil, tick: tick))
        }
        // Slots 20…24 come back with generation 1 and are removed in index order.
        let again = world.spawnBatch((0..<5).map { Pos(x: Float($0), y: 1) }).sorted()
        #expect(again.map(\.index) == [20, 21, 22, 23, 24] && again.allSatisfy { $0.generation == 1 })
        let later = world.advanceChangeTick()
        for e in [first[25]] + again {
            world.remove(Pos.self, from: e)
            expected.append(Removal(entity: e, component: posID, tick: later))
        }
        // Index 37 right after 36, but another generation: no continuation.
        world.despawn(first[37])
        expected.append(Removal(entity: first[37], component: nil, tick: later))
        let reborn = world.spawn(Pos(x: 0, y: 2))
        #expect(reborn.index == 37 && reborn.generation == 1)
        for e in [first[36], reborn] {
            world.remove(Pos.self, from: e)
            expected.append(Removal(entity: e, component: posID, tick: later))
        }
        // The same entities in one order across a tick change: two runs.
        let third = world.advanceChangeTick()
        for i in 26..<30 {
            world.remove(Pos.self, from: first[i])
            expected.append(Removal(entity: first[i], component: posID, tick: third))
        }
        let fourth = world.advanceChangeTick()
        for i in 30..<34 {
            world.remove(Pos.self, from: first[i])
            expected.append(Removal(entity: first[i], component: posID, tick: fourth))
        }
        #expect(world.removalLog == expected)
        #expect(Array(world.removals(since: third)) == expected.filter { $0.tick == fourth })
        // A trim keeps whole runs; a sequence does not continue across it.
        world.trimRemovalLog(through: third)
        for i in 34..<36 {
            world.remove(Pos.self, from: first[i])
            expected.append(Removal(entity: first[i], component: posID, tick: fourth))
        }
        #expect(world.removalLog == expected.filter { $0.tick == fourth })
    }

    @Test("random removals, despawns, respawns, ticks and trims agree with a plain list", arguments: [7, 99, 2026] as [UInt64])
    func randomized(seed: UInt64) throws {
        var state = seed
        func below(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let world = World()
        var live = world.spawnBatch(Array(repeating: Pos(x: 0, y: 0), count: 200), Array(repeating: Vel(dx: 0, dy: 0), count: 200))
        let posID = try #require(world.registry.id(of: Pos.self))
        let velID = try #require(world.registry.id(of: Vel.self))
        var expected: [Removal] = []
        var largest = 0
        for step in 0..<400 {
            live.sort()
            switch below(6) {
            case 0:
                world.advanceChangeTick()
            case 1:
                // Trim through a recent tick.
                let through = world.changeTick &- UInt32(below(3))
                world.trimRemovalLog(through: through)
                expected.removeAll { $0.tick &- through >= UInt32.max / 2 || $0.tick == through }
            case 2:
                // Respawn, into freed slots first (later generations, neighbouring indices).
                for _ in 0..<(1 + below(20)) { live.append(world.spawn(Pos(x: 1, y: 1), Vel(dx: 1, dy: 1))) }
            default:
                // A stretch of live entities in index order (sometimes with gaps), one
                // kind of removal each.
                guard !live.isEmpty else { continue }
                let start = below(live.count), length = 1 + below(30), stride = below(4) == 0 ? 2 : 1
                let kind = below(3)
                var gone: Set<Entity> = []
                for k in Swift.stride(from: start, to: min(live.count, start + length * stride), by: stride) {
                    let e = live[k]
                    switch kind {
                    case 0:
                        if world.remove(Pos.self, from: e) != nil { expected.append(Removal(entity: e, component: posID, tick: world.changeTick)) }
                    case 1:
                        if world.remove(Vel.self, from: e) != nil { expected.append(Removal(entity: e, component: velID, tick: world.changeTick)) }
                    default:
                        #expect(world.despawn(e))
                        expected.append(Removal(entity: e, component: nil, tick: world.changeTick))
                        gone.insert(e)
                    }
                }
                live.removeAll { gone.contains($0) }
            }
            largest = max(largest, expected.count)
            #expect(world.removalLog == expected, "seed \(seed) step \(step)")
        }
        #expect(largest > 40, "seed \(seed): the log never held enough to test it")
    }
}
