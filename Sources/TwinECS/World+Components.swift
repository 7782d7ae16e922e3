/// A cached spawn signature: the table for a tuple of component types, and the
/// header of the column each tuple element goes to.
@usableFromInline
final class BundleInfo {
    @usableFromInline let hash: UInt
    @usableFromInline let typeKeys: [UInt]
    @usableFromInline let table: Table
    @usableFromInline let columns: [AnyColumn]
    @usableFromInline let headers: [UnsafeMutablePointer<ColumnHeader>]

    init(hash: UInt, typeKeys: [UInt], table: Table, slots: [Int]) {
        self.hash = hash
        self.typeKeys = typeKeys
        self.table = table
        columns = slots.map { table.columns[$0] }
        headers = columns.map(\.header)
    }
}

extension World {
    @inlinable @inline(__always)
    static func typeKey(_ t: Any.Type) -> UInt { UInt(bitPattern: ObjectIdentifier(t)) }

    /// The table and column slots for spawning the component tuple `C…`.
    @inlinable
    func bundle<each C: Component>(_ types: repeat (each C).Type) -> BundleInfo {
        var h: UInt = 0x9E37_79B9
        _ = (repeat Self.mix(&h, each types))
        if let last = lastBundle, last.hash == h, Self.matches(last, repeat each types) { return last }
        if let b = bundleCache[h], Self.matches(b, repeat each types) {
            lastBundle = b
            return b
        }
        let b = makeBundle(repeat each types, hash: h)
        lastBundle = b
        return b
    }

    @inlinable @inline(__always)
    static func matches<each C: Component>(_ b: BundleInfo, _ types: repeat (each C).Type) -> Bool {
        var k = 0
        var same = true
        _ = (repeat Self.check(&same, b.typeKeys, &k, each types))
        return same && k == b.typeKeys.count
    }

    @inlinable @inline(__always)
    static func mix(_ h: inout UInt, _ t: Any.Type) { h = (h &* 0x100_0000_01B3) ^ typeKey(t) }

    @inlinable @inline(__always)
    static func check(_ same: inout Bool, _ keys: [UInt], _ k: inout Int, _ t: Any.Type) {
        if k >= keys.count || keys[k] != typeKey(t) { same = false }
        k += 1
    }

    @usableFromInline
    func makeBundle<each C: Component>(_ types: repeat (each C).Type, hash: UInt) -> BundleInfo {
        var ids: [ComponentID] = []
        var keys: [UInt] = []
        for t in repeat each types {
            ids.append(registry.idRegisteringIfNeeded(t))
            keys.append(Self.typeKey(t))
        }
        let unique = Array(Set(ids)).sorted()
        precondition(unique.count == ids.count, "a component type appears twice in one spawn")
        let table = table(for: unique)
        let b = BundleInfo(hash: hash, typeKeys: keys, table: table, slots: ids.map { table.column(of: $0) })
        bundleCache[hash] = b
        return b
    }

    /// Appends one row of values to the bundle's columns. Straight-line code per
    /// component once specialised; the column object is touched only to grow.
    @inlinable @inline(__always)
    func appendValues<each C: Component>(_ values: repeat each C, to b: BundleInfo, tick: UInt32) {
        var k = 0
        _ = (repeat Self.appendOne(each values, to: b, slot: postIncrement(&k), tick: tick))
    }

    @inlinable @inline(__always)
    static func appendOne<C: Component>(_ v: C, to b: BundleInfo, slot: Int, tick: UInt32) {
        let h = b.headers[slot]
        let n = h.pointee.count
        if n == h.pointee.capacity { b.columns[slot].reserve(n + 1) }
        (h.pointee.base.assumingMemoryBound(to: C.self) + n).initialize(to: v)
        h.pointee.ticks[n] = RowTicks(both: tick)
        h.pointee.count = n + 1
    }

    /// Spawns an entity with the given components (each type at most once). For one
    /// to eight components prefer `spawn(_:…)`, whose fixed arity specialises fully.
    @inlinable @discardableResult
    public func spawnBundle<each C: Component>(_ components: repeat each C) -> Entity {
        checkNotIterating()
        let b = bundle(repeat (each C).self)
        let e = allocateEntity()
        appendValues(repeat each components, to: b, tick: changeTick)
        place(e, in: b.table)
        return e
    }

    /// Spawns `count` entities that all start with the given component values,
    /// reserving storage once and filling each column in one pass.
    @inlinable @discardableResult
    public func spawnBatch<each C: Component>(count: Int, _ components: repeat each C) -> [Entity] {
        checkNotIterating()
        guard count > 0 else { return [] }
        let b = bundle(repeat (each C).self)
        let start = b.table.count
        b.table.reserve(start + count)
        let tick = changeTick
        var k = 0
        _ = (repeat Self.fill(each components, b, postIncrement(&k), start: start, count: count, tick: tick))
        return placeBatch(count: count, in: b.table)
    }

