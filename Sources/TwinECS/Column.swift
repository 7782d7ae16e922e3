#if canImport(Glibc)
import CMalloc
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A row's two change ticks, side by side in one array: a row move copies the pair
/// from one array instead of a tick from each of two (fewer pointers to load and
/// cache lines to touch on every insert and remove).
@usableFromInline
struct RowTicks {
    /// Tick of the last mutable access or insert (see `ColumnHeader.bulkChanged`).
    @usableFromInline var changed: UInt32
    /// Tick at which the component was added to the entity.
    @usableFromInline var added: UInt32

    @inlinable init(changed: UInt32, added: UInt32) {
        self.changed = changed
        self.added = added
    }

    /// A row inserted at `tick`: added and changed then.
    @inlinable init(both tick: UInt32) { self.init(changed: tick, added: tick) }
}

/// The raw state of one column, at a stable address for the column's lifetime so
/// queries can cache a pointer to it and iterate with no reference counting and no
/// exclusivity checks.
@usableFromInline
struct ColumnHeader {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    /// Each row's change ticks (see `RowTicks` and `bulkChanged`).
    @usableFromInline var ticks: UnsafeMutablePointer<RowTicks>
    /// Tick of the last mutable pass over the whole column. A row's change tick is
    /// the later of its own `changed` entry and this: a query that visits every row
    /// mutably stamps the column once instead of every row (O(1), not O(n), per
    /// table), and rows keep exact per-row answers. Rows leaving the column take
    /// their effective tick with them.
    @usableFromInline var bulkChanged: UInt32
    /// Element layout, for the byte-wise row moves of trivial (POD) components.
    @usableFromInline let stride: Int
    @usableFromInline let alignment: Int
    /// The component is plain data (`_isPOD`): rows move with memcpy, no type needed.
    @usableFromInline let isTrivial: Bool
    /// Trivial columns start `baseOffset` bytes into their malloc block. Large blocks
    /// come page-aligned from mmap, so without an offset every column of a table
    /// would start at the same address modulo 4 KiB, and a loop reading one column
    /// while writing another stalls on 4K aliasing (measured: simple_iter_10k swung
    /// between 2.3 and 4.2 µs with the allocation pattern).
    @usableFromInline let baseOffset: Int

    /// The row's change tick: the later of its own and the column's bulk stamp.
    @inlinable func changeTick(_ row: Int) -> UInt32 { effective(ticks[row].changed) }

    /// `own` or the column's bulk stamp, whichever is later.
    @inlinable @inline(__always)
    func effective(_ own: UInt32) -> UInt32 { bulkChanged &- own < UInt32.max / 2 ? bulkChanged : own }

    /// Row `row`'s ticks as they leave this column: the change tick made effective.
    @inlinable @inline(__always)
    func leavingTicks(_ row: Int) -> RowTicks {
        var t = ticks[row]
        t.changed = effective(t.changed)
        return t
    }

    /// Grows a trivial column's storage to hold at least `n` rows. Trivial columns and
    /// all tick arrays live in malloc memory so growth is `realloc`: large blocks are
    /// remapped by the kernel instead of copied and faulted in again (measured: copy
    /// and page faults were half of a 10,000-entity insert).
    /// (Never inlined: inlined, the compiler hoisted its size arithmetic out of the row
    /// move loops, work done on every move for a path taken once per doubling.)
    @usableFromInline @inline(never)
    mutating func growTrivial(to n: Int) {
        guard n > capacity else { return }
        let c = Swift.max(n, capacity * 2, 16)
        base = Self.reallocate(base - baseOffset, bytes: baseOffset + c * stride) + baseOffset
        growTicks(to: c)
        capacity = c
    }

    /// Grows the tick array to `c` rows (`capacity` is the caller's to update).
    @usableFromInline
    mutating func growTicks(to c: Int) {
        ticks = Self.reallocate(UnsafeMutableRawPointer(ticks), bytes: c * MemoryLayout<RowTicks>.stride)
            .assumingMemoryBound(to: RowTicks.self)
    }

    static func allocate(bytes: Int) -> UnsafeMutableRawPointer { reallocate(nil, bytes: bytes) }

