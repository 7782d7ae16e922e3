import Foundation
import Synchronization

/// Runs a program — by default the built `twin` binary, which sits next to the test
/// bundle — to its end and returns its status and output.
public enum TwinProcess {
    public static var executable: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (me as NSString).deletingLastPathComponent + "/twin"
    }

    public struct Result: Sendable {
        public var status: Int32
        public var signalled: Bool
        public var stdout: String
        public var stderr: String
    }

    /// `environment` adds to (or overrides) the test process's own.
    public static func run(_ args: [String], cwd: String = packageRoot(), program: String = executable,
                           environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Both pipes drain at once: a child that fills one while we read the other
        // would block forever.
        let stderr = Mutex(Data())
        let drained = DispatchSemaphore(value: 0)
        Thread {
            let d = err.fileHandleForReading.readDataToEndOfFile()
            stderr.withLock { $0 = d }
            drained.signal()
        }.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: stderr.withLock { $0 }, as: UTF8.self))
    }
}
