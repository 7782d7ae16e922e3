import Foundation

/// How `twin serve` runs.
public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    /// 0: an ephemeral port (tests, benchmarks).
    public var port = 8080
    /// Uploaded scenes and assets, saved states. Nothing outside it is ever written,
    /// and uploads can name nothing outside it.
    public var dataDirectory: String
    /// Scene files `POST /api/worlds {"scene": NAME}` may name (by stem), besides uploads.
    public var sceneFiles: [String] = []
    public var tokens = TokenTable()
    /// Largest request body, bytes (uploads included).
    public var maxBodyBytes = 8 << 20
    /// Requests per second per token (0: unlimited), with bursts of `rateBurst`.
    public var rateLimit = 50.0
    public var rateBurst = 200.0
    /// `Access-Control-Allow-Origin` value; nil: no CORS headers.
    public var corsOrigin: String?
    public var maxWorlds = 64
    /// Deltas a viewer may have waiting before it is sent a keyframe instead.
    public var maxPendingDeltas = 64
    /// Where the web viewer's three.js comes from (Debian `libjs-three`).
    public var threeJSDirectory = "/usr/share/javascript/three"
    /// Live-data messages a world with bindings may hold accepted but not yet taken
    /// (beyond it, ingest requests are answered 429 with Retry-After).
    public var ingestCapacity = 100_000
    /// Sync the ingest journal (`<data>/ingest/<world>-<n>.sqlite`) to disk on every
    /// accepted batch; false survives a killed server but not a power cut.
    public var ingestDurable = true
    /// On shutdown, save every world's state to `<data>/states/<world>.json`.
    public var saveOnShutdown = false

    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }
}

/// File names a client may choose: letters, digits, `.`, `_`, `-`; no leading dot.
enum SafeName {
    static func check(_ s: String, what: String) throws(APIError) -> String {
        let ok = !s.isEmpty && s.count <= 128 && !s.hasPrefix(".")
            && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }
        guard ok else {
            throw APIError(.badRequest, "\(what) \"\(s.prefix(64))\" is not a valid name: use 1–128 letters, digits, '.', '_' or '-', not starting with '.'")
        }
        return s
    }

    /// `directory/name`, proven to stay inside `directory`.
    static func path(_ name: String, in directory: String, what: String) throws(APIError) -> String {
        let n = try check(name, what: what)
        let dir = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL.path
        let full = URL(fileURLWithPath: dir, isDirectory: true).appendingPathComponent(n).standardizedFileURL.path
        guard full.hasPrefix(dir + "/") else { throw APIError(.badRequest, "\(what) \"\(n)\" leaves the data directory") }
        return full
    }
}
