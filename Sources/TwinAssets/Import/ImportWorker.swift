import Foundation

/// The child side of `IsolatedImporter`: `twin import --worker FILE --worker-output OUT …`
/// calls `ImportWorker.run`, which limits its own resources, imports in process and writes
/// the result to `OUT` — `TWMD…` (a `ModelSerializer` model) or `TWER` + JSON (a typed error).
///
/// Limits are set with `setrlimit` at the start of the worker, before assimp is touched:
/// `RLIMIT_AS` caps address space (a hostile file cannot exhaust the machine's memory),
/// `RLIMIT_CPU` backs up the parent's wall-clock timeout, and `RLIMIT_CORE = 0` keeps a crash
/// from writing a core dump.
public enum ImportWorker {
    static let errorMagic: [UInt8] = Array("TWER".utf8)

    /// What a worker reports when the import itself failed with a typed error.
    struct ErrorPayload: Codable {
        var kind: String
        var path: String
        var reason: String
    }

    /// Runs one isolated import; returns the process exit code (0 = result written, 1 = error written,
    /// 2 = the output could not be written).
    public static func run(
        path: String, options: ModelImportOptions, outputPath: String, memoryLimitBytes: UInt64?, cpuSeconds: UInt64?
    ) -> Int32 {
        applyLimits(memoryLimitBytes: memoryLimitBytes, cpuSeconds: cpuSeconds)
        let bytes: [UInt8]
        var code: Int32 = 0
        do {
            bytes = ModelSerializer.encode(try ModelImporter.importModel(at: path, options: options))
        } catch {
            bytes = errorMagic + encodeError(error)
            code = 1
        }
        guard FileManager.default.createFile(atPath: outputPath, contents: Data(bytes)) else { return 2 }
        return code
    }

    static func applyLimits(memoryLimitBytes: UInt64?, cpuSeconds: UInt64?) {
        var core = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(RLIMIT_CORE_ID, &core)
        if let bytes = memoryLimitBytes {
            var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
            _ = setrlimit(RLIMIT_AS_ID, &limit)
        }
        if let seconds = cpuSeconds {
            var limit = rlimit(rlim_cur: rlim_t(seconds), rlim_max: rlim_t(seconds + 1))
            _ = setrlimit(RLIMIT_CPU_ID, &limit)
        }
    }

    // Glibc imports the resource constants as enum values of __rlimit_resource.
    #if canImport(Glibc)
    private static let RLIMIT_CORE_ID = __rlimit_resource_t(RLIMIT_CORE.rawValue)
    private static let RLIMIT_AS_ID = __rlimit_resource_t(RLIMIT_AS.rawValue)
    private static let RLIMIT_CPU_ID = __rlimit_resource_t(RLIMIT_CPU.rawValue)
    #else
    private static let RLIMIT_CORE_ID = RLIMIT_CORE
    private static let RLIMIT_AS_ID = RLIMIT_AS
    private static let RLIMIT_CPU_ID = RLIMIT_CPU
    #endif

    static func encodeError(_ error: AssetImportError) -> [UInt8] {
        let payload: ErrorPayload
        switch error {
        case .missingFile(let p): payload = ErrorPayload(kind: "missingFile", path: p, reason: "")
        case .emptyFile(let p): payload = ErrorPayload(kind: "emptyFile", path: p, reason: "")
        case .unsupportedFormat(let p, let f): payload = ErrorPayload(kind: "unsupportedFormat", path: p, reason: f)
        case .malformed(let p, let r): payload = ErrorPayload(kind: "malformed", path: p, reason: r)
        case .tooLarge(let p, let r): payload = ErrorPayload(kind: "tooLarge", path: p, reason: r)
        case .io(let p, let r): payload = ErrorPayload(kind: "io", path: p, reason: r)
        case .importerCrashed, .timedOut, .workerFailed:
            payload = ErrorPayload(kind: "workerFailed", path: error.path, reason: error.description)
        }
        return (try? [UInt8](JSONEncoder().encode(payload))) ?? []
    }

    static func decodeError(_ bytes: ArraySlice<UInt8>, path: String) -> AssetImportError {
        guard let payload = try? JSONDecoder().decode(ErrorPayload.self, from: Data(bytes)) else {
            return .workerFailed(path: path, reason: "unreadable error report from the worker")
        }
        switch payload.kind {
        case "missingFile": return .missingFile(path: payload.path)
        case "emptyFile": return .emptyFile(path: payload.path)
        case "unsupportedFormat": return .unsupportedFormat(path: payload.path, format: payload.reason)
        case "malformed": return .malformed(path: payload.path, reason: payload.reason)
        case "tooLarge": return .tooLarge(path: payload.path, reason: payload.reason)
        case "io": return .io(path: payload.path, reason: payload.reason)
        default: return .workerFailed(path: payload.path, reason: payload.reason)
        }
    }
}
