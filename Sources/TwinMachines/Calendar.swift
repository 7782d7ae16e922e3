import TwinCore

/// When an element is open: open intervals `[start, end)` (s), optionally repeating
/// every `period` s. Scene form: `{"period": 28800, "open": [[0, 21600]]}` or
/// `{"closed": [[31, 61]]}` (the complement).
public struct MachineCalendar: Sendable, Hashable {
    /// Sorted, disjoint open intervals; within [0, period) when periodic.
    var open: [(Double, Double)]
    var period: Double?

    public static func == (a: Self, b: Self) -> Bool {
        a.period == b.period && a.open.count == b.open.count && zip(a.open, b.open).allSatisfy { $0 == $1 }
    }
    public func hash(into h: inout Hasher) {
        h.combine(period)
        for (s, e) in open { h.combine(s); h.combine(e) }
    }

    func isOpen(at t: Double) -> Bool {
        var x = t
        if let p = period { x = t - (t / p).rounded(.down) * p }
        for (s, e) in open where x >= s && x < e { return true }
        return false
    }

    /// The first boundary strictly after `t` (∞ when none).
    func nextChange(after t: Double) -> Double {
        var bounds: [Double] = []
        for (s, e) in open { bounds.append(s); bounds.append(e) }
        guard let p = period else { return bounds.filter { $0 > t }.min() ?? .infinity }
        let base = (t / p).rounded(.down) * p
        var best = Double.infinity
        for k in 0...1 {
            for b in bounds {
                let c = base + Double(k) * p + b
                if c > t, c < best { best = c }
            }
        }
        return best
    }

    static func parse(_ json: JSONValue, _ ctx: SceneSectionContext, _ path: [JSONPathComponent]) throws(JSONDecodingError) -> MachineCalendar {
        guard let members = json.members else { throw ctx.error("a calendar is an object {\"open\": [[start, end]…], \"period\": s}", at: json, path: path) }
        for m in members where !["open", "closed", "period"].contains(m.key) {
            throw ctx.error(Suggestions.unknownMessage(kind: "calendar member", name: m.key, known: ["open", "closed", "period"]), at: m.value, path: path + [.key(m.key)])
        }
        var period: Double?
        if let p = json["period"] {
            guard let d = p.doubleValue, d.isFinite, d > 0 else { throw ctx.error("period must be a number > 0 s", at: p, path: path + [.key("period")]) }
            period = d
        }
        let key: String
        switch (json["open"], json["closed"]) {
        case (.some, .some), (nil, nil): throw ctx.error("a calendar needs exactly one of \"open\" and \"closed\"", at: json, path: path)
        case (.some, nil): key = "open"
        case (nil, .some): key = "closed"
        }
        guard let list = json[key]?.elements else { throw ctx.error("\(key) must be an array of [start, end] pairs (s)", at: json, path: path + [.key(key)]) }
        var intervals: [(Double, Double)] = []
        for (i, v) in list.enumerated() {
            guard let pair = v.elements, pair.count == 2, let s = pair[0].doubleValue, let e = pair[1].doubleValue,
                  s.isFinite, e.isFinite, s >= 0, s < e else {
                throw ctx.error("each interval is [start, end] with 0 ≤ start < end (s)", at: v, path: path + [.key(key), .index(i)])
            }
            if let p = period, e > p { throw ctx.error("intervals must lie within [0, period = \(p)]", at: v, path: path + [.key(key), .index(i)]) }
            intervals.append((s, e))
        }
        intervals.sort { $0.0 < $1.0 }
        for i in intervals.indices.dropFirst() where intervals[i].0 < intervals[i - 1].1 {
            throw ctx.error("intervals overlap", at: json, path: path + [.key(key)])
        }
        if key == "open" { return MachineCalendar(open: intervals, period: period) }
        var open: [(Double, Double)] = []
        var t = 0.0
        for (s, e) in intervals {
            if s > t { open.append((t, s)) }
            t = e
        }
        open.append((t, period ?? .infinity))
        return MachineCalendar(open: open.filter { $0.0 < $0.1 }, period: period)
    }
}
