import Testing
import TwinECS

@Suite("Command buffer")
struct CommandBufferTests {
    @Test("structural changes queued during iteration apply afterwards, in order")
    func deferredDuringIteration() {
        let world = World()
        for i in 0..<10 { world.spawn(Health(hp: i)) }
        world.query(Health.self).forEach { e, h in
            if h.hp % 2 == 0 { world.commands.despawn(e) } else { world.commands.insert(Tag(label: "odd"), on: e) }
        }
        #expect(world.aliveCount == 10)
        #expect(world.commands.count == 10)
        world.applyCommands()
        #expect(world.aliveCount == 5)
        #expect(world.query(Health.self, Tag.self).count == 5)
    }

    @Test("a spawned handle is reserved at once and usable by later commands")
    func reservedSpawn() {
        let world = World()
        let e = world.commands.spawn(world, Pos(x: 1, y: 1))
        #expect(!world.isAlive(e))
        world.commands.insert(Vel(dx: 1, dy: 0), on: e)
        world.applyCommands()
        #expect(world.isAlive(e))
        #expect(world.get(Vel.self, of: e) == Vel(dx: 1, dy: 0))
        #expect(world.get(Pos.self, of: e) == Pos(x: 1, y: 1))
    }

    @Test("commands on entities already dead are skipped and counted")
    func skipDead() {
        let world = World()
        let e = world.spawn(Pos(x: 0, y: 0))
        world.commands.despawn(e)
        world.commands.despawn(e)
        world.commands.insert(Tag(label: "late"), on: e)
        world.applyCommands()
        #expect(!world.isAlive(e))
        #expect(world.commands.skipped == 2)
    }

    @Test("despawning a reserved entity before it spawns cancels it")
    func cancelReserved() {
        let world = World()
        let e = world.commands.spawn(world, Pos(x: 0, y: 0))
        world.despawn(e)
        world.applyCommands()
        #expect(!world.isAlive(e))
        #expect(world.aliveCount == 0)
    }
}

@Suite("Change ticks, resources and events")
struct ChangeTrackingTests {
    @Test("changes since a tick: inserts, mutable access and removals")
    func changes() {
        let world = World()
        let a = world.spawn(Pos(x: 0, y: 0), Vel(dx: 1, dy: 0))
        let b = world.spawn(Pos(x: 5, y: 0))
        let t0 = world.advanceChangeTick()
        #expect(world.changed(Pos.self, since: t0).isEmpty)
        world.advanceChangeTick()
        world.query(Mut<Pos>.self, Vel.self).forEach { _, p, v in p.pointee.x += v.dx }
        #expect(world.changed(Pos.self, since: t0) == [a])
        #expect(world.changed(Vel.self, since: t0).isEmpty, "read-only terms are not marked")
        world.insert(Vel(dx: 2, dy: 0), on: b)
        #expect(world.added(Vel.self, since: t0) == [b])
        let t1 = world.advanceChangeTick()
        world.advanceChangeTick()
        world.despawn(a)
        #expect(world.removals(since: t1).map(\.entity) == [a])
        #expect(world.removals(since: world.changeTick).isEmpty)
        #expect(world.update(Pos.self, of: b) { $0.x = 9 } != nil)
        #expect(world.changed(Pos.self, since: t1) == [b])
    }

    @Test("the removal log: every removal and despawn with its component and tick, in order, trimmed by tick")
    func removalLog() throws {
        let world = World()
        let ents = (0..<300).map { world.spawn(Pos(x: Float($0), y: 0), Vel(dx: 0, dy: 0)) }
        let velID = try #require(world.registry.id(of: Vel.self))
        var expected: [Removal] = []
        // Three ticks of removals (more entries than the log starts with), then despawns.
        for round in 0..<3 {
            let tick = world.advanceChangeTick()
            for e in ents[(round * 100)..<(round * 100 + 100)] {
                world.remove(Vel.self, from: e)
                expected.append(Removal(entity: e, component: velID, tick: tick))
            }
        }
        let despawnTick = world.advanceChangeTick()
        for e in ents.prefix(5) {
            world.despawn(e)
            expected.append(Removal(entity: e, component: nil, tick: despawnTick))
        }
        // Different components at one tick, interleaved.
        let mixedTick = world.advanceChangeTick()
        let posID = try #require(world.registry.id(of: Pos.self))
        world.remove(Pos.self, from: ents[10])
        world.despawn(ents[11])
        world.remove(Pos.self, from: ents[12])
        expected += [
            Removal(entity: ents[10], component: posID, tick: mixedTick), Removal(entity: ents[11], component: nil, tick: mixedTick),
            Removal(entity: ents[12], component: posID, tick: mixedTick),
        ]
        #expect(world.removalLog == expected)
        let second = expected[100].tick
        #expect(Array(world.removals(since: second - 1)) == Array(expected[100...]))
        #expect(Array(world.removals(since: second)) == Array(expected[200...]))
        #expect(Array(world.removals(since: despawnTick)) == Array(expected.suffix(3)))
        #expect(world.removals(since: mixedTick).isEmpty)
        world.trimRemovalLog(through: second)
        #expect(world.removalLog == Array(expected[200...]))
        // Appending after a trim continues the log.
        let last = world.advanceChangeTick()
        world.despawn(ents[299])
        #expect(world.removals(since: mixedTick).map(\.entity) == [ents[299]])
        #expect(world.removalLog.last == Removal(entity: ents[299], component: nil, tick: last))
        world.trimRemovalLog(through: last)
        #expect(world.removalLog.isEmpty)
    }

