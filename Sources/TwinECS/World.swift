/// The entity-component store: entity slots, archetype tables, the component
/// registry, resources, events, the command buffer and change ticks.
///
/// ## Design notes
/// Archetype storage in the style of flecs and Bevy: each distinct set of component
/// types is a `Table` whose columns are contiguous arrays, so a query walks plain
/// memory. Entities are index + generation handles into `records`, which say where
/// each entity's row is. Structural changes (spawn, despawn, insert of a new
/// component type, remove) move rows between tables and must not happen while a
/// query is iterating: during iteration, use `commands`, applied by the runner at
/// the end of each phase.
///
/// Change ticks: `changeTick` advances whenever the runner starts a system; every
/// insert or mutable access stamps the row with the current tick, so a consumer that
/// remembers the tick it last looked at can ask what changed since.
///
/// Hot stored properties are `@exclusivity(unchecked)`: dynamic exclusivity checks
/// on them cost more than the work itself in per-entity paths (measured with perf:
/// `swift_beginAccess` was the top symbol of `twin bench ecs`). Their accesses are
/// confined to this module's short, non-reentrant methods; debug-build tests run the
/// randomized model test over them.
///
/// - Warning: not thread-safe. Parallel work inside a system goes through
///   `Query.chunks(maxRows:)`, whose disjoint row ranges may be processed concurrently.
public final class World {
    public let registry = ComponentRegistry()
    /// Entity slots, manually managed: written on every spawn, move and despawn, so a
    /// Swift array's copy-on-write checks would cost more than the writes themselves.
    @exclusivity(unchecked) @usableFromInline var recordBase = UnsafeMutablePointer<EntityRecord>.allocate(capacity: 0)
    @exclusivity(unchecked) @usableFromInline var recordCount = 0
    @exclusivity(unchecked) @usableFromInline var recordCapacity = 0

    @inlinable var records: UnsafeMutableBufferPointer<EntityRecord> {
        UnsafeMutableBufferPointer(start: recordBase, count: recordCount)
    }
    @exclusivity(unchecked) @usableFromInline var freeList: [UInt32] = []
    @exclusivity(unchecked) @usableFromInline var tables: [Table] = []
    /// Every table's hot pointers and move plans, by table index (see `MovePlan`).
    @exclusivity(unchecked) @usableFromInline var rawTables = UnsafeMutablePointer<TableRaw>.allocate(capacity: 0)
    @exclusivity(unchecked) var rawCount = 0
    @exclusivity(unchecked) var rawCapacity = 0
    @exclusivity(unchecked) var tableBySignature: [[ComponentID]: Int] = [:]
    @exclusivity(unchecked) @usableFromInline var bundleCache: [UInt: BundleInfo] = [:]
    @exclusivity(unchecked) @usableFromInline var lastBundle: BundleInfo?
    @exclusivity(unchecked) @usableFromInline var queryStates: [QueryKey: QueryState] = [:]
    @exclusivity(unchecked) @usableFromInline var iterationDepth = 0
    /// The current change tick; see the type's discussion.
    @exclusivity(unchecked) public internal(set) var changeTick: UInt32 = 1
    public var aliveCount: Int { _aliveCount }
    @exclusivity(unchecked) @usableFromInline var _aliveCount = 0

    var resourceStorage: [ObjectIdentifier: Any] = [:]
    var eventChannels: [ObjectIdentifier: AnyEventChannel] = [:]
    var eventChannelList: [AnyEventChannel] = []
    /// Despawns and component removals with their tick, for change consumers.
    /// Manually managed (appended on every despawn and removal, where an array's
    /// uniqueness check and growth path cost more than the store itself).
    @exclusivity(unchecked) @usableFromInline var log = RemovalLog()
    public var removalLog: [Removal] { log.removals(fromRun: 0) }

    /// Deferred structural changes, applied by `applyCommands()`.
    public let commands = CommandBuffer()

    public init() {
        let empty = Table(index: 0, componentIDs: [], registry: registry)
        tables.append(empty)
        addRaw(empty)
        tableBySignature[[]] = 0
    }

    deinit {
        recordBase.deallocate()
        log.deallocate()
        for k in 0..<rawCount { rawTables[k].free() }
        rawTables.deinitialize(count: rawCount)
        rawTables.deallocate()
    }

    @usableFromInline
    func reserveRecords(_ n: Int) {
        guard n > recordCapacity else { return }
        let c = max(n, recordCapacity * 2, 64)
        let b = UnsafeMutablePointer<EntityRecord>.allocate(capacity: c)
        b.moveInitialize(from: recordBase, count: recordCount)
        recordBase.deallocate()
        recordBase = b
        recordCapacity = c
    }

    /// Advances the change tick; the runner calls it before each system runs.
    @discardableResult
    public func advanceChangeTick() -> UInt32 {
        changeTick &+= 1
        return changeTick
    }

    // MARK: Entity slots

    @inlinable
    public func isAlive(_ e: Entity) -> Bool {
        Int(e.index) < records.count && records[Int(e.index)].generation == e.generation
            && records[Int(e.index)].table >= 0
    }

    @inlinable @inline(__always)
    func allocateEntity() -> Entity {
        if let i = freeList.popLast() {
            return Entity(index: i, generation: records[Int(i)].generation)
        }
        if recordCount == recordCapacity { reserveRecords(recordCount + 1) }
        (recordBase + recordCount).initialize(to: EntityRecord(generation: 0, table: EntityRecord.free, row: 0))
        recordCount += 1
        return Entity(index: UInt32(recordCount - 1), generation: 0)
    }

