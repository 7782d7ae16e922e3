import Foundation

/// Which entity an external command means: its 64-bit handle (`Entity.id`) or its
/// scene `Name`. In JSON a number is a handle and a string is a name.
public enum EntityRef: Hashable, Sendable, CustomStringConvertible {
    case id(UInt64)
    case name(String)

    public var description: String {
        switch self {
        case .id(let i): "entity \(Entity(id: i))"
        case .name(let n): "entity \"\(n)\""
        }
    }

    var json: JSONValue {
        switch self {
        case .id(let i): .number(Double(i))
        case .name(let n): .string(n)
        }
    }
}

/// A change asked for from outside the simulation — an API call, a live-data
/// update, a replayed journal line. Commands are queued (`CommandQueue`) and applied
/// at the start of the step's `commands` phase, in the order they were queued, so a
/// request handler never touches the world and a replay of the same commands at the
/// same steps reproduces the same state.
///
/// JSON form (`WorldCommand.decode`):
/// ```json
/// {"op": "set", "entity": "press-1", "component": "MachineState", "value": {"status": "down"}}
/// {"op": "remove", "entity": 4294967299, "component": "Lifetime"}
/// {"op": "spawn", "name": "visitor-7", "prefab": "visitor", "components": {"Position": [1, 0, 2]}}
/// {"op": "despawn", "entity": "visitor-7"}
/// ```
public enum WorldCommand: Hashable, Sendable {
    /// Lays `value` over the entity's current component (objects merge member by
    /// member; anything else replaces). A component the entity lacks starts from its
    /// default, if it has one.
    case set(entity: EntityRef, component: String, value: JSONValue)
    /// The same as `set` with `target.nested(value)` — same effect, same JSON form
    /// (`"op": "set"`) — for a field resolved once (`Simulation.fieldTarget`): what
    /// live bindings send, thousands of times a second.
    case setField(entity: EntityRef, target: FieldTarget, value: JSONValue)
    case remove(entity: EntityRef, component: String)
    /// A new entity from an optional scene prefab with `components` laid over it; a
    /// `name` must be unused.
    case spawn(name: String?, prefab: String?, components: [JSONMember])
    case despawn(entity: EntityRef)

    public var op: String {
        switch self {
        case .set, .setField: "set"
        case .remove: "remove"
        case .spawn: "spawn"
        case .despawn: "despawn"
        }
    }

    public var json: JSONValue {
        switch self {
        case .set(let e, let c, let v):
            .object([("op", .string("set")), ("entity", e.json), ("component", .string(c)), ("value", v)])
        case .setField(let e, let t, let v):
            .object([("op", .string("set")), ("entity", e.json), ("component", .string(t.component)), ("value", t.nested(v))])
        case .remove(let e, let c):
            .object([("op", .string("remove")), ("entity", e.json), ("component", .string(c))])
        case .spawn(let name, let prefab, let comps):
            .object([("op", .string("spawn"))]
                + (name.map { [("name", JSONValue.string($0))] } ?? [])
                + (prefab.map { [("prefab", JSONValue.string($0))] } ?? [])
                + [("components", JSONValue(.object(comps)))])
        case .despawn(let e):
            .object([("op", .string("despawn")), ("entity", e.json)])
        }
    }

    /// Decodes the JSON form strictly: unknown members, missing members and wrong
    /// types are errors naming the JSON path under `path`.
    public static func decode(_ v: JSONValue, path: [JSONPathComponent] = []) throws(JSONDecodingError) -> WorldCommand {
        func fail(_ at: JSONValue, _ p: [JSONPathComponent], _ message: String) -> JSONDecodingError {
            JSONDecodingError(path: p, location: at.location, message: message)
        }
        guard let members = v.members else { throw fail(v, path, "a command is a JSON object, found \(v.kindDescription)") }
        guard let opValue = v["op"] else { throw fail(v, path, "missing \"op\" (one of set, remove, spawn, despawn)") }
        guard let op = opValue.stringValue else { throw fail(opValue, path + [.key("op")], "expected a string, found \(opValue.kindDescription)") }
        let allowed: [String]
        switch op {
        case "set": allowed = ["op", "entity", "component", "value"]
        case "remove": allowed = ["op", "entity", "component"]
        case "spawn": allowed = ["op", "name", "prefab", "components"]
        case "despawn": allowed = ["op", "entity"]
        default:
            throw fail(opValue, path + [.key("op")], Suggestions.unknownMessage(kind: "op", name: op, known: ["set", "remove", "spawn", "despawn"]))
        }
        for m in members where !allowed.contains(m.key) {
            throw JSONDecodingError(path: path + [.key(m.key)], location: m.keyLocation,
                                    message: Suggestions.unknownMessage(kind: "member", name: m.key, known: allowed))
        }
        func required(_ key: String) throws(JSONDecodingError) -> JSONValue {
            guard let x = v[key] else { throw fail(v, path, "\"\(op)\" needs \"\(key)\"") }
            return x
        }
        func string(_ key: String) throws(JSONDecodingError) -> String {
            let x = try required(key)
            guard let s = x.stringValue, !s.isEmpty else { throw fail(x, path + [.key(key)], "expected a non-empty string, found \(x.kindDescription)") }
            return s
        }
        func optionalString(_ key: String) throws(JSONDecodingError) -> String? {
            guard v[key] != nil else { return nil }
            return try string(key)
        }
        func entity() throws(JSONDecodingError) -> EntityRef {
            let x = try required("entity")
            if let s = x.stringValue, !s.isEmpty { return .name(s) }
            if let d = x.doubleValue, d >= 0, d < 0x1p64, d == d.rounded(.towardZero) { return .id(UInt64(d)) }
            throw fail(x, path + [.key("entity")], "expected an entity name (string) or id (integer ≥ 0), found \(x.kindDescription)")
        }
        switch op {
        case "set": return .set(entity: try entity(), component: try string("component"), value: try required("value"))
        case "remove": return .remove(entity: try entity(), component: try string("component"))
        case "despawn": return .despawn(entity: try entity())
        default:
            var comps: [JSONMember] = []
            if let c = v["components"] {
                guard let m = c.members else { throw fail(c, path + [.key("components")], "expected an object of components by name, found \(c.kindDescription)") }
                comps = m
            }
            return .spawn(name: try optionalString("name"), prefab: try optionalString("prefab"), components: comps)
        }
    }
}

/// A command as it was applied: the step it was applied at (before that step's
/// systems ran), its place among that step's commands, and what became of it.
public struct AppliedCommand: Hashable, Sendable {
    public var step: Int64
    /// How many external commands the step applied before this one, journaled ones
    /// included (a replay puts it back at the same place among them).
    public var index: Int
    public var command: WorldCommand
    /// Nil when applied; otherwise why it was rejected (the world is unchanged).
    public var rejection: String?

    public init(step: Int64, index: Int, command: WorldCommand, rejection: String?) {
        self.step = step; self.index = index; self.command = command; self.rejection = rejection
    }
}
