import TwinCore

/// The scene's `traffic` section, as written. See `TrafficSpec.example` and the README.
public struct TrafficSpec: Codable, Sendable {
    public struct NodeSpec: Codable, Sendable {
        public var id: String
        /// Ground position `[x, z]`, m.
        public var position: Vec2
        /// `none`, `priority` (default) or `signal`.
        public var type: NodeKind?
        /// Junction radius: lanes stop this far from the node, m (default: half the widest road + 1 m; 0 for `none`).
        public var radius: Float?
        /// Fixed-time program for `signal` nodes.
        public var signal: SignalSpec?
    }
    public struct SignalSpec: Codable, Sendable {
        /// Time of the first phase's start, s.
        public var offset: Double?
        public var phases: [PhaseSpec]
    }
    public struct PhaseSpec: Codable, Sendable {
        /// s
        public var duration: Double
        /// Connections (`"from>to"`) or whole roads (`"from"`) with green.
        public var green: [String]?
        /// Connections or roads with yellow (stop if you can).
        public var yellow: [String]?
    }
    public struct RoadSpec: Codable, Sendable {
        public var id: String
        public var from: String
        public var to: String
        /// Number of lanes (default 1).
        public var lanes: Int?
        /// m (default 3.2)
        public var laneWidth: Float?
        /// m/s (default 13.89 = 50 km/h)
        public var speedLimit: Float?
        /// Higher wins at priority junctions (default 0).
        public var priority: Int?
        /// Intermediate shape points `[x, z]` between the nodes.
        public var shape: [Vec2]?
        /// Lane length override, m (the shape is stretched to it; e.g. a 230 m circle drawn as a polygon).
        public var length: Float?
        /// Vehicle classes allowed (default: all).
        public var allow: [String]?
    }
    public struct ConnectionSpec: Codable, Sendable {
        public var from: String
        public var to: String
        public var fromLane: Int?
        public var toLane: Int?
    }
    public struct CrossingSpec: Codable, Sendable {
        public var id: String
        public var road: String
        /// Centre of the crossing along the road, m from its (trimmed) start.
        public var at: Float
        /// Width along the road, m (default 4).
        public var width: Float?
    }
    public struct RouteSpec: Codable, Sendable {
        public var id: String
        /// Fixed list of roads…
        public var roads: [String]?
        /// …or the shortest path from `from` to `to` (through `via`, in order).
        public var from: String?
        public var to: String?
        public var via: [String]?
        /// Start over at the end (ring roads, shuttles).
        public var `repeat`: Bool?
        /// Stations where vehicles on this route stop and dwell (in route order).
        public var stops: [StopSpec]?
    }
    public struct StopSpec: Codable, Sendable {
        /// Name reported in `VehicleAtStop` events (default: road@at).
        public var id: String?
        public var road: String
        /// Where the front bumper stops, m along the road (default: 1 m before its end).
        public var at: Float?
        /// Dwell time, s.
        public var duration: Double
        /// Carriers take items here from this transfer point (a machines buffer with `"transfer": "pickUp"`)…
        public var pickUp: String?
        /// …or deliver their load into this one (`"transfer": "dropOff"`).
        public var dropOff: String?
        /// When the carrier may leave after `duration`: pick-up `any` (default: once it carries an
        /// item), `full`, `none`; drop-off `empty` (default: once all is delivered), `none`.
        public var waitUntil: String?
    }
    public enum Arrivals: String, Codable, Sendable { case fixed, poisson }
    public struct FlowSpec: Codable, Sendable {
        public var id: String?
        public var route: String
        /// Vehicle type id (default: the built-in `car`).
        public var type: String?
        /// veh/h
        public var rate: Double
        public var arrivals: Arrivals?
        /// s
        public var start: Double?
        public var stop: Double?
        public var limit: Int?
        /// m/s; default: as fast as is safe (up to the lane limit).
        public var departSpeed: Float?
        /// Lane index on the first road; default: the emptiest lane that leads on.
        public var departLane: Int?
        /// A vehicle that cannot enter within this many seconds is dropped (default 60 s).
        public var maxDepartDelay: Double?
    }
    public struct VehicleSpec: Codable, Sendable {
        public var type: String?
        public var route: String
        /// Lane index on the route's first road (default 0).
        public var lane: Int?
        /// Front-bumper position(s) along the route, m.
        public var position: Float?
        public var positions: [Float]?
        /// m/s (default 0).
        public var speed: Float?
    }
    public struct DetectorSpec: Codable, Sendable {
        public var id: String
        public var road: String
        /// Lane index (default: every lane of the road).
        public var lane: Int?
        /// Position along the road, m (default: its end, the stop line).
        public var at: Float?
        /// Section length upstream of `at` used for density, m (default 20).
        public var length: Float?
    }
    public struct ImportSpec: Codable, Sendable {
        /// SUMO `.net.xml` (relative to the scene file).
        public var sumoNet: String?
        /// SUMO `.rou.xml` with `<vehicle>`s and `<route edges>` (relative to the scene file).
        public var sumoRoutes: String?
        /// OpenStreetMap XML (`.osm`): drivable ways become roads `w<way>_<k>` (`_r` reversed), nodes `n<id>`.
        public var osm: String?
    }

