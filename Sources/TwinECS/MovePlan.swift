/// Cached row moves along archetype edges, so the common insert and remove of one
/// component run as straight-line pointer work: no table objects (no reference
/// counting), no per-column lookups, no dynamic dispatch.
///
/// Every table has a `TableRaw` entry in the world's `rawTables` (plain pointers into
/// the table's own headers), and per component id an optional `MovePlan` for adding and
/// one for removing that component: the destination table, for each column the two
/// tables share the source and destination column headers, and the column the row is
/// added to or dropped from (the loop has no per-column branch). A plan is made the
/// first time an edge is taken, and only when every source column is plain data (moves
/// are byte copies); other tables keep the general path through their typed columns.

/// One column a planned move carries from the source table to the destination.
@usableFromInline
struct MoveStep {
    @usableFromInline let source: UnsafeMutablePointer<ColumnHeader>
    @usableFromInline let destination: UnsafeMutablePointer<ColumnHeader>
}

@usableFromInline
struct MovePlan {
    @usableFromInline let destination: Int32
    @usableFromInline let steps: UnsafeMutablePointer<MoveStep>
    @usableFromInline let stepCount: Int
    /// For an add: the destination column of the added component.
    @usableFromInline let added: UnsafeMutablePointer<ColumnHeader>?
    /// For a remove: the source column of the removed component.
    @usableFromInline let dropped: UnsafeMutablePointer<ColumnHeader>?
}

/// A table's hot data as plain pointers (valid for the table's lifetime, which is the
/// world's), plus its move plans by component id.
@usableFromInline
struct TableRaw {
    @usableFromInline let header: UnsafeMutablePointer<TableHeader>
    @usableFromInline let columnHeaders: UnsafeMutablePointer<UnsafeMutablePointer<ColumnHeader>>
    @usableFromInline let columnByComponent: UnsafeMutablePointer<Int32>
    @usableFromInline let columnByComponentCount: Int
    /// Plans by component id raw value; `planCapacity` entries each, nil where none yet.
    @usableFromInline var addPlans: UnsafeMutablePointer<UnsafeMutablePointer<MovePlan>?>
    @usableFromInline var removePlans: UnsafeMutablePointer<UnsafeMutablePointer<MovePlan>?>
    @usableFromInline var planCapacity: Int

    init(_ t: Table) {
        header = t.header
        columnHeaders = t.columnHeaders
        columnByComponent = t.rawColumnByComponent
        columnByComponentCount = t.columnByComponentCount
        addPlans = .allocate(capacity: 1)
        removePlans = .allocate(capacity: 1)
        addPlans.initialize(to: nil)
        removePlans.initialize(to: nil)
        planCapacity = 1
    }

    @inlinable @inline(__always)
    func column(_ id: Int) -> Int { id < columnByComponentCount ? Int(columnByComponent[id]) : -1 }

    @inlinable @inline(__always)
    func addPlan(_ id: Int) -> UnsafeMutablePointer<MovePlan>? { id < planCapacity ? addPlans[id] : nil }

    @inlinable @inline(__always)
    func removePlan(_ id: Int) -> UnsafeMutablePointer<MovePlan>? { id < planCapacity ? removePlans[id] : nil }

    mutating func reservePlans(_ n: Int) {
        guard n > planCapacity else { return }
        let c = Swift.max(n, planCapacity * 2)
        for p in [\TableRaw.addPlans, \TableRaw.removePlans] {
            let q = UnsafeMutablePointer<UnsafeMutablePointer<MovePlan>?>.allocate(capacity: c)
            q.moveInitialize(from: self[keyPath: p], count: planCapacity)
            (q + planCapacity).initialize(repeating: nil, count: c - planCapacity)
            self[keyPath: p].deallocate()
            self[keyPath: p] = q
        }
        planCapacity = c
    }

    func free() {
        for k in 0..<planCapacity {
            for p in [addPlans[k], removePlans[k]] {
                guard let p else { continue }
                p.pointee.steps.deallocate()
                p.deallocate()
            }
        }
        addPlans.deallocate()
        removePlans.deallocate()
    }
}

extension TableHeader {
    /// Grows the entity list to hold at least `n` rows (doubling).
    @usableFromInline @inline(never)
    static func reserve(_ h: UnsafeMutablePointer<TableHeader>, _ n: Int) {
        guard n > h.pointee.capacity else { return }
        let c = Swift.max(n, h.pointee.capacity * 2, 16)
        let e = UnsafeMutablePointer<Entity>.allocate(capacity: c)
        e.moveInitialize(from: h.pointee.entities, count: h.pointee.count)
        h.pointee.entities.deallocate()
        h.pointee.entities = e
        h.pointee.capacity = c
    }
}

