/// The raw state of one column, at a stable address for the column's lifetime so
/// queries can cache a pointer to it and iterate with no reference counting and no
/// exclusivity checks.
@usableFromInline
struct ColumnHeader {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    /// Tick of the last mutable access or insert, per row (see `bulkChanged`).
    @usableFromInline var changed: UnsafeMutablePointer<UInt32>
    /// Tick at which the component was added to the entity, per row.
    @usableFromInline var added: UnsafeMutablePointer<UInt32>
    /// Tick of the last mutable pass over the whole column. A row's change tick is
    /// the later of its own `changed` entry and this: a query that visits every row
    /// mutably stamps the column once instead of every row (O(1), not O(n), per
    /// table), and rows keep exact per-row answers. Rows leaving the column take
    /// their effective tick with them.
    @usableFromInline var bulkChanged: UInt32

    /// The row's change tick: the later of its own and the column's bulk stamp.
    @inlinable func changeTick(_ row: Int) -> UInt32 {
        let own = changed[row]
        return bulkChanged &- own < UInt32.max / 2 ? bulkChanged : own
    }

    /// Marks rows `start..<start+count` as changed at `tick` (the whole column with
    /// one store when the range covers it).
    @inlinable @inline(__always)
    mutating func markChanged(start: Int, count n: Int, tick: UInt32) {
        if start == 0 && n == count { bulkChanged = tick } else { (changed + start).update(repeating: tick, count: n) }
    }
}

/// One component type's values for the rows of a table, stored contiguously
/// (struct of arrays across columns), with change ticks per row.
///
/// `AnyColumn` is the type-erased face the table uses to move rows between
/// archetypes; `Column<T>` knows the element type. Storage is manually managed so
/// hot loops see plain pointers.
@usableFromInline
class AnyColumn {
    @usableFromInline final let header: UnsafeMutablePointer<ColumnHeader>

    init(alignment: Int) {
        header = .allocate(capacity: 1)
        header.initialize(to: ColumnHeader(
            base: .allocate(byteCount: 0, alignment: alignment), count: 0, capacity: 0,
            changed: .allocate(capacity: 0), added: .allocate(capacity: 0), bulkChanged: 0))
    }

    deinit {
        header.pointee.changed.deallocate()
        header.pointee.added.deallocate()
        header.pointee.base.deallocate()
        header.deallocate()
    }

    @inlinable final var count: Int { header.pointee.count }
    @inlinable final var addedTicks: UnsafeMutablePointer<UInt32> { header.pointee.added }
    @inlinable final func changeTick(_ row: Int) -> UInt32 { header.pointee.changeTick(row) }

    @usableFromInline func reserve(_ n: Int) {}
    func swapRemove(_ row: Int) {}
    func moveRow(_ row: Int, into dest: AnyColumn) {}
    func encodeRow(_ row: Int) throws -> JSONValue { .null }
    func hashRow(_ row: Int, into h: inout StableHasher) {}

    final func growTicks(to newCapacity: Int) {
        let n = header.pointee.count
        let c = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        c.moveInitialize(from: header.pointee.changed, count: n)
        header.pointee.changed.deallocate()
        header.pointee.changed = c
        let a = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        a.moveInitialize(from: header.pointee.added, count: n)
        header.pointee.added.deallocate()
        header.pointee.added = a
    }
}

@usableFromInline
final class Column<T: Component>: AnyColumn {
    init() { super.init(alignment: MemoryLayout<T>.alignment) }

    deinit { base.deinitialize(count: header.pointee.count) }

    @inlinable var base: UnsafeMutablePointer<T> { header.pointee.base.assumingMemoryBound(to: T.self) }

    @usableFromInline override func reserve(_ n: Int) {
        let h = header
        guard n > h.pointee.capacity else { return }
        let newCapacity = Swift.max(n, h.pointee.capacity * 2, 16)
        let b = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
        b.moveInitialize(from: base, count: h.pointee.count)
        h.pointee.base.deallocate()
        h.pointee.base = UnsafeMutableRawPointer(b)
        growTicks(to: newCapacity)
        h.pointee.capacity = newCapacity
    }

    @inlinable @inline(__always)
    func append(_ value: T, tick: UInt32) {
        let h = header
        let n = h.pointee.count
        if n == h.pointee.capacity { reserve(n + 1) }
        (h.pointee.base.assumingMemoryBound(to: T.self) + n).initialize(to: value)
        h.pointee.changed[n] = tick
        h.pointee.added[n] = tick
        h.pointee.count = n + 1
    }

    override func swapRemove(_ row: Int) {
        let h = header
        let last = h.pointee.count - 1
        let b = base
        if row != last {
            b[row] = (b + last).move()
            h.pointee.changed[row] = h.pointee.changed[last]
            h.pointee.added[row] = h.pointee.added[last]
        } else {
            (b + last).deinitialize(count: 1)
        }
        h.pointee.count = last
    }

    override func moveRow(_ row: Int, into dest: AnyColumn) {
        let d = dest.header
        let dn = d.pointee.count
        if dn == d.pointee.capacity { dest.reserve(dn + 1) }
        let h = header
        let b = base
        (d.pointee.base.assumingMemoryBound(to: T.self) + dn).moveInitialize(from: b + row, count: 1)
        d.pointee.changed[dn] = h.pointee.changeTick(row)
        d.pointee.added[dn] = h.pointee.added[row]
        d.pointee.count = dn + 1
        let last = h.pointee.count - 1
        if row != last {
            (b + row).moveInitialize(from: b + last, count: 1)
            h.pointee.changed[row] = h.pointee.changed[last]
            h.pointee.added[row] = h.pointee.added[last]
        }
        h.pointee.count = last
    }

    override func encodeRow(_ row: Int) throws -> JSONValue { try JSONValueEncoder().encode(base[row]) }

    override func hashRow(_ row: Int, into h: inout StableHasher) { base[row].hashState(into: &h) }
}