    public var `import`: ImportSpec?
    public var nodes: [NodeSpec]?
    public var roads: [RoadSpec]?
    public var connections: [ConnectionSpec]?
    public var crossings: [CrossingSpec]?
    public var vehicleTypes: [VehicleType]?
    public var routes: [RouteSpec]?
    public var flows: [FlowSpec]?
    public var vehicles: [VehicleSpec]?
    public var detectors: [DetectorSpec]?

    public init() {}
}

/// Everything the traffic system needs, validated.
public struct TrafficSetup: @unchecked Sendable {
    public struct Stop: Sendable {
        public var id: String; public var routeIndex: Int; public var at: Float; public var duration: Float
        /// Transfer point named by `pickUp`/`dropOff` (resolved by the traffic system against the world).
        public var transfer: Transfer?
    }
    /// Leaving rule at a transfer stop.
    public enum WaitUntil: String, Sendable, CaseIterable { case any, full, empty, none }
    public struct Transfer: Sendable {
        public var point: String
        public var pickUp: Bool
        public var waitUntil: WaitUntil
        /// JSON path of the `pickUp`/`dropOff` member inside the traffic section.
        public var path: [JSONPathComponent]
    }
    public struct Route: Sendable {
        public var id: String; public var roads: [Int]; public var repeats: Bool
        public var stops: [Stop] = []
    }
    public struct Flow: Sendable {
        public var id: String; public var route: Int; public var type: Int; public var rate: Double
        public var poisson: Bool; public var start: Double; public var stop: Double?; public var limit: Int?
        public var departSpeed: Float?; public var departLane: Int?; public var maxDepartDelay: Double
    }
    public struct Placed: Sendable {
        public var type: Int; public var route: Int; public var lane: Int; public var position: Float; public var speed: Float
        public var depart: Double
    }
    public var network: Network
    public var types: [VehicleType]
    public var routes: [Route]
    public var flows: [Flow]
    public var vehicles: [Placed]
    /// Routes declared in the section (the first ones); the rest came with imported vehicles.
    public var declaredRoutes: Int = 0
}

extension TrafficSpec {
    static let defaultLaneWidth: Float = 3.2
    static let defaultSpeed: Float = 13.89

