import Foundation

/// Local helper programs (a broker for tests and benchmarks) started with
/// `posix_spawn` and an empty signal mask: threads of a test runner or server block
/// SIGTERM/SIGINT, and a child inheriting that mask would never stop on request.
public enum ChildProcess {
    /// Starts a program, its output to `log` (or discarded).
    public static func spawn(_ path: String, _ args: [String], log: String? = nil) throws(ChildProcessError) -> pid_t {
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
        guard rc == 0 else { throw ChildProcessError(description: "cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits up to `timeout` s for `pid` to exit; its exit status, or nil if still running.
    public static func reap(_ pid: pid_t, timeout: Double) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        repeat {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            Thread.sleep(forTimeInterval: 0.01)
        } while Date() < end
        return nil
    }

    /// A loopback TCP port nobody listens on right now.
    public static func freePort() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int32(UInt16(bigEndian: addr.sin_port))
    }

    /// True when something accepts connections on the loopback port.
    public static func accepts(_ port: Int32) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    private static func loopback(_ port: Int32) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }
}

/// A Mosquitto broker on a loopback port with persistence in its own directory (so
/// QoS 1 messages queued for a kept session survive a broker restart): for tests,
/// benchmarks and trying a live scene.
public final class LocalMosquitto {
    public static let program = "/usr/sbin/mosquitto"
    public let directory: String
    public let port: Int32
    private var pid: pid_t?

    /// Fails, saying to run Tools/setup.sh, when mosquitto is not installed.
    public init(directory: String) throws(ChildProcessError) {
        guard FileManager.default.isExecutableFile(atPath: Self.program) else {
            throw ChildProcessError(description: "\(Self.program) is missing: run Tools/setup.sh (Debian package mosquitto)")
        }
        self.directory = directory
        port = ChildProcess.freePort()
        let conf = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location \(directory)/
            max_queued_messages 1000000
            max_inflight_messages 1000
            user root
            """
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try conf.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        } catch { throw ChildProcessError(description: "cannot write \(directory)/mosquitto.conf: \(error)") }
        try start()
    }

    public func start() throws(ChildProcessError) {
        pid = try ChildProcess.spawn(Self.program, ["-c", directory + "/mosquitto.conf"])
        let end = Date().addingTimeInterval(10)
        while !ChildProcess.accepts(port) {
            guard Date() < end else { stop(); throw ChildProcessError(description: "mosquitto did not start on port \(port)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// SIGTERM: the broker saves its sessions and queued messages, then exits.
    public func stop() {
        guard let p = pid else { return }
        kill(p, SIGTERM)
        if ChildProcess.reap(p, timeout: 10) == nil { kill(p, SIGKILL); _ = ChildProcess.reap(p, timeout: 5) }
        pid = nil
    }

    deinit { stop() }
}

public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
