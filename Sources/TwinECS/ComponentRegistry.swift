/// A component type's index in one world's registry. Dense, assigned in
/// registration order; use `componentName` for anything that leaves the process.
public struct ComponentID: Hashable, Comparable, Sendable {
    public let raw: Int
    @inlinable public init(raw: Int) { self.raw = raw }
    public static func < (a: ComponentID, b: ComponentID) -> Bool { a.raw < b.raw }
}

/// Registration failed: two different types claimed one name.
public struct ComponentRegistrationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var existingType: String
    public var newType: String
    public var description: String {
        "component name \"\(name)\" is already registered by \(existingType); \(newType) must choose another"
    }
}

/// What the registry knows about one component type, type-erased so the runtime,
/// scenes and the API can work by name.
public class AnyComponentType: @unchecked Sendable {
    public let id: ComponentID
    public let name: String
    public let swiftType: Any.Type

    init(id: ComponentID, name: String, swiftType: Any.Type) {
        self.id = id; self.name = name; self.swiftType = swiftType
    }

    func makeColumn(slot: Int) -> AnyColumn { AnyColumn(stride: 1, alignment: 1, isTrivial: true, slot: slot) }

    /// Decodes `value` strictly and inserts it on `entity`.
    public func insertDecoded(_ value: JSONValue, on entity: Entity, in world: World, decoder: JSONValueDecoder) throws {}

    /// Decodes `value` strictly as this component type.
    public func decode(_ value: JSONValue, decoder: JSONValueDecoder) throws -> any Component {
        throw JSONDecodingError(path: decoder.basePath, location: value.location, message: "abstract component type")
    }

    /// The component's default value as JSON, if the type declares one.
    public var defaultJSON: JSONValue? { nil }

    /// Sets the member at `path` of `entity`'s component in place from `value` (see
    /// `SettableFieldsComponent`): true when set; false when the entity lacks the
    /// component or decoding would refuse the value (nothing changed). Nil when the
    /// type has no setter for `path`.
    public func fieldSetter(at path: [String]) -> (@Sendable (World, Entity, JSONValue) -> Bool)? { nil }

    /// Units of the component's fields, by field name (documentation).
    public var fieldUnits: [String: String] { [:] }
    public var summary: String { "" }
}

final class ComponentType<T: Component>: AnyComponentType, @unchecked Sendable {
    override func makeColumn(slot: Int) -> AnyColumn { Column<T>(slot: slot) }

    override func insertDecoded(_ value: JSONValue, on entity: Entity, in world: World, decoder: JSONValueDecoder) throws {
        let v = try decoder.decode(T.self, from: value)
        world.insert(v, on: entity)
    }

    override func decode(_ value: JSONValue, decoder: JSONValueDecoder) throws -> any Component {
        try decoder.decode(T.self, from: value)
    }

    override var defaultJSON: JSONValue? {
        guard let d = (T.self as? any DefaultComponent.Type)?.defaultComponentValue() else { return nil }
        return try? JSONValueEncoder().encode(d)
    }

    override func fieldSetter(at path: [String]) -> (@Sendable (World, Entity, JSONValue) -> Bool)? {
        guard let setter = (T.self as? any SettableFieldsComponent.Type)?.erasedSetter(at: path) as? FieldSetter<T> else { return nil }
        let id = self.id
        return { world, entity, value in world.modify(T.self, id: id, of: entity) { setter.set(&$0, value) } }
    }

    override var fieldUnits: [String: String] { (T.self as? any DocumentedComponent.Type)?.fieldUnits ?? [:] }
    override var summary: String { (T.self as? any DocumentedComponent.Type)?.summary ?? "" }
}

/// A component with a default value: scenes may then give only some of its fields.
public protocol DefaultComponent: Component {
    init()
}

extension DefaultComponent {
    static func defaultComponentValue() -> any Component { Self() }
}

/// A component that documents itself for `twin systems` and the JSON Schema.
public protocol DocumentedComponent: Component {
    /// One line: what the component means.
    static var summary: String { get }
    /// SI unit per field name ("m", "m/s", "s", "rad/s"…).
    static var fieldUnits: [String: String] { get }
}

extension DocumentedComponent {
    public static var fieldUnits: [String: String] { [:] }
}

/// Per-world map from component types to dense ids and names.
public final class ComponentRegistry {
    @exclusivity(unchecked) @usableFromInline var idByType: [ObjectIdentifier: ComponentID] = [:]
    /// One-entry cache: loops insert or query the same type many times in a row.
    @exclusivity(unchecked) @usableFromInline var lastType: ObjectIdentifier?
    @exclusivity(unchecked) @usableFromInline var lastID = ComponentID(raw: 0)
    public private(set) var types: [AnyComponentType] = []
    var idByName: [String: ComponentID] = [:]

    init() {}

    @inlinable @inline(__always)
    public func id<T: Component>(of type: T.Type) -> ComponentID? {
        let key = ObjectIdentifier(type)
        if key == lastType { return lastID }
        guard let id = idByType[key] else { return nil }
        lastType = key
        lastID = id
        return id
    }

    /// Registers `T` (idempotent). Throws when another type already uses `T`'s name.
    @discardableResult
    public func register<T: Component>(_ type: T.Type) throws(ComponentRegistrationError) -> ComponentID {
        if let id = idByType[ObjectIdentifier(type)] { return id }
        let name = T.componentName
        if let other = idByName[name] {
            throw ComponentRegistrationError(
                name: name, existingType: String(reflecting: types[other.raw].swiftType), newType: String(reflecting: T.self))
        }
        return add(type, name: name)
    }

    /// Registration on first use (insert, spawn, query). A name clash here keeps the
    /// first type reachable by name; explicit `register` reports clashes.
    @inlinable @inline(__always)
    func idRegisteringIfNeeded<T: Component>(_ type: T.Type) -> ComponentID {
        if let id = id(of: type) { return id }
        return add(type, name: T.componentName)
    }

    @usableFromInline func add<T: Component>(_ type: T.Type, name: String) -> ComponentID {
        let id = ComponentID(raw: types.count)
        types.append(ComponentType<T>(id: id, name: name, swiftType: T.self))
        idByType[ObjectIdentifier(type)] = id
        if idByName[name] == nil { idByName[name] = id }
        return id
    }

    public func type(named name: String) -> AnyComponentType? { idByName[name].map { types[$0.raw] } }
    public func type(of id: ComponentID) -> AnyComponentType { types[id.raw] }
    public var names: [String] { types.map(\.name).sorted() }
    public var count: Int { types.count }
}
