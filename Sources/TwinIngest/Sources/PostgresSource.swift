import TwinRuntime
import CLibPQ
import Foundation

/// PostgreSQL change data capture through logical decoding with `wal2json`
/// (format 2): inserts, updates and deletes on chosen tables become messages with
/// topic `schema.table` and the row's columns as payload, plus `_op`
/// (`insert`/`update`/`delete`; a delete carries the old key columns).
///
/// ## Resuming exactly
/// Changes are read with `pg_logical_slot_peek_changes` (which does not consume
/// them), journaled together with the last LSN read, and only then confirmed to
/// the server with `pg_replication_slot_advance`. A crash between the two leaves the
/// slot behind the journal: on restart the changes up to the journaled LSN are
/// skipped, so none is applied twice and none is missed. Each change's id is its
/// LSN and position in the transaction, so even a replay past that check is caught
/// as a duplicate by the journal.
///
/// A lost connection (server restart, network) is retried with back-off; a dropped
/// table simply produces no more changes; changes of tables no binding takes go to
/// the dead letters.
public final class PostgresSource: @unchecked Sendable {
    public struct Options: Sendable {
        /// libpq connection string (`host=127.0.0.1 port=5432 user=postgres dbname=plant`).
        public var connection: String
        public var slot: String
        /// `schema.table` names to capture; empty captures every table.
        public var tables: [String]
        /// Changes read per poll at most (whole transactions).
        public var batch = 1000
        public var pollInterval = 0.05
        public var maxReconnectDelay = 8.0

        public init(connection: String, slot: String, tables: [String] = []) {
            self.connection = connection; self.slot = slot; self.tables = tables
        }
    }

    public let options: Options
    let hub: IngestHub
    private let lock = NSLock()
    private var running = false
    private var thread: Thread?
    private var _connects = 0
    private var _changes = 0
    private var _lastError: String?
    private let done = DispatchSemaphore(value: 0)

    public init(hub: IngestHub, options: Options) { self.hub = hub; self.options = options }

    public var connections: Int { lock.withLock { _connects } }
    public var changes: Int { lock.withLock { _changes } }
    public var lastError: String? { lock.withLock { _lastError } }
    var positionKey: String { "postgres:" + options.slot }

