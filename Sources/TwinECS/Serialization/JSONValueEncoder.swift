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

final class EncodingNode {
    enum Content {
        case unset
        case value(JSONValue)
        case array([EncodingNode])
        case object([(String, EncodingNode)])
    }

    var content: Content = .unset

    func set(_ v: JSONValue) { content = .value(v) }

    func finish() -> JSONValue {
        switch content {
        case .unset: return .null
        case .value(let v): return v
        case .array(let a): return JSONValue(.array(a.map { $0.finish() }))
        case .object(let m): return JSONValue(.object(m.map { JSONMember(key: $0.0, value: $0.1.finish()) }))
        }
    }

    func member(_ key: String) -> EncodingNode {
        if case .object(var m) = content {
            if let i = m.firstIndex(where: { $0.0 == key }) { return m[i].1 }
            let n = EncodingNode()
            m.append((key, n))
            content = .object(m)
            return n
        }
        let n = EncodingNode()
        content = .object([(key, n)])
        return n
    }

    func appendElement() -> EncodingNode {
        let n = EncodingNode()
        if case .array(var a) = content {
            a.append(n)
            content = .array(a)
        } else {
            content = .array([n])
        }
        return n
    }

    var elementCount: Int { if case .array(let a) = content { a.count } else { 0 } }
}

struct _JSONValueEncoder: Encoder {
    let storage: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = storage.content {} else { storage.content = .object([]) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = storage.content {} else { storage.content = .array([]) }
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

    func encodeAny<T: Encodable>(_ value: T, into node: EncodingNode, key: any CodingKey) throws {
        if let s = Self.scalar(value) { node.set(s); return }
        try value.encode(to: _JSONValueEncoder(storage: node, codingPath: codingPath + [key]))
    }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _JSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws { encoder.storage.member(key.stringValue).set(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encoder.encodeAny(value, into: encoder.storage.member(key.stringValue), key: key)
    }

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

    mutating func encodeNil() throws { encoder.storage.appendElement().set(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = IndexKey(count)
        try encoder.encodeAny(value, into: encoder.storage.appendElement(), key: key)
    }

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
