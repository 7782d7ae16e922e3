import TwinRuntime
import Foundation
import GRDB

/// The append-only ingest journal: every accepted message, in sequence order, is
/// written (and, by default, synced to disk) before the source is told it was
/// accepted; a restart replays it. Beside it: the dead letters (messages refused,
/// with why), the step each batch of messages was taken into the world at, and each
/// source's resume position (an MQTT session needs none; a database stream stores
/// its log position, a replay its line) — written in the same transaction as the
/// messages they cover, so a position never runs ahead of what was journaled.
public final class IngestJournal: @unchecked Sendable {
    public let path: String
    let db: DatabaseQueue

    /// `durable`: sync every commit to disk (survives power loss); false syncs at WAL
    /// checkpoints only (survives a killed process, not a power cut).
    public init(path: String, durable: Bool = true) throws {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        nextSeq = try db.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS batches(first_seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, body BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS message_ids(
                    source TEXT NOT NULL, msg_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(source, msg_id)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS dead_letters(
                    id INTEGER PRIMARY KEY, seq INTEGER, source TEXT NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL,
                    reason TEXT NOT NULL, received REAL NOT NULL);
                CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_seq ON dead_letters(seq, reason) WHERE seq IS NOT NULL;
                CREATE TABLE IF NOT EXISTS pumps(step INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS positions(source TEXT PRIMARY KEY, position TEXT NOT NULL);
                """)
            try Self.migrateMessageRows(db)
            return try Int64.fetchOne(db, sql: "SELECT MAX(first_seq + count) FROM batches") ?? 1
        }
    }

    /// Opens a journal only to read it (a restore replaying another world's journal,
    /// which may be live and writing).
    public init(readingOnly path: String) throws {
        self.path = path
        var config = Configuration()
        config.readonly = true
        db = try DatabaseQueue(path: path, configuration: config)
        nextSeq = try db.read { db in
            guard try db.tableExists("batches"), try db.tableExists("pumps") else {
                throw CheckpointError(file: path, message: "not an ingest journal (no batches or pumps)")
            }
            return try Int64.fetchOne(db, sql: "SELECT MAX(first_seq + count) FROM batches") ?? 1
        }
    }

    /// The sequence number the next accepted message gets (writes are serialised).
    private var nextSeq: Int64

    /// Journals written before batches kept a row per message (`messages`): moved
    /// into batches of one, same sequence numbers, once.
    private static func migrateMessageRows(_ db: Database) throws {
        guard try db.tableExists("messages") else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT seq, source, topic, payload, msg_id, received, due_step FROM messages ORDER BY seq")
        for row in rows {
            let seq: Int64 = row["seq"], source: String = row["source"], id: String? = row["msg_id"]
            let text: String = row["payload"]
            let m = IngestMessage(source: source, topic: row["topic"], payload: .null, id: id, receivedAt: row["received"], dueStep: row["due_step"])
            var body = ByteWriter()
            body.byte(JournalBatch.version)
            JournalBatch.append(m, payloadText: text, into: &body)
            try db.execute(sql: "INSERT INTO batches(first_seq, count, body) VALUES (?, 1, ?)", arguments: [seq, Data(body.bytes)])
            if let id {
                try db.execute(sql: "INSERT OR IGNORE INTO message_ids(source, msg_id, seq) VALUES (?, ?, ?)", arguments: [source, id, seq])
            }
        }
        try db.execute(sql: "DROP TABLE messages")
    }

    /// A message refused at the door: not journaled as accepted, kept with its reason.
    struct Refusal {
        let message: IngestMessage
        /// The body as received when it could not be parsed.
        let rawText: String?
        let reason: String
    }

    /// Appends accepted messages and refusals and stores resume positions (the last
    /// one per source wins), all in one transaction. Returns each accepted message's
    /// sequence number, or nil for a duplicate (which is dead-lettered instead).
    func append(_ accepted: [IngestMessage], refusals: [Refusal], positions: [(source: String, value: String)]) throws -> [Int64?] {
        try transaction { db in
            var seqs: [Int64?] = []
            seqs.reserveCapacity(accepted.count)
            // The kept messages are copied into a list of their own only once a
            // duplicate drops one: copying every message cost more than encoding it.
            var dropped: [IngestMessage]?
            var seq = nextSeq
            for k in accepted.indices {
                if let id = accepted[k].id {
                    let m = accepted[k]
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO message_ids(source, msg_id, seq) VALUES (?, ?, ?)")
                        .execute(arguments: [m.source, id, seq])
                    guard db.changesCount == 1 else {
                        seqs.append(nil)
                        if dropped == nil { dropped = Array(accepted[..<k]) }
                        try Self.insertDead(db, seq: nil, m, JSONWriter.string(m.payload), reason: "duplicate: \(m.source) message id \"\(id)\" was already accepted")
                        continue
                    }
                }
                seqs.append(seq)
                dropped?.append(accepted[k])
                seq += 1
            }
            let kept = dropped ?? accepted
            if !kept.isEmpty {
                try db.cachedStatement(sql: "INSERT INTO batches(first_seq, count, body) VALUES (?, ?, ?)")
                    .execute(arguments: [nextSeq, kept.count, Data(JournalBatch.encode(kept))])
            }
            for r in refusals {
                try Self.insertDead(db, seq: nil, r.message, r.rawText ?? JSONWriter.string(r.message.payload), reason: r.reason)
            }
            for p in positions {
                try db.execute(sql: "INSERT INTO positions(source, position) VALUES (?, ?) ON CONFLICT(source) DO UPDATE SET position = excluded.position",
                               arguments: [p.source, p.value])
            }
            // Advanced only once the transaction's statements all ran; a failed commit
            // (thrown by `transaction`) leaves sequence numbers to the next one — gaps are harmless.
            nextSeq = seq
            return seqs
        }
    }

    /// `body` in one transaction, begun and committed by cached statements: GRDB's
    /// `write` compiles BEGIN and COMMIT again for every transaction, which cost more
    /// than writing a one-message batch (an MQTT QoS 1 message commits on its own).
    private func transaction<T>(_ body: (Database) throws -> T) throws -> T {
        try db.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            do {
                let result = try body(db)
                try db.cachedStatement(sql: "COMMIT").execute()
                return result
            } catch {
                if !db.isInsideTransaction { throw error }
                try? db.cachedStatement(sql: "ROLLBACK").execute()
                throw error
            }
        }
    }

    private static func insertDead(_ db: Database, seq: Int64?, _ m: IngestMessage, _ text: String, reason: String) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO dead_letters(seq, source, topic, payload, reason, received) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [seq, m.source, m.topic, text, reason, m.receivedAt])
    }

    /// Dead-letters accepted messages that a binding or the world refused later (late,
    /// unknown entity, a value the component rejects). Idempotent per (seq, reason).
    func deadLetter(_ items: [(seq: Int64, reason: String)]) throws {
        guard !items.isEmpty else { return }
        try db.write { db in
            // Refusals come in sequence order, often many from one batch (a batch of
            // unknown ids): each batch is read and decoded once.
            var batch: (first: Int64, messages: [Result<IngestMessage, IngestRejection>])?
            for item in items {
                if batch.map({ item.seq < $0.first || item.seq - $0.first >= Int64($0.messages.count) }) ?? true {
                    guard let row = try Row.fetchOne(db, sql: "SELECT first_seq, count, body FROM batches WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1",
                                                     arguments: [item.seq]) else { continue }
                    let first: Int64 = row["first_seq"], count: Int = row["count"], body: Data = row["body"]
                    batch = (first, JournalBatch.decode(Array(body), count: count) ?? [])
                }
                guard let b = batch, item.seq >= b.first, item.seq - b.first < Int64(b.messages.count),
                      case .success(let m) = b.messages[Int(item.seq - b.first)] else { continue }
                try Self.insertDead(db, seq: item.seq, m, JSONWriter.string(m.payload), reason: item.reason)
            }
        }
    }

    /// Records that messages up to `lastSeq` were taken into the world at `step`.
    func recordPump(step: Int64, lastSeq: Int64) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO pumps(step, last_seq) VALUES (?, ?)", arguments: [step, lastSeq])
        }
    }

    func pumps() throws -> [(step: Int64, lastSeq: Int64)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT step, last_seq FROM pumps ORDER BY step").map { ($0["step"], $0["last_seq"]) }
        }
    }

    /// Accepted messages with sequence numbers above `seq`, in order. A stored payload
    /// that no longer parses (a damaged file) is returned as a refusal reason.
    func messages(after seq: Int64) throws -> [(seq: Int64, message: Result<IngestMessage, IngestRejection>)] {
        try db.read { db in
            var out: [(seq: Int64, message: Result<IngestMessage, IngestRejection>)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT first_seq, count, body FROM batches WHERE first_seq + count > ? ORDER BY first_seq",
                                           arguments: [seq + 1])
            while let row = try rows.next() {
                let first: Int64 = row["first_seq"], count: Int = row["count"], body: Data = row["body"]
                let messages = JournalBatch.decode(Array(body), count: count)
                    ?? Array(repeating: .failure(IngestRejection("the journal's batch at sequence \(first) is damaged")), count: count)
                for (k, m) in messages.enumerated() where first + Int64(k) > seq { out.append((first + Int64(k), m)) }
            }
            return out
        }
    }

    public func position(of source: String) throws -> String? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT position FROM positions WHERE source = ?", arguments: [source]) }
    }

    public var messageCount: Int { (try? db.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM batches") ?? 0 }) ?? 0 }

    /// Dead letters, oldest first, after id `after`: what the API lists for inspection.
    public func deadLetters(after: Int64 = 0, limit: Int = 100) throws -> [DeadLetter] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, seq, source, topic, payload, reason, received FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?",
                             arguments: [after, max(0, limit)]).map {
                DeadLetter(id: $0["id"], seq: $0["seq"], source: $0["source"], topic: $0["topic"], payload: $0["payload"],
                           reason: $0["reason"], receivedAt: $0["received"])
            }
        }
    }
}

/// A message that was not applied, and why.
public struct DeadLetter: Sendable, Hashable {
    public var id: Int64
    /// The journal sequence number when the message had been accepted (refused later
    /// by a binding or the world); nil when refused on arrival.
    public var seq: Int64?
    public var source: String
    public var topic: String
    /// The body as received (JSON text, or the raw text when it did not parse).
    public var payload: String
    public var reason: String
    public var receivedAt: Double

    public var json: JSONValue {
        .object([
            ("id", .number(Double(id))), ("seq", seq.map { .number(Double($0)) } ?? .null), ("source", .string(source)),
            ("topic", .string(topic)), ("payload", .string(payload)), ("reason", .string(reason)), ("receivedAt", .number(receivedAt)),
        ])
    }
}
