import Foundation
import GRDB
import Testing
@testable import TwinIngest
import TwinRuntime

/// The journal keeps one row per committed batch; these check the row format, the
/// sequence numbers across batches and reopenings, duplicates inside and across
/// batches, damaged rows, and journals written with a row per message.
@Suite("Ingest journal: batches of messages as rows")
struct JournalBatchTests {
    static func messages() -> [IngestMessage] {
        [
            IngestMessage(source: "http", topic: "plant/P1/status", payload: .object([("state", .string("DOWN")), ("ts", .number(1.5))]),
                          id: "a-1", receivedAt: 1_780_000_000.125, dueStep: 7),
            IngestMessage(source: "mqtt", topic: "ünïcode/€", payload: .object([("v", .array([.number(-1e-300), .bool(true), .null]))]),
                          receivedAt: -0.0),
            IngestMessage(source: "", topic: "", payload: .object([]), id: "", receivedAt: .greatestFiniteMagnitude, dueStep: -3),
        ]
    }

    @Test("a batch decodes to the messages it was made of, field by field")
    func roundTrip() throws {
        let ms = Self.messages()
        let bytes = JournalBatch.encode(ms)
        let back = try #require(JournalBatch.decode(bytes, count: ms.count))
        #expect(back.count == ms.count)
        for (m, r) in zip(ms, back) {
            let b = try r.get()
            #expect(b.source == m.source && b.topic == m.topic && JSONWriter.string(b.payload) == JSONWriter.string(m.payload) && b.id == m.id)
            #expect(b.receivedAt.bitPattern == m.receivedAt.bitPattern && b.dueStep == m.dueStep)
        }
    }

    /// Far more than the writer's first buffer: strings from 0 to 700 bytes (lengths
    /// past one LEB128 byte), nested arrays and objects, ids on every third message.
    @Test("a large batch of long and nested payloads decodes byte for byte")
    func largeBatch() throws {
        let ms = (0..<2_000).map { k in
            let text = String(repeating: k % 2 == 0 ? "é" : "x", count: (k * 37) % 700)
            let nested: JSONValue = .array((0..<(k % 5)).map { .object([("i", .number(Double($0))), ("t", .string(text))]) })
            return IngestMessage(source: k % 3 == 0 ? "mqtt" : "http", topic: "site/\(k)/\(text.prefix(k % 40))",
                                 payload: .object([("v", .number(Double(k) * 0.1)), ("s", .string(text)), ("n", nested)]),
                                 id: k % 3 == 0 ? "id-\(k)" : nil, receivedAt: Double(k), dueStep: k % 2 == 0 ? Int64(k) : nil)
        }
        let bytes = JournalBatch.encode(ms)
        let back = try #require(JournalBatch.decode(bytes, count: ms.count))
        #expect(back.count == ms.count)
        for (m, r) in zip(ms, back) {
            let b = try r.get()
            #expect(b.source == m.source && b.topic == m.topic && b.id == m.id && b.dueStep == m.dueStep && b.receivedAt == m.receivedAt)
            #expect(JSONWriter.string(b.payload) == JSONWriter.string(m.payload))
        }
    }

    @Test("cut, padded or wrongly counted bytes are refused, not misread")
    func damaged() {
        let bytes = JournalBatch.encode(Self.messages())
        #expect(JournalBatch.decode(bytes, count: 2) == nil)
        #expect(JournalBatch.decode(bytes, count: 4) == nil)
        #expect(JournalBatch.decode(Array(bytes.dropLast()), count: 3) == nil)
        #expect(JournalBatch.decode(bytes + [0], count: 3) == nil)
        #expect(JournalBatch.decode([9] + bytes.dropFirst(), count: 3) == nil)
        #expect(JournalBatch.decode([], count: 0) == nil)
    }

    /// A payload tree as the bytes of one message without id or due step.
    static func oneMessage(payload: [UInt8]) -> [UInt8] {
        [JournalBatch.version, 1, UInt8(ascii: "s"), 1, UInt8(ascii: "t")] + payload + [0] + [UInt8](repeating: 0, count: 8) + [0]
    }

    @Test("payload trees: unknown tags, counts beyond the row and nesting past the limit are refused")
    func damagedPayload() throws {
        let object = JournalBatch.Tag.object.rawValue, array = JournalBatch.Tag.array.rawValue
        let good = Self.oneMessage(payload: [object, 1, 1, UInt8(ascii: "v"), JournalBatch.Tag.true.rawValue])
        #expect(try JournalBatch.decode(good, count: 1)?.first?.get().payload == .object([("v", .bool(true))]))
        #expect(JournalBatch.decode(Self.oneMessage(payload: [42]), count: 1) == nil)
        #expect(JournalBatch.decode(Self.oneMessage(payload: [array, 200]), count: 1) == nil)
        let deep = [UInt8](repeating: 0, count: JournalBatch.maxDepth * 2).enumerated().map { $0.offset % 2 == 0 ? array : 1 }
        #expect(JournalBatch.decode(Self.oneMessage(payload: deep + [JournalBatch.Tag.null.rawValue]), count: 1) == nil)
        let shallow = Array(deep.prefix(20)) + [JournalBatch.Tag.null.rawValue]
        #expect(JournalBatch.decode(Self.oneMessage(payload: shallow), count: 1) != nil)
    }

