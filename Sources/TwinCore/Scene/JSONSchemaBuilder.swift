/// Builds JSON Schema fragments from example (default) values, so schemas are
/// generated from the code's own defaults and cannot drift from it.
public enum JSONSchemaBuilder {
    /// A schema accepting values shaped like `example`: same kinds, same members
    /// (all optional when `allOptional`), fixed length for short numeric arrays.
    public static func schema(forExample example: JSONValue, allOptional: Bool = true, units: [String: String] = [:], docs: [String: String] = [:]) -> JSONValue {
        switch example.kind {
        case .null: return .object([])
        case .bool: return .object([("type", .string("boolean"))])
        case .number: return .object([("type", .string("number"))])
        case .string: return .object([("type", .string("string"))])
        case .array(let a):
            var m: [(String, JSONValue)] = [("type", .string("array"))]
            if let first = a.first { m.append(("items", schema(forExample: first))) }
            if !a.isEmpty, a.count <= 4, a.allSatisfy({ $0.doubleValue != nil }) {
                m.append(("minItems", .number(Double(a.count))))
                m.append(("maxItems", .number(Double(a.count))))
            }
            return .object(m)
        case .object(let members):
            let props = members.map { mem -> (String, JSONValue) in
                var s = schema(forExample: mem.value)
                var text = docs[mem.key] ?? ""
                if let u = units[mem.key] { text += (text.isEmpty ? "" : " ") + "[\(u)]" }
                if !text.isEmpty { s.setMember("description", .string(text)) }
                s.setMember("default", mem.value)
                return (mem.key, s)
            }
            var m: [(String, JSONValue)] = [
                ("type", .string("object")), ("properties", .object(props)), ("additionalProperties", .bool(false)),
            ]
            if !allOptional { m.append(("required", .array(members.map { .string($0.key) }))) }
            return .object(m)
        }
    }
}
