import Foundation
import Testing

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

    /// A port nobody listens on right now.
    static func freePort() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int32(UInt16(bigEndian: addr.sin_port))
    }

    static func accepts(_ port: Int32) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

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

    /// Starts a program with an empty signal mask (the test runner's threads block
    /// SIGTERM/SIGINT, and a child would inherit that and never stop), its output to
    /// `log` (or discarded).
    static func spawn(_ path: String, _ args: [String], log: String? = nil) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&files, 1, log ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&files, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &files, &attr, argv, environ)
        guard rc == 0 else { throw Missing(description: "cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits up to `timeout` s for `pid` to exit; its exit status, or nil if still running.
    static func reap(_ pid: pid_t, timeout: Double) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        repeat {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            Thread.sleep(forTimeInterval: 0.01)
        } while Date() < end
        return nil
    }

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

/// A Mosquitto broker with persistence (so QoS 1 messages for a kept session
/// survive a broker restart) on a loopback port.
final class MosquittoBroker {
    static let program = "/usr/sbin/mosquitto"
    let dir: String
    let port: Int32
    private var pid: pid_t?

    init() throws {
        try Services.require(Self.program, package: "mosquitto")
        dir = LiveScene.temporaryDirectory("mqtt")
        port = Services.freePort()
        let conf = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location \(dir)/
            max_queued_messages 100000
            user root
            """
        try conf.write(toFile: dir + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    func start() throws {
        pid = try Services.spawn(Self.program, ["-c", dir + "/mosquitto.conf"])
        guard Services.wait(10, { Services.accepts(port) }) else { stop(); throw Services.Missing(description: "mosquitto did not start on port \(port)") }
    }

    /// SIGTERM: the broker saves its sessions and queued messages, then exits.
    func stop() {
        guard let p = pid else { return }
        kill(p, SIGTERM)
        if Services.reap(p, timeout: 10) == nil { kill(p, SIGKILL); _ = Services.reap(p, timeout: 5) }
        pid = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
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