    /// Turns the inline network into the raw form (lanes offset to the right, trimmed at junctions).
    func rawNetwork() throws(TrafficError) -> RawNetwork {
        var raw = RawNetwork()
        let nodes = self.nodes ?? [], roads = self.roads ?? []
        var pos: [String: Vec2] = [:]
        for n in nodes { pos[n.id] = n.position }
        // Which roads have a reverse twin (then lanes lie right of the reference line).
        var pairs = Set<String>()
        for r in roads { pairs.insert("\(r.from)\u{1}\(r.to)") }
        var radius: [String: Float] = [:]
        for (i, n) in nodes.enumerated() {
            let kind = n.type ?? .priority
            var r: Float = 0
            if kind != .none {
                for road in roads where road.from == n.id || road.to == n.id {
                    let twin = pairs.contains("\(road.to)\u{1}\(road.from)") && road.from != road.to
                    let w = Float(road.lanes ?? 1) * (road.laneWidth ?? Self.defaultLaneWidth) * (twin ? 2 : 1)
                    r = max(r, w / 2 + 1)
                }
            }
            if let given = n.radius {
                guard given.isFinite, given >= 0 else { throw TrafficError([.key("nodes"), .index(i), .key("radius")], "radius must be ≥ 0, got \(given)") }
                r = given
            }
            radius[n.id] = r
        }
        for (i, n) in nodes.enumerated() {
            let path: [JSONPathComponent] = [.key("nodes"), .index(i)]
            var program: SignalProgram?
            if n.type == .signal {
                guard n.signal != nil else { throw TrafficError(path, "signal node \"\(n.id)\" needs a \"signal\" program") }
            } else if n.signal != nil {
                throw TrafficError(path + [.key("signal")], "node \"\(n.id)\" has a signal program but its type is not \"signal\"")
            }
            if let s = n.signal { program = SignalProgram(offset: s.offset ?? 0, phases: []) }
            raw.nodes.append(.init(id: n.id, position: n.position, kind: n.type ?? .priority, radius: radius[n.id], program: program, path: path))
        }
        for (i, r) in roads.enumerated() {
            let path: [JSONPathComponent] = [.key("roads"), .index(i)]
            guard let a = pos[r.from] else {
                throw TrafficError(path + [.key("from")], Suggestions.unknownMessage(kind: "node", name: r.from, known: nodes.map(\.id)))
            }
            guard let b = pos[r.to] else {
                throw TrafficError(path + [.key("to")], Suggestions.unknownMessage(kind: "node", name: r.to, known: nodes.map(\.id)))
            }
            let n = r.lanes ?? 1
            guard n >= 1, n <= 16 else { throw TrafficError(path + [.key("lanes")], "lanes must be 1…16, got \(n)") }
            let w = r.laneWidth ?? Self.defaultLaneWidth
            guard w.isFinite, w > 0 else { throw TrafficError(path + [.key("laneWidth")], "laneWidth must be positive, got \(w)") }
            let speed = r.speedLimit ?? Self.defaultSpeed
            guard speed.isFinite, speed > 0 else { throw TrafficError(path + [.key("speedLimit")], "speedLimit must be positive, got \(speed)") }
            if let l = r.length, !(l.isFinite && l > 0) { throw TrafficError(path + [.key("length")], "length must be positive, got \(l)") }
            var ref = [a] + (r.shape ?? []) + [b]
            let refLength = LaneShape(ref).drawnLength
            guard refLength > 0.1 else { throw TrafficError(path, "road \"\(r.id)\" has zero length (its nodes coincide and it has no shape)") }
            let r0 = radius[r.from] ?? 0, r1 = radius[r.to] ?? 0
            guard refLength - r0 - r1 > 0.5 else {
                throw TrafficError(path, "road \"\(r.id)\" (\(refLength) m) is shorter than its junctions (radii \(r0) + \(r1) m)")
            }
            ref = Self.trim(ref, start: r0, end: r1)
            let twin = pairs.contains("\(r.to)\u{1}\(r.from)") && r.from != r.to
            var lanes: [RawNetwork.RawLane] = []
            for k in 0..<n {
                let offset = twin ? (Float(n - 1 - k) + 0.5) * w : (Float(n - 1 - k) + 0.5) * w - Float(n) * w / 2
                let shape = Self.offset(ref, right: offset)
                let scale = r.length.map { $0 / refLength }
                let len = scale.map { LaneShape(shape).drawnLength * $0 }
                lanes.append(.init(id: "\(r.id)_\(k)", shape: shape, length: len, width: w, speed: speed, allow: r.allow, path: path))
            }
            raw.roads.append(.init(id: r.id, from: r.from, to: r.to, priority: r.priority ?? 0, lanes: lanes, path: path))
        }
        // Connections: explicit per node, otherwise automatic (every in → out but the U-turn).
        var explicitNodes = Set<String>()
        var roadById: [String: RoadSpec] = [:]
        for r in roads { roadById[r.id] = r }
        for (i, c) in (connections ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("connections"), .index(i)]
            guard let fr = roadById[c.from] else {
                throw TrafficError(path + [.key("from")], Suggestions.unknownMessage(kind: "road", name: c.from, known: roads.map(\.id)))
            }
            guard let tr = roadById[c.to] else {
                throw TrafficError(path + [.key("to")], Suggestions.unknownMessage(kind: "road", name: c.to, known: roads.map(\.id)))
            }
            explicitNodes.insert(fr.to)
            if let fl = c.fromLane, let tl = c.toLane {
                raw.connections.append(.init(fromRoad: c.from, fromLane: fl, toRoad: c.to, toLane: tl, link: -1, path: path))
            } else {
                for (fl, tl) in Self.laneMapping(fromLanes: fr.lanes ?? 1, toLanes: tr.lanes ?? 1, fromLane: c.fromLane, toLane: c.toLane) {
                    raw.connections.append(.init(fromRoad: c.from, fromLane: fl, toRoad: c.to, toLane: tl, link: -1, path: path))
                }
            }
        }
        for (i, into) in roads.enumerated() where !explicitNodes.contains(into.to) {
            for out in roads where out.from == into.to {
                let isUTurn = out.to == into.from && out.from == into.to && out.id != into.id && into.from != into.to
                if isUTurn { continue }
                for (fl, tl) in Self.autoLanes(into, out, pos) {
                    raw.connections.append(.init(fromRoad: into.id, fromLane: fl, toRoad: out.id, toLane: tl, link: -1, path: [.key("roads"), .index(i)]))
                }
            }
        }
        return raw
    }

    /// Lane pairs for a connection between two roads, lane i → lane i (clamped).
    static func laneMapping(fromLanes: Int, toLanes: Int, fromLane: Int?, toLane: Int?) -> [(Int, Int)] {
        if let fl = fromLane { return [(fl, toLane ?? min(fl, toLanes - 1))] }
        if let tl = toLane { return [(min(tl, fromLanes - 1), tl)] }
        return (0..<fromLanes).map { ($0, min($0, toLanes - 1)) }
    }

    /// Automatic lane pairs: through traffic lane i → i; right turns from lane 0; left turns from the leftmost lane.
    static func autoLanes(_ a: RoadSpec, _ b: RoadSpec, _ pos: [String: Vec2]) -> [(Int, Int)] {
        let na = a.lanes ?? 1, nb = b.lanes ?? 1
        let pa0 = (a.shape?.last ?? pos[a.from]) ?? .zero, pa1 = pos[a.to] ?? .zero
        let pb0 = pos[b.from] ?? .zero, pb1 = (b.shape?.first ?? pos[b.to]) ?? .zero
        let da = pa1 - pa0, db = pb1 - pb0
        guard da.length > 0, db.length > 0 else { return laneMapping(fromLanes: na, toLanes: nb, fromLane: nil, toLane: nil) }
        switch Network.turnDirection(da / da.length, db / db.length) {
        case "r": return [(0, 0)]
        case "l", "t": return [(na - 1, nb - 1)]
        default: return laneMapping(fromLanes: na, toLanes: nb, fromLane: nil, toLane: nil)
        }
    }

    static func trim(_ pts: [Vec2], start: Float, end: Float) -> [Vec2] {
        let shape = LaneShape(pts)
        let total = shape.drawnLength
        let a = shape.sample(start).point, b = shape.sample(total - end).point
        var out = [a]
        for (i, p) in shape.points.enumerated() where shape.cumulative[i] > start && shape.cumulative[i] < total - end { out.append(p) }
        out.append(b)
        return out
    }

    /// The polyline moved `right` metres to its right (right = (−d.z, d.x) for Y up).
    static func offset(_ pts: [Vec2], right: Float) -> [Vec2] {
        guard right != 0, pts.count >= 2 else { return pts }
        var out: [Vec2] = []
        for i in pts.indices {
            let d0 = i > 0 ? pts[i] - pts[i - 1] : pts[i + 1] - pts[i]
            let d1 = i + 1 < pts.count ? pts[i + 1] - pts[i] : d0
            let n0 = Vec2(-d0.y, d0.x) / max(d0.length, 1e-6), n1 = Vec2(-d1.y, d1.x) / max(d1.length, 1e-6)
            var n = n0 + n1
            let l = n.length
            n = l > 1e-6 ? n / l : n0
            let cosHalf = max(0.3, n.dot(n0))
            out.append(pts[i] + n * (right / cosHalf))
        }
        return out
    }
}