    /// Spawns one entity per element of the arrays (which must have equal lengths),
    /// copying each array into its column in one pass.
    @inlinable @discardableResult
    public func spawnBatch<each C: Component>(_ columns: repeat [each C]) -> [Entity] {
        checkNotIterating()
        var lengths: [Int] = []
        for c in repeat each columns { lengths.append(c.count) }
        guard let count = lengths.first, count > 0 else { return [] }
        precondition(lengths.allSatisfy { $0 == count }, "spawnBatch: arrays of different lengths")
        let b = bundle(repeat (each C).self)
        let start = b.table.count
        b.table.reserve(start + count)
        let tick = changeTick
        var k = 0
        _ = (repeat Self.copy(each columns, b, postIncrement(&k), start: start, tick: tick))
        return placeBatch(count: count, in: b.table)
    }

    @inlinable @inline(__always)
    static func fill<C: Component>(_ v: C, _ b: BundleInfo, _ slot: Int, start: Int, count: Int, tick: UInt32) {
        let h = b.headers[slot]
        let first = h.pointee.base.assumingMemoryBound(to: C.self) + start
        if h.pointee.isTrivial {
            // Pack elements are not specialised, so a typed fill would copy element by
            // element through the value witness; plain data doubles with memcpy instead.
            first.initialize(to: v)
            let stride = h.pointee.stride
            var done = 1
            while done < count {
                let n = Swift.min(done, count - done)
                (UnsafeMutableRawPointer(first) + done * stride).copyMemory(from: first, byteCount: n * stride)
                done += n
            }
        } else {
            first.initialize(repeating: v, count: count)
        }
        (h.pointee.ticks + start).initialize(repeating: RowTicks(both: tick), count: count)
        h.pointee.count = start + count
    }

    @inlinable @inline(__always)
    static func copy<C: Component>(_ values: [C], _ b: BundleInfo, _ slot: Int, start: Int, tick: UInt32) {
        let h = b.headers[slot]
        values.withUnsafeBufferPointer { src in
            guard let s = src.baseAddress else { return }
            (h.pointee.base.assumingMemoryBound(to: C.self) + start).initialize(from: s, count: src.count)
        }
        (h.pointee.ticks + start).initialize(repeating: RowTicks(both: tick), count: values.count)
        h.pointee.count = start + values.count
    }

    /// Allocates `count` entities for rows already written at the end of `table`.
    @usableFromInline
    func placeBatch(count: Int, in table: Table) -> [Entity] {
        var out = [Entity]()
        out.reserveCapacity(count)
        reserveRecords(recordCount + count)
        let th = table.header
        var row = th.pointee.count
        table.reserveEntities(row + count)
        for _ in 0..<count {
            let e = allocateEntity()
            (th.pointee.entities + row).initialize(to: e)
            records[Int(e.index)].table = Int32(table.index)
            records[Int(e.index)].row = Int32(row)
            row += 1
            out.append(e)
        }
        th.pointee.count = row
        _aliveCount += count
        return out
    }

    // MARK: Single components

    /// Inserts or replaces `value` on `e`. Returns false (and does nothing) if `e` is dead.
    @inlinable @discardableResult
    public func insert<C: Component>(_ value: C, on e: Entity) -> Bool {
        guard isAlive(e) else { return false }
        let id = registry.idRegisteringIfNeeded(C.self)
        let rec = recordBase[Int(e.index)]
        let raw = rawTables + Int(rec.table)
        let existing = raw.pointee.column(id.raw)
        if existing >= 0 {
            let h = raw.pointee.columnHeaders[existing]
            h.pointee.base.assumingMemoryBound(to: C.self)[Int(rec.row)] = value
            h.pointee.ticks[Int(rec.row)].changed = changeTick
            return true
        }
        checkNotIterating()
        if let plan = raw.pointee.addPlan(id.raw), let h = plan.pointee.added {
            // The cached edge: the new value first (so it is not kept in registers
            // across the move), then byte moves of every other column.
            let n = h.pointee.count
            if n == h.pointee.capacity { h.pointee.growTrivial(to: n &+ 1) }
            (h.pointee.base.assumingMemoryBound(to: C.self) + n).initialize(to: value)
            h.pointee.ticks[n] = RowTicks(both: changeTick)
            h.pointee.count = n &+ 1
            _ = movePlanned(e, row: Int(rec.row), from: raw, plan)
            return true
        }
        return insertSlow(value, on: e, id: id, record: rec)
    }

