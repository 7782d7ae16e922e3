/// A piece of entity state: a small value type with a stable name.
///
/// Components are `Codable` so scenes, snapshots, the HTTP API and live ingest can
/// address them by `componentName`. The name is API: once published it never changes.
///
/// `hashState(into:)` feeds the component into the per-step state hash that proves
/// determinism. The default encodes the value generically (correct, slow); components
/// on hot paths implement it directly over their fields.
public protocol Component: QueryTerm, Codable, Sendable
where Stored == Self, Row == Self, Chunk == UnsafeBufferPointer<Self> {
    static var componentName: String { get }
    func hashState(into hasher: inout StableHasher)
}

extension Component {
    public static var componentName: String { String(describing: Self.self) }

    public func hashState(into hasher: inout StableHasher) {
        if let v = try? JSONValueEncoder().encode(self) { v.hashState(into: &hasher) }
    }

    public static var isMutable: Bool { false }

    @inlinable @inline(__always)
    public static func row(_ base: UnsafeMutablePointer<Self>, _ i: Int) -> Self { base[i] }

    @inlinable @inline(__always)
    public static func chunk(_ base: UnsafeMutablePointer<Self>, _ count: Int) -> UnsafeBufferPointer<Self> {
        UnsafeBufferPointer(start: base, count: count)
    }
}

/// A term of a query: which component it reads, and how a row or a chunk of it is
/// handed to the caller. A bare component type reads; `Mut<C>` writes (and marks the
/// rows it visits as changed).
public protocol QueryTerm {
    associatedtype Stored: Component
    associatedtype Row
    associatedtype Chunk
    static var isMutable: Bool { get }
    static func row(_ base: UnsafeMutablePointer<Stored>, _ i: Int) -> Row
    static func chunk(_ base: UnsafeMutablePointer<Stored>, _ count: Int) -> Chunk
}

/// Mutable access to component `C` in a query: rows arrive as pointers, chunks as
/// mutable buffers. Visiting a row through `Mut` stamps its change tick.
public enum Mut<C: Component>: QueryTerm {
    public typealias Stored = C
    public static var isMutable: Bool { true }

    @inlinable @inline(__always)
    public static func row(_ base: UnsafeMutablePointer<C>, _ i: Int) -> UnsafeMutablePointer<C> { base + i }

    @inlinable @inline(__always)
    public static func chunk(_ base: UnsafeMutablePointer<C>, _ count: Int) -> UnsafeMutableBufferPointer<C> {
        UnsafeMutableBufferPointer(start: base, count: count)
    }
}

extension JSONValue {
    /// Feeds the value into a state hash (member order as stored).
    public func hashState(into h: inout StableHasher) {
        switch kind {
        case .null: h.combine(UInt64(0))
        case .bool(let b): h.combine(UInt64(1)); h.combine(b)
        case .number(let d): h.combine(UInt64(2)); h.combine(d)
        case .string(let s): h.combine(UInt64(3)); h.combine(s)
        case .array(let a):
            h.combine(UInt64(4)); h.combine(a.count)
            for e in a { e.hashState(into: &h) }
        case .object(let m):
            h.combine(UInt64(5)); h.combine(m.count)
            for e in m { h.combine(e.key); e.value.hashState(into: &h) }
        }
    }
}
