import TwinRuntime
/// One rule of the scene's `bindings` section: which messages it takes, which entity
/// each message is about, and how message fields become component fields.
///
/// ```json
/// {"name": "press-status", "source": "mqtt", "topic": "factory/+/status",
///  "id": "$topic[1]", "entity": {"prefix": "press-", "create": "press"},
///  "time": "ts", "semantics": "latest", "late": "reorder", "window": 2,
///  "fields": [{"from": "state", "to": "MachineControl.forcedDown", "enum": {"DOWN": true, "RUN": false}}]}
/// ```
public struct Binding: Sendable {
    public enum Semantics: String, Sendable, CaseIterable {
        /// Fields take the newest reported value.
        case latest
        /// Numeric fields move linearly from the previous sample to the new one over
        /// the time between the two samples' source timestamps (a smooth track one
        /// sample behind).
        case interpolate
        /// Each message adds one (or the mapped value) to the field; see `total`.
        case count
        /// Each message spawns an entity from `prefab` with the mapped fields: an event
        /// in the world that systems and dashboards see.
        case event
    }

    /// What happens to a message whose source time is older than the newest one
    /// already seen for the same entity.
    public enum LatePolicy: String, Sendable, CaseIterable {
        /// Dead-lettered with the reason "late".
        case drop
        /// Applied anyway, in arrival order.
        case apply
        /// Held up to `window` seconds of source time and applied in timestamp order;
        /// later than that it is dead-lettered.
        case reorder
    }

    public var name: String
    /// `mqtt`, `postgres`, `http`, `websocket`, `replay`; nil takes any.
    public var source: String?
    public var topic: TopicPattern
    /// Where the external id comes from.
    public var id: FieldRef
    public var entityPrefix: String
    /// External id → entity name, for ids that do not follow a naming rule.
    public var lookup: [String: String]
    /// Prefab to spawn the entity from when an id is first seen; nil dead-letters
    /// unknown ids.
    public var create: String?
    /// Where the source timestamp is (Unix seconds, or an ISO 8601 string); nil uses
    /// the time the message was received.
    public var time: FieldRef?
    /// Multiplies numeric timestamps to seconds (0.001 for milliseconds).
    public var timeScale: Double
    public var semantics: Semantics
    /// For `count`: true sets the running total since the journal began; false sets
    /// the count of this step (for per-step hooks such as `MachineControl.release`).
    public var total: Bool
    /// For `event`: the prefab each event spawns.
    public var prefab: String?
    public var late: LatePolicy
    /// Reorder window, s of source time.
    public var window: Double
    /// Messages stamped more than this far ahead of the receiving clock are rejected, s.
    public var maxFuture: Double
    /// Longest ramp for `interpolate`, s (a gap longer than this jumps).
    public var maxGap: Double
    /// Keep the last reported value and its time in `LiveReported` (default true).
    public var reported: Bool
    public var fields: [FieldMap]

    static let members = [
        "name", "source", "topic", "table", "id", "entity", "time", "timeUnit", "semantics", "total", "prefab",
        "late", "window", "maxFuture", "maxGap", "reported", "fields",
    ]
    public static let sources = ["mqtt", "postgres", "http", "websocket", "replay"]
}

/// A binding held by reference, so the per-message paths read it in place: an array
/// element read by subscript is a copy, and a copy of a binding retains each of its
/// strings and tables.
final class BindingRef: Sendable {
    let binding: Binding
    init(_ binding: Binding) { self.binding = binding }
}

/// A value in a message: a member of the payload (`a.b.c`) or a level of the topic
/// (`$topic[1]`).
public enum FieldRef: Sendable, Hashable, CustomStringConvertible {
    case payload([String])
    case topicLevel(Int)

    static let syntax = "expected a member path such as \"data.temperature\" or a topic level $topic[N]"

    /// Nil when malformed (see `syntax`).
    init?(_ text: String) {
        if text.hasPrefix("$topic[") && text.hasSuffix("]") {
            guard let i = Int(text.dropFirst(7).dropLast()), i >= 0 else { return nil }
            self = .topicLevel(i)
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { return nil }
        self = .payload(parts)
    }

    public var description: String {
        switch self {
        case .payload(let p): p.joined(separator: ".")
        case .topicLevel(let i): "$topic[\(i)]"
        }
    }

    func value(in message: IngestMessage) -> JSONValue? {
        switch self {
        case .payload(let path):
            var v = message.payload
            for k in path { guard let n = v[k] else { return nil }; v = n }
            return v
        case .topicLevel(let i):
            var found: JSONValue?
            TopicLevels.forEach(in: message.topic) { level, part in
                if level == i { found = .string(String(decoding: part, as: UTF8.self)); return false }
                return true
            }
            return found
        }
    }
}

/// Where a mapped value goes and how it is converted on the way.
public struct FieldMap: Sendable {
    public enum Source: Sendable {
        /// `"from": "$one"`: the constant 1, for counting messages.
        case one
        case field(FieldRef)
        /// Three references (x/lat, y/lon, height) through a site frame → a world point.
        case position(FieldRef, FieldRef, FieldRef?, SiteFrame)
    }

    public var source: Source
    public var component: String
    /// Member path inside the component's JSON form; empty replaces the whole value.
    public var path: [String]
    /// `si = (raw × unitFactor + unitOffset) × scale + offset`.
    public var unitFactor: Double
    public var unitOffset: Double
    public var scale: Double
    public var offset: Double
    public var min: Double?
    public var max: Double?
    /// Text (or number as text) → the value to set; an unlisted value is an error.
    public var enumeration: [String: JSONValue]?
    /// Text passes through unchanged: the target is text (or of unknown type) and no
    /// conversion is asked for.
    public var acceptsText = false

    /// `Component.member.member`, as written in the scene.
    public var target: String { ([component] + path).joined(separator: ".") }

    /// A number in the field's unit as SI, scaled and offset.
    func converted(_ d: Double) -> Double { (d * unitFactor + unitOffset) * scale + offset }

    /// Why an SI value is outside the field's range, or nil.
    func outOfRange(_ si: Double) -> IngestRejection? {
        if let min, si < min { return IngestRejection("\(JSONWriter.formatNumber(si)) is below the minimum \(JSONWriter.formatNumber(min))") }
        if let max, si > max { return IngestRejection("\(JSONWriter.formatNumber(si)) is above the maximum \(JSONWriter.formatNumber(max))") }
        return nil
    }
}
