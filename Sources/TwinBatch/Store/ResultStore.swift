import Foundation
import GRDB

/// The results database (SQLite through GRDB), `twin-results/1`.
///
/// One row per finished run in `runs` and its KPI values in `kpis`, written in one
/// transaction as each run finishes: a crash, a kill or Ctrl-C leaves only whole
/// rows, and `--resume` runs exactly the ids not yet stored. The experiment's text
/// and fingerprint sit in `meta`, so resuming or merging a changed experiment is an
/// error rather than a silent mix.
///
/// ```sql
/// SELECT r.configuration, avg(k.value) FROM runs r JOIN kpis k ON k.run_id = r.id
///  WHERE r.status = 'ok' AND k.name = 'received' GROUP BY r.configuration;
/// ```
public final class ResultStore: @unchecked Sendable {
    public static let format = "twin-results/1"
    public let path: String
    private let db: DatabaseQueue

    public enum OpenMode: Sendable { case create, resume, read }

    /// Opens or creates the database for `experiment`. `.create` refuses a file that
    /// already holds runs (use `.resume`); `.resume` and `.read` refuse a database
    /// of another experiment.
    public init(path: String, experiment: Experiment?, mode: OpenMode) throws(ResultStoreError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if mode == .read && !exists { throw ResultStoreError(path, "no such results database") }
        do {
            var config = Configuration()
            config.readonly = mode == .read
            config.busyMode = .timeout(10)
            db = try DatabaseQueue(path: path, configuration: config)
            if mode != .read { try Self.migrate(db) }
            let meta = try db.read { db in try Self.meta(db) }
            if meta["format"] != Self.format { throw ResultStoreError(path, "not a TwinWorld results database (format \(meta["format"] ?? "missing"))") }
            if let e = experiment {
                if let stored = meta["fingerprint"] {
                    if stored != e.fingerprint {
                        throw ResultStoreError(path, "holds results of another experiment (\(meta["name"] ?? "?"), fingerprint \(stored)); this one is \(e.fingerprint): use a new --db")
                    }
                    let count = try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM runs") ?? 0 }
                    if mode == .create && count > 0 {
                        throw ResultStoreError(path, "already holds \(count) runs of this experiment: pass --resume to run only the missing ones, or choose another --db")
                    }
                } else if mode != .read {
                    try db.write { db in
                        for (k, v) in [("fingerprint", e.fingerprint), ("name", e.name), ("experiment", e.sourceText), ("scene", e.scenePath)] {
                            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [k, v])
                        }
                    }
                }
            }
        } catch let e as ResultStoreError { throw e } catch {
            throw ResultStoreError(path, Self.describe(error))
        }
    }

    private static func migrate(_ db: DatabaseQueue) throws {
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                INSERT OR IGNORE INTO meta(key, value) VALUES ('format', '\(format)');
                CREATE TABLE IF NOT EXISTS runs (
                  id TEXT PRIMARY KEY, configuration INTEGER NOT NULL, replication INTEGER NOT NULL,
                  seed TEXT NOT NULL, parameters TEXT NOT NULL, status TEXT NOT NULL, error TEXT,
                  steps INTEGER NOT NULL, state_hash TEXT NOT NULL, simulation_seconds REAL NOT NULL);
                CREATE TABLE IF NOT EXISTS kpis (
                  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL, value REAL,
                  PRIMARY KEY (run_id, name));
                """)
        }
    }

    private static func meta(_ db: Database) throws -> [String: String] {
        guard try db.tableExists("meta") else { return [:] }
        var out: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") {
            if let k: String = row["key"], let v: String = row["value"] { out[k] = v }
        }
        return out
    }

    /// The stored experiment text (for `report`, `export` and `merge` without the file).
    public func experimentText() throws(ResultStoreError) -> String? {
        try wrap { try db.read { try Self.meta($0)["experiment"] } }
    }

    public func metaValue(_ key: String) throws(ResultStoreError) -> String? {
        try wrap { try db.read { try Self.meta($0)[key] } }
    }

    /// Ids already stored; with `includeFailed` false, failed runs count as missing.
    public func storedIDs(includeFailed: Bool = true) throws(ResultStoreError) -> Set<String> {
        try wrap {
            try db.read { db in
                Set(try String.fetchAll(db, sql: includeFailed ? "SELECT id FROM runs" : "SELECT id FROM runs WHERE status = 'ok'"))
            }
        }
    }

    /// Stores one finished run and its KPIs atomically (replacing an earlier row of
    /// the same id, as a retried failure does).
    public func insert(_ row: StoredRun) throws(ResultStoreError) {
        try wrap { try db.write { db in try Self.insert(row, into: db) } }
    }

    private static func insert(_ r: StoredRun, into db: Database) throws {
        try db.execute(sql: "DELETE FROM kpis WHERE run_id = ?", arguments: [r.id])
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO runs(id, configuration, replication, seed, parameters, status, error, steps, state_hash, simulation_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [r.id, r.configuration, r.replication, String(r.seed), JSONWriter.string(.object(r.parameters.map { ($0.name, $0.value) })),
                        r.status.rawValue, r.error, r.steps, r.stateHash, r.simulationSeconds])
        for k in r.kpis {
            try db.execute(sql: "INSERT INTO kpis(run_id, name, value) VALUES (?, ?, ?)", arguments: [r.id, k.name, k.value.isFinite ? k.value : nil])
        }
    }

    /// Every stored run, ordered by id.
    public func runs() throws(ResultStoreError) -> [StoredRun] {
        try wrap {
            try db.read { db in
                var kpis: [String: [KPIValue]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT run_id, name, value FROM kpis ORDER BY rowid") {
                    let id: String = row["run_id"], name: String = row["name"]
                    let v: Double? = row["value"]
                    kpis[id, default: []].append(KPIValue(name: name, value: v ?? .nan))
                }
                return try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map { row in
                    let text: String = row["parameters"]
                    let params = ((try? JSONParser.parse(text))?.members ?? []).map { ParameterValue(name: $0.key, value: $0.value) }
                    let seedText: String = row["seed"]
                    let statusText: String = row["status"]
                    let id: String = row["id"]
                    return StoredRun(
                        id: id, configuration: row["configuration"], replication: row["replication"], seed: UInt64(seedText) ?? 0,
                        parameters: params, status: RunResult.Status(rawValue: statusText) ?? .failed, error: row["error"],
                        kpis: kpis[id] ?? [], steps: row["steps"], stateHash: row["state_hash"], simulationSeconds: row["simulation_seconds"])
                }
            }
        }
    }

    /// Copies every run of `other` (a shard's database of the same experiment) into
    /// this one in one transaction. A run id present in both must agree.
    public func merge(_ other: ResultStore) throws(ResultStoreError) -> Int {
        guard let mine = try metaValue("fingerprint"), let theirs = try other.metaValue("fingerprint") else {
            throw ResultStoreError(other.path, "has no experiment fingerprint")
        }
        guard mine == theirs else { throw ResultStoreError(other.path, "holds another experiment (fingerprint \(theirs), expected \(mine))") }
        let incoming = try other.runs()
        let existing = Dictionary(try runs().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for r in incoming {
            if let e = existing[r.id], e.status == .ok, r.status == .ok, e != r {
                throw ResultStoreError(other.path, "run \(r.id) differs from the one already merged (state hash \(r.stateHash) vs \(e.stateHash))")
            }
        }
        let added = incoming.filter { r in existing[r.id].map { $0.status != .ok && r.status == .ok } ?? true }
        try wrap { try db.write { db in for r in added { try Self.insert(r, into: db) } } }
        return added.count
    }

    /// Caps the file at `pages` pages for this connection: SQLite then fails writes
    /// with SQLITE_FULL exactly as on a full disk (how the tests make one).
    func limitPages(_ pages: Int) throws(ResultStoreError) {
        try wrap { try db.write { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") } }
    }

    private func wrap<T>(_ body: () throws -> T) throws(ResultStoreError) -> T {
        do { return try body() } catch { throw ResultStoreError(path, Self.describe(error)) }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_FULL: return "the disk (or the database's size limit) is full; the runs stored so far are intact — free space and resume with --resume"
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "the file is not a readable SQLite database (corrupt or another format): \(e.message ?? "")"
            case .SQLITE_CANTOPEN: return "cannot open the database file (missing directory or no permission)"
            case .SQLITE_READONLY: return "the database is read-only"
            default: return "SQLite: \(e.message ?? "\(e.resultCode)")"
            }
        }
        return "\(error)"
    }
}

public struct ResultStoreError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    init(_ path: String, _ message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }
}

/// A run as stored: the plan's fields and the result's.
public struct StoredRun: Sendable, Equatable {
    public var id: String
    public var configuration: Int
    public var replication: Int
    public var seed: UInt64
    public var parameters: [ParameterValue]
    public var status: RunResult.Status
    public var error: String?
    public var kpis: [KPIValue]
    public var steps: Int64
    public var stateHash: String
    public var simulationSeconds: Double

    public init(_ run: PlannedRun, _ result: RunResult) {
        id = run.id; configuration = run.configuration; replication = run.replication; seed = run.seed; parameters = run.parameters
        status = result.status; error = result.error; kpis = result.kpis; steps = result.steps; stateHash = result.stateHash
        simulationSeconds = result.simulationSeconds
    }

    init(id: String, configuration: Int, replication: Int, seed: UInt64, parameters: [ParameterValue], status: RunResult.Status,
         error: String?, kpis: [KPIValue], steps: Int64, stateHash: String, simulationSeconds: Double) {
        self.id = id; self.configuration = configuration; self.replication = replication; self.seed = seed; self.parameters = parameters
        self.status = status; self.error = error; self.kpis = kpis; self.steps = steps; self.stateHash = stateHash
        self.simulationSeconds = simulationSeconds
    }

    /// Equal results, ignoring how long they took.
    public static func == (a: StoredRun, b: StoredRun) -> Bool {
        a.id == b.id && a.configuration == b.configuration && a.replication == b.replication && a.seed == b.seed
            && a.parameters == b.parameters && a.status == b.status && a.error == b.error && a.kpis == b.kpis
            && a.steps == b.steps && a.stateHash == b.stateHash
    }
}
