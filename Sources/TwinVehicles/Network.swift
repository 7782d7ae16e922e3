#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TwinCore

/// A problem in the `traffic` section (or an imported file), with the JSON path
/// (relative to the section) of the element at fault.
public struct TrafficError: Error, CustomStringConvertible, Sendable {
    public var path: [JSONPathComponent]
    public var message: String
    public init(_ path: [JSONPathComponent], _ message: String) { self.path = path; self.message = message }
    public var description: String { "\(path.jsonPath): \(message)" }
}

/// A polyline on the ground plane (points `[x, z]`) with cumulative lengths, mapped
/// onto a lane length that may differ from its drawn length (imported nets, arcs).
public struct LaneShape: Sendable {
    public var points: [Vec2]
    public var cumulative: [Float]
    public var drawnLength: Float { cumulative.last ?? 0 }

    public init(_ points: [Vec2]) {
        var pts: [Vec2] = []
        for p in points where pts.last.map({ ($0 - p).length > 1e-5 }) ?? true { pts.append(p) }
        if pts.count == 1 { pts.append(pts[0] + Vec2(1e-3, 0)) }
        self.points = pts
        var c: [Float] = [0]
        for i in 1..<max(1, pts.count) { c.append(c[i - 1] + (pts[i] - pts[i - 1]).length) }
        cumulative = c
    }

    /// Point and unit direction at drawn distance `d` (clamped to the shape).
    public func sample(_ d: Float) -> (point: Vec2, direction: Vec2) {
        points.withUnsafeBufferPointer { p in
            cumulative.withUnsafeBufferPointer { c in
                guard let pb = p.baseAddress, let cb = c.baseAddress else { return (.zero, Vec2(1, 0)) }
                let r = Self.locate(pb, cb, min(p.count, c.count), d)
                return (r.0, r.1)
            }
        }
    }

    /// Point and unit direction at drawn distance `d` along `n` points with cumulative lengths (binary search).
    @inlinable @inline(__always)
    static func locate(_ points: UnsafePointer<Vec2>, _ cumulative: UnsafePointer<Float>, _ n: Int, _ d: Float) -> (Vec2, Vec2) {
        guard n >= 2 else { return (n == 1 ? points[0] : .zero, Vec2(1, 0)) }
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let m = (lo + hi) >> 1
            if cumulative[m] <= d { lo = m } else { hi = m }
        }
        let seg = cumulative[hi] - cumulative[lo]
        let dir = seg > 0 ? (points[hi] - points[lo]) / seg : Vec2(1, 0)
        let t = min(max(d - cumulative[lo], 0), seg)
        return (points[lo] + dir * t, dir)
    }
}

/// One lane: a normal lane of a road or an internal lane through a junction.
public struct Lane: Sendable {
    public var id: String
    /// Road index, or -1 for an internal (junction) lane.
    public var road: Int
    /// Index within the road, 0 = rightmost.
    public var index: Int
    public var length: Float
    public var width: Float
    public var speedLimit: Float
    /// Bit per vehicle class (see `Network.classBit`); all bits set = every class.
    public var allowMask: UInt64
    public var shape: LaneShape
    /// Neighbour lanes on the same road (-1: none).
    public var left: Int = -1
    public var right: Int = -1
    /// Outgoing connections (normal lanes).
    public var outgoing: [Int] = []
    /// For an internal lane: the connection it belongs to.
    public var connection: Int = -1
    /// Crossings on this lane (indices into `Network.crossings`), by position.
    public var crossings: [Int] = []
    public var isInternal: Bool { road < 0 }

    /// Drawn distance for lane position s.
    @inlinable public func drawn(_ s: Float) -> Float { length > 0 ? s * (shape.drawnLength / length) : 0 }
}

public struct Road: Sendable {
    public var id: String
    public var from: Int
    public var to: Int
    public var priority: Int
    /// Lane indices, rightmost first.
    public var lanes: [Int]
    public var length: Float
    public var speedLimit: Float
}

public enum LinkState: UInt8, Sendable {
    case red, yellow, green, greenMinor
}

public struct SignalPhase: Sendable {
    public var duration: Double
    /// One state per signal link of the node.
    public var states: [LinkState]
}

