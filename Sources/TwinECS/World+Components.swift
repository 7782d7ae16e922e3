/// A cached spawn signature: the table for a tuple of component types, and which
/// column each tuple element goes to.
@usableFromInline
final class BundleInfo {
    @usableFromInline let typeKeys: [UInt]
    @usableFromInline let table: Table
    @usableFromInline let columns: [Int]

    init(typeKeys: [UInt], table: Table, columns: [Int]) {
        self.typeKeys = typeKeys; self.table = table; self.columns = columns
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
        if let b = bundleCache[h] {
            var k = 0
            var same = true
            _ = (repeat Self.check(&same, b.typeKeys, &k, each types))
            if same && k == b.typeKeys.count { return b }
        }
        return makeBundle(repeat each types, hash: h)
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
        let b = BundleInfo(typeKeys: keys, table: table, columns: ids.map { table.column(of: $0) })
        bundleCache[hash] = b
        return b
    }

    @inlinable @inline(__always)
    func appendValues<each C: Component>(_ values: repeat each C, to b: BundleInfo, tick: UInt32) {
        var k = 0
        let columns = (repeat Self.column(of: (each C).self, in: b, slot: postIncrement(&k)))
        // Expression expansions (not `for … in repeat` loops), so a concrete pack
        // specialises into straight-line code.
        _ = (repeat Self.appendOne(each values, to: each columns, tick: tick))
    }

    @inlinable @inline(__always)
    static func column<C: Component>(of type: C.Type, in b: BundleInfo, slot: Int) -> Column<C> {
        unsafeDowncast(b.table.columns[b.columns[slot]], to: Column<C>.self)
    }

    @inlinable @inline(__always)
    static func appendOne<C: Component>(_ v: C, to column: Column<C>, tick: UInt32) {
        column.append(v, tick: tick)
    }

    /// Spawns an entity with the given components (each type at most once).
    @inlinable @discardableResult
    public func spawn<each C: Component>(_ components: repeat each C) -> Entity {
        checkNotIterating()
        let b = bundle(repeat (each C).self)
        let e = allocateEntity()
        appendValues(repeat each components, to: b, tick: changeTick)
        place(e, in: b.table)
        return e
    }

    /// Spawns `count` entities whose components `make(i)` returns, reserving storage once.
    @inlinable @discardableResult
    public func spawnBatch<each C: Component>(count: Int, _ make: (Int) -> (repeat each C)) -> [Entity] {
        checkNotIterating()
        guard count > 0 else { return [] }
        let b = bundle(repeat (each C).self)
        b.table.reserve(b.table.count + count)
        records.reserveCapacity(records.count + count)
        var out: [Entity] = []
        out.reserveCapacity(count)
        let tick = changeTick
        for i in 0..<count {
            let e = allocateEntity()
            appendValues(repeat each make(i), to: b, tick: tick)
            place(e, in: b.table)
            out.append(e)
        }
        return out
    }

    // MARK: Single components

    /// Inserts or replaces `value` on `e`. Returns false (and does nothing) if `e` is dead.
    @discardableResult
    public func insert<C: Component>(_ value: C, on e: Entity) -> Bool {
        guard isAlive(e) else { return false }
        let id = registry.idRegisteringIfNeeded(C.self)
        let rec = records[Int(e.index)]
        let source = tables[Int(rec.table)]
        let existing = source.column(of: id)
        if existing >= 0 {
            let c = unsafeDowncast(source.columns[existing], to: Column<C>.self)
            c.base[Int(rec.row)] = value
            c.changedTicks[Int(rec.row)] = changeTick
            return true
        }
        checkNotIterating()
        let dest = table(source, adding: id)
        _ = move(e, from: source, row: Int(rec.row), to: dest)
        unsafeDowncast(dest.columns[dest.column(of: id)], to: Column<C>.self).append(value, tick: changeTick)
        return true
    }

    /// Removes component `C` from `e`, returning the removed value.
    @discardableResult
    public func remove<C: Component>(_ type: C.Type, from e: Entity) -> C? {
        guard isAlive(e), let id = registry.id(of: type) else { return nil }
        let rec = records[Int(e.index)]
        let source = tables[Int(rec.table)]
        let col = source.column(of: id)
        guard col >= 0 else { return nil }
        let value = unsafeDowncast(source.columns[col], to: Column<C>.self).base[Int(rec.row)]
        _ = remove(id, from: e)
        return value
    }

    /// Removes the component with id `id` from `e`; false if absent or `e` is dead.
    @discardableResult
    public func remove(_ id: ComponentID, from e: Entity) -> Bool {
        guard isAlive(e) else { return false }
        let rec = records[Int(e.index)]
        let source = tables[Int(rec.table)]
        guard source.has(id) else { return false }
        checkNotIterating()
        let dest = table(source, removing: id)
        _ = move(e, from: source, row: Int(rec.row), to: dest)
        removalLog.append(Removal(entity: e, component: id, tick: changeTick))
        return true
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
        c.changedTicks[Int(rec.row)] = changeTick
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
        rows(of: id, stampedAfter: tick) { $0.changedTicks }
    }

    /// Entities whose component `C` was added after `tick`.
    public func added<C: Component>(_ type: C.Type, since tick: UInt32) -> [Entity] {
        guard let id = registry.id(of: type) else { return [] }
        return rows(of: id, stampedAfter: tick) { $0.addedTicks }
    }

    /// Entities whose tick in `ticks(column)` is later than `tick` (modulo wrap-around).
    private func rows(of id: ComponentID, stampedAfter tick: UInt32, _ ticks: (AnyColumn) -> UnsafeMutablePointer<UInt32>) -> [Entity] {
        var out: [Entity] = []
        for t in tables {
            let col = t.column(of: id)
            guard col >= 0 else { continue }
            let stamps = ticks(t.columns[col])
            for row in 0..<t.count where Self.isAfter(stamps[row], tick) { out.append(t.entity(at: row)) }
        }
        return out.sorted()
    }

    /// Tick order with wrap-around: `a` is after `b` when it is ahead by less than half the range.
    static func isAfter(_ a: UInt32, _ b: UInt32) -> Bool { a != b && a &- b < UInt32.max / 2 }

    /// Despawns and removals after `tick`, in the order they happened.
    public func removals(since tick: UInt32) -> ArraySlice<Removal> {
        let start = removalLog.firstIndex { Self.isAfter($0.tick, tick) } ?? removalLog.count
        return removalLog[start...]
    }

    /// Drops removal-log entries at or before `tick` (once every consumer has seen them).
    public func trimRemovalLog(through tick: UInt32) {
        removalLog.removeAll { !Self.isAfter($0.tick, tick) }
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
