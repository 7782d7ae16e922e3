import TwinRuntime
/// An MQTT topic filter (`factory/+/status`, `sensors/#`): `+` matches one level,
/// a final `#` matches any number of levels (also none). The same filter matches
/// the topics of other sources: a PostgreSQL table is the one-level topic
/// `schema.table`, a replay file's lines carry their own topic.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    enum Level: Sendable, Hashable {
        case literal([UInt8])
        /// `+`
        case one
        /// `#`
        case rest
    }

    let levels: [Level]
    public let description: String

    /// Nil when the filter is malformed (a `#` that is not last, a wildcard inside a
    /// level, an empty filter).
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        var levels: [Level] = []
        for (i, p) in parts.enumerated() {
            if p == "#" {
                guard i == parts.count - 1 else { return nil }
                levels.append(.rest)
            } else if p == "+" {
                levels.append(.one)
            } else {
                guard !p.contains("+") && !p.contains("#") else { return nil }
                levels.append(.literal(Array(p.utf8)))
            }
        }
        self.levels = levels
        description = text
    }

    public func matches(_ topic: String) -> Bool {
        var i = 0
        var verdict: Bool?
        TopicLevels.forEach(in: topic) { _, part in
            guard i < levels.count else { verdict = false; return false }
            switch levels[i] {
            case .rest: verdict = true; return false
            case .one: break
            case .literal(let l): guard l.elementsEqual(part) else { verdict = false; return false }
            }
            i += 1
            return true
        }
        if let verdict { return verdict }
        return i == levels.count || (i == levels.count - 1 && levels[i] == .rest)
    }
}

/// The `/`-separated levels of a topic, visited as UTF-8 without building an array or
/// a string (every message's topic is read this way at least twice).
enum TopicLevels {
    /// Calls `body` with each level's index and bytes until it returns false.
    static func forEach(in topic: String, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Bool) {
        var topic = topic
        topic.withUTF8 { bytes in
            var start = 0, level = 0
            while true {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "/") { end += 1 }
                guard body(level, UnsafeBufferPointer(rebasing: bytes[start..<end])), end != bytes.count else { return }
                start = end + 1
                level += 1
            }
        }
    }
}