    /// `insert` along an edge without a plan yet (made here, when possible). Kept out
    /// of line so the planned path stays small (fewer registers saved and spilled).
    @inlinable @inline(never)
    func insertSlow<C: Component>(_ value: C, on e: Entity, id: ComponentID, record rec: EntityRecord) -> Bool {
        let source = tables[Int(rec.table)]
        let dest = table(source, adding: id)
        makePlan(from: source, to: dest, component: id, adding: true)
        _ = move(e, from: source, row: Int(rec.row), to: dest)
        let slot = dest.column(of: id)
        let h = dest.columnHeaders[slot]
        let n = h.pointee.count
        if n == h.pointee.capacity {
            if h.pointee.isTrivial { h.pointee.growTrivial(to: n + 1) } else { dest.columns[slot].reserve(n + 1) }
        }
        (h.pointee.base.assumingMemoryBound(to: C.self) + n).initialize(to: value)
        h.pointee.ticks[n] = RowTicks(both: changeTick)
        h.pointee.count = n + 1
        return true
    }

    /// Removes component `C` from `e`, returning the removed value.
    @inlinable @discardableResult
    public func remove<C: Component>(_ type: C.Type, from e: Entity) -> C? {
        guard isAlive(e), let id = registry.id(of: type) else { return nil }
        let rec = recordBase[Int(e.index)]
        let raw = rawTables + Int(rec.table)
        let col = raw.pointee.column(id.raw)
        guard col >= 0 else { return nil }
        let value = raw.pointee.columnHeaders[col].pointee.base.assumingMemoryBound(to: C.self)[Int(rec.row)]
        if let plan = raw.pointee.removePlan(id.raw) {
            checkNotIterating()
            _ = movePlanned(e, row: Int(rec.row), from: raw, plan)
            logRemoval(e, component: id)
            return value
        }
        removeRow(of: e, from: tables[Int(rec.table)], row: Int(rec.row), component: id)
        return value
    }

    /// Removes the component with id `id` from `e`; false if absent or `e` is dead.
    @discardableResult
    public func remove(_ id: ComponentID, from e: Entity) -> Bool {
        guard isAlive(e) else { return false }
        let rec = records[Int(e.index)]
        let source = tables[Int(rec.table)]
        guard source.has(id) else { return false }
        removeRow(of: e, from: source, row: Int(rec.row), component: id)
        return true
    }

    @usableFromInline
    func removeRow(of e: Entity, from source: Table, row: Int, component id: ComponentID) {
        checkNotIterating()
        let dest = table(source, removing: id)
        makePlan(from: source, to: dest, component: id, adding: false)
        _ = move(e, from: source, row: row, to: dest)
        logRemoval(e, component: id)
    }

    /// Appends a component removal (nil: a despawn) to the removal log.
    @inlinable @inline(__always)
    func logRemoval(_ e: Entity, component id: ComponentID?) {
        log.append(e, component: id.map { Int32(truncatingIfNeeded: $0.raw) } ?? -1, tick: changeTick)
    }

    /// A copy of `e`'s component `C`, or nil.
    @inlinable
    public func get<C: Component>(_ type: C.Type, of e: Entity) -> C? {
        guard isAlive(e), let id = registry.id(of: type) else { return nil }
        let rec = records[Int(e.index)]
        let t = tables[Int(rec.table)]
        let col = t.column(of: id)
        guard col >= 0 else { return nil }
        return unsafeDowncast(t.columns[col], to: Column<C>.self).base[Int(rec.row)]
    }

    @inlinable
    public func has<C: Component>(_ type: C.Type, _ e: Entity) -> Bool {
        guard isAlive(e), let id = registry.id(of: type) else { return false }
        return tables[Int(records[Int(e.index)].table)].has(id)
    }

    /// Mutates `e`'s component `C` in place (stamping its change tick); nil if absent.
    @inlinable @discardableResult
    public func update<C: Component, R>(_ type: C.Type, of e: Entity, _ body: (inout C) throws -> R) rethrows -> R? {
        guard isAlive(e), let id = registry.id(of: type) else { return nil }
        let rec = records[Int(e.index)]
        let t = tables[Int(rec.table)]
        let col = t.column(of: id)
        guard col >= 0 else { return nil }
        let c = unsafeDowncast(t.columns[col], to: Column<C>.self)
        c.header.pointee.ticks[Int(rec.row)].changed = changeTick
        return try body(&c.base[Int(rec.row)])
    }

    /// The component ids `e` has, ascending.
    public func componentIDs(of e: Entity) -> [ComponentID] {
        guard isAlive(e) else { return [] }
        return tables[Int(records[Int(e.index)].table)].componentIDs
    }

    // MARK: By name (scenes, snapshots, API, ingest)