    @Test("a whole-table mutable pass marks every row, also after rows move to another table")
    func bulkMarks() {
        let world = World()
        let ents = (0..<10).map { world.spawn(Pos(x: Float($0), y: 0)) }
        let t0 = world.advanceChangeTick()
        world.advanceChangeTick()
        world.query(Mut<Pos>.self).forEachChunk { chunk, p in for i in 0..<chunk.count { p[i].y = 1 } }
        #expect(world.changed(Pos.self, since: t0) == ents)
        let t1 = world.advanceChangeTick()
        // Moving a row to another archetype keeps its change tick.
        world.insert(Tag(label: "moved"), on: ents[3])
        #expect(world.changed(Pos.self, since: t0) == ents)
        #expect(world.changed(Pos.self, since: t1).isEmpty)
        world.advanceChangeTick()
        let late = world.spawn(Pos(x: 99, y: 0))
        #expect(world.changed(Pos.self, since: t1) == [late])
        // A partial slice marks only its rows.
        let t2 = world.advanceChangeTick()
        world.advanceChangeTick()
        let q = world.query(Mut<Pos>.self).without(Tag.self)
        let first = q.slices(maxRows: 4)[0]
        q.withSlice(first) { _, p in for i in 0..<p.count { p[i].x += 1 } }
        #expect(world.changed(Pos.self, since: t2).count == 4)
    }

    @Test("moves between plain-data tables keep each row's added and changed ticks, also of the rows swapped in")
    func ticksAcrossMoves() {
        let world = World()
        let s = world.advanceChangeTick()
        let ents = (0..<6).map { world.spawn(Pos(x: Float($0), y: 0)) }
        let u = world.advanceChangeTick()
        world.update(Pos.self, of: ents[4]) { $0.x = 40 }
        world.advanceChangeTick()
        // The first move along an edge makes its plan; the later ones take it.
        for k in [0, 1, 5] { world.insert(Vel(dx: 1, dy: 0), on: ents[k]) }
        #expect(world.changed(Pos.self, since: s) == [ents[4]])
        #expect(world.added(Pos.self, since: s).isEmpty)
        #expect(world.added(Pos.self, since: s &- 1) == ents)
        #expect(world.added(Vel.self, since: u) == [ents[0], ents[1], ents[5]])
        world.advanceChangeTick()
        for k in [0, 1] { world.remove(Vel.self, from: ents[k]) }
        #expect(world.changed(Pos.self, since: s) == [ents[4]])
        #expect(world.added(Vel.self, since: u) == [ents[5]])
        #expect(world.added(Pos.self, since: s &- 1) == ents)
        // A whole-table pass stamps the table once; rows leaving it take that stamp
        // along into a table that was not stamped.
        let b = world.advanceChangeTick()
        world.query(Mut<Pos>.self).without(Vel.self).forEachChunk { chunk, p in for i in 0..<chunk.count { p[i].y = 1 } }
        world.advanceChangeTick()
        for k in [2, 3] { world.insert(Vel(dx: 2, dy: 0), on: ents[k]) }
        #expect(world.changed(Pos.self, since: b).isEmpty)
        #expect(world.changed(Pos.self, since: b &- 1) == Array(ents.prefix(5)))
        let late = world.advanceChangeTick()
        world.update(Pos.self, of: ents[3]) { $0.x = 30 }
        #expect(world.changed(Pos.self, since: b) == [ents[3]])
        #expect(world.changed(Pos.self, since: late).isEmpty)
        #expect(world.added(Vel.self, since: b) == [ents[2], ents[3]])
        #expect(world.added(Pos.self, since: s &- 1) == ents)
    }

    @Test("resources are typed singletons")
    func resources() {
        let world = World()
        #expect(world.resource(Int.self) == nil)
        world.setResource(41)
        world.updateResource(Int.self) { $0 += 1 }
        #expect(world.resource(Int.self) == 42)
    }

    @Test("each reader sees each event once, for two steps at most")
    func events() {
        struct Ping { var n: Int }
        let world = World()
        var early = EventReader<Ping>(), late = EventReader<Ping>()
        world.send(Ping(n: 1))
        #expect(early.read(world).map(\.n) == [1])
        world.advanceEventStep()
        world.send(Ping(n: 2))
        #expect(early.read(world).map(\.n) == [2])
        #expect(late.read(world).map(\.n) == [1, 2])
        world.advanceEventStep()
        world.advanceEventStep()
        #expect(late.read(world).isEmpty)
        var fresh = EventReader<Ping>()
        #expect(fresh.read(world).isEmpty, "events older than two steps are gone")
    }
}