public struct SignalProgram: Sendable {
    public var offset: Double
    public var phases: [SignalPhase]
    public var cycle: Double { phases.reduce(0) { $0 + $1.duration } }

    /// Phase index at time t.
    public func phase(at t: Double) -> Int {
        let c = cycle
        guard c > 0 else { return 0 }
        var x = (t - offset).truncatingRemainder(dividingBy: c)
        if x < 0 { x += c }
        for (i, p) in phases.enumerated() {
            if x < p.duration { return i }
            x -= p.duration
        }
        return phases.count - 1
    }
}

public enum NodeKind: String, Codable, Sendable {
    /// No junction control (a lane continues into the next; ring roads, lane splits).
    case none
    /// Priority rules: higher road priority first, then straight/right before left, then first come.
    case priority
    /// Fixed-time traffic light.
    case signal
}

public struct Node: Sendable {
    public var id: String
    public var position: Vec2
    public var kind: NodeKind
    public var connections: [Int] = []
    public var program: SignalProgram?
}

public struct Connection: Sendable {
    public var fromLane: Int
    public var toLane: Int
    /// Internal lane through the junction, or -1 when the lanes meet directly.
    public var via: Int
    public var node: Int
    /// Index into the node's signal states, or -1.
    public var link: Int
    /// Higher rank goes first at a conflict.
    public var rank: Int
    /// "s" straight, "l" left, "r" right, "t" turn around.
    public var direction: Character
    /// Connections of the same node this one conflicts with.
    public var foes: [Int] = []
    public var label: String
}

/// A pedestrian crossing over a road: vehicles stop before it while a walker is on it.
public struct Crossing: Sendable {
    public var id: String
    public var road: Int
    /// Centre of the crossing along the road's lanes (lane position), m.
    public var at: Float
    /// Width along the road, m.
    public var width: Float
    /// Oriented rectangle: centre, unit axis along the road, half sizes (along, across).
    public var center: Vec2
    public var axis: Vec2
    public var halfAlong: Float
    public var halfAcross: Float

    /// Whether a disc at `p` with radius `r` overlaps the rectangle grown by `margin`.
    @inlinable
    public func contains(_ p: Vec2, radius r: Float, margin: Float) -> Bool {
        let d = p - center
        let u = d.dot(axis), w = d.cross(axis)
        return abs(u) <= halfAlong + r + margin && abs(w) <= halfAcross + r + margin
    }
}

/// A loop detector: counts vehicles whose front passes `at` on its lanes.
public struct Detector: Sendable {
    public var id: String
    public var lanes: [Int]
    public var at: Float
    /// Section length upstream of `at` for density, m.
    public var length: Float
}

/// The lane graph.
public final class Network: @unchecked Sendable {
    public internal(set) var lanes: [Lane] = []
    public internal(set) var roads: [Road] = []
    public internal(set) var nodes: [Node] = []
    public internal(set) var connections: [Connection] = []
    public internal(set) var crossings: [Crossing] = []
    public internal(set) var detectors: [Detector] = []
    public internal(set) var classNames: [String] = []
    var roadIndex: [String: Int] = [:]
    var laneIndex: [String: Int] = [:]
    var nodeIndex: [String: Int] = [:]

    public init() {}

    public func road(named id: String) -> Int? { roadIndex[id] }
    public func lane(named id: String) -> Int? { laneIndex[id] }
    public func node(named id: String) -> Int? { nodeIndex[id] }

    /// Bit of a vehicle class (registered on first use, at most 63 classes).
    func classBit(_ name: String) -> UInt64 {
        if let i = classNames.firstIndex(of: name) { return 1 << UInt64(i) }
        guard classNames.count < 63 else { return 1 << 63 }
        classNames.append(name)
        return 1 << UInt64(classNames.count - 1)
    }

    /// The connection from `lane` to any lane of `road` (first in lane order), or nil.
    @inlinable
    public func connection(from lane: Int, toRoad road: Int) -> Int? {
        for c in lanes[lane].outgoing where lanes[connections[c].toLane].road == road { return c }
        return nil
    }

    /// Whether any lane of road `a` connects to road `b`.
    public func roadConnects(_ a: Int, _ b: Int) -> Bool {
        roads[a].lanes.contains { connection(from: $0, toRoad: b) != nil }
    }

