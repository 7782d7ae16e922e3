/// One settable field of one component type — `MachineControl.release`,
/// `Position` — looked up once, so a command that sets it needs no name lookups, no
/// nested JSON object and no setter search per command (`WorldCommand.setField`).
///
/// Only fields with an in-place setter (`SettableFieldsComponent`) have a target;
/// `Simulation.fieldTarget(component:path:)` answers nil for the others, which go
/// through `WorldCommand.set`.
public final class FieldTarget: Hashable, Sendable, CustomStringConvertible {
    let type: AnyComponentType
    /// Member path below the component; empty for a component set as one value.
    public let path: [String]
    let setter: @Sendable (World, Entity, JSONValue) -> Bool

    init(type: AnyComponentType, path: [String], setter: @escaping @Sendable (World, Entity, JSONValue) -> Bool) {
        self.type = type; self.path = path; self.setter = setter
    }

    /// The component's registered name.
    public var component: String { type.name }

    /// `value` placed under `path`: what the same change is as a `set` command.
    public func nested(_ value: JSONValue) -> JSONValue {
        path.reversed().reduce(value) { inner, key in .object([(key, inner)]) }
    }

    public var description: String { ([component] + path).joined(separator: ".") }

    public static func == (a: FieldTarget, b: FieldTarget) -> Bool { a === b || (a.component == b.component && a.path == b.path) }
    public func hash(into h: inout Hasher) { h.combine(component); h.combine(path) }
}
