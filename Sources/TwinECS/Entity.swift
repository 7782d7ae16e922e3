/// An entity handle: a slot index plus the slot's generation when the handle was made.
///
/// Handles are plain values (no pointers, nothing to dangle). Despawning bumps the
/// slot's generation, so every older handle to that slot is dead forever; a slot whose
/// generation would wrap is retired instead of reused.
@frozen
public struct Entity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: UInt32
    public let generation: UInt32

    @inlinable public init(index: UInt32, generation: UInt32) {
        self.index = index
        self.generation = generation
    }

    /// A handle that never refers to a live entity.
    public static let invalid = Entity(index: .max, generation: .max)

    /// Stable 64-bit form (generation in the high half) for APIs and files.
    public var id: UInt64 { UInt64(generation) << 32 | UInt64(index) }
    public init(id: UInt64) { self.init(index: UInt32(truncatingIfNeeded: id), generation: UInt32(truncatingIfNeeded: id >> 32)) }

    public static func < (a: Entity, b: Entity) -> Bool {
        a.index != b.index ? a.index < b.index : a.generation < b.generation
    }

    public var description: String { "\(index)v\(generation)" }
}

extension Entity: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(id: try decoder.singleValueContainer().decode(UInt64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(id)
    }
}

/// Where an entity slot's data lives. `table` < 0: free (-1) or reserved by a
/// command buffer but not yet spawned (-2).
@usableFromInline
struct EntityRecord {
    @usableFromInline var generation: UInt32
    @usableFromInline var table: Int32
    @usableFromInline var row: Int32

    @inlinable init(generation: UInt32, table: Int32, row: Int32) {
        self.generation = generation; self.table = table; self.row = row
    }

    @usableFromInline static let free: Int32 = -1
    @usableFromInline static let reserved: Int32 = -2
}
