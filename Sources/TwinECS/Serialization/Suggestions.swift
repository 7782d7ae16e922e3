/// "Did you mean …?" for unknown names in user input.
public enum Suggestions {
    /// The candidate closest to `name` by edit distance (case-insensitive), if it is
    /// close enough to be a plausible typo: at most a third of the name's length.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let n = Array(name.lowercased().unicodeScalars)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(n, Array(c.lowercased().unicodeScalars))
            if d <= max(1, n.count / 3), best.map({ d < $0.1 }) ?? true { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }

    /// "unknown X 'name' (did you mean 'y'?); known: a, b, c"
    public static func unknownMessage(kind: String, name: String, known: [String]) -> String {
        var msg = "unknown \(kind) \"\(name)\""
        if let s = closest(to: name, in: known) { msg += " (did you mean \"\(s)\"?)" }
        msg += known.isEmpty ? "; none are defined" : "; known: " + known.sorted().joined(separator: ", ")
        return msg
    }
}