/// Moves `count` elements at `base` into a new block of at least `minimum` and twice
/// `capacity` elements.
@usableFromInline
func regrow<T>(_ base: inout UnsafeMutablePointer<T>, count: Int, capacity: inout Int, minimum: Int) {
    let c = Swift.max(minimum, capacity * 2)
    let q = UnsafeMutablePointer<T>.allocate(capacity: c)
    q.moveInitialize(from: base, count: count)
    base.deallocate()
    base = q
    capacity = c
}

extension World {
    /// Records `t` in `rawTables` (called once per new table, in index order).
    func addRaw(_ t: Table) {
        if rawCount == rawCapacity { regrow(&rawTables, count: rawCount, capacity: &rawCapacity, minimum: 16) }
        (rawTables + rawCount).initialize(to: TableRaw(t))
        rawCount += 1
    }

    /// Caches the plan for moving rows of `source` to `dest` by adding (or removing)
    /// component `id`, when every column of `source` is plain data and, for an add,
    /// the added column too.
    @usableFromInline
    func makePlan(from source: Table, to dest: Table, component id: ComponentID, adding: Bool) {
        let raw = rawTables + source.index
        if (adding ? raw.pointee.addPlan(id.raw) : raw.pointee.removePlan(id.raw)) != nil { return }
        let n = source.componentIDs.count
        for k in 0..<n where !source.columnHeaders[k].pointee.isTrivial { return }
        var added: UnsafeMutablePointer<ColumnHeader>?
        if adding {
            let slot = dest.column(of: id)
            guard slot >= 0, dest.columnHeaders[slot].pointee.isTrivial else { return }
            added = dest.columnHeaders[slot]
        }
        let steps = UnsafeMutablePointer<MoveStep>.allocate(capacity: Swift.max(1, n))
        var stepCount = 0
        var dropped: UnsafeMutablePointer<ColumnHeader>?
        for k in 0..<n {
            let d = dest.columnIndex(raw: source.rawIDs[k])
            if d < 0 {
                dropped = source.columnHeaders[k]
                continue
            }
            (steps + stepCount).initialize(to: MoveStep(source: source.columnHeaders[k], destination: dest.columnHeaders[d]))
            stepCount += 1
        }
        let plan = UnsafeMutablePointer<MovePlan>.allocate(capacity: 1)
        plan.initialize(to: MovePlan(
            destination: Int32(dest.index), steps: steps, stepCount: stepCount, added: added, dropped: dropped))
        raw.pointee.reservePlans(id.raw + 1)
        if adding { raw.pointee.addPlans[id.raw] = plan } else { raw.pointee.removePlans[id.raw] = plan }
    }

    /// Moves `e` (at `row` of the table `raw`) along `plan`; returns its new row. The
    /// added column, if any, is left for the caller to append to.
    ///
    /// Out of line on purpose: inlined into `insert` and `remove`, its loop kept that
    /// caller's values live across it and the compiler spilled a dozen of them to the
    /// stack and back on every call. For the same reason the entity list and records
    /// are updated before the column loop, so only the rows stay live across it.
    @usableFromInline @inline(never)
    func movePlanned(_ e: Entity, row: Int, from raw: UnsafeMutablePointer<TableRaw>, _ plan: UnsafeMutablePointer<MovePlan>) -> Int {
        // Every column of a table has the table's row count (columns the destination
        // has and the source lacks get their row before or after this call), so both
        // counts are read once here instead of once per column.
        let sh = raw.pointee.header
        let last = sh.pointee.count &- 1
        let destination = plan.pointee.destination
        let dh = rawTables[Int(destination)].header
        let n = dh.pointee.count
        sh.pointee.count = last
        if row != last {
            let moved = sh.pointee.entities[last]
            sh.pointee.entities[row] = moved
            recordBase[Int(moved.index)].row = Int32(truncatingIfNeeded: row)
        }
        if n == dh.pointee.capacity { TableHeader.reserve(dh, n &+ 1) }
        (dh.pointee.entities + n).initialize(to: e)
        dh.pointee.count = n &+ 1
        recordBase[Int(e.index)] = EntityRecord(
            generation: e.generation, table: destination, row: Int32(truncatingIfNeeded: n))
        let steps = plan.pointee.steps, stepCount = plan.pointee.stepCount
        // Growth in a loop of its own: a call inside the move loop made the compiler
        // keep that loop's values on the stack.
        for k in 0..<stepCount where steps[k].destination.pointee.capacity == n {
            steps[k].destination.pointee.growTrivial(to: n &+ 1)
        }
        for k in 0..<stepCount {
            steps[k].source.pointee.moveTrivialRow(row, last: last, intoReserved: steps[k].destination, at: n)
        }
        if let c = plan.pointee.dropped { c.pointee.removeTrivialRow(row, last: last) }
        return n
    }
}
