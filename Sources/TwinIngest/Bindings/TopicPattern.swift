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
        var verdict: Bool?
        TopicLevels.forEach(in: topic) { _, part in
            guard i < levels.count else { verdict = false; return false }
            let l = levels[i]
            if l == "#" { verdict = true; return false }
            if l != "+" && l != part { verdict = false; return false }
            i += 1
            return true
        }
        if let verdict { return verdict }
        return i == levels.count || (i == levels.count - 1 && levels[i] == "#")
    }
}

/// The `/`-separated levels of a topic, visited without building an array (every
/// message's topic is read this way at least twice).
enum TopicLevels {
    /// Calls `body` with each level's index and text until it returns false.
    static func forEach(in topic: String, _ body: (Int, Substring) -> Bool) {
        var start = topic.startIndex
        var level = 0
        while true {
            let end = topic[start...].firstIndex(of: "/") ?? topic.endIndex
            guard body(level, topic[start..<end]), end != topic.endIndex else { return }
            start = topic.index(after: end)
            level += 1
        }
    }
}
