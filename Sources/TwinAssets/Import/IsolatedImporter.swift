import Foundation

/// Imports a model in a child process, so that a crash inside assimp (5.2.5 can SIGSEGV on
/// malformed files) becomes an `AssetImportError` instead of taking the server or batch run down.
///
/// The child is `executable import --worker FILE --worker-output TMP …` (the `twin` CLI); it
/// limits its own address space and CPU time (`ImportWorker`), and the parent kills it after
/// `timeLimit` seconds of wall-clock time. Death by signal → `.importerCrashed`, timeout →
/// `.timedOut`, anything unreadable → `.workerFailed`; the worker's own typed errors come back
/// unchanged. Cost: one process start (tens of milliseconds) per import — combine with
/// `ImportCache` so each file is converted once.
public struct IsolatedImporter: Sendable {
    /// The `twin` executable to run as the worker.
    public var executable: URL
    /// Wall-clock limit for one import, in seconds.
    public var timeLimit: Double
    /// Address-space limit of the worker, in bytes (`RLIMIT_AS`); `nil` = unlimited.
    public var memoryLimitBytes: UInt64?

    public init(executable: URL, timeLimit: Double = 60, memoryLimitBytes: UInt64? = 4 << 30) {
        self.executable = executable
        self.timeLimit = timeLimit
        self.memoryLimitBytes = memoryLimitBytes
    }

    /// The worker's command-line arguments (after the executable).
    public static func workerArguments(
        path: String, outputPath: String, options: ModelImportOptions, memoryLimitBytes: UInt64?, cpuSeconds: UInt64
    ) -> [String] {
        var arguments = ["import", "--worker", path, "--worker-output", outputPath, "--scale", "\(options.scale)", "--cpu-limit", "\(cpuSeconds)"]
        if let axis = options.upAxis { arguments += ["--up-axis", axis.rawValue] }
        if let bytes = memoryLimitBytes { arguments += ["--memory-limit", "\(bytes)"] }
        return arguments
    }

    /// Imports `path` in a worker process.
    public func importModel(at path: String, options: ModelImportOptions = ModelImportOptions()) throws(AssetImportError) -> ImportedModel {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        // Cheap checks in the parent give the same errors without paying for a process.
        try ModelImporter.checkReadableFile(absolute)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw .workerFailed(path: absolute, reason: "worker executable not found at \(executable.path)")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("twin-import-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: output) }

        let process = Process()
        process.executableURL = executable
        process.arguments = IsolatedImporter.workerArguments(
            path: absolute, outputPath: output.path, options: options, memoryLimitBytes: memoryLimitBytes,
            cpuSeconds: UInt64(max(1, timeLimit.rounded(.up))) + 1)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw .workerFailed(path: absolute, reason: "cannot start \(executable.path): \(error.localizedDescription)")
        }
        if finished.wait(timeout: .now() + timeLimit) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
            throw .timedOut(path: absolute, seconds: timeLimit)
        }
        if process.terminationReason == .uncaughtSignal {
            // RLIMIT_CPU ends the worker with SIGXCPU: that is a timeout too.
            if process.terminationStatus == SIGXCPU { throw .timedOut(path: absolute, seconds: timeLimit) }
            throw .importerCrashed(path: absolute, signal: process.terminationStatus)
        }
        guard let data = FileManager.default.contents(atPath: output.path) else {
            throw .workerFailed(path: absolute, reason: "worker exited with status \(process.terminationStatus) and wrote no result")
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: ImportWorker.errorMagic) {
            throw ImportWorker.decodeError(bytes.dropFirst(ImportWorker.errorMagic.count), path: absolute)
        }
        guard process.terminationStatus == 0 else {
            throw .workerFailed(path: absolute, reason: "worker exited with status \(process.terminationStatus)")
        }
        do {
            return try ModelSerializer.decode(bytes, path: absolute)
        } catch {
            throw .workerFailed(path: absolute, reason: "unreadable result: \(error.description)")
        }
    }
}
