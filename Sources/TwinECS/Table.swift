/// A table's entity list, at a stable address (see `ColumnHeader`).
@usableFromInline
struct TableHeader {
    @usableFromInline var entities: UnsafeMutablePointer<Entity>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
}

/// An archetype: every entity with exactly this set of components, one row each,
/// one contiguous column per component type.
///
/// Adding or removing a component moves the entity's row to the neighbouring table
/// along a cached edge (`addEdges`/`removeEdges`, indexed by component id), so the
/// common add/remove costs one array lookup plus the row move.
@usableFromInline
final class Table {
    @usableFromInline let index: Int
    /// Sorted ascending.
    @usableFromInline let componentIDs: [ComponentID]
    @usableFromInline let columns: [AnyColumn]
    @usableFromInline let header: UnsafeMutablePointer<TableHeader>
    /// The columns' headers and component ids as raw arrays, so row moves between
    /// tables run without reference counting.
    @usableFromInline let columnHeaders: UnsafeMutablePointer<UnsafeMutablePointer<ColumnHeader>>
    @usableFromInline let rawIDs: UnsafeMutablePointer<Int>
    @usableFromInline let rawColumnByComponent: UnsafeMutablePointer<Int32>
    @usableFromInline let columnByComponentCount: Int
    /// componentID.raw → column index, or -1. Ids beyond its end are absent.
    @exclusivity(unchecked) var addEdges: [Int32] = []
    @exclusivity(unchecked) var removeEdges: [Int32] = []
    /// Component names in name order with their column, for the state hash and output.
    let columnsByName: [(name: String, column: Int)]

    init(index: Int, componentIDs: [ComponentID], registry: ComponentRegistry) {
        self.index = index
        self.componentIDs = componentIDs
        columns = componentIDs.enumerated().map { registry.type(of: $1).makeColumn(slot: $0) }
        var byComponent = [Int32](repeating: -1, count: (componentIDs.last?.raw ?? -1) + 1)
        for (k, id) in componentIDs.enumerated() { byComponent[id.raw] = Int32(k) }
        columnsByName = componentIDs.enumerated().map { (registry.type(of: $1).name, $0) }.sorted { $0.name < $1.name }
        header = .allocate(capacity: 1)
        header.initialize(to: TableHeader(entities: .allocate(capacity: 0), count: 0, capacity: 0))
        columnHeaders = .allocate(capacity: max(1, columns.count))
        columnHeaders.initialize(from: columns.map(\.header), count: columns.count)
        rawIDs = .allocate(capacity: max(1, componentIDs.count))
        rawIDs.initialize(from: componentIDs.map(\.raw), count: componentIDs.count)
        columnByComponentCount = byComponent.count
        rawColumnByComponent = .allocate(capacity: max(1, byComponent.count))
        rawColumnByComponent.initialize(from: byComponent, count: byComponent.count)
    }

    deinit {
        header.pointee.entities.deallocate()
        header.deallocate()
        columnHeaders.deallocate()
        rawIDs.deallocate()
        rawColumnByComponent.deallocate()
    }

    @inlinable @inline(__always)
    func columnIndex(raw id: Int) -> Int {
        id < columnByComponentCount ? Int(rawColumnByComponent[id]) : -1
    }

    @inlinable var count: Int { header.pointee.count }

    @inlinable func entity(at row: Int) -> Entity { header.pointee.entities[row] }

    @inlinable var entityBuffer: UnsafeBufferPointer<Entity> {
        UnsafeBufferPointer(start: header.pointee.entities, count: header.pointee.count)
    }

    @inlinable @inline(__always)
    func column(of id: ComponentID) -> Int {
        columnIndex(raw: id.raw)
    }

    @inlinable func has(_ id: ComponentID) -> Bool { column(of: id) >= 0 }

    /// Appends `e` as the last row (columns are appended by the caller); returns the row.
    @inlinable @inline(__always)
    func appendEntity(_ e: Entity) -> Int {
        let h = header
        let n = h.pointee.count
        if n == h.pointee.capacity { reserveEntities(n + 1) }
        (h.pointee.entities + n).initialize(to: e)
        h.pointee.count = n + 1
        return n
    }

    /// Removes `row` by moving the last row into it; returns the entity that moved
    /// into `row`, if any.
    @inlinable
    func removeEntity(at row: Int) -> Entity? {
        let h = header
        let last = h.pointee.count - 1
        h.pointee.count = last
        guard row != last else { return nil }
        let moved = h.pointee.entities[last]
        h.pointee.entities[row] = moved
        return moved
    }

    @usableFromInline
    func reserveEntities(_ n: Int) { TableHeader.reserve(header, n) }

    func edge(_ edges: [Int32], _ id: ComponentID) -> Int? {
        guard id.raw < edges.count else { return nil }
        let t = edges[id.raw]
        return t >= 0 ? Int(t) : nil
    }

    func setEdge(_ edges: inout [Int32], _ id: ComponentID, _ table: Int) {
        if id.raw >= edges.count { edges += [Int32](repeating: -1, count: id.raw + 1 - edges.count) }
        edges[id.raw] = Int32(table)
    }

    @usableFromInline func reserve(_ n: Int) {
        reserveEntities(n)
        for c in columns { c.reserve(n) }
    }
}