    @Test("rows written with JSON-text payloads (version 1) are still read")
    func textVersion() throws {
        var bytes: [UInt8] = [JournalBatch.textVersion]
        for text in [#"{"v": [1.5, "x"]}"#, #"{"v": 2"#] {
            bytes += [4] + Array("http".utf8) + [3] + Array("a/1".utf8) + [UInt8(text.utf8.count)] + Array(text.utf8)
            bytes += [2, UInt8(ascii: "k")] + [UInt8](repeating: 0, count: 8) + [1, 5, 0, 0, 0, 0, 0, 0, 0]
        }
        let back = try #require(JournalBatch.decode(bytes, count: 2))
        let m = try back[0].get()
        #expect(m.source == "http" && m.topic == "a/1" && m.id == "k" && m.dueStep == 5)
        #expect(JSONWriter.string(m.payload) == #"{"v":[1.5,"x"]}"#)
        #expect((try? back[1].get()) == nil)
    }

    @Test("sequence numbers run on across batches and reopenings; duplicates get none, within a batch and across")
    func sequence() throws {
        let dir = LiveScene.temporaryDirectory("journal-seq")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/j.sqlite"
        var j: IngestJournal? = try IngestJournal(path: path)
        let ms = Self.messages()
        #expect(try j?.append(ms, refusals: [], positions: []) == [1, 2, 3])
        #expect(try j?.append([ms[1], ms[0], ms[1]], refusals: [], positions: []) == [4, nil, 5])
        j = nil
        let reopened = try IngestJournal(path: path)
        #expect(try reopened.append([ms[2], ms[1]], refusals: [], positions: []) == [nil, 6])
        #expect(reopened.messageCount == 6)
        let all = try reopened.messages(after: 0)
        #expect(all.map(\.seq) == [1, 2, 3, 4, 5, 6])
        #expect(try all.map { try $0.message.get().topic } == [ms[0].topic, ms[1].topic, ms[2].topic, ms[1].topic, ms[1].topic, ms[1].topic])
        #expect(try reopened.messages(after: 4).map(\.seq) == [5, 6])
        let dead = try reopened.deadLetters().map(\.reason)
        #expect(dead == ["duplicate: http message id \"a-1\" was already accepted", "duplicate:  message id \"\" was already accepted"])
        // A message refused later is found inside its batch by sequence number.
        // Several from one batch, one from another, out of order, one nowhere.
        try reopened.deadLetter([(seq: 2, reason: "late"), (seq: 2, reason: "late"), (seq: 3, reason: "late"),
                                 (seq: 5, reason: "late"), (seq: 1, reason: "late"), (seq: 99, reason: "nowhere")])
        let later = try reopened.deadLetters().filter { $0.seq != nil }
        #expect(later.map(\.seq) == [2, 3, 5, 1] && later.allSatisfy { $0.reason == "late" })
        #expect(later.map(\.topic) == [ms[1].topic, ms[2].topic, ms[1].topic, ms[0].topic])
    }

    @Test("a journal written with a row per message is moved into batches on opening, same sequence numbers and ids")
    func migration() throws {
        let dir = LiveScene.temporaryDirectory("journal-migrate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/old.sqlite"
        do {
            let db = try DatabaseQueue(path: path)
            try db.write { db in
                try db.execute(sql: """
                    CREATE TABLE messages(seq INTEGER PRIMARY KEY, source TEXT NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL,
                                          msg_id TEXT, received REAL NOT NULL, due_step INTEGER);
                    INSERT INTO messages VALUES (1, 'http', 'a/1', '{"v": 1}', 'x', 10.5, 3);
                    INSERT INTO messages VALUES (2, 'mqtt', 'a/2', '{"v": 2}', NULL, 11.5, NULL);
                    INSERT INTO messages VALUES (4, 'http', 'a/3', '{"v": 3', NULL, 12.5, NULL);
                    """)
            }
        }
        let j = try IngestJournal(path: path)
        let all = try j.messages(after: 0)
        #expect(all.map(\.seq) == [1, 2, 4])
        let first = try all[0].message.get()
        #expect(first.topic == "a/1" && JSONWriter.string(first.payload) == #"{"v":1}"# && first.id == "x" && first.receivedAt == 10.5 && first.dueStep == 3)
        #expect(try all[1].message.get().dueStep == nil)
        // The damaged payload stays damaged: reported on replay, not silently dropped.
        #expect((try? all[2].message.get()) == nil)
        #expect(try j.append([IngestMessage(source: "http", topic: "a/1", payload: .object([]), id: "x", receivedAt: 1)], refusals: [], positions: []) == [nil])
        #expect(try j.append([IngestMessage(source: "http", topic: "a/4", payload: .object([]), receivedAt: 1)], refusals: [], positions: []) == [5])
        #expect(try IngestJournal(path: path).messageCount == 4)
    }
}
