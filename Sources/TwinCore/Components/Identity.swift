/// A component that is one string: codable as a JSON string.
public protocol StringComponent: DocumentedComponent, Hashable {
    var value: String { get }
    init(_ value: String)
}

extension StringComponent {
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public func hashState(into h: inout StableHasher) { h.combine(value) }
}

/// A human-readable entity name from the scene, unique per scene; the HTTP API and
/// bindings address entities by it.
public struct Name: StringComponent {
    public var value: String
    public init(_ value: String) { self.value = value }
    public static let summary = "Scene name of the entity (unique per scene)."
}

/// What an entity is, for renderers and dashboards: "pedestrian", "machine",
/// "vehicle", "body", "part", … Free text; renderers fall back to a box.
public struct Kind: StringComponent {
    public var value: String
    public init(_ value: String) { self.value = value }
    public static let summary = "What the entity is, for renderers and dashboards (free text)."
}

/// Remaining life; the `core.lifetime` system despawns the entity when it reaches 0.
public struct Lifetime: DefaultComponent, DocumentedComponent, Hashable {
    /// Seconds left.
    public var remaining: Double
    public init() { remaining = 1 }
    public init(remaining: Double) { self.remaining = remaining }
    public static let summary = "Seconds the entity has left before core.lifetime despawns it."
    public static let fieldUnits = ["remaining": "s"]
    public func hashState(into h: inout StableHasher) { h.combine(remaining) }
}

extension Lifetime: SettableFieldsComponent {
    public static func settableField(at path: [String]) -> FieldSetter<Self>? { path == ["remaining"] ? .double(\.remaining) : nil }
}