    /// Decodes `value` as the component named `name` and inserts it on `e`.
    public func insert(componentNamed name: String, value: JSONValue, on e: Entity, decoder: JSONValueDecoder = .init()) throws {
        guard let type = registry.type(named: name) else {
            throw JSONDecodingError(
                path: decoder.basePath, location: value.location,
                message: Suggestions.unknownMessage(kind: "component", name: name, known: registry.names))
        }
        try type.insertDecoded(value, on: e, in: self, decoder: decoder)
    }

    /// `e`'s components as JSON, by component name in name order.
    public func encodeComponents(of e: Entity) -> [(name: String, value: JSONValue)] {
        guard isAlive(e) else { return [] }
        let rec = records[Int(e.index)]
        let t = tables[Int(rec.table)]
        return t.columnsByName.map { entry in
            (entry.name, (try? t.columns[entry.column].encodeRow(Int(rec.row))) ?? .null)
        }
    }

    /// The component named `name` on `e` as JSON, or nil.
    public func encodeComponent(named name: String, of e: Entity) -> JSONValue? {
        guard isAlive(e), let type = registry.type(named: name) else { return nil }
        let rec = records[Int(e.index)]
        let t = tables[Int(rec.table)]
        let col = t.column(of: type.id)
        guard col >= 0 else { return nil }
        return try? t.columns[col].encodeRow(Int(rec.row))
    }

    // MARK: Determinism and change tracking

    /// A hash of every live entity and all its component data, in slot order with
    /// components in name order: equal worlds give equal hashes on every run.
    public func stateHash() -> UInt64 {
        var h = StableHasher()
        h.combine(aliveCount)
        for (i, r) in records.enumerated() where r.table >= 0 {
            h.combine(UInt64(i)); h.combine(r.generation)
            let t = tables[Int(r.table)]
            for entry in t.columnsByName {
                h.combine(entry.name)
                t.columns[entry.column].hashRow(Int(r.row), into: &h)
            }
        }
        return h.value
    }

    /// Entities whose component `C` was inserted or mutably accessed after `tick`.
    public func changed<C: Component>(_ type: C.Type, since tick: UInt32) -> [Entity] {
        guard let id = registry.id(of: type) else { return [] }
        return changed(id, since: tick)
    }

    public func changed(_ id: ComponentID, since tick: UInt32) -> [Entity] {
        rows(of: id, stampedAfter: tick) { $0.changeTick($1) }
    }

    /// Entities whose component `C` was added after `tick`.
    public func added<C: Component>(_ type: C.Type, since tick: UInt32) -> [Entity] {
        guard let id = registry.id(of: type) else { return [] }
        return rows(of: id, stampedAfter: tick) { $0.addedTick($1) }
    }

    /// Entities whose `stamp(column, row)` is later than `tick` (modulo wrap-around).
    private func rows(of id: ComponentID, stampedAfter tick: UInt32, _ stamp: (AnyColumn, Int) -> UInt32) -> [Entity] {
        var out: [Entity] = []
        for t in tables {
            let col = t.column(of: id)
            guard col >= 0 else { continue }
            let column = t.columns[col]
            for row in 0..<t.count where Self.isAfter(stamp(column, row), tick) { out.append(t.entity(at: row)) }
        }
        return out.sorted()
    }

    /// Tick order with wrap-around: `a` is after `b` when it is ahead by less than half the range.
    static func isAfter(_ a: UInt32, _ b: UInt32) -> Bool { a != b && a &- b < UInt32.max / 2 }

    /// Despawns and removals after `tick`, in the order they happened.
    public func removals(since tick: UInt32) -> ArraySlice<Removal> {
        var first = 0
        while first < log.runCount && !Self.isAfter(log.runs[first].tick, tick) { first += 1 }
        return ArraySlice(log.removals(fromRun: first))
    }

    /// Drops removal-log entries at or before `tick` (once every consumer has seen them).
    public func trimRemovalLog(through tick: UInt32) {
        log.retainRuns { Self.isAfter($0, tick) }
    }
}

extension World {
    /// Live entities having every component in `with` and none in `without`, in
    /// table order (deterministic).
    public func entities(with: [ComponentID], without: [ComponentID] = []) -> [Entity] {
        var out: [Entity] = []
        for t in tables where with.allSatisfy(t.has) && !without.contains(where: t.has) {
            out.append(contentsOf: t.entityBuffer)
        }
        return out
    }

    /// Number of live entities having every component in `with` and none in `without`.
    public func count(with: [ComponentID], without: [ComponentID] = []) -> Int {
        var n = 0
        for t in tables where with.allSatisfy(t.has) && !without.contains(where: t.has) { n += t.count }
        return n
    }
}