    /// Frees a slot: bumps its generation so old handles die; a slot about to wrap is
    /// retired rather than reused.
    func releaseSlot(_ index: Int) {
        records[index].table = EntityRecord.free
        let g = records[index].generation
        if g == UInt32.max - 1 { records[index].generation = .max; return }
        records[index].generation = g + 1
        freeList.append(UInt32(index))
    }

    @inlinable @inline(__always)
    func checkNotIterating() {
        precondition(iterationDepth == 0, "structural change while a query iterates: use world.commands")
    }

    /// Spawns an entity with no components.
    @discardableResult
    public func spawn() -> Entity {
        checkNotIterating()
        let e = allocateEntity()
        place(e, in: tables[0])
        return e
    }

    @inlinable @inline(__always)
    func place(_ e: Entity, in table: Table) {
        let row = table.appendEntity(e)
        recordBase[Int(e.index)].table = Int32(table.index)
        recordBase[Int(e.index)].row = Int32(row)
        _aliveCount += 1
    }

    /// Reserves a handle now for an entity a command buffer will spawn later.
    func reserveEntity() -> Entity {
        let e = allocateEntity()
        records[Int(e.index)].table = EntityRecord.reserved
        return e
    }

    func isReserved(_ e: Entity) -> Bool {
        Int(e.index) < records.count && records[Int(e.index)].generation == e.generation
            && records[Int(e.index)].table == EntityRecord.reserved
    }

    /// Turns a reserved handle into a live entity with no components.
    func materialize(_ e: Entity) -> Bool {
        guard isReserved(e) else { return false }
        place(e, in: tables[0])
        return true
    }

    /// Despawns `e`; false if it was not alive. Its handle (and every copy) is dead forever.
    @discardableResult
    public func despawn(_ e: Entity) -> Bool {
        checkNotIterating()
        if isReserved(e) { releaseSlot(Int(e.index)); return true }
        guard isAlive(e) else { return false }
        let rec = records[Int(e.index)]
        let table = tables[Int(rec.table)]
        let row = Int(rec.row)
        for k in 0..<table.componentIDs.count {
            let h = table.columnHeaders[k]
            if h.pointee.isTrivial { h.pointee.removeTrivialRow(row) } else { table.columns[k].swapRemove(row) }
        }
        removeEntityRow(table, row)
        releaseSlot(Int(e.index))
        _aliveCount -= 1
        logRemoval(e, component: nil)
        return true
    }

    /// Removes `row` from `table.entities` by moving the last row into it.
    @usableFromInline
    func removeEntityRow(_ table: Table, _ row: Int) {
        if let moved = table.removeEntity(at: row) { records[Int(moved.index)].row = Int32(row) }
    }

    /// Every live entity in slot order (a deterministic order).
    public var entities: [Entity] {
        var out: [Entity] = []
        out.reserveCapacity(aliveCount)
        for (i, r) in records.enumerated() where r.table >= 0 {
            out.append(Entity(index: UInt32(i), generation: r.generation))
        }
        return out
    }

    // MARK: Tables

    @usableFromInline
    func table(for ids: [ComponentID]) -> Table {
        if let t = tableBySignature[ids] { return tables[t] }
        let t = Table(index: tables.count, componentIDs: ids, registry: registry)
        tables.append(t)
        addRaw(t)
        tableBySignature[ids] = t.index
        return t
    }

    @usableFromInline
    func table(_ from: Table, adding id: ComponentID) -> Table {
        if let t = from.edge(from.addEdges, id) { return tables[t] }
        var ids = from.componentIDs
        ids.append(id)
        ids.sort()
        let t = table(for: ids)
        from.setEdge(&from.addEdges, id, t.index)
        t.setEdge(&t.removeEdges, id, from.index)
        return t
    }

    func table(_ from: Table, removing id: ComponentID) -> Table {
        if let t = from.edge(from.removeEdges, id) { return tables[t] }
        let t = table(for: from.componentIDs.filter { $0 != id })
        from.setEdge(&from.removeEdges, id, t.index)
        t.setEdge(&t.addEdges, id, from.index)
        return t
    }

    /// Moves `e`'s row from `source` to `dest`, carrying the columns both share and
    /// destroying the ones `dest` lacks. Returns the new row. Columns `dest` has and
    /// `source` lacks are left for the caller to append. Plain-data columns move
    /// byte-wise through their headers; others through their typed column.
    @usableFromInline
    func move(_ e: Entity, from source: Table, row: Int, to dest: Table) -> Int {
        let n = source.componentIDs.count
        let last = source.count - 1, dn = dest.count
        for k in 0..<n {
            let sh = source.columnHeaders[k]
            let d = dest.columnIndex(raw: source.rawIDs[k])
            if sh.pointee.isTrivial {
                if d >= 0 {
                    sh.pointee.moveTrivialRow(row, last: last, into: dest.columnHeaders[d], at: dn)
                } else {
                    sh.pointee.removeTrivialRow(row, last: last)
                }
            } else if d >= 0 {
                source.columns[k].moveRow(row, into: dest.columns[d])
            } else {
                source.columns[k].swapRemove(row)
            }
        }
        removeEntityRow(source, row)
        let newRow = dest.appendEntity(e)
        recordBase[Int(e.index)].table = Int32(dest.index)
        recordBase[Int(e.index)].row = Int32(newRow)
        return newRow
    }

    /// Number of archetype tables (including the empty one).
    public var tableCount: Int { tables.count }
}

/// A despawn (`component == nil`) or a component removal, at a change tick.
public struct Removal: Hashable, Sendable {
    public var entity: Entity
    public var component: ComponentID?
    public var tick: UInt32

    public init(entity: Entity, component: ComponentID?, tick: UInt32) {
        self.entity = entity; self.component = component; self.tick = tick
    }
}
