import Hummingbird
import HummingbirdWebSocket
import TwinRuntime

/// `GET …/stream` (WebSocket: JSON text + binary transforms) and `GET …/events`
/// (Server-Sent Events, JSON only).
extension API {
    func addStreamRoutes(to router: Router<Context>) {
        router.ws("/api/worlds/:id/stream") { request, context in
            try self.authorize(request, .read)
            _ = try self.world(context)
            _ = try Subscription.parse { request.uri.queryParameters.get($0) }
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                throw APIError(.badRequest, "this endpoint is a WebSocket (Upgrade: websocket); JSON-only clients use …/events")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, ws in
            let request = ws.request
            guard let w = try? self.world(ws.requestContext),
                  let subscription = try? Subscription.parse({ request.uri.queryParameters.get($0) }) else { return }
            let session = ViewerSession(world: w, subscription: subscription, maxPending: self.config.maxPendingDeltas)
            // The viewer's messages change its subscription; reading them also notices when it hangs up.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await session.run { m in
                        switch m {
                        case .text(let s): try await outbound.writeTextMessage(s)
                        case .binary(let b): try await outbound.writeBinaryMessage(b)
                        }
                    }
                }
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let t) = message { session.received(t) }
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
        router.get("/api/worlds/:id/events") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let subscription = try Subscription.parse { request.uri.queryParameters.get($0) }
            let session = ViewerSession(world: w, subscription: subscription, jsonRecords: true, maxPending: self.config.maxPendingDeltas)
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await session.run { m in
                        guard case .text(let s) = m else { return }
                        try await writer.write(ByteBuffer(string: "data: \(s)\n\n"))
                    }
                    try await writer.finish(nil)
                })
        }
    }
}
