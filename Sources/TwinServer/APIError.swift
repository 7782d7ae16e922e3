import Hummingbird
import TwinRuntime

/// A request the API refuses: a status and a message for the client, sent as
/// `{"error": {"status": 404, "message": "..."}}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String) { self.status = status; self.message = message }

    public var description: String { "\(status.code) \(message)" }

    var body: String {
        JSONWriter.string(.object([("error", .object([
            ("status", .number(Double(status.code))), ("message", .string(message)),
        ]))]))
    }
}
