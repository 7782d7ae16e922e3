import Foundation
import Synchronization

/// What a bearer token may do. `admin` implies every other scope; `control`
/// implies `read`.
public enum Scope: String, Sendable, CaseIterable, Comparable {
    /// GET state, KPIs, snapshots, streams.
    case read
    /// Play, pause, step, reset, save, fork; world commands.
    case control
    /// Live-data updates (world commands) only.
    case ingest
    /// Create and delete worlds, upload scenes and assets.
    case admin

    public static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }
}

/// The configured tokens: `SECRET:scope,scope` each (`twin serve --token`, or one
/// per line in `--tokens-file`, `#` comments allowed).
public struct TokenTable: Sendable {
    public struct Token: Sendable {
        public var secret: String
        public var scopes: Set<Scope>
        /// For logs and metrics: the first 4 characters.
        public var label: String { String(secret.prefix(4)) + "…" }
    }

    public private(set) var tokens: [Token] = []
    /// With no tokens every request has every scope (`--open`, for a laptop).
    public var open: Bool

    public init(open: Bool = false) { self.open = open }

    public mutating func add(_ spec: String) throws(APIError) {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].count >= 8 else {
            throw APIError(.badRequest, "a token is SECRET:scope[,scope…] with a secret of at least 8 characters, got \"\(spec.prefix(12))…\"")
        }
        var scopes = Set<Scope>()
        for name in parts[1].split(separator: ",") {
            guard let s = Scope(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw APIError(.badRequest, "unknown scope \"\(name)\"; known: \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes.insert(s)
        }
        tokens.append(Token(secret: parts[0], scopes: scopes))
    }

    public mutating func addFile(_ text: String) throws(APIError) {
        for line in text.split(whereSeparator: \.isNewline) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            try add(t)
        }
    }

    /// The token an `Authorization` header names.
    /// - Throws: 401 when missing or unknown.
    func authenticate(_ header: String?) throws(APIError) -> Token? {
        if open && tokens.isEmpty { return nil }
        guard let header, header.lowercased().hasPrefix("bearer ") else {
            var e = APIError(.unauthorized, "this endpoint needs \"Authorization: Bearer TOKEN\"")
            e.headers[.wwwAuthenticate] = "Bearer"
            throw e
        }
        let secret = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        // Compare every token in full so timing does not reveal a prefix.
        var found: Token?
        for t in tokens where Self.constantTimeEqual(t.secret, secret) { found = t }
        guard let found else {
            var e = APIError(.unauthorized, "unknown token")
            e.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
            throw e
        }
        return found
    }

    static func allows(_ token: Token?, _ scope: Scope) -> Bool {
        guard let token else { return true }
        if token.scopes.contains(.admin) || token.scopes.contains(scope) { return true }
        return scope == .read && token.scopes.contains(.control)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }
}

/// A token bucket per token: `rate` requests per second with bursts of `burst`.
final class RateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: (tokens: Double, at: Double)]>([:])

    init(rate: Double, burst: Double) { self.rate = rate; self.burst = max(1, burst) }

    /// Takes one request from `key`'s bucket; nil when allowed, else seconds to wait.
    func take(_ key: String, now: Double) -> Double? {
        guard rate > 0 else { return nil }
        return buckets.withLock { map in
            var b = map[key] ?? (burst, now)
            b.tokens = min(burst, b.tokens + (now - b.at) * rate)
            b.at = now
            defer { map[key] = b }
            if b.tokens >= 1 { b.tokens -= 1; return nil }
            return (1 - b.tokens) / rate
        }
    }
}