    /// Shortest path (travel time at the speed limits) from road `a` to road `b`, both included.
    public func shortestPath(from a: Int, to b: Int) -> [Int]? {
        if a == b { return [a] }
        var succ: [[Int]] = Array(repeating: [], count: roads.count)
        for c in connections {
            let fr = lanes[c.fromLane].road, tr = lanes[c.toLane].road
            if fr >= 0, tr >= 0, !succ[fr].contains(tr) { succ[fr].append(tr) }
        }
        var dist = Array(repeating: Double.infinity, count: roads.count)
        var prev = Array(repeating: -1, count: roads.count)
        var done = Array(repeating: false, count: roads.count)
        dist[a] = 0
        // Binary heap of (distance, road); ties broken by road index for determinism.
        var heap: [(Double, Int)] = [(0, a)]
        func less(_ x: (Double, Int), _ y: (Double, Int)) -> Bool { x.0 < y.0 || (x.0 == y.0 && x.1 < y.1) }
        while !heap.isEmpty {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count, less(heap[l], heap[m]) { m = l }
                    if r < heap.count, less(heap[r], heap[m]) { m = r }
                    if m == i { break }
                    heap.swapAt(i, m); i = m
                }
            }
            let u = top.1
            if done[u] { continue }
            done[u] = true
            if u == b { break }
            for w in succ[u] where !done[w] {
                let cost = Double(roads[w].length) / Double(max(roads[w].speedLimit, 0.1))
                let nd = dist[u] + cost
                if nd < dist[w] {
                    dist[w] = nd; prev[w] = u
                    heap.append((nd, w))
                    var i = heap.count - 1
                    while i > 0 {
                        let p = (i - 1) / 2
                        if less(heap[i], heap[p]) { heap.swapAt(i, p); i = p } else { break }
                    }
                }
            }
        }
        guard dist[b] < .infinity else { return nil }
        var path = [b]
        while let last = path.last, last != a { path.append(prev[last]) }
        return path.reversed()
    }
}

// MARK: - Building

/// A network description before validation: what the inline section and the SUMO
/// importer both produce.
struct RawNetwork {
    struct RawLane { var id: String; var shape: [Vec2]; var length: Float?; var width: Float; var speed: Float; var allow: [String]?; var path: [JSONPathComponent] }
    struct RawRoad { var id: String; var from: String; var to: String; var priority: Int; var lanes: [RawLane]; var path: [JSONPathComponent] }
    struct RawConnection {
        var fromRoad: String; var fromLane: Int; var toRoad: String; var toLane: Int
        /// Internal lane shape; nil = built from the lane ends; [] = none (lanes meet).
        var via: [Vec2]?; var viaLength: Float?; var viaId: String?
        var link: Int; var path: [JSONPathComponent]
    }
    struct RawNode {
        var id: String; var position: Vec2; var kind: NodeKind; var radius: Float?
        var program: SignalProgram?; var path: [JSONPathComponent]
    }
    var nodes: [RawNode] = []
    var roads: [RawRoad] = []
    var connections: [RawConnection] = []
    /// Whether the lane shapes are already trimmed at the junctions (imported nets).
    var shapesFinal = false
}

