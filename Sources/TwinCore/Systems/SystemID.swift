/// A system's stable id, `domain.name` in lower kebab case (`core.integrate`,
/// `pedestrians.social-force`). Published ids are never renamed.
public struct SystemID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: SystemID, b: SystemID) -> Bool { a.rawValue < b.rawValue }

    /// Whether the id has the `domain.name` lower-kebab form.
    public var isWellFormed: Bool {
        let parts = rawValue.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { p in
            p.first?.isLetter == true && p.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }
        }
    }
}

/// Order of systems within a phase: lower runs first; ties keep scene order.
public struct SystemPriority: Hashable, Comparable, Sendable, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func < (a: SystemPriority, b: SystemPriority) -> Bool { a.value < b.value }

    public static let userCommands = SystemPriority(-16384)
    public static let spawning = SystemPriority(-1024)
    public static let prePhysics = SystemPriority(-128)
    public static let physics = SystemPriority(-64)
    public static let postPhysicsSensors = SystemPriority(-32)
    public static let `default` = SystemPriority(0)
    public static let cleanup = SystemPriority(1024)

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// The phases of a step, in order.
public enum Phase: String, CaseIterable, Sendable, Codable, Comparable {
    /// Apply external input: API commands, live data.
    case commands
    /// Decisions: navigation, controllers, spawning.
    case preUpdate
    /// Integration, collision, solving.
    case update
    /// Read-only: measurements, sensors, recording, snapshot publication.
    case postUpdate

    public static func < (a: Phase, b: Phase) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
