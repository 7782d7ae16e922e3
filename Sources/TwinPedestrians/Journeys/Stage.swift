import TwinCore

/// A place on a journey: where an agent walks to and what it does there.
struct Stage: Sendable {
    enum Release: Sendable, Hashable {
        /// Released only by another system (`WalkerStage.pendingReleases`) or by live data.
        case manual
        /// One agent (queue) or everyone (waiting area) every `interval` seconds.
        case every(Double)
    }

    enum Kind: Sendable {
        /// Reached within `distance` of `point`.
        case waypoint(point: Vec2, distance: Float)
        /// Agents entering `area` leave the world.
        case exit(area: Polygon)
        /// Ordered standing slots; the head leaves when released.
        case queue(slots: [Vec2], release: Release)
        /// Agents stand at a spot inside `area` for `duration` (s) or until released.
        case waiting(area: Polygon, duration: Double?, release: Release?)
    }

    let name: String
    let region: Int
    let kind: Kind
    /// Index of this stage's floor field.
    var field: Int = 0
    /// The stage's entity (`WalkerStage`, `Name`, `Position`).
    var entity: Entity = Entity(index: 0, generation: 0)

    var typeName: String {
        switch kind {
        case .waypoint: return "waypoint"
        case .exit: return "exit"
        case .queue: return "queue"
        case .waiting: return "waiting"
        }
    }

    /// A representative point (for stage entities, estimates and errors).
    var center: Vec2 {
        switch kind {
        case .waypoint(let p, _): return p
        case .exit(let a), .waiting(let a, _, _): return a.centroid
        case .queue(let slots, _): return slots.first ?? .zero
        }
    }
}

/// How an agent picks among a choice's stages.
enum ChoiceRule: String, Codable, Sendable, Hashable {
    /// At random with the given weights.
    case weights
    /// The stage with the fewest agents heading for it or waiting there.
    case leastCrowded = "least-crowded"
    /// The stage with the least estimated time: walking time (floor field / desired
    /// speed) plus the queue in front (agents heading there / the stage's capacity).
    case travelTime = "travel-time"
}

/// A sequence of stages, some of them choices.
struct Journey: Sendable {
    enum Leg: Sendable {
        case stage(Int)
        case choice(options: [Int], rule: ChoiceRule, weights: [Double], reconsiderEvery: Double?)
    }

    let name: String
    let legs: [Leg]
}

extension Polygon {
    /// Area centroid of the outline (the vertex mean for a degenerate ring).
    var centroid: Vec2 {
        var a: Float = 0, cx: Float = 0, cz: Float = 0
        let ring = outline
        for i in 0..<ring.count {
            let p = ring[i], q = ring[(i + 1) % ring.count]
            let k = p.cross(q)
            a += k; cx += (p.x + q.x) * k; cz += (p.y + q.y) * k
        }
        guard abs(a) > 1e-9 else {
            let s = ring.reduce(Vec2.zero, +)
            return s / Float(max(1, ring.count))
        }
        return Vec2(cx / (3 * a), cz / (3 * a))
    }
}
