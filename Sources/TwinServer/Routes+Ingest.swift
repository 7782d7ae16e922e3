import Hummingbird
import HummingbirdWebSocket
import TwinIngest
import TwinRuntime

/// Live data into a world whose scene has `bindings`: `POST …/ingest` (one message
/// or a batch), a WebSocket `…/ingest/ws` for continuous feeds (each text frame a
/// body, each answered with its reply), the intake's state and its dead letters.
/// Messages are journaled before they are acknowledged and taken into the world at
/// its next step (`IngestHub`), never by the request handler.
extension API {
    func addIngestRoutes(to router: Router<Context>) {
        router.post("/api/worlds/:id/ingest") { request, context in
            try self.authorize(request, .ingest)
            let w = try self.world(context)
            let intake = try Self.intake(of: w)
            var request = request
            let body = try await self.body(&request)
            let reply = await intake.submit(body: body, source: "http")
            w.metrics?.recordIngest(accepted: reply.accepted, rejected: reply.rejected.count)
            var headers = HTTPFields()
            if case .retryAfter(let s) = reply.status { headers[.retryAfter] = String(Int(s.rounded(.up))) }
            return API.json(reply.json, status: .init(code: reply.httpStatus), headers: headers)
        }
        router.get("/api/worlds/:id/ingest") { request, context in
            try self.authorize(request, .read)
            return API.json(try Self.intake(of: try self.world(context)).json)
        }
        router.get("/api/worlds/:id/ingest/dead-letters") { request, context in
            try self.authorize(request, .ingest, .admin)
            let intake = try Self.intake(of: try self.world(context))
            let q = request.uri.queryParameters
            let after = try Self.intParameter(q.get("after"), "after", 0...Int.max) ?? 0
            let limit = try Self.intParameter(q.get("limit"), "limit", 1...1000) ?? 100
            let letters: [DeadLetter]
            do { letters = try await intake.deadLetters(after: Int64(after), limit: limit) } catch {
                throw APIError(.internalServerError, "the ingest journal cannot be read: \(error)")
            }
            return API.json(.object([
                ("deadLetters", .array(letters.map(\.json))),
                ("next", letters.last.map { .number(Double($0.id)) } ?? .null),
            ]))
        }
        router.ws("/api/worlds/:id/ingest/ws") { request, context in
            try self.authorize(request, .ingest)
            _ = try Self.intake(of: try self.world(context))
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                throw APIError(.badRequest, "this endpoint is a WebSocket (Upgrade: websocket); single requests POST to …/ingest")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, ws in
            guard let w = try? self.world(ws.requestContext), let intake = w.intake else { return }
            // One frame, one reply, in order: a feed that outruns the world gets
            // "retry" replies (nothing journaled) and slows down.
            for try await message in inbound.messages(maxSize: self.config.maxBodyBytes) {
                let reply: IngestReply
                switch message {
                case .text(let s): reply = await intake.submit(body: Array(s.utf8), source: "websocket")
                case .binary: reply = IngestReply(status: .failed("binary frames are not read: send JSON as text frames"), httpStatus: 400)
                }
                w.metrics?.recordIngest(accepted: reply.accepted, rejected: reply.rejected.count)
                try await outbound.write(.text(JSONWriter.string(reply.json)))
            }
        }
    }

    static func intake(of w: HostedWorld) throws(APIError) -> WorldIngest {
        guard let intake = w.intake else {
            throw APIError(.conflict, "world \"\(w.id)\" takes no live data: its scene has no bindings section")
        }
        return intake
    }
}
