import TwinRuntime

/// Turns the ECS change ticks into stream deltas, on the world thread: what moved
/// (`Position`, `Rotation` or `Scale` written — each record says which), appeared
/// (`Position` added: every field) or went away (despawned, or `Position` removed)
/// since the last delta.
struct ChangeTracker {
    private var lastTick: UInt32 = 0
    private var lastCommand = 0
    private var lastJournaled = (applied: 0, rejected: 0)

    /// The next delta starts from `sim` as it is now.
    mutating func reset(to sim: Simulation) {
        lastTick = sim.world.changeTick
        lastCommand = sim.commandLog.count
        lastJournaled = (sim.journaledApplied, sim.journaledRejected)
    }

    mutating func delta(of sim: Simulation) -> StreamDelta {
        let world = sim.world
        let added = world.added(Position.self, since: lastTick)
        let positionID = world.registry.id(of: Position.self)
        var removed: [UInt64] = []
        for r in world.removals(since: lastTick) where r.component == nil || r.component == positionID {
            if !world.isAlive(r.entity) || !world.has(Position.self, r.entity) { removed.append(r.entity.id) }
        }
        let changes = Self.merged([
            (world.changed(Position.self, since: lastTick), .position),
            (world.changed(Rotation.self, since: lastTick), .rotation),
            (world.changed(Scale.self, since: lastTick), .scale),
            (added, .all),
        ])
        let records = changes.compactMap { Self.record($0.entity, world, changed: $0.fields) }
        let log = sim.commandLog
        var events = Self.events(log[min(lastCommand, log.count)...])
        let journaled = (applied: sim.journaledApplied, rejected: sim.journaledRejected)
        if journaled != lastJournaled {
            events.append(Self.liveSummary(applied: journaled.applied - lastJournaled.applied, rejected: journaled.rejected - lastJournaled.rejected))
        }
        lastTick = world.changeTick
        lastCommand = log.count
        lastJournaled = journaled
        return StreamDelta(step: sim.stepCount, time: sim.time, keyframe: false, records: records, removed: removed,
                           spawned: added.map { Self.spawned($0, world) }, kpis: sim.kpis, events: events)
    }

    /// Entities of several sorted lists, in order, each with the union of its lists' fields.
    static func merged(_ lists: [([Entity], StreamDelta.Fields)]) -> [(entity: Entity, fields: StreamDelta.Fields)] {
        var all: [(entity: Entity, fields: StreamDelta.Fields)] = []
        all.reserveCapacity(lists.reduce(0) { $0 + $1.0.count })
        for (entities, fields) in lists { for e in entities { all.append((e, fields)) } }
        // Mostly one long already-sorted list (the movers' positions): the sort is near linear.
        all.sort { $0.entity < $1.entity }
        var out: [(entity: Entity, fields: StreamDelta.Fields)] = []
        out.reserveCapacity(all.count)
        for item in all {
            if let last = out.last, last.entity == item.entity {
                out[out.count - 1].fields.formUnion(item.fields)
            } else {
                out.append(item)
            }
        }
        return out
    }

    /// Every entity with a `Position`, as a keyframe.
    static func keyframe(of sim: Simulation) -> StreamDelta {
        let world = sim.world
        guard let pid = world.registry.id(of: Position.self) else {
            return StreamDelta(step: sim.stepCount, time: sim.time, keyframe: true, records: [], removed: [], spawned: [],
                               kpis: sim.kpis, events: [])
        }
        let all = world.entities(with: [pid])
        return StreamDelta(step: sim.stepCount, time: sim.time, keyframe: true,
                           records: all.compactMap { record($0, world, changed: .all) },
                           removed: [], spawned: all.map { spawned($0, world) }, kpis: sim.kpis, events: [])
    }

    private static func record(_ e: Entity, _ world: World, changed: StreamDelta.Fields) -> StreamDelta.Record? {
        guard let p = world.get(Position.self, of: e) else { return nil }
        return StreamDelta.Record(
            entity: e.id, position: p.value, rotation: world.get(Rotation.self, of: e)?.value ?? .identity,
            scale: world.get(Scale.self, of: e)?.value ?? .one, kind: world.get(Kind.self, of: e)?.value ?? "", changed: changed)
    }

    private static func spawned(_ e: Entity, _ world: World) -> StreamDelta.Spawned {
        StreamDelta.Spawned(entity: e.id, kind: world.get(Kind.self, of: e)?.value ?? "", name: world.get(Name.self, of: e)?.value)
    }

    /// Commands listed one event each up to this many per delta; beyond it (a live feed
    /// applies thousands a second) one summary stands for the applied ones, and only the
    /// rejected ones are listed, as many as this.
    static let eventsListed = 32

    static func events(_ applied: ArraySlice<AppliedCommand>) -> [JSONValue] {
        guard applied.count > eventsListed, let first = applied.first, let last = applied.last else { return applied.map(event) }
        let rejected = applied.filter { $0.rejection != nil }
        let summary = JSONValue.object([
            ("type", .string("commands.summary")), ("fromStep", .number(Double(first.step))), ("toStep", .number(Double(last.step))),
            ("applied", .number(Double(applied.count - rejected.count))), ("rejected", .number(Double(rejected.count))),
            ("rejectionsListed", .number(Double(min(rejected.count, eventsListed)))),
        ])
        return [summary] + rejected.prefix(eventsListed).map(event)
    }

    /// Live-data commands since the last delta: counted only (each refusal is a dead
    /// letter, listed by the ingest API).
    static func liveSummary(applied: Int, rejected: Int) -> JSONValue {
        .object([("type", .string("live.summary")), ("applied", .number(Double(applied))), ("rejected", .number(Double(rejected)))])
    }

    private static func event(_ c: AppliedCommand) -> JSONValue {
        .object([("type", .string(c.rejection == nil ? "command.applied" : "command.rejected")),
                 ("step", .number(Double(c.step))), ("command", c.command.json)]
                + (c.rejection.map { [("reason", JSONValue.string($0))] } ?? []))
    }
}