    public func start() {
        lock.withLock {
            guard !running else { return }
            running = true
            let t = Thread { [self] in loop(); done.signal() }
            t.name = "twin.ingest.postgres"
            thread = t
            t.start()
        }
    }

    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in defer { running = false }; return running && thread != nil }
        if wasRunning { done.wait() }
        lock.withLock { thread = nil }
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func loop() {
        var delay = 0.25
        while isRunning {
            do {
                let conn = try PGConnection(options.connection)
                lock.withLock { _connects += 1; _lastError = nil }
                delay = 0.25
                try ensureSlot(conn)
                while isRunning {
                    if try poll(conn) == 0 { Thread.sleep(forTimeInterval: options.pollInterval) }
                }
            } catch {
                lock.withLock { _lastError = "\(error)" }
                let end = Date().addingTimeInterval(delay)
                while isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.02) }
                delay = min(options.maxReconnectDelay, delay * 2)
            }
        }
    }

    private func ensureSlot(_ c: PGConnection) throws {
        let exists = try c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [options.slot])
        if exists.isEmpty {
            _ = try c.query("SELECT pg_create_logical_replication_slot($1, 'wal2json')", [options.slot])
        }
    }

    /// Reads, journals and confirms one batch; returns the number of changes.
    private func poll(_ c: PGConnection) throws -> Int {
        var params = [options.slot, String(options.batch), "format-version", "2", "include-transaction", "false"]
        var sql = "SELECT lsn::text, data FROM pg_logical_slot_peek_changes($1, NULL, $2::int, $3, $4, $5, $6"
        if !options.tables.isEmpty {
            params += ["add-tables", options.tables.joined(separator: ",")]
            sql += ", $7, $8"
        }
        let rows = try c.query(sql + ")", params)
        guard let lastLSN = rows.last?[0] else { return 0 }
        let stored = try hub.journal.position(of: positionKey).flatMap(LSN.init)
        var batch: [IngestMessage] = []
        var refusals: [UnparsedMessage] = []
        var previousLSN = "", index = 0
        for row in rows {
            let lsn = row[0]
            index = lsn == previousLSN ? index + 1 : 0
            previousLSN = lsn
            if let s = stored, let l = LSN(lsn), l <= s { continue }
            switch Self.message(row[1], id: "\(lsn)#\(index)") {
            case .success(let m?): batch.append(m)
            case .success(nil): continue
            case .failure(let why): refusals.append(UnparsedMessage(source: "postgres", topic: options.slot, raw: row[1], reason: why.reason))
            }
        }
        while true {
            let reply = hub.submit(batch, unparsed: refusals, position: (positionKey, lastLSN))
            switch reply.status {
            case .accepted:
                _ = try c.query("SELECT pg_replication_slot_advance($1, $2::pg_lsn)", [options.slot, lastLSN])
                lock.withLock { _changes += batch.count }
                return rows.count
            case .retryAfter(let s):
                guard isRunning else { return 0 }
                Thread.sleep(forTimeInterval: min(s, 0.05))
            case .failed(let why):
                throw PGError(message: why)
            }
        }
    }

    /// One wal2json format-2 row as a message; nil for rows that are not changes.
    static func message(_ json: String, id: String) -> Result<IngestMessage?, IngestRejection> {
        let v: JSONValue
        switch IngestMessage.parsePayload(Array(json.utf8)) {
        case .success(let x): v = x
        case .failure(let r): return .failure(r)
        }
        guard let action = v["action"]?.stringValue else { return .failure(IngestRejection("wal2json row without \"action\"")) }
        let op: String
        switch action {
        case "I": op = "insert"
        case "U": op = "update"
        case "D": op = "delete"
        default: return .success(nil)
        }
        guard let schema = v["schema"]?.stringValue, let table = v["table"]?.stringValue else {
            return .failure(IngestRejection("wal2json change without schema/table"))
        }
        var members: [(String, JSONValue)] = [("_op", .string(op))]
        for col in (op == "delete" ? v["identity"] : v["columns"])?.elements ?? [] {
            guard let name = col["name"]?.stringValue, let value = col["value"] else { continue }
            members.append((name, value))
        }
        return .success(IngestMessage(source: "postgres", topic: "\(schema).\(table)", payload: .object(members), id: id))
    }
}

/// A PostgreSQL log sequence number, `16/B374D848`, comparable.
struct LSN: Comparable {
    let value: UInt64
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let hi = UInt64(parts[0], radix: 16), let lo = UInt64(parts[1], radix: 16), hi <= 0xFFFF_FFFF, lo <= 0xFFFF_FFFF
        else { return nil }
        value = hi << 32 | lo
    }
    static func < (a: LSN, b: LSN) -> Bool { a.value < b.value }
}

public struct PGError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// The few libpq calls the source needs: connect, parameterised query, close.
final class PGConnection {
    private let conn: OpaquePointer

    init(_ info: String) throws(PGError) {
        guard let c = PQconnectdb(info) else { throw PGError(message: "libpq: out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let why = String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(c)
            throw PGError(message: "connect: \(why)")
        }
        conn = c
    }

    deinit { PQfinish(conn) }

    /// Rows as text; an error names the server's message.
    func query(_ sql: String, _ params: [String] = []) throws(PGError) -> [[String]] {
        let cStrings = params.map { strdup($0) }
        defer { for p in cStrings { free(p) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let result = pointers.withUnsafeBufferPointer { PQexecParams(conn, sql, Int32(params.count), nil, $0.baseAddress, nil, nil, 0) }
        guard let r = result else { throw PGError(message: String(cString: PQerrorMessage(conn))) }
        defer { PQclear(r) }
        let status = PQresultStatus(r)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw PGError(message: String(cString: PQresultErrorMessage(r)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var rows: [[String]] = []
        for i in 0..<PQntuples(r) {
            rows.append((0..<PQnfields(r)).map { j in String(cString: PQgetvalue(r, i, j)) })
        }
        return rows
    }

    /// Runs SQL without parameters (several statements allowed).
    func execute(_ sql: String) throws(PGError) {
        guard let r = PQexec(conn, sql) else { throw PGError(message: String(cString: PQerrorMessage(conn))) }
        defer { PQclear(r) }
        let status = PQresultStatus(r)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw PGError(message: String(cString: PQresultErrorMessage(r)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
