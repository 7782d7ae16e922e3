import TwinRuntime

/// The bytes of one journaled batch: the accepted messages of one commit, in
/// sequence order, as one SQLite row. A row per batch rather than per message keeps
/// the journal's cost per message at writing its payload (a row per message cost more
/// than the rest of the ingest path).
///
/// Layout: a version byte, then per message: source and topic as length-prefixed
/// UTF-8 (LEB128 lengths), the payload (below), the id (length 0 without one, n + 1
/// with one, then its UTF-8), the receiving time as the bits of a little-endian
/// Double, and the due step as a flag byte plus a little-endian Int64.
///
/// The payload is the JSON value as a tree of tagged items (`Tag`): numbers as their
/// 64 bits, so nothing is formatted or parsed on the way — writing JSON text cost more
/// than the rest of the journal. A message moved from an old journal keeps its text
/// as it was (`Tag.text`), parsed when read. Version 1 (payloads as JSON text) is
/// still read.
enum JournalBatch {
    static let version: UInt8 = 2
    static let textVersion: UInt8 = 1

    enum Tag: UInt8 {
        case null = 0, `false`, `true`, number, string, array, object
        /// JSON text, parsed when read.
        case text
    }

    /// Nesting deeper than this is a damaged row (the parser refuses deeper input).
    static let maxDepth = 512

    static func encode(_ messages: [IngestMessage]) -> [UInt8] {
        var out = ByteWriter(capacity: 1 + messages.count * 48)
        out.byte(version)
        for m in messages {
            append(m, payloadText: nil, into: &out)
        }
        return out.bytes
    }

    /// One message; `payloadText` instead of its payload when given (a journal being
    /// migrated keeps a damaged payload's text as it was).
    static func append(_ m: borrowing IngestMessage, payloadText: String?, into out: inout ByteWriter) {
        out.string(m.source)
        out.string(m.topic)
        if let payloadText {
            out.byte(Tag.text.rawValue)
            out.string(payloadText)
        } else {
            value(m.payload, into: &out)
        }
        if let id = m.id {
            out.length(id.utf8.count + 1)
            var id = id
            id.withUTF8 { out.raw(UnsafeRawBufferPointer($0)) }
        } else {
            out.byte(0)
        }
        out.fixed(m.receivedAt.bitPattern)
        if let due = m.dueStep {
            out.byte(1)
            out.fixed(UInt64(bitPattern: due))
        } else {
            out.byte(0)
        }
    }

    /// The batch's messages; a payload that no longer parses is a rejection in its
    /// place. Nil when the bytes are not a batch of `count` messages (a damaged file).
    static func decode(_ bytes: [UInt8], count: Int) -> [Result<IngestMessage, IngestRejection>]? {
        var r = Reader(bytes: bytes)
        guard let v = r.byte(), v == version || v == textVersion else { return nil }
        var out: [Result<IngestMessage, IngestRejection>] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            guard let source = r.string(), let topic = r.string() else { return nil }
            let payload: Result<JSONValue, IngestRejection>
            if v == textVersion {
                guard let text = r.field() else { return nil }
                payload = IngestMessage.parsePayload(Array(text))
            } else {
                guard let p = r.payload() else { return nil }
                payload = p
            }
            guard let idLength = r.length() else { return nil }
            var id: String?
            if idLength > 0 {
                guard let raw = r.take(idLength - 1) else { return nil }
                id = String(decoding: raw, as: UTF8.self)
            }
            guard let received = r.fixed(), let hasDue = r.byte() else { return nil }
            var due: Int64?
            if hasDue == 1 {
                guard let d = r.fixed() else { return nil }
                due = Int64(bitPattern: d)
            }
            out.append(payload.map {
                IngestMessage(source: source, topic: topic, payload: $0, id: id, receivedAt: Double(bitPattern: received), dueStep: due)
            })
        }
        return r.atEnd ? out : nil
    }

    private static func value(_ v: JSONValue, into out: inout ByteWriter) {
        switch v.kind {
        case .null: out.byte(Tag.null.rawValue)
        case .bool(let b): out.byte(b ? Tag.true.rawValue : Tag.false.rawValue)
        case .number(let d):
            out.byte(Tag.number.rawValue)
            out.fixed(d.bitPattern)
        case .string(let s):
            out.byte(Tag.string.rawValue)
            out.string(s)
        case .array(let a):
            out.byte(Tag.array.rawValue)
            out.length(a.count)
            for e in a { value(e, into: &out) }
        case .object(let members):
            out.byte(Tag.object.rawValue)
            out.length(members.count)
            for m in members {
                out.string(m.key)
                value(m.value, into: &out)
            }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func length() -> Int? {
            var v = 0, shift = 0
            while let b = byte() {
                v |= Int(b & 0x7f) << shift
                if b < 0x80 { return v }
                shift += 7
                guard shift < 63 else { return nil }
            }
            return nil
        }

        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= bytes.count - at else { return nil }
            defer { at += n }
            return bytes[at..<at + n]
        }

        mutating func field() -> ArraySlice<UInt8>? { length().flatMap { take($0) } }
        mutating func string() -> String? { field().map { String(decoding: $0, as: UTF8.self) } }

        mutating func fixed() -> UInt64? {
            guard let raw = take(8) else { return nil }
            return raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }

        /// A payload: a value tree, or JSON text to parse. Nil when the bytes are not one.
        mutating func payload() -> Result<JSONValue, IngestRejection>? {
            guard at < bytes.count else { return nil }
            if bytes[at] == Tag.text.rawValue {
                at += 1
                return field().map { IngestMessage.parsePayload(Array($0)) }
            }
            return value(depth: 0).map { .success($0) }
        }

        mutating func value(depth: Int) -> JSONValue? {
            guard depth < JournalBatch.maxDepth, let raw = byte(), let tag = Tag(rawValue: raw) else { return nil }
            switch tag {
            case .null: return .null
            case .false: return .bool(false)
            case .true: return .bool(true)
            case .number: return fixed().map { .number(Double(bitPattern: $0)) }
            case .string: return string().map { .string($0) }
            case .array:
                guard let n = length(), n <= bytes.count - at else { return nil }
                var a: [JSONValue] = []
                a.reserveCapacity(n)
                for _ in 0..<n {
                    guard let e = value(depth: depth + 1) else { return nil }
                    a.append(e)
                }
                return .array(a)
            case .object:
                guard let n = length(), n <= bytes.count - at else { return nil }
                var members: [JSONMember] = []
                members.reserveCapacity(n)
                for _ in 0..<n {
                    guard let key = string(), let e = value(depth: depth + 1) else { return nil }
                    members.append(JSONMember(key: key, value: e))
                }
                return JSONValue(.object(members))
            case .text: return nil
            }
        }
    }
}