    /// Keeps freed column memory in the process for the next world instead of giving
    /// it back to the kernel. Columns grow by `realloc` into blocks of hundreds of KiB;
    /// with glibc's defaults such blocks are mapped fresh and unmapped on free, so a
    /// world built after another (runs in a batch, what-if variants, benchmark samples)
    /// page-faults every byte again (measured: page faults and zeroing were about half
    /// of spawning 10,000 entities). Blocks up to 32 MiB now come from the heap, and
    /// up to 256 MiB of free heap stays mapped. Set once, before the first column.
    static let retainFreedMemory: Bool = {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
        #endif
        return true
    }()

    /// `realloc` (`malloc` for nil). Out of memory traps, exactly as Swift's own
    /// allocator does; scene input cannot get here, `world.maxEntities` bounds it.
    static func reallocate(_ p: UnsafeMutableRawPointer?, bytes: Int) -> UnsafeMutableRawPointer {
        guard let q = realloc(p, Swift.max(1, bytes)) else { fatalError("out of memory allocating \(bytes) bytes") }
        return q
    }

    /// Moves row `row` of this trivial column to row `dn` of `dest` (same type; its
    /// row count, the same for every column of a table, so the caller reads it once)
    /// and fills the hole with row `last`, this column's last.
    /// (Row arithmetic here wraps instead of trapping: rows and counts are below the
    /// capacity, whose byte size was allocated, so no product or sum can overflow.)
    @inlinable @inline(__always)
    mutating func moveTrivialRow(_ row: Int, last: Int, into dest: UnsafeMutablePointer<ColumnHeader>, at dn: Int) {
        if dn == dest.pointee.capacity { dest.pointee.growTrivial(to: dn &+ 1) }
        moveTrivialRow(row, last: last, intoReserved: dest, at: dn)
    }

    /// `moveTrivialRow` when `dest` has room for row `dn`.
    @inlinable @inline(__always)
    mutating func moveTrivialRow(_ row: Int, last: Int, intoReserved dest: UnsafeMutablePointer<ColumnHeader>, at dn: Int) {
        assert(last == count - 1 && dn == dest.pointee.count && dn < dest.pointee.capacity, "column rows out of step with the table")
        Self.copyElement(to: dest.pointee.base + dn &* stride, from: base + row &* stride, stride: stride)
        dest.pointee.ticks[dn] = leavingTicks(row)
        dest.pointee.count = dn &+ 1
        removeTrivialRow(row, last: last)
    }

    /// Copies one element; components are small, and fixed-size loads for the common
    /// sizes (then a word loop) beat a call to memcpy.
    @inlinable @inline(__always)
    static func copyElement(to dst: UnsafeMutableRawPointer, from src: UnsafeRawPointer, stride: Int) {
        switch stride {
        case 8...16:
            // Two 8-byte words that overlap for strides below 16: one range check
            // instead of a case per size (the source row and the destination row are
            // different memory).
            let tail = stride &- 8
            let a = src.loadUnaligned(as: UInt64.self), b = (src + tail).loadUnaligned(as: UInt64.self)
            dst.storeBytes(of: a, as: UInt64.self)
            (dst + tail).storeBytes(of: b, as: UInt64.self)
        case 4: dst.storeBytes(of: src.loadUnaligned(as: UInt32.self), as: UInt32.self)
        default: copyOtherElement(to: dst, from: src, stride: stride)
        }
    }

    /// `copyElement` for the other sizes, out of line so the row moves keep their
    /// registers for the common sizes.
    @usableFromInline @inline(never)
    static func copyOtherElement(to dst: UnsafeMutableRawPointer, from src: UnsafeRawPointer, stride: Int) {
        if stride & 3 == 0 && stride <= 64 {
            let d = dst.assumingMemoryBound(to: UInt32.self), s = src.assumingMemoryBound(to: UInt32.self)
            for w in 0..<(stride >> 2) { d[w] = s[w] }
        } else {
            dst.copyMemory(from: src, byteCount: stride)
        }
    }

    /// Drops row `row` of this trivial column, moving the last row into it.
    @inlinable @inline(__always)
    mutating func removeTrivialRow(_ row: Int) { removeTrivialRow(row, last: count &- 1) }

