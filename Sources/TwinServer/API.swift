import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import TwinRuntime

typealias Context = BasicWebSocketRequestContext

/// What every route needs: the worlds, the configuration, access control, metrics.
final class API: Sendable {
    let registry: WorldRegistry
    let config: ServerConfig
    let metrics: ServerMetrics
    let limiter: RateLimiter
    let logger: Logger

    init(registry: WorldRegistry, config: ServerConfig, metrics: ServerMetrics, logger: Logger) {
        self.registry = registry
        self.config = config
        self.metrics = metrics
        self.limiter = RateLimiter(rate: config.rateLimit, burst: config.rateBurst)
        self.logger = logger
    }

    /// Checks the bearer token (header, or `?token=` for browsers' WebSocket and
    /// EventSource, which cannot set headers), its scope and its rate.
    @discardableResult
    func authorize(_ request: Request, _ scopes: Scope...) throws(APIError) -> TokenTable.Token? {
        let header = request.headers[.authorization]
            ?? request.uri.queryParameters.get("token").map { "Bearer " + $0 }
        let token = try config.tokens.authenticate(header)
        guard scopes.contains(where: { TokenTable.allows(token, $0) }) else {
            throw APIError(.forbidden, "token \(token?.label ?? "") lacks the \(scopes.map(\.rawValue).joined(separator: " or ")) scope")
        }
        if let wait = limiter.take(token?.secret ?? "open", now: HostedWorld.seconds()) {
            var e = APIError(.tooManyRequests, "rate limit of \(JSONWriter.formatNumber(config.rateLimit)) requests/s exceeded; retry in \(Int(wait.rounded(.up))) s")
            e.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            throw e
        }
        return token
    }

    func world(_ context: Context) throws(APIError) -> HostedWorld {
        try registry.world(context.parameters.get("id") ?? "")
    }

    /// The request body as JSON; nil when empty.
    /// - Throws: 413 over the size limit, 400 when it is not JSON.
    func jsonBody(_ request: inout Request) async throws -> JSONValue? {
        let bytes = try await body(&request)
        guard bytes.contains(where: { !" \n\r\t".utf8.contains($0) }) else { return nil }
        do { return try JSONParser.parse(bytes) } catch {
            throw APIError(.badRequest, "malformed JSON at \(error.location): \(error.message)")
        }
    }

    func body(_ request: inout Request) async throws -> [UInt8] {
        if let n = request.headers[.contentLength].flatMap({ Int($0) }), n > config.maxBodyBytes { throw tooLarge() }
        do {
            let buffer = try await request.collectBody(upTo: config.maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw tooLarge()
        }
    }

    private func tooLarge() -> APIError {
        APIError(.contentTooLarge, "request body larger than \(config.maxBodyBytes) bytes")
    }

    static func json(_ v: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        bytes(Array(JSONWriter.string(v).utf8), type: "application/json", status: status, headers: headers)
    }

    static func bytes(_ b: [UInt8], type: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = type
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: b)))
    }
}

/// A JSON request body read strictly: unknown members and wrong types are 400s naming the member.
struct BodyReader {
    let value: JSONValue?
    let allowed: [String]

    init(_ value: JSONValue?, allowed: [String]) throws(APIError) {
        self.value = value
        self.allowed = allowed
        guard let value else { return }
        guard let members = value.members else {
            throw APIError(.badRequest, "the body must be a JSON object, found \(value.kindDescription)")
        }
        for m in members where !allowed.contains(m.key) {
            throw APIError(.badRequest, "$.\(m.key): " + Suggestions.unknownMessage(kind: "member", name: m.key, known: allowed))
        }
    }

    func number(_ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let v = value?[key] else { return nil }
        guard let d = v.doubleValue, d.isFinite else { throw APIError(.badRequest, "$.\(key): expected a number, found \(v.kindDescription)") }
        guard range.contains(d) else {
            throw APIError(.badRequest, "$.\(key): \(JSONWriter.formatNumber(d)) is outside \(JSONWriter.formatNumber(range.lowerBound))…\(JSONWriter.formatNumber(range.upperBound))")
        }
        return d
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(APIError) -> Int64? {
        guard let d = try number(key, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard d == d.rounded() else { throw APIError(.badRequest, "$.\(key): expected a whole number, found \(JSONWriter.formatNumber(d))") }
        return Int64(d)
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let v = value?[key] else { return nil }
        guard let s = v.stringValue else { throw APIError(.badRequest, "$.\(key): expected a string, found \(v.kindDescription)") }
        return s
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value?[key] else { return nil }
        guard let b = v.boolValue else { throw APIError(.badRequest, "$.\(key): expected true or false, found \(v.kindDescription)") }
        return b
    }

    func object(_ key: String) throws(APIError) -> [JSONMember]? {
        guard let v = value?[key] else { return nil }
        guard let m = v.members else { throw APIError(.badRequest, "$.\(key): expected an object, found \(v.kindDescription)") }
        return m
    }
}

/// Turns thrown errors into JSON error responses, adds CORS headers, logs each
/// request and records its latency.
struct APIMiddleware: RouterMiddleware {
    let api: API

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = HostedWorld.seconds()
        var response: Response
        if request.method == .options, let origin = api.config.corsOrigin {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            return response
        }
        do {
            response = try await next(request, context)
        } catch let e as APIError {
            response = API.json(.object([("error", .object([("status", .number(Double(e.status.code))), ("message", .string(e.message))]))]),
                                status: e.status, headers: e.headers)
        } catch let e as HTTPError {
            let message = e.body ?? e.status.reasonPhrase
            response = API.json(.object([("error", .object([("status", .number(Double(e.status.code))), ("message", .string(message))]))]),
                                status: e.status)
        } catch {
            api.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = API.json(.object([("error", .object([("status", .number(500)), ("message", .string("internal error"))]))]),
                                status: .internalServerError)
        }
        if let origin = api.config.corsOrigin { response.headers[.accessControlAllowOrigin] = origin }
        let seconds = HostedWorld.seconds() - start
        api.metrics.recordRequest(seconds: seconds, status: response.status.code)
        api.logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "ms": "\(Int(seconds * 1000))",
        ])
        return response
    }
}