extension Network {
    static func build(_ raw: RawNetwork) throws(TrafficError) -> Network {
        let net = Network()
        for n in raw.nodes {
            guard net.nodeIndex[n.id] == nil else { throw TrafficError(n.path + [.key("id")], "duplicate node id \"\(n.id)\"") }
            net.nodeIndex[n.id] = net.nodes.count
            net.nodes.append(Node(id: n.id, position: n.position, kind: n.kind, program: n.program))
        }
        for r in raw.roads {
            guard net.roadIndex[r.id] == nil else { throw TrafficError(r.path + [.key("id")], "duplicate road id \"\(r.id)\"") }
            guard let f = net.nodeIndex[r.from] else {
                throw TrafficError(r.path + [.key("from")], Suggestions.unknownMessage(kind: "node", name: r.from, known: raw.nodes.map(\.id)))
            }
            guard let t = net.nodeIndex[r.to] else {
                throw TrafficError(r.path + [.key("to")], Suggestions.unknownMessage(kind: "node", name: r.to, known: raw.nodes.map(\.id)))
            }
            guard !r.lanes.isEmpty else { throw TrafficError(r.path + [.key("lanes")], "road \"\(r.id)\" has no lanes") }
            let ri = net.roads.count
            net.roadIndex[r.id] = ri
            var laneIds: [Int] = []
            for (k, l) in r.lanes.enumerated() {
                let shape = LaneShape(l.shape)
                let len = l.length ?? shape.drawnLength
                guard len.isFinite, len > 0 else { throw TrafficError(l.path, "lane \"\(l.id)\" must have a positive length, got \(len)") }
                guard l.speed.isFinite, l.speed > 0 else { throw TrafficError(l.path, "lane \"\(l.id)\" must have a positive speed limit, got \(l.speed)") }
                guard l.width.isFinite, l.width > 0 else { throw TrafficError(l.path, "lane \"\(l.id)\" must have a positive width, got \(l.width)") }
                var mask = UInt64.max
                if let allow = l.allow { mask = allow.reduce(0) { $0 | net.classBit($1) } }
                guard net.laneIndex[l.id] == nil else { throw TrafficError(l.path, "duplicate lane id \"\(l.id)\"") }
                net.laneIndex[l.id] = net.lanes.count
                laneIds.append(net.lanes.count)
                net.lanes.append(Lane(id: l.id, road: ri, index: k, length: len, width: l.width, speedLimit: l.speed, allowMask: mask, shape: shape))
            }
            for (k, li) in laneIds.enumerated() {
                if k > 0 { net.lanes[li].right = laneIds[k - 1] }
                if k + 1 < laneIds.count { net.lanes[li].left = laneIds[k + 1] }
            }
            let len = laneIds.map { net.lanes[$0].length }.max() ?? 0
            let speed = laneIds.map { net.lanes[$0].speedLimit }.max() ?? 0
            net.roads.append(Road(id: r.id, from: f, to: t, priority: r.priority, lanes: laneIds, length: len, speedLimit: speed))
        }
        for c in raw.connections {
            guard let fr = net.roadIndex[c.fromRoad] else {
                throw TrafficError(c.path + [.key("from")], Suggestions.unknownMessage(kind: "road", name: c.fromRoad, known: raw.roads.map(\.id)))
            }
            guard let tr = net.roadIndex[c.toRoad] else {
                throw TrafficError(c.path + [.key("to")], Suggestions.unknownMessage(kind: "road", name: c.toRoad, known: raw.roads.map(\.id)))
            }
            let from = net.roads[fr], to = net.roads[tr]
            guard from.to == to.from else {
                throw TrafficError(c.path, "road \"\(c.fromRoad)\" ends at node \"\(net.nodes[from.to].id)\" but \"\(c.toRoad)\" starts at \"\(net.nodes[to.from].id)\"")
            }
            guard c.fromLane >= 0, c.fromLane < from.lanes.count else {
                throw TrafficError(c.path + [.key("fromLane")], "road \"\(c.fromRoad)\" has lanes 0…\(from.lanes.count - 1), not \(c.fromLane)")
            }
            guard c.toLane >= 0, c.toLane < to.lanes.count else {
                throw TrafficError(c.path + [.key("toLane")], "road \"\(c.toRoad)\" has lanes 0…\(to.lanes.count - 1), not \(c.toLane)")
            }
            let fl = from.lanes[c.fromLane], tl = to.lanes[c.toLane]
            if net.lanes[fl].outgoing.contains(where: { net.connections[$0].toLane == tl }) { continue }
            let ci = net.connections.count
            let nodeIdx = from.to
            let a = net.lanes[fl].shape.sample(net.lanes[fl].shape.drawnLength), b = net.lanes[tl].shape.sample(0)
            let dir = turnDirection(a.direction, b.direction)
            var via = -1
            let viaShape: [Vec2] = c.via ?? internalShape(from: a.point, a.direction, to: b.point, b.direction)
            let drawn = LaneShape(viaShape).drawnLength
            if !viaShape.isEmpty, (c.viaLength ?? drawn) > 0.05 {
                via = net.lanes.count
                let l = Lane(
                    id: c.viaId ?? ":\(c.fromRoad)_\(c.fromLane)>\(c.toRoad)_\(c.toLane)", road: -1, index: 0,
                    length: c.viaLength ?? drawn, width: net.lanes[tl].width,
                    speedLimit: min(net.lanes[fl].speedLimit, net.lanes[tl].speedLimit),
                    allowMask: net.lanes[fl].allowMask & net.lanes[tl].allowMask, shape: LaneShape(viaShape), connection: ci)
                net.laneIndex[l.id] = via
                net.lanes.append(l)
            }
            let rank = from.priority * 4 + (dir == "s" ? 2 : dir == "r" ? 1 : 0)
            net.connections.append(Connection(
                fromLane: fl, toLane: tl, via: via, node: nodeIdx, link: c.link, rank: rank, direction: dir,
                label: "\(c.fromRoad)_\(c.fromLane)>\(c.toRoad)_\(c.toLane)"))
            net.lanes[fl].outgoing.append(ci)
            net.nodes[nodeIdx].connections.append(ci)
        }
        net.computeFoes()
        return net
    }

