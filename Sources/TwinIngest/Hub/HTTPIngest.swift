import Foundation
import TwinRuntime

/// The body of an ingest request (HTTP `POST` or a WebSocket text frame), read into
/// messages, so the server only forwards bytes:
///
/// ```json
/// {"topic": "plant/P1/status", "payload": {"state": "DOWN", "ts": 1765080000}, "id": "m-17"}
/// {"messages": [{"topic": …, "payload": …}, …]}
/// ```
/// A body that is not JSON, or not one of these shapes, is answered 400 and kept as
/// a dead letter; a malformed item in a batch is refused on its own (its index and
/// reason in the reply) while the others are accepted.
extension IngestHub {
    public func submit(body: [UInt8], source: String = "http", channel: String = "") -> IngestReply {
        func bad(_ reason: String) -> IngestReply {
            refuse(UnparsedMessage(source: source, topic: channel, raw: String(decoding: body.prefix(65_536), as: UTF8.self), reason: reason))
            return IngestReply(status: .failed(reason), httpStatus: 400)
        }
        let root: JSONValue
        switch IngestMessage.parsePayload(body) {
        case .success(let v): root = v
        case .failure(let r): return bad(r.reason)
        }
        let items: [JSONValue]
        if let list = root["messages"]?.elements, root.members?.count == 1 { items = list }
        else if root["topic"] != nil { items = [root] }
        else { return bad("expected {\"topic\", \"payload\", \"id\"?} or {\"messages\": [...]}") }
        var messages: [IngestMessage] = [], refused: [(Int, String)] = [], index: [Int] = []
        for (i, item) in items.enumerated() {
            let allowed = ["topic", "payload", "id"]
            if let extra = item.members?.first(where: { !allowed.contains($0.key) }) {
                refused.append((i, "messages[\(i)]: " + Suggestions.unknownMessage(kind: "member", name: extra.key, known: allowed)))
            } else if let topic = item["topic"]?.stringValue, !topic.isEmpty, let payload = item["payload"] {
                let id = item["id"]?.stringValue
                if item["id"] != nil && id == nil { refused.append((i, "messages[\(i)].id: expected a string")); continue }
                messages.append(IngestMessage(source: source, topic: topic, payload: payload, id: id))
                index.append(i)
            } else {
                refused.append((i, "messages[\(i)]: expected a non-empty \"topic\" and a \"payload\""))
            }
        }
        var reply = submit(messages, unparsed: refused.map {
            UnparsedMessage(source: source, topic: channel, raw: JSONWriter.string(items[$0.0]), reason: $0.1)
        })
        reply.rejected = reply.rejected.map { (index[$0.index], $0.reason) } + refused.map { (index: $0.0, reason: $0.1) }
        reply.rejected.sort { $0.index < $1.index }
        return reply
    }
}
