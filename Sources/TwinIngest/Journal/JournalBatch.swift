import TwinRuntime

/// The bytes of one journaled batch: the accepted messages of one commit, in
/// sequence order, as one SQLite row. A row per batch rather than per message keeps
/// the journal's cost per message at writing its payload (a row per message cost more
/// than the rest of the ingest path).
///
/// Layout: a version byte, then per message: source, topic, payload (JSON text) and
/// id as length-prefixed UTF-8 (LEB128 lengths; the id's length is 0 without one and
/// n + 1 with one), the receiving time as the bits of a little-endian Double, and the
/// due step as a flag byte plus a little-endian Int64.
enum JournalBatch {
    static let version: UInt8 = 1

    static func encode(_ messages: some Collection<IngestMessage>) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(1 + messages.count * 64)
        for m in messages {
            append(m, payloadText: JSONWriter.string(m.payload), into: &out)
        }
        return out
    }

    /// One message with its payload as `payloadText` (a journal being migrated keeps
    /// a damaged payload's text as it was).
    static func append(_ m: IngestMessage, payloadText: String, into out: inout [UInt8]) {
        string(m.source, into: &out)
        string(m.topic, into: &out)
        string(payloadText, into: &out)
        if let id = m.id {
            length(id.utf8.count + 1, into: &out)
            out.append(contentsOf: id.utf8)
        } else {
            out.append(0)
        }
        fixed(m.receivedAt.bitPattern, into: &out)
        if let due = m.dueStep {
            out.append(1)
            fixed(UInt64(bitPattern: due), into: &out)
        } else {
            out.append(0)
        }
    }

    /// The batch's messages; a payload that no longer parses is a rejection in its
    /// place. Nil when the bytes are not a batch of `count` messages (a damaged file).
    static func decode(_ bytes: [UInt8], count: Int) -> [Result<IngestMessage, IngestRejection>]? {
        var r = Reader(bytes: bytes)
        guard r.byte() == version else { return nil }
        var out: [Result<IngestMessage, IngestRejection>] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            guard let source = r.string(), let topic = r.string(), let payload = r.field(), let idLength = r.length() else { return nil }
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
            out.append(IngestMessage.parsePayload(Array(payload)).map {
                IngestMessage(source: source, topic: topic, payload: $0, id: id, receivedAt: Double(bitPattern: received), dueStep: due)
            })
        }
        return r.atEnd ? out : nil
    }

    private static func string(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            length(utf8.count, into: &out)
            out.append(contentsOf: utf8)
        }
    }

    private static func length(_ n: Int, into out: inout [UInt8]) {
        var v = UInt(n)
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func fixed(_ v: UInt64, into out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
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
    }
}
