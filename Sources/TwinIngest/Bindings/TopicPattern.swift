import TwinRuntime
/// An MQTT topic filter (`factory/+/status`, `sensors/#`): `+` matches one level,
/// a final `#` matches any number of levels (also none). The same filter matches
/// the topics of other sources: a PostgreSQL table is the one-level topic
/// `schema.table`, a replay file's lines carry their own topic.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    let levels: [Substring]
    public let description: String

    /// Nil when the filter is malformed (a `#` that is not last, a wildcard inside a
    /// level, an empty filter).
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        for (i, p) in parts.enumerated() {
            if p == "#" { if i != parts.count - 1 { return nil } }
            else if p != "+" && (p.contains("+") || p.contains("#")) { return nil }
        }
        levels = parts
        description = text
    }

    public func matches(_ topic: String) -> Bool {
        var i = 0
        for part in topic.split(separator: "/", omittingEmptySubsequences: false) {
            guard i < levels.count else { return false }
            let l = levels[i]
            if l == "#" { return true }
            if l != "+" && l != part { return false }
            i += 1
        }
        return i == levels.count || (i == levels.count - 1 && levels[i] == "#")
    }
}
