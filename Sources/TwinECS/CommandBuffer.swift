/// Structural changes recorded during iteration and applied later, in order, by
/// `World.applyCommands()` (the runner does so at the end of every phase).
///
/// `spawn` reserves the entity handle immediately, so later commands in the same
/// buffer (and components to insert) can refer to it. Commands on entities that are
/// dead by the time they apply are skipped and counted in `skipped`.
public final class CommandBuffer {
    enum Command {
        case spawn(Entity, (World, Entity) -> Void)
        case despawn(Entity)
        case insert(Entity, (World, Entity) -> Bool)
        case remove(Entity, (World, Entity) -> Bool)
        case custom((World) -> Void)
    }

    @exclusivity(unchecked) var queue: [Command] = []
    /// Commands that found their entity dead when applied (since the world was made).
    public private(set) var skipped = 0
    weak var world: World?

    public var isEmpty: Bool { queue.isEmpty }
    public var count: Int { queue.count }

    public func despawn(_ e: Entity) { queue.append(.despawn(e)) }

    public func insert<C: Component>(_ value: C, on e: Entity) {
        queue.append(.insert(e, { w, e in w.insert(value, on: e) }))
    }

    public func remove<C: Component>(_ type: C.Type, from e: Entity) {
        queue.append(.remove(e, { w, e in w.remove(type, from: e) != nil || !w.isAlive(e) ? w.isAlive(e) : true }))
    }

    /// Runs arbitrary world code at apply time.
    public func run(_ body: @escaping (World) -> Void) { queue.append(.custom(body)) }

    func take() -> [Command] {
        defer { queue.removeAll(keepingCapacity: true) }
        return queue
    }

    func noteSkipped() { skipped += 1 }
}

extension CommandBuffer {
    /// Queues a spawn; the returned handle is valid (not yet alive) immediately.
    public func spawn<each C: Component>(_ world: World, _ components: repeat each C) -> Entity {
        let e = world.reserveEntity()
        let values = (repeat each components)
        queue.append(.spawn(e, { w, e in
            guard w.materialize(e) else { return }
            for v in repeat each values { w.insert(v, on: e) }
        }))
        return e
    }
}

extension World {
    /// Applies queued commands in order (commands queued while applying run too).
    public func applyCommands() {
        checkNotIterating()
        while !commands.isEmpty {
            for c in commands.take() {
                switch c {
                case .spawn(let e, let body):
                    if isReserved(e) { body(self, e) } else { commands.noteSkipped() }
                case .despawn(let e):
                    if !despawn(e) { commands.noteSkipped() }
                case .insert(let e, let body):
                    if !body(self, e) { commands.noteSkipped() }
                case .remove(let e, let body):
                    if !isAlive(e) { commands.noteSkipped() } else { _ = body(self, e) }
                case .custom(let body):
                    body(self)
                }
            }
        }
    }
}
