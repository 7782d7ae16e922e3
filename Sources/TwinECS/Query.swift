@usableFromInline
struct QueryKey: Hashable {
    var terms: [ComponentID]
    var with: [ComponentID]
    var without: [ComponentID]
}

/// The cached match of a query: the tables that have every term and `with`
/// component and no `without` component, and each term's column in each table.
/// Updated incrementally when new tables appear (tables are never removed).
///
/// Iteration reads only `tableHeaders` and `columnHeaders` — raw pointers to
/// storage headers that stay put for a table's lifetime — so walking many small
/// tables costs no reference counting.
@usableFromInline
final class QueryState {
    let key: QueryKey
    @exclusivity(unchecked) @usableFromInline var tables: [Table] = []
    @exclusivity(unchecked) @usableFromInline var tableHeaders: [UnsafeMutablePointer<TableHeader>] = []
    /// `tables.count × termCount` column headers, term-major within a table.
    @exclusivity(unchecked) @usableFromInline var columnHeaders: [UnsafeMutablePointer<ColumnHeader>] = []
    @exclusivity(unchecked) @usableFromInline var scannedTables = 0
    @usableFromInline let termCount: Int
    @usableFromInline let mutableTerms: [Bool]

    init(key: QueryKey, mutableTerms: [Bool]) {
        self.key = key
        self.termCount = key.terms.count
        self.mutableTerms = mutableTerms
    }

    @inlinable @inline(__always)
    func refresh(_ world: World) {
        if scannedTables != world.tables.count { scan(world) }
    }

    @usableFromInline
    func scan(_ world: World) {
        let all = world.tables
        while scannedTables < all.count {
            let t = all[scannedTables]
            scannedTables += 1
            guard key.terms.allSatisfy(t.has), key.with.allSatisfy(t.has), !key.without.contains(where: t.has) else {
                continue
            }
            tables.append(t)
            tableHeaders.append(t.header)
            for id in key.terms { columnHeaders.append(t.columns[t.column(of: id)].header) }
        }
    }
}

/// Rows handed to a chunk callback: `count` rows of one table, with their entities.
public struct QueryChunk {
    public let count: Int
    public let entities: UnsafeBufferPointer<Entity>
    /// Offset of the first row within its table.
    public let firstRow: Int

    @inlinable init(count: Int, entities: UnsafeBufferPointer<Entity>, firstRow: Int) {
        self.count = count; self.entities = entities; self.firstRow = firstRow
    }
}

/// A fixed slice of a query's rows (`maxRows` at most), for parallel processing:
/// disjoint slices may be processed on different threads.
public struct QuerySlice: Sendable, Hashable {
    public let tableSlot: Int
    public let start: Int
    public let count: Int
}

/// A typed query over entities that have every term's component.
///
/// Terms are component types (read) or `Mut<C>` (write). The match is cached in the
/// world and kept up to date as tables appear, so keep a `Query` around in a system
/// rather than rebuilding it every step.
///
/// ```swift
/// let moving = world.query(Mut<Position>.self, Velocity.self).without(Frozen.self)
/// moving.forEachChunk { chunk, pos, vel in
///     for i in 0..<chunk.count { pos[i] += vel[i] * dt }
/// }
/// ```
public struct Query<each T: QueryTerm> {
    @usableFromInline let world: World
    @usableFromInline let state: QueryState

    @usableFromInline init(world: World, state: QueryState) {
        self.world = world
        self.state = state
    }

    public init(_ world: World, _ terms: repeat (each T).Type) {
        var ids: [ComponentID] = []
        var mutable: [Bool] = []
        for t in repeat each terms {
            ids.append(world.registry.idRegisteringIfNeeded(t.Stored.self))
            mutable.append(t.isMutable)
        }
        precondition(Set(ids).count == ids.count, "a component appears twice in one query")
        self.init(world: world, key: QueryKey(terms: ids, with: [], without: []), mutable: mutable)
    }

    init(world: World, key: QueryKey, mutable: [Bool]) {
        self.world = world
        if let s = world.queryStates[key] {
            state = s
        } else {
            let s = QueryState(key: key, mutableTerms: mutable)
            world.queryStates[key] = s
            state = s
        }
    }

    /// The same query, also requiring component `C` (not handed to the callback).
    public func with<C: Component>(_ type: C.Type) -> Query {
        var k = state.key
        k.with = Array(Set(k.with + [world.registry.idRegisteringIfNeeded(type)])).sorted()
        return Query(world: world, key: k, mutable: state.mutableTerms)
    }

    /// The same query, excluding entities that have component `C`.
    public func without<C: Component>(_ type: C.Type) -> Query {
        var k = state.key
        k.without = Array(Set(k.without + [world.registry.idRegisteringIfNeeded(type)])).sorted()
        return Query(world: world, key: k, mutable: state.mutableTerms)
    }

    /// Number of matching entities.
    public var count: Int {
        state.refresh(world)
        return state.tableHeaders.reduce(0) { $0 + $1.pointee.count }
    }

    /// Matching entities in table order.
    public var entities: [Entity] {
        state.refresh(world)
        return state.tables.flatMap { Array($0.entityBuffer) }
    }

