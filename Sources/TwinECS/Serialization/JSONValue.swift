/// A position in a source text: 1-based line and column; 0 means unknown
/// (values made in code rather than parsed).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public static let unknown = SourceLocation(line: 0, column: 0)
    public var description: String { "\(line):\(column)" }
}

/// A JSON document tree that remembers where each value came from, so errors can
/// name the line and column. Object members keep their order.
///
/// This is the common currency of the engine's data boundary: scene files,
/// component values addressed by name, snapshots, API bodies and ingest messages
/// all pass through it.
public struct JSONValue: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation = .unknown) {
        self.kind = kind
        self.location = location
    }

    public static let null = JSONValue(.null)
    public static func bool(_ b: Bool) -> JSONValue { JSONValue(.bool(b)) }
    public static func number(_ d: Double) -> JSONValue { JSONValue(.number(d)) }
    public static func string(_ s: String) -> JSONValue { JSONValue(.string(s)) }
    public static func array(_ a: [JSONValue]) -> JSONValue { JSONValue(.array(a)) }
    public static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        JSONValue(.object(members.map { JSONMember(key: $0.0, value: $0.1) }))
    }

    /// A short name of the kind, for messages ("a number", "an object").
    public var kindDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var members: [JSONMember]? { if case .object(let m) = kind { m } else { nil } }
    public var elements: [JSONValue]? { if case .array(let a) = kind { a } else { nil } }
    public var stringValue: String? { if case .string(let s) = kind { s } else { nil } }
    public var doubleValue: Double? { if case .number(let d) = kind { d } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = kind { b } else { nil } }
    public var isNull: Bool { kind == .null }

    /// The member value for `key` (the last one if a key repeats), or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let m) = kind else { return nil }
        return m.last { $0.key == key }?.value
    }

    /// Sets or appends an object member; no effect on a non-object.
    public mutating func setMember(_ key: String, _ value: JSONValue) {
        guard case .object(var m) = kind else { return }
        if let i = m.lastIndex(where: { $0.key == key }) { m[i].value = value } else {
            m.append(JSONMember(key: key, value: value))
        }
        kind = .object(m)
    }

    /// The value at a coding path, or nil if the path leaves the tree.
    public func value(at path: [JSONPathComponent]) -> JSONValue? {
        var v = self
        for p in path {
            switch p {
            case .key(let k): guard let n = v[k] else { return nil }; v = n
            case .index(let i):
                guard let a = v.elements, i >= 0, i < a.count else { return nil }
                v = a[i]
            }
        }
        return v
    }
}

/// One `"key": value` pair of an object, with where the key was written.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: JSONValue
    public init(key: String, keyLocation: SourceLocation = .unknown, value: JSONValue) {
        self.key = key; self.keyLocation = keyLocation; self.value = value
    }
}

/// A step in a JSON path: `$.entities[3].components.Velocity`.
public enum JSONPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

extension Array where Element == JSONPathComponent {
    /// `$.a.b[2]` — the JSONPath-style rendering used in every error message.
    public var jsonPath: String {
        var s = "$"
        for c in self {
            switch c {
            case .key(let k):
                if !k.isEmpty, k.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "$" }) {
                    s += "." + k
                } else {
                    s += "[\"" + k + "\"]"
                }
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }
}

extension Array where Element == any CodingKey {
    var jsonPathComponents: [JSONPathComponent] {
        map { key in key.intValue.map { .index($0) } ?? .key(key.stringValue) }
    }
}
