import TwinRuntime
import Foundation

/// One external message as a source delivers it: where it came from, what it says.
public struct IngestMessage: Sendable, Hashable {
    /// `mqtt`, `postgres`, `http`, `websocket`, `replay`.
    public var source: String
    /// MQTT topic, `schema.table` for PostgreSQL, the channel an HTTP client names.
    public var topic: String
    /// The message body (an object).
    public var payload: JSONValue
    /// A source-unique id (a database change's LSN, an HTTP client's message id):
    /// a second message with the same source and id is a duplicate and is rejected.
    public var id: String?
    /// Wall-clock Unix time the message was received, s (set by the hub when 0).
    public var receivedAt: Double
    /// For replays paced in simulated time: the step it is due at (applied then, or
    /// at the next step if the world is already past it). Nil: the next step.
    public var dueStep: Int64?

    public init(source: String, topic: String, payload: JSONValue, id: String? = nil, receivedAt: Double = 0, dueStep: Int64? = nil) {
        self.source = source; self.topic = topic; self.payload = payload; self.id = id
        self.receivedAt = receivedAt; self.dueStep = dueStep
    }

    /// Parses a message body; malformed JSON is a reason, not a crash.
    public static func parsePayload(_ bytes: [UInt8]) -> Result<JSONValue, IngestRejection> {
        do { return .success(try JSONParser.parse(bytes)) } catch {
            return .failure(IngestRejection("malformed JSON at \(error.location): \(error.message)"))
        }
    }
}

/// Why a message was not applied; it goes to the dead letters with this text.
public struct IngestRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
