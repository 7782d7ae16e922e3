/// Why a JSON value could not become the requested type: the JSON path, the source
/// line and column, and what was expected.
public struct JSONDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: [JSONPathComponent]
    public var location: SourceLocation
    public var message: String

    public init(path: [JSONPathComponent], location: SourceLocation, message: String) {
        self.path = path; self.location = location; self.message = message
    }

    public var description: String { "\(location): \(path.jsonPath): \(message)" }
}

/// Decodes `Decodable` values from a `JSONValue` tree, strictly.
///
/// Strict means: a member the type never asked for is an error that lists the
/// members it did ask for (with a did-you-mean), so a typo in a scene file is caught
/// rather than silently ignored. Errors carry the JSON path and the source location.
public struct JSONValueDecoder {
    public var isStrict: Bool
    /// Path of `root` inside its document, prefixed to every error path.
    public var basePath: [JSONPathComponent]

    public init(isStrict: Bool = true, basePath: [JSONPathComponent] = []) {
        self.isStrict = isStrict
        self.basePath = basePath
    }

    public func decode<T: Decodable>(_ type: T.Type, from root: JSONValue) throws(JSONDecodingError) -> T {
        let state = DecodingState()
        let decoder = _JSONValueDecoder(value: root, codingPath: [], state: state)
        let result: T
        do {
            result = try T(from: decoder)
        } catch let e as JSONDecodingError {
            throw JSONDecodingError(path: basePath + e.path, location: e.location, message: e.message)
        } catch let e as DecodingError {
            throw convert(e, root: root)
        } catch {
            throw JSONDecodingError(path: basePath, location: root.location, message: "\(error)")
        }
        if isStrict, let unknown = state.firstUnknownMember(in: root) {
            throw JSONDecodingError(
                path: basePath + unknown.path, location: unknown.location, message: unknown.message)
        }
        return result
    }