    /// `removeTrivialRow` with the last row known (`count - 1`).
    @inlinable @inline(__always)
    mutating func removeTrivialRow(_ row: Int, last: Int) {
        if row != last {
            Self.copyElement(to: base + row &* stride, from: base + last &* stride, stride: stride)
            ticks[row] = ticks[last]
        }
        count = last
    }

    /// Marks rows `start..<start+count` as changed at `tick` (the whole column with
    /// one store when the range covers it).
    @inlinable @inline(__always)
    mutating func markChanged(start: Int, count n: Int, tick: UInt32) {
        if start == 0 && n == count {
            bulkChanged = tick
        } else {
            for r in start..<start + n { ticks[r].changed = tick }
        }
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

    /// `isTrivial` columns keep their elements in malloc memory (glibc aligns to 16
    /// bytes, so only plain data aligned to at most 16 qualifies); others use Swift's
    /// typed allocation.
    /// `slot` (the column's position in its table) picks the base offset.
    init(stride: Int, alignment: Int, isTrivial: Bool, slot: Int) {
        _ = ColumnHeader.retainFreedMemory
        let trivial = isTrivial && alignment <= 16
        let offset = trivial ? 64 + (slot % 8) * 448 : 0
        header = .allocate(capacity: 1)
        header.initialize(to: ColumnHeader(
            base: trivial ? ColumnHeader.allocate(bytes: offset) + offset : .allocate(byteCount: 0, alignment: alignment),
            count: 0, capacity: 0,
            ticks: ColumnHeader.allocate(bytes: 0).assumingMemoryBound(to: RowTicks.self), bulkChanged: 0,
            stride: stride, alignment: alignment, isTrivial: trivial, baseOffset: offset))
    }

    deinit {
        free(header.pointee.ticks)
        if header.pointee.isTrivial {
            free(header.pointee.base - header.pointee.baseOffset)
        } else {
            header.pointee.base.deallocate()
        }
        header.deallocate()
    }

    @inlinable final var count: Int { header.pointee.count }
    @inlinable final func addedTick(_ row: Int) -> UInt32 { header.pointee.ticks[row].added }
    @inlinable final func changeTick(_ row: Int) -> UInt32 { header.pointee.changeTick(row) }

    @usableFromInline func reserve(_ n: Int) {}
    func swapRemove(_ row: Int) {}
    func moveRow(_ row: Int, into dest: AnyColumn) {}
    func encodeRow(_ row: Int) throws -> JSONValue { .null }
    func hashRow(_ row: Int, into h: inout StableHasher) {}

    final func growTicks(to newCapacity: Int) { header.pointee.growTicks(to: newCapacity) }
}

@usableFromInline
final class Column<T: Component>: AnyColumn {
    init(slot: Int) {
        super.init(stride: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment, isTrivial: _isPOD(T.self), slot: slot)
    }

    deinit { base.deinitialize(count: header.pointee.count) }

    @inlinable var base: UnsafeMutablePointer<T> { header.pointee.base.assumingMemoryBound(to: T.self) }

    @usableFromInline override func reserve(_ n: Int) {
        let h = header
        guard n > h.pointee.capacity else { return }
        // Plain data grows with one memcpy; this class method is not specialised for
        // T across modules, so a typed move would copy element by element.
        if h.pointee.isTrivial { h.pointee.growTrivial(to: n); return }
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
        h.pointee.ticks[n] = RowTicks(both: tick)
        h.pointee.count = n + 1
    }

    override func swapRemove(_ row: Int) {
        let h = header
        let last = h.pointee.count - 1
        let b = base
        if row != last {
            b[row] = (b + last).move()
            h.pointee.ticks[row] = h.pointee.ticks[last]
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
        d.pointee.ticks[dn] = h.pointee.leavingTicks(row)
        d.pointee.count = dn + 1
        let last = h.pointee.count - 1
        if row != last {
            (b + row).moveInitialize(from: b + last, count: 1)
            h.pointee.ticks[row] = h.pointee.ticks[last]
        }
        h.pointee.count = last
    }

    override func encodeRow(_ row: Int) throws -> JSONValue { try JSONValueEncoder().encode(base[row]) }

    override func hashRow(_ row: Int, into h: inout StableHasher) { base[row].hashState(into: &h) }
}
