import Foundation
import Testing
import TwinIngest

/// Real services for the tests, started on 127.0.0.1 with an ephemeral port in a
/// temporary directory, bounded in time, and stopped by `stop()` / `deinit` (so also
/// when a test fails). A missing program is a test failure telling what to install.
enum Services {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func require(_ path: String, package: String) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(description: "\(path) is missing: run Tools/setup.sh (Debian package \(package))")
        }
    }

    static func freePort() -> Int32 { ChildProcess.freePort() }

    /// Polls `condition` every 10 ms for at most `timeout` seconds.
    @discardableResult
    static func wait(_ timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }

    static func spawn(_ path: String, _ args: [String], log: String? = nil) throws -> pid_t {
        do { return try ChildProcess.spawn(path, args, log: log) } catch { throw Missing(description: error.description) }
    }

    static func reap(_ pid: pid_t, timeout: Double) -> Int32? { ChildProcess.reap(pid, timeout: timeout) }

    /// Runs a program to completion (at most `timeout` s, then it is killed); returns
    /// its status and output.
    @discardableResult
    static func run(_ path: String, _ args: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
        let log = LiveScene.temporaryDirectory("run") + "/out"
        defer { try? FileManager.default.removeItem(atPath: (log as NSString).deletingLastPathComponent) }
        let pid = try spawn(path, args, log: log)
        var status = reap(pid, timeout: timeout)
        if status == nil { kill(pid, SIGKILL); status = reap(pid, timeout: 5) }
        return (status ?? -1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static var isRoot: Bool { getuid() == 0 }
}

/// The broker of `TwinIngest`, in a temporary directory removed afterwards.
final class MosquittoBroker {
    let broker: LocalMosquitto
    var port: Int32 { broker.port }

    init() throws { broker = try LocalMosquitto(directory: LiveScene.temporaryDirectory("mqtt")) }
    func start() throws { try broker.start() }
    func stop() { broker.stop() }

    deinit {
        broker.stop()
        try? FileManager.default.removeItem(atPath: broker.directory)
    }
}

/// A PostgreSQL 15 server with `wal_level=logical`, in a temporary data directory,
/// on a loopback port, trusted local connections, run as `postgres` when we are
/// root (PostgreSQL refuses to run as root).
final class PostgresServer {
    static let bin = "/usr/lib/postgresql/15/bin"
    let dir: String
    let port: Int32
    var connection: String { "host=127.0.0.1 port=\(port) user=postgres dbname=postgres connect_timeout=5" }
    private var running = false

    init() throws {
        try Services.require(Self.bin + "/initdb", package: "postgresql-15")
        guard FileManager.default.fileExists(atPath: "/usr/lib/postgresql/15/lib/wal2json.so") else {
            throw Services.Missing(description: "wal2json is missing: run Tools/setup.sh (Debian package postgresql-15-wal2json)")
        }
        dir = LiveScene.temporaryDirectory("pg")
        port = Services.freePort()
        if Services.isRoot { try Services.run("/bin/chown", ["postgres:postgres", dir]) }
        let r = try asOwner(Self.bin + "/initdb", ["-D", dir + "/data", "-U", "postgres", "-A", "trust", "--no-sync"], timeout: 120)
        guard r.status == 0 else { throw Services.Missing(description: "initdb failed: \(r.output)") }
        try start()
    }

    private func asOwner(_ program: String, _ args: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
        Services.isRoot ? try Services.run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + args, timeout: timeout)
            : try Services.run(program, args, timeout: timeout)
    }

    func start() throws {
        let options = "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_replication_slots=8 -c max_wal_senders=8 -c fsync=off"
        let r = try asOwner(Self.bin + "/pg_ctl", ["-D", dir + "/data", "-o", options, "-l", dir + "/server.log", "-w", "-t", "60", "start"], timeout: 90)
        guard r.status == 0 else { throw Services.Missing(description: "PostgreSQL did not start: \(r.output)") }
        running = true
    }

    func stop() {
        guard running else { return }
        _ = try? asOwner(Self.bin + "/pg_ctl", ["-D", dir + "/data", "-m", "fast", "-w", "-t", "60", "stop"], timeout: 90)
        running = false
    }

    /// Runs SQL through psql.
    @discardableResult
    func sql(_ text: String) throws -> String {
        let r = try Services.run("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", connection, "-c", text])
        guard r.status == 0 else { throw Services.Missing(description: "psql: \(r.output)") }
        return r.output
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