    /// Conflicts: two connections of a node conflict when they enter the same lane or their paths cross.
    func computeFoes() {
        for n in nodes.indices where nodes[n].kind != .none {
            let cs = nodes[n].connections
            for i in cs.indices {
                for j in cs.indices where j > i {
                    let a = connections[cs[i]], b = connections[cs[j]]
                    guard a.fromLane != b.fromLane else { continue }
                    var foe = a.toLane == b.toLane
                    if !foe, a.via >= 0, b.via >= 0 { foe = Self.cross(lanes[a.via].shape.points, lanes[b.via].shape.points) }
                    if foe {
                        connections[cs[i]].foes.append(cs[j])
                        connections[cs[j]].foes.append(cs[i])
                    }
                }
            }
        }
    }

    /// Whether two paths cross away from their end points (lanes that merge or split at a shared end do not count).
    static func cross(_ p: [Vec2], _ q: [Vec2]) -> Bool {
        guard p.count >= 2, q.count >= 2 else { return false }
        let ends = [p[0], p[p.count - 1], q[0], q[q.count - 1]]
        for i in 1..<p.count {
            for j in 1..<q.count {
                guard let x = segmentIntersection(p[i - 1], p[i], q[j - 1], q[j]) else { continue }
                if ends.allSatisfy({ ($0 - x).length > 0.05 }) { return true }
            }
        }
        return false
    }

    static func segmentIntersection(_ a: Vec2, _ b: Vec2, _ c: Vec2, _ d: Vec2) -> Vec2? {
        let r = b - a, s = d - c
        let den = r.cross(s)
        guard abs(den) > 1e-9 else { return nil }
        let t = (c - a).cross(s) / den, u = (c - a).cross(r) / den
        guard t >= -1e-4, t <= 1 + 1e-4, u >= -1e-4, u <= 1 + 1e-4 else { return nil }
        return a + r * t
    }

    /// s / l / r / t from the heading entering and leaving (left = Y × d, Y up).
    static func turnDirection(_ d1: Vec2, _ d2: Vec2) -> Character {
        let c = d2.x * d1.y - d2.y * d1.x   // d2 · left(d1), left(d) = (d.z, −d.x)
        let dot = d1.dot(d2)
        let angle = atan2(c, dot)
        if abs(angle) < 0.6 { return "s" }
        if abs(angle) > 2.7 { return "t" }
        return angle > 0 ? "l" : "r"
    }

    /// A quadratic Bézier from the end of one lane to the start of the next (empty if they meet).
    static func internalShape(from a: Vec2, _ da: Vec2, to b: Vec2, _ db: Vec2) -> [Vec2] {
        let gap = (b - a).length
        guard gap > 0.05 else { return [] }
        var control = (a + b) * 0.5
        let den = da.cross(db)
        if abs(den) > 1e-3 {
            let t = (b - a).cross(db) / den
            if t > 0, t < 2 * gap { control = a + da * t }
        }
        var pts: [Vec2] = []
        for i in 0...8 {
            let t = Float(i) / 8
            let p = a * ((1 - t) * (1 - t)) + control * (2 * (1 - t) * t) + b * (t * t)
            pts.append(p)
        }
        return pts
    }
}
