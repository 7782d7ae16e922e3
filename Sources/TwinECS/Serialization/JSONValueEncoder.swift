/// Encodes `Encodable` values into a `JSONValue` tree (members in encoding order).
///
/// `Float` values are stored as the `Double` nearest to their shortest decimal form,
/// so they print as written and decode back to the identical `Float`.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let node = EncodingNode()
        try value.encode(to: _JSONValueEncoder(storage: node, codingPath: []))
        return node.finish()
    }

    @inlinable public static func number(_ f: Float) -> Double {
        Double(f.description) ?? Double(f)
    }
}

/// One value being encoded. Objects and arrays hold their children in place:
/// scalars directly, containers as nodes filled later.
final class EncodingNode {
    enum Shape { case unset, value, array, object }
    enum Child {
        case value(JSONValue)
        case node(EncodingNode)
        var finished: JSONValue {
            switch self {
            case .value(let v): v
            case .node(let n): n.finish()
            }
        }
    }

    private(set) var shape: Shape = .unset
    private var scalar: JSONValue = .null
    /// Object keys, parallel to `children`.
    private var keys: [String] = []
    private var children: [Child] = []

    func set(_ v: JSONValue) { shape = .value; scalar = v; keys = []; children = [] }

    func becomeObject() { if shape != .object { shape = .object; keys = []; children = [] } }
    func becomeArray() { if shape != .array { shape = .array; keys = []; children = [] } }

    func finish() -> JSONValue {
        switch shape {
        case .unset: return .null
        case .value: return scalar
        case .array: return JSONValue(.array(children.map(\.finished)))
        case .object: return JSONValue(.object(zip(keys, children).map { JSONMember(key: $0, value: $1.finished) }))
        }
    }

    private func index(of key: String) -> Int? {
        becomeObject()
        return keys.firstIndex(of: key)
    }

    /// Sets an object member to a finished value.
    func setMember(_ key: String, _ v: JSONValue) {
        if let i = index(of: key) { children[i] = .value(v) } else { keys.append(key); children.append(.value(v)) }
    }

    /// The node of an object member, made when needed (a nested container asked twice
    /// for the same key writes into the same node).
    func member(_ key: String) -> EncodingNode {
        if let i = index(of: key) {
            if case .node(let n) = children[i] { return n }
            let n = EncodingNode()
            children[i] = .node(n)
            return n
        }
        let n = EncodingNode()
        keys.append(key); children.append(.node(n))
        return n
    }

    func appendValue(_ v: JSONValue) { becomeArray(); children.append(.value(v)) }

    func appendElement() -> EncodingNode {
        becomeArray()
        let n = EncodingNode()
        children.append(.node(n))
        return n
    }

    var elementCount: Int { shape == .array ? children.count : 0 }
}

struct _JSONValueEncoder: Encoder {
    let storage: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.becomeObject()
        return KeyedEncodingContainer(KeyedEncoder<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.becomeArray()
        return UnkeyedEncoder(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleEncoder(encoder: self) }

    static func scalar<T: Encodable>(_ value: T) -> JSONValue? {
        switch value {
        case let v as Bool: return .bool(v)
        case let v as String: return .string(v)
        case let v as Double: return .number(v)
        case let v as Float: return .number(JSONValueEncoder.number(v))
        case let v as Int: return .number(Double(v))
        case let v as Int32: return .number(Double(v))
        case let v as Int64: return .number(Double(v))
        case let v as UInt32: return .number(Double(v))
        case let v as UInt64: return .number(Double(v))
        case let v as UInt: return .number(Double(v))
        case let v as JSONValue: return v
        default: return nil
        }
    }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _JSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let s = _JSONValueEncoder.scalar(value) { encoder.storage.setMember(key.stringValue, s); return }
        try value.encode(to: _JSONValueEncoder(storage: encoder.storage.member(key.stringValue), codingPath: codingPath + [key]))
    }

    // Scalars go straight into the object: no node and no dynamic casts on the path
    // every component field takes.
    mutating func encode(_ value: Bool, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .number(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        encoder.storage.setMember(key.stringValue, .number(JSONValueEncoder.number(value)))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .number(Double(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { encoder.storage.setMember(key.stringValue, .number(Double(value))) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        _JSONValueEncoder(storage: encoder.storage.member(key.stringValue), codingPath: codingPath + [key])
            .container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        _JSONValueEncoder(storage: encoder.storage.member(key.stringValue), codingPath: codingPath + [key])
            .unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        _JSONValueEncoder(storage: encoder.storage.member(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: _JSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.storage.elementCount }

    mutating func encodeNil() throws { encoder.storage.appendValue(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let s = _JSONValueEncoder.scalar(value) { encoder.storage.appendValue(s); return }
        let key = IndexKey(count)
        try value.encode(to: _JSONValueEncoder(storage: encoder.storage.appendElement(), codingPath: codingPath + [key]))
    }

    mutating func encode(_ value: Double) throws { encoder.storage.appendValue(.number(value)) }
    mutating func encode(_ value: Float) throws { encoder.storage.appendValue(.number(JSONValueEncoder.number(value))) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let key = IndexKey(count)
        return _JSONValueEncoder(storage: encoder.storage.appendElement(), codingPath: codingPath + [key])
            .container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = IndexKey(count)
        return _JSONValueEncoder(storage: encoder.storage.appendElement(), codingPath: codingPath + [key])
            .unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let key = IndexKey(count)
        return _JSONValueEncoder(storage: encoder.storage.appendElement(), codingPath: codingPath + [key])
    }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let encoder: _JSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.storage.set(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let s = _JSONValueEncoder.scalar(value) { encoder.storage.set(s); return }
        try value.encode(to: encoder)
    }
}
