/// A simple polygon on the ground plane (x, z) in metres, optionally with holes.
public struct Polygon: Hashable, Sendable, Codable {
    public var outline: [Vec2]
    public var holes: [[Vec2]]

    public init(outline: [Vec2], holes: [[Vec2]] = []) { self.outline = outline; self.holes = holes }

    enum CodingKeys: String, CodingKey { case outline, holes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        outline = try c.decode([Vec2].self, forKey: .outline)
        holes = try c.decodeIfPresent([[Vec2]].self, forKey: .holes) ?? []
        if outline.count < 3 {
            throw DecodingError.dataCorruptedError(
                forKey: .outline, in: c, debugDescription: "a polygon needs at least 3 points, got \(outline.count)")
        }
    }

    /// Signed area of a ring (positive when counter-clockwise in x–z as drawn with +z up).
    public static func signedArea(_ ring: [Vec2]) -> Float {
        guard ring.count >= 3 else { return 0 }
        var a: Float = 0
        var prev = ring[ring.count - 1]
        for p in ring { a += prev.cross(p); prev = p }
        return a * 0.5
    }

    /// Area in m², outline minus holes.
    public var area: Float {
        abs(Self.signedArea(outline)) - holes.reduce(0) { $0 + abs(Self.signedArea($1)) }
    }

    public var bounds: (min: Vec2, max: Vec2) {
        var lo = Vec2(.greatestFiniteMagnitude, .greatestFiniteMagnitude), hi = Vec2(-lo.x, -lo.y)
        for p in outline { lo = Vec2(min(lo.x, p.x), min(lo.y, p.y)); hi = Vec2(max(hi.x, p.x), max(hi.y, p.y)) }
        return (lo, hi)
    }

    static func ringContains(_ ring: [Vec2], _ p: Vec2) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                inside.toggle()
            }
            j = i
        }
        return inside
    }

    /// Even-odd point-in-polygon test; points inside a hole are outside.
    public func contains(_ p: Vec2) -> Bool {
        Self.ringContains(outline, p) && !holes.contains { Self.ringContains($0, p) }
    }

    /// A uniformly distributed point inside, by rejection from the bounding box
    /// (at most `maxTries` draws; nil for a polygon too thin to hit).
    public func randomPoint(using rng: inout RandomStream, maxTries: Int = 1000) -> Vec2? {
        let b = bounds
        for _ in 0..<maxTries {
            let p = Vec2(rng.uniform(b.min.x, b.max.x), rng.uniform(b.min.y, b.max.y))
            if contains(p) { return p }
        }
        return nil
    }
}