    @inlinable @inline(__always)
    static func chunkOf<Term: QueryTerm>(
        _ term: Term.Type, _ column: UnsafeMutablePointer<ColumnHeader>, start: Int, count: Int, tick: UInt32
    ) -> Term.Chunk {
        if Term.isMutable { column.pointee.markChanged(start: start, count: count, tick: tick) }
        return Term.chunk(column.pointee.base.assumingMemoryBound(to: Term.Stored.self) + start, count)
    }

    @inlinable @inline(__always)
    static func baseOf<Term: QueryTerm>(
        _ term: Term.Type, _ column: UnsafeMutablePointer<ColumnHeader>, count: Int, tick: UInt32
    ) -> UnsafeMutablePointer<Term.Stored> {
        if Term.isMutable { column.pointee.markChanged(start: 0, count: count, tick: tick) }
        return column.pointee.base.assumingMemoryBound(to: Term.Stored.self)
    }

    /// Calls `body` once per non-empty matching table with the raw column buffers:
    /// the fast path for hot loops. `Mut` terms stamp every visited row as changed.
    @inlinable
    public func forEachChunk(_ body: (QueryChunk, repeat (each T).Chunk) throws -> Void) rethrows {
        let state = self.state
        state.refresh(world)
        world.iterationDepth += 1
        defer { world.iterationDepth -= 1 }
        let tick = world.changeTick
        let n = state.termCount
        let tables = state.tableHeaders
        let columns = state.columnHeaders
        for ti in 0..<tables.count {
            let th = tables[ti]
            let count = th.pointee.count
            if count == 0 { continue }
            var k = ti * n
            try body(
                QueryChunk(count: count, entities: UnsafeBufferPointer(start: th.pointee.entities, count: count), firstRow: 0),
                repeat Self.chunkOf((each T).self, columns[postIncrement(&k)], start: 0, count: count, tick: tick))
        }
    }

    /// Calls `body` for every matching entity with each term's row
    /// (a value for read terms, a pointer for `Mut` terms).
    @inlinable
    public func forEach(_ body: (Entity, repeat (each T).Row) throws -> Void) rethrows {
        let state = self.state
        state.refresh(world)
        world.iterationDepth += 1
        defer { world.iterationDepth -= 1 }
        let tick = world.changeTick
        let n = state.termCount
        let tables = state.tableHeaders
        let columns = state.columnHeaders
        for ti in 0..<tables.count {
            let th = tables[ti]
            let count = th.pointee.count
            if count == 0 { continue }
            var k = ti * n
            let bases = (repeat Self.baseOf((each T).self, columns[postIncrement(&k)], count: count, tick: tick))
            let ents = th.pointee.entities
            for i in 0..<count {
                try body(ents[i], repeat (each T).row(each bases, i))
            }
        }
    }

    /// The query's rows cut into slices of at most `maxRows`, in a fixed order. The
    /// cut depends only on the world's contents, never on the thread count, so work
    /// spread over threads by slice combines deterministically.
    public func slices(maxRows: Int) -> [QuerySlice] {
        state.refresh(world)
        let m = max(1, maxRows)
        var out: [QuerySlice] = []
        for (ti, t) in state.tableHeaders.enumerated() {
            let c = t.pointee.count
            var s = 0
            while s < c {
                out.append(QuerySlice(tableSlot: ti, start: s, count: min(m, c - s)))
                s += m
            }
        }
        return out
    }

    /// Runs `body` on one slice from `slices(maxRows:)`. Safe to call concurrently for
    /// disjoint slices, provided nothing changes the world's structure meanwhile.
    @inlinable
    public func withSlice(_ slice: QuerySlice, _ body: (QueryChunk, repeat (each T).Chunk) throws -> Void) rethrows {
        let th = state.tableHeaders[slice.tableSlot]
        let columns = state.columnHeaders
        var k = slice.tableSlot * state.termCount
        let tick = world.changeTick
        try body(
            QueryChunk(
                count: slice.count, entities: UnsafeBufferPointer(start: th.pointee.entities + slice.start, count: slice.count),
                firstRow: slice.start),
            repeat Self.chunkOf((each T).self, columns[postIncrement(&k)], start: slice.start, count: slice.count, tick: tick))
    }

    /// The terms' rows for one entity, if it matches.
    @inlinable
    public func get(_ e: Entity) -> (repeat (each T).Row)? {
        guard world.isAlive(e) else { return nil }
        state.refresh(world)
        let rec = world.records[Int(e.index)]
        guard let ti = state.tables.firstIndex(where: { $0.index == Int(rec.table) }) else { return nil }
        let row = Int(rec.row)
        let columns = state.columnHeaders
        var k = ti * state.termCount
        let tick = world.changeTick
        return (repeat Self.rowOf((each T).self, columns[postIncrement(&k)], row: row, tick: tick))
    }

    @inlinable @inline(__always)
    static func rowOf<Term: QueryTerm>(_ term: Term.Type, _ column: UnsafeMutablePointer<ColumnHeader>, row: Int, tick: UInt32) -> Term.Row {
        if Term.isMutable { column.pointee.ticks[row].changed = tick }
        return Term.row(column.pointee.base.assumingMemoryBound(to: Term.Stored.self), row)
    }
}

@inlinable @inline(__always)
func postIncrement(_ k: inout Int) -> Int {
    defer { k += 1 }
    return k
}

extension World {
    /// A query over entities having every term's component; see `Query`.
    public func query<each T: QueryTerm>(_ terms: repeat (each T).Type) -> Query<repeat each T> {
        Query(self, repeat each terms)
    }
}
