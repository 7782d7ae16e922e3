/// Why an asset could not be imported. Every case names the file.
///
/// These are the only errors the importers throw for bad input; nothing that comes
/// from a file's content stops the process (assimp crashes are contained by
/// `IsolatedImporter`, which reports them as `importerCrashed`).
public enum AssetImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file does not exist or cannot be opened.
    case missingFile(path: String)
    /// The file is empty.
    case emptyFile(path: String)
    /// No importer handles this extension.
    case unsupportedFormat(path: String, format: String)
    /// The file was recognised but its content is invalid (truncated, corrupt, random bytes).
    case malformed(path: String, reason: String)
    /// The file declares a size beyond the importer's limits (checked before allocating).
    case tooLarge(path: String, reason: String)
    /// The isolated importer process died from a signal (assimp crash or memory limit).
    case importerCrashed(path: String, signal: Int32)
    /// The isolated importer process exceeded its time limit and was killed.
    case timedOut(path: String, seconds: Double)
    /// The isolated importer could not be started or returned something unreadable.
    case workerFailed(path: String, reason: String)
    /// Reading or writing the file failed at the operating-system level.
    case io(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .missingFile(let p), .emptyFile(let p), .unsupportedFormat(let p, _), .malformed(let p, _),
            .tooLarge(let p, _), .importerCrashed(let p, _), .timedOut(let p, _), .workerFailed(let p, _),
            .io(let p, _):
            return p
        }
    }

    /// The case name, e.g. "malformed" (stable, for JSON error reports and statistics).
    public var kind: String {
        switch self {
        case .missingFile: "missingFile"
        case .emptyFile: "emptyFile"
        case .unsupportedFormat: "unsupportedFormat"
        case .malformed: "malformed"
        case .tooLarge: "tooLarge"
        case .importerCrashed: "importerCrashed"
        case .timedOut: "timedOut"
        case .workerFailed: "workerFailed"
        case .io: "io"
        }
    }

    public var description: String {
        switch self {
        case .missingFile(let p): return "\(p): file not found"
        case .emptyFile(let p): return "\(p): file is empty (0 bytes)"
        case .unsupportedFormat(let p, let f): return "\(p): unsupported format '\(f)'"
        case .malformed(let p, let r): return "\(p): malformed file: \(r)"
        case .tooLarge(let p, let r): return "\(p): too large: \(r)"
        case .importerCrashed(let p, let s): return "\(p): importer crashed (signal \(s)) — the file is probably corrupt"
        case .timedOut(let p, let s): return "\(p): import did not finish within \(s) s"
        case .workerFailed(let p, let r): return "\(p): import worker failed: \(r)"
        case .io(let p, let r): return "\(p): \(r)"
        }
    }
}