    private func convert(_ e: DecodingError, root: JSONValue) -> JSONDecodingError {
        func locate(_ path: [JSONPathComponent]) -> SourceLocation {
            var p = path
            while true {
                if let v = root.value(at: p), v.location != .unknown { return v.location }
                if p.isEmpty { return root.location }
                p.removeLast()
            }
        }
        switch e {
        case .typeMismatch(let type, let ctx):
            let path = ctx.codingPath.jsonPathComponents
            let found = root.value(at: path)?.kindDescription ?? "nothing"
            let msg = ctx.debugDescription.hasPrefix("expected") ? ctx.debugDescription
                : "expected \(Self.describe(type)), found \(found)"
            return JSONDecodingError(path: basePath + path, location: locate(path), message: msg)
        case .valueNotFound(let type, let ctx):
            let path = ctx.codingPath.jsonPathComponents
            return JSONDecodingError(
                path: basePath + path, location: locate(path), message: "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let ctx):
            let path = ctx.codingPath.jsonPathComponents
            return JSONDecodingError(
                path: basePath + path, location: locate(path),
                message: "missing required member \"\(key.stringValue)\"")
        case .dataCorrupted(let ctx):
            let path = ctx.codingPath.jsonPathComponents
            return JSONDecodingError(path: basePath + path, location: locate(path), message: ctx.debugDescription)
        @unknown default:
            return JSONDecodingError(path: basePath, location: root.location, message: "\(e)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "a boolean"
        case is String.Type: "a string"
        case is Float.Type, is Double.Type: "a number"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt.Type, is UInt32.Type, is UInt64.Type,
            is Int16.Type, is UInt16.Type, is Int8.Type, is UInt8.Type:
            "an integer"
        default:
            "\(type)"
        }
    }
}

/// What the decoder asked of each object, to find members nobody asked for.
///
/// Each keyed container keeps a record of its object: which members were read and
/// which names were asked for. The common case — every member read — is settled by
/// the records alone; only when a member was left unread are the records gathered
/// by JSON path (two containers may read one object) and the document walked in
/// order, so the first unknown member in the text is the one reported.
final class DecodingState {
    final class ObjectRecord {
        let codingPath: [any CodingKey]
        let members: [JSONMember]
        /// Bit i: member i was read (members past 64 in `readBeyond`).
        private var readMask: UInt64 = 0
        private var readBeyond: [Bool] = []
        /// Names asked for that the object does not have (the read ones are in `read`).
        var askedMissing: [String] = []
        /// Read as a whole (a dictionary): every member counts as known.
        var readWhole = false

        init(codingPath: [any CodingKey], members: [JSONMember]) {
            self.codingPath = codingPath; self.members = members
            if members.count > 64 { readBeyond = Array(repeating: false, count: members.count - 64) }
        }

        func markRead(_ i: Int) {
            if i < 64 { readMask |= 1 << UInt64(i) } else { readBeyond[i - 64] = true }
        }

        func wasRead(_ i: Int) -> Bool { i < 64 ? readMask & (1 << UInt64(i)) != 0 : readBeyond[i - 64] }

        var allRead: Bool {
            if readWhole { return true }
            let n = min(members.count, 64)
            let full: UInt64 = n == 64 ? .max : (1 << UInt64(n)) - 1
            return readMask == full && !readBeyond.contains(false)
        }
    }

    var records: [ObjectRecord] = []

    func record(codingPath: [any CodingKey], members: [JSONMember]) -> ObjectRecord {
        let r = ObjectRecord(codingPath: codingPath, members: members)
        records.append(r)
        return r
    }

    func firstUnknownMember(in root: JSONValue)
        -> (path: [JSONPathComponent], location: SourceLocation, message: String)?
    {
        guard records.contains(where: { !$0.allRead }) else { return nil }
        var asked: [[JSONPathComponent]: Set<String>] = [:]
        var readWhole: Set<[JSONPathComponent]> = []
        for r in records {
            let path = r.codingPath.jsonPathComponents
            var known = asked[path] ?? []
            known.formUnion(r.askedMissing)
            for (i, m) in r.members.enumerated() where r.wasRead(i) { known.insert(m.key) }
            asked[path] = known
            if r.readWhole { readWhole.insert(path) }
        }
        return Self.firstUnknownMember(in: root, path: [], asked: asked, readWhole: readWhole)
    }

    private static func firstUnknownMember(
        in v: JSONValue, path: [JSONPathComponent], asked: [[JSONPathComponent]: Set<String>],
        readWhole: Set<[JSONPathComponent]>
    ) -> (path: [JSONPathComponent], location: SourceLocation, message: String)? {
        switch v.kind {
        case .object(let members):
            if let known = asked[path], !readWhole.contains(path) {
                for m in members where !known.contains(m.key) {
                    let list = known.sorted()
                    var msg = "unknown member \"\(m.key)\""
                    if let s = Suggestions.closest(to: m.key, in: list) { msg += " (did you mean \"\(s)\"?)" }
                    msg += list.isEmpty ? "; this object takes no members" : "; known: " + list.joined(separator: ", ")
                    return (path + [.key(m.key)], m.keyLocation, msg)
                }
            }
            for m in members {
                if let u = firstUnknownMember(in: m.value, path: path + [.key(m.key)], asked: asked, readWhole: readWhole) {
                    return u
                }
            }
        case .array(let elements):
            for (i, e) in elements.enumerated() {
                if let u = firstUnknownMember(in: e, path: path + [.index(i)], asked: asked, readWhole: readWhole) {
                    return u
                }
            }
        default:
            break
        }
        return nil
    }
}

struct _JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let state: DecodingState
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let members = value.members else {
            throw DecodingError.typeMismatch(
                [String: Any].self,
                .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.kindDescription)"))
        }
        let record = state.record(codingPath: codingPath, members: members)
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, record: record))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let elements = value.elements else {
            throw DecodingError.typeMismatch(
                [Any].self,
                .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.kindDescription)"))
        }
        return UnkeyedContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func child(_ v: JSONValue, key: any CodingKey) -> _JSONValueDecoder {
        _JSONValueDecoder(value: v, codingPath: codingPath + [key], state: state)
    }

    // MARK: Scalars

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(
            type,
            .init(
                codingPath: codingPath,
                debugDescription: "expected \(JSONValueDecoder.describe(type)), found \(value.kindDescription)"))
    }

    func decodeBool() throws -> Bool {
        guard let b = value.boolValue else { throw mismatch(Bool.self) }
        return b
    }

    func decodeString() throws -> String {
        guard let s = value.stringValue else { throw mismatch(String.self) }
        return s
    }

    func decodeDouble() throws -> Double {
        guard let d = value.doubleValue else { throw mismatch(Double.self) }
        return d
    }

    func decodeFloat() throws -> Float {
        let d = try decodeDouble()
        guard abs(d) <= Double(Float.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "number \(d) does not fit a 32-bit float"))
        }
        return Float(d)
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let d = try decodeDouble()
        guard d == d.rounded(), let v = T(exactly: d) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath,
                    debugDescription: d == d.rounded()
                        ? "integer \(JSONWriter.formatNumber(d)) is out of range \(T.min)...\(T.max)"
                        : "expected an integer, found \(JSONWriter.formatNumber(d))"))
        }
        return v
    }

    func decodeAny<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is JSONValue.Type:
            if let v = value as? T { return v }
        case is Bool.Type: if let v = try decodeBool() as? T { return v }
        case is String.Type: if let v = try decodeString() as? T { return v }
        case is Double.Type: if let v = try decodeDouble() as? T { return v }
        case is Float.Type: if let v = try decodeFloat() as? T { return v }
        case is Int.Type: if let v = try decodeInteger(Int.self) as? T { return v }
        case is Int32.Type: if let v = try decodeInteger(Int32.self) as? T { return v }
        case is Int64.Type: if let v = try decodeInteger(Int64.self) as? T { return v }
        case is UInt32.Type: if let v = try decodeInteger(UInt32.self) as? T { return v }
        case is UInt64.Type: if let v = try decodeInteger(UInt64.self) as? T { return v }
        case is UInt.Type: if let v = try decodeInteger(UInt.self) as? T { return v }
        default: break
        }
        return try T(from: self)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _JSONValueDecoder
    let record: DecodingState.ObjectRecord
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        record.readWhole = true
        return record.members.compactMap { Key(stringValue: $0.key) }
    }

    private func member(_ key: Key) -> JSONValue? {
        let name = key.stringValue
        let members = record.members
        var i = members.count - 1
        while i >= 0 {
            if members[i].key == name {
                record.markRead(i)
                return members[i].value
            }
            i -= 1
        }
        record.askedMissing.append(name)
        return nil
    }

    func contains(_ key: Key) -> Bool { member(key) != nil }

    private func require(_ key: Key) throws -> JSONValue {
        guard let v = member(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { (member(key)?.isNull) ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let v = try require(key)
        return try decoder.child(v, key: key).decodeAny(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = member(key), !v.isNull else { return nil }
        return try decoder.child(v, key: key).decodeAny(type)
    }

    // Scalars read straight from the member: no child decoder and no dynamic casts
    // on the path every component field takes. The child is made only for an error.
    private func scalar<T>(_ key: Key, _ read: (JSONValue) -> T?, _ slow: (_JSONValueDecoder) throws -> T) throws -> T {
        let v = try require(key)
        if let x = read(v) { return x }
        return try slow(decoder.child(v, key: key))
    }

    private func scalarIfPresent<T>(_ key: Key, _ read: (JSONValue) -> T?, _ slow: (_JSONValueDecoder) throws -> T) throws -> T? {
        guard let v = member(key), !v.isNull else { return nil }
        if let x = read(v) { return x }
        return try slow(decoder.child(v, key: key))
    }

    // Concrete per width: the generic `I(exactly: Double)` goes through an
    // unspecialised witness that cost more than the rest of the field.
    private static func uint64(_ v: JSONValue) -> UInt64? {
        guard let d = v.doubleValue, d == d.rounded(), d >= 0, d < 0x1p64 else { return nil }
        return UInt64(d)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(key, \.boolValue) { try $0.decodeBool() } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(key, \.stringValue) { try $0.decodeString() } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(key, \.doubleValue) { try $0.decodeDouble() } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(key, FieldValues.float) { try $0.decodeFloat() } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(key, { FieldValues.int64($0).map { Int($0) } }) { try $0.decodeInteger(Int.self) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try scalar(key, { FieldValues.int64($0).flatMap { Int32(exactly: $0) } }) { try $0.decodeInteger(Int32.self) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(key, FieldValues.int64) { try $0.decodeInteger(Int64.self) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try scalar(key, { Self.uint64($0).flatMap { UInt32(exactly: $0) } }) { try $0.decodeInteger(UInt32.self) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(key, Self.uint64) { try $0.decodeInteger(UInt64.self) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try scalar(key, { Self.uint64($0).map { UInt($0) } }) { try $0.decodeInteger(UInt.self) } }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try scalarIfPresent(key, \.boolValue) { try $0.decodeBool() } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try scalarIfPresent(key, \.stringValue) { try $0.decodeString() } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try scalarIfPresent(key, \.doubleValue) { try $0.decodeDouble() } }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try scalarIfPresent(key, FieldValues.float) { try $0.decodeFloat() } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try scalarIfPresent(key, { FieldValues.int64($0).map { Int($0) } }) { try $0.decodeInteger(Int.self) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.child(try require(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try require(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(try require(key), key: key) }
}

struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: _JSONValueDecoder
    let elements: [JSONValue]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(decoder: _JSONValueDecoder, elements: [JSONValue]) {
        self.decoder = decoder; self.elements = elements
    }

    private mutating func next(_ type: Any.Type) throws -> _JSONValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath,
                    debugDescription: "expected more elements: the array has only \(elements.count)"))
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], key: IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decodeAny(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    { try next([String: Any].self).container(keyedBy: type) }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([Any].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: _JSONValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeAny(type) }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let d = decoder as? _JSONValueDecoder { self = d.value; return }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }
    }

    public func encode(to encoder: any Encoder) throws {
        if let e = encoder as? _JSONValueEncoder { e.storage.set(self); return }
        var c = encoder.singleValueContainer()
        switch kind {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let m): try c.encode(Dictionary(m.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        }
    }
}
