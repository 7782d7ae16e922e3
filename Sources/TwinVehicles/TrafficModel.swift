import TwinCore

/// A growable buffer with stable element addresses between growths (hot loops read raw pointers).
@usableFromInline
struct Buf<T>: @unchecked Sendable {
    @usableFromInline var p: UnsafeMutablePointer<T>
    @usableFromInline var capacity: Int
    init(_ capacity: Int, _ fill: T) {
        self.capacity = max(capacity, 1)
        p = .allocate(capacity: self.capacity)
        p.initialize(repeating: fill, count: self.capacity)
    }
    mutating func grow(to n: Int, _ fill: T) {
        guard n > capacity else { return }
        let c = max(n, capacity * 2)
        let q = UnsafeMutablePointer<T>.allocate(capacity: c)
        q.moveInitialize(from: p, count: capacity)
        (q + capacity).initialize(repeating: fill, count: c - capacity)
        p.deallocate()
        p = q; capacity = c
    }
    @inlinable subscript(i: Int) -> T {
        get { p[i] }
        nonmutating set { p[i] = newValue }
    }
    func free() { p.deinitialize(count: capacity); p.deallocate() }
}

/// Why a vehicle left the network.
public enum VehicleExit: String, Sendable, Codable {
    /// Reached the end of its route.
    case arrived
    /// Stood still longer than `stuckTimeout` (e.g. it could not change to a lane that leads on).
    case stuck
}

/// The microscopic traffic state and its step, independent of the ECS (the
/// `vehicles.traffic` system mirrors it into entities).
///
/// Per step: signal states → crossing occupancy → junction grants → IDM
/// accelerations (parallel over slot chunks; leaders from the per-lane sorted index, through lane ends and junctions) →
/// MOBIL lane changes → ballistic (or semi-implicit Euler) update with a no-overlap
/// clamp → detectors → lane transitions and arrivals → departures → per-lane sort.
///
/// Guarantees for 0 < dt ≤ 1 s: speeds never negative; a vehicle never moves past the
/// rear of the vehicle ahead of it on its path (the gap stays > 0), whatever the
/// decelerations involved.
public final class TrafficModel: @unchecked Sendable {
    public enum Scheme: String, Codable, Sendable {
        /// x += v·dt + a·dt²/2 (stopping exactly at v = 0 inside the step), Treiber & Kanagaraj 2015.
        case ballistic
        /// v += a·dt, x += v_new·dt (SUMO's default).
        case euler
    }

    public struct Options: Sendable {
        public var scheme: Scheme = .ballistic
        /// s standing still before a vehicle is removed as stuck.
        public var stuckTimeout: Double = 300
        /// On yellow a vehicle that cannot stop with this deceleration goes on, m/s².
        public var yellowDecel: Float = 3
        /// Lane-change decisions (MOBIL) at most this often per vehicle, s.
        public var laneChangeCooldown: Float = 3
        /// Extra margin around a crossing in which a walker makes vehicles stop, m.
        public var crossingMargin: Float = 1
        public init() {}
    }

    public let network: Network
    public let types: [VehicleType]
    public let routes: [TrafficSetup.Route]
    public let flows: [TrafficSetup.Flow]
    public let options: Options

    // Vehicle state (slots).
    public private(set) var capacity = 0
    var alive: Buf<Bool>
    var lane: Buf<Int32>
    var s: Buf<Float>
    var sPrev: Buf<Float>
    var v: Buf<Float>
    var acc: Buf<Float>
    var gapAhead: Buf<Float>
    var type: Buf<Int32>
    var route: Buf<Int32>
    var routePos: Buf<Int32>
    var nextConn: Buf<Int32>
    var mayPass: Buf<Bool>
    var cooldown: Buf<Float>
    var standing: Buf<Float>
    var depart: Buf<Double>
    /// Connection through which the vehicle entered its current normal lane (-1: none).
    var cameVia: Buf<Int32>
    /// Index of the next stop within the vehicle's route stops; dwell time left (< 0: not dwelling).
    var nextStop: Buf<Int32>
    var dwell: Buf<Float>
    /// Set by the traffic system: a dwelling vehicle stays after its dwell time (waiting to load/unload).
    var hold: Buf<Bool>
    var freeSlots: [Int32] = []
    public private(set) var count = 0

    // Lane index (sorted by s ascending within each lane).
    var laneStart: Buf<Int32>
    var laneCount: Buf<Int32>
    var order: Buf<Int32>
    var orderScratch: Buf<Int32>
    /// Position of each slot in `order` (valid after `rebuildOrder`).
    var orderIndex: Buf<Int32>
    // Lane / connection / type tables as raw arrays for the hot loop.
    let laneLength: Buf<Float>
    let laneSpeed: Buf<Float>
    let laneIsInternal: Buf<Bool>
    let laneConn: Buf<Int32>     // internal lane → its connection
    let connTo: Buf<Int32>
    let connVia: Buf<Int32>
    var open: Buf<Bool>
    var openPrev: Buf<Bool>
    var linkState: Buf<LinkState>
    var crossingOccupied: [Bool]
    let multiLaneLanes: [Int]
    let tpar: Buf<IDMParams>
    let routeStart: Buf<Int32>, routeCount: Buf<Int32>, routeRoads: Buf<Int32>, routeRepeats: Buf<Bool>
    let laneOutStart: Buf<Int32>, laneOutCount: Buf<Int32>, outConn: Buf<Int32>, connToRoad: Buf<Int32>
    let laneHasCrossings: Buf<Bool>
    /// Per lane: the lanes that end in it (internal lanes of connections, or the from-lane of a
    /// connection without one), for lane-change checks near a lane's start.
    let laneFeeders: [[Int32]]
    let shapeStart: Buf<Int32>, shapeCount: Buf<Int32>, shapeScale: Buf<Float>, shapePoints: Buf<Vec2>, shapeCumulative: Buf<Float>
    let stopStart: Buf<Int32>, stopCount: Buf<Int32>, stopRI: Buf<Int32>, stopAt: Buf<Float>, stopDuration: Buf<Float>, stopTransfer: Buf<Bool>
    /// Vehicles that reached (`arrived`) or left a stop this step: (slot, route, stop index).
    public private(set) var stopEvents: [(slot: Int32, route: Int32, stop: Int32, arrived: Bool)] = []
    let laneDetectors: [[Int]]

    // Departures waiting to enter.
    struct Pending { var type: Int32; var route: Int32; var lane: Int32; var position: Float; var speed: Float; var depart: Double; var deadline: Double; var flow: Int32 }
    var pending: [Pending] = []
    var flowNext: [Double]
    var flowCount: [Int]
    var random: RandomStream
    var timedPlacements: [TrafficSetup.Placed]
    var timedCursor = 0

    // Results of the last step.
    public private(set) var departedSlots: [Int32] = []
    public private(set) var exited: [(slot: Int32, reason: VehicleExit)] = []
    public struct Passage: Sendable { public var detector: Int; public var time: Double; public var speed: Float }
    public private(set) var passages: [Passage] = []

    // Statistics.
    public struct Stats: Sendable {
        public var departed = 0, arrived = 0, dropped = 0, removedStuck = 0, stops = 0
        public var vehicleSteps = 0
        public var routeArrivals: [Int] = []
        public var routeTravelTime: [Double] = []
        public var detectorCount: [Int] = []
        public var detectorSpeedSum: [Double] = []
    }
    public private(set) var stats = Stats()

    public init(_ setup: TrafficSetup, options: Options = Options(), random: RandomStream) {
        network = setup.network; types = setup.types; routes = setup.routes; flows = setup.flows; self.options = options
        self.random = random
        let cap = max(64, setup.vehicles.count)
        alive = Buf(cap, false); lane = Buf(cap, 0); s = Buf(cap, 0); sPrev = Buf(cap, 0); v = Buf(cap, 0); acc = Buf(cap, 0)
        gapAhead = Buf(cap, .infinity); type = Buf(cap, 0); route = Buf(cap, 0); routePos = Buf(cap, 0); nextConn = Buf(cap, -1)
        mayPass = Buf(cap, false); cooldown = Buf(cap, 0); standing = Buf(cap, 0); depart = Buf(cap, 0); cameVia = Buf(cap, -1)
        nextStop = Buf(cap, 0); dwell = Buf(cap, -1); hold = Buf(cap, false)
        order = Buf(cap, 0); orderScratch = Buf(cap, 0); orderIndex = Buf(cap, 0)
        capacity = cap
        let net = setup.network
        let nl = max(1, net.lanes.count), nc = max(1, net.connections.count)
        laneStart = Buf(nl, 0); laneCount = Buf(nl, 0)
        laneUsedStamp = Buf(nl, 0); roadFailStamp = Buf(max(1, net.roads.count), 0)
        laneLength = Buf(nl, 0); laneSpeed = Buf(nl, 0); laneIsInternal = Buf(nl, false); laneConn = Buf(nl, -1)
        for (i, l) in net.lanes.enumerated() {
            laneLength[i] = l.length; laneSpeed[i] = l.speedLimit; laneIsInternal[i] = l.isInternal; laneConn[i] = Int32(l.connection)
        }
        connTo = Buf(nc, 0); connVia = Buf(nc, -1); open = Buf(nc, true); openPrev = Buf(nc, true); linkState = Buf(nc, .green)
        for (i, c) in net.connections.enumerated() { connTo[i] = Int32(c.toLane); connVia[i] = Int32(c.via) }
        var feeders = [[Int32]](repeating: [], count: net.lanes.count)
        for c in net.connections { feeders[c.toLane].append(Int32(c.via >= 0 ? c.via : c.fromLane)) }
        laneFeeders = feeders
        crossingOccupied = Array(repeating: false, count: net.crossings.count)
        tpar = Buf(max(1, setup.types.count), VehicleType().params())
        for (k, t) in setup.types.enumerated() { tpar[k] = t.params(classBit: net.classBit(t.class)) }
        let nr = max(1, setup.routes.count)
        routeStart = Buf(nr, 0); routeCount = Buf(nr, 0); routeRepeats = Buf(nr, false)
        routeRoads = Buf(max(1, setup.routes.reduce(0) { $0 + $1.roads.count }), 0)
        var at = 0
        for (k, r) in setup.routes.enumerated() {
            routeStart[k] = Int32(at); routeCount[k] = Int32(r.roads.count); routeRepeats[k] = r.repeats
            for x in r.roads { routeRoads[at] = Int32(x); at += 1 }
        }
        stopStart = Buf(nr, 0); stopCount = Buf(nr, 0)
        let ns = max(1, setup.routes.reduce(0) { $0 + $1.stops.count })
        stopRI = Buf(ns, 0); stopAt = Buf(ns, 0); stopDuration = Buf(ns, 0); stopTransfer = Buf(ns, false)
        at = 0
        for (k, r) in setup.routes.enumerated() {
            stopStart[k] = Int32(at); stopCount[k] = Int32(r.stops.count)
            for st in r.stops { stopRI[at] = Int32(st.routeIndex); stopAt[at] = st.at; stopDuration[at] = st.duration; stopTransfer[at] = st.transfer != nil; at += 1 }
        }
        shapeStart = Buf(nl, 0); shapeCount = Buf(nl, 0); shapeScale = Buf(nl, 1)
        let np = max(1, net.lanes.reduce(0) { $0 + $1.shape.points.count })
        shapePoints = Buf(np, .zero); shapeCumulative = Buf(np, 0)
        at = 0
        for (i, l) in net.lanes.enumerated() {
            shapeStart[i] = Int32(at); shapeCount[i] = Int32(l.shape.points.count)
            shapeScale[i] = l.length > 0 ? l.shape.drawnLength / l.length : 1
            for (k, p) in l.shape.points.enumerated() { shapePoints[at] = p; shapeCumulative[at] = l.shape.cumulative[k]; at += 1 }
        }
        laneOutStart = Buf(nl, 0); laneOutCount = Buf(nl, 0); laneHasCrossings = Buf(nl, false)
        outConn = Buf(nc, 0); connToRoad = Buf(nc, 0)
        at = 0
        for (i, l) in net.lanes.enumerated() {
            laneOutStart[i] = Int32(at); laneOutCount[i] = Int32(l.outgoing.count); laneHasCrossings[i] = !l.crossings.isEmpty
            for c in l.outgoing { outConn[at] = Int32(c); at += 1 }
        }
        for (i, c) in net.connections.enumerated() { connToRoad[i] = Int32(net.lanes[c.toLane].road) }
        multiLaneLanes = net.lanes.indices.filter { !net.lanes[$0].isInternal && (net.lanes[$0].left >= 0 || net.lanes[$0].right >= 0) }
        var ld: [[Int]] = Array(repeating: [], count: net.lanes.count)
        for (d, det) in net.detectors.enumerated() { for l in det.lanes { ld[l].append(d) } }
        laneDetectors = ld
        flowNext = setup.flows.map { $0.start }
        flowCount = Array(repeating: 0, count: setup.flows.count)
        timedPlacements = setup.vehicles.filter { $0.lane < 0 }.sorted { ($0.depart, $0.route) < ($1.depart, $1.route) }
        stats.routeArrivals = Array(repeating: 0, count: routes.count)
        stats.routeTravelTime = Array(repeating: 0, count: routes.count)
        stats.detectorCount = Array(repeating: 0, count: net.detectors.count)
        stats.detectorSpeedSum = Array(repeating: 0, count: net.detectors.count)
        for p in setup.vehicles where p.lane >= 0 { placeInitial(p) }
        rebuildOrder()
    }

    deinit {
        alive.free(); laneUsedStamp.free(); roadFailStamp.free()
        tpar.free(); routeStart.free(); routeCount.free(); routeRoads.free(); routeRepeats.free()
        shapeStart.free(); shapeCount.free(); shapeScale.free(); shapePoints.free(); shapeCumulative.free()
        stopStart.free(); stopCount.free(); stopRI.free(); stopAt.free(); stopDuration.free(); stopTransfer.free()
        laneOutStart.free(); laneOutCount.free(); outConn.free(); connToRoad.free(); laneHasCrossings.free()
        lane.free(); s.free(); sPrev.free(); v.free(); acc.free(); gapAhead.free(); type.free(); route.free(); routePos.free()
        nextConn.free(); cameVia.free(); nextStop.free(); dwell.free(); hold.free(); mayPass.free(); cooldown.free(); standing.free(); depart.free(); order.free(); orderScratch.free()
        laneStart.free(); laneCount.free(); laneLength.free(); laneSpeed.free(); laneIsInternal.free(); laneConn.free()
        connTo.free(); connVia.free(); open.free(); openPrev.free(); linkState.free()
    }

    // MARK: Public state access

    public struct VehicleState: Sendable {
        public var lane: Int; public var position: Float; public var speed: Float; public var acceleration: Float
        public var type: Int; public var route: Int; public var routeIndex: Int; public var gap: Float
    }

    public func isAlive(_ slot: Int) -> Bool { slot < capacity && alive[slot] }

    /// Raw read-only views of the state for per-vehicle readers running in parallel (no exclusivity
    /// checks per access). Valid until the next `step`.
    public struct View: @unchecked Sendable {
        let alive: UnsafeMutablePointer<Bool>, lane: UnsafeMutablePointer<Int32>, s: UnsafeMutablePointer<Float>
        let v: UnsafeMutablePointer<Float>, acc: UnsafeMutablePointer<Float>, type: UnsafeMutablePointer<Int32>
        let tpar: UnsafeMutablePointer<IDMParams>, limit: Int
        let shapeStart: UnsafeMutablePointer<Int32>, shapeCount: UnsafeMutablePointer<Int32>, shapeScale: UnsafeMutablePointer<Float>
        let shapePoints: UnsafeMutablePointer<Vec2>, shapeCumulative: UnsafeMutablePointer<Float>
        public func isAlive(_ i: Int) -> Bool { i >= 0 && i < limit && alive[i] }
        public func lane(_ i: Int) -> Int32 { lane[i] }
        public func position(_ i: Int) -> Float { s[i] }
        public func speed(_ i: Int) -> Float { v[i] }
        public func acceleration(_ i: Int) -> Float { acc[i] }
        /// Centre of the vehicle on its lane and its heading `[x, z]`.
        public func pose(_ i: Int) -> (center: Vec2, direction: Vec2) {
            let l = Int(lane[i])
            let mid = max(0, s[i] - tpar[Int(type[i])].length / 2)
            let st = Int(shapeStart[l])
            return LaneShape.locate(shapePoints + st, shapeCumulative + st, Int(shapeCount[l]), mid * shapeScale[l])
        }
    }

    public var view: View {
        View(alive: alive.p, lane: lane.p, s: s.p, v: v.p, acc: acc.p, type: type.p, tpar: tpar.p, limit: slotLimit,
             shapeStart: shapeStart.p, shapeCount: shapeCount.p, shapeScale: shapeScale.p, shapePoints: shapePoints.p,
             shapeCumulative: shapeCumulative.p)
    }
    public func state(_ slot: Int) -> VehicleState {
        VehicleState(lane: Int(lane[slot]), position: s[slot], speed: v[slot], acceleration: acc[slot], type: Int(type[slot]),
                     route: Int(route[slot]), routeIndex: Int(routePos[slot]), gap: gapAhead[slot])
    }
    /// Live slots in lane order, then position (front last within a lane).
    public var slotsInOrder: [Int] { (0..<count).map { Int(order[$0]) } }
    /// Vehicles on lane `l`, rear first.
    public func vehicles(onLane l: Int) -> [Int] {
        let st = Int(laneStart[l]), n = Int(laneCount[l])
        return (0..<n).map { Int(order[st + $0]) }
    }
    /// World pose: centre of the vehicle on its lane (y = 0) and heading direction `[x, z]`.
    public func pose(_ slot: Int) -> (center: Vec2, direction: Vec2) { view.pose(slot) }
    public func signalState(_ connection: Int) -> LinkState { linkState[connection] }
    public func isOpen(_ connection: Int) -> Bool { open[connection] }
    public func crossingIsOccupied(_ c: Int) -> Bool { crossingOccupied[c] }
    /// The stop (route, index among the route's stops) a live vehicle is dwelling at, if any.
    public func dwellingStop(_ slot: Int) -> (route: Int, stop: Int)? {
        guard slot < slotLimit, alive[slot], dwell[slot] >= 0 else { return nil }
        return (Int(route[slot]), Int(nextStop[slot]))
    }
    /// Keeps a dwelling vehicle at its stop after its dwell time while `hold` is true
    /// (a carrier waiting for items or for room); cleared when it leaves.
    public func setHold(_ slot: Int, _ value: Bool) {
        guard slot < slotLimit else { return }
        hold[slot] = value
    }
    /// Vehicles with speed below 0.1 m/s on the lanes entering node `n`.
    public func queue(atNode n: Int) -> Int {
        var q = 0
        var seen = Set<Int>()
        for c in network.nodes[n].connections where seen.insert(network.connections[c].fromLane).inserted {
            for slot in vehicles(onLane: network.connections[c].fromLane) where v[slot] < 0.1 { q += 1 }
        }
        return q
    }

    // MARK: Slots

    func allocSlot() -> Int {
        if let f = freeSlots.popLast() { return Int(f) }
        let i = count + freeSlots.count
        if i >= capacity {
            let n = capacity * 2
            alive.grow(to: n, false); lane.grow(to: n, 0); s.grow(to: n, 0); sPrev.grow(to: n, 0); v.grow(to: n, 0); acc.grow(to: n, 0)
            gapAhead.grow(to: n, .infinity); type.grow(to: n, 0); route.grow(to: n, 0); routePos.grow(to: n, 0); nextConn.grow(to: n, -1)
            mayPass.grow(to: n, false); cooldown.grow(to: n, 0); standing.grow(to: n, 0); depart.grow(to: n, 0); cameVia.grow(to: n, -1)
            nextStop.grow(to: n, 0); dwell.grow(to: n, -1); hold.grow(to: n, false)
            order.grow(to: n, 0); orderScratch.grow(to: n, 0); orderIndex.grow(to: n, 0)
            capacity = alive.capacity
        }
        return i
    }

    /// Slots ever used (live or free): the ECS wrapper sizes its tables by this.
    public var slotLimit: Int { count + freeSlots.count }

    func spawn(type t: Int, route r: Int, routeIndex ri: Int, lane l: Int, position p: Float, speed sp: Float, time: Double) -> Int {
        let i = allocSlot()
        alive[i] = true; lane[i] = Int32(l); s[i] = p; sPrev[i] = p; v[i] = sp; acc[i] = 0; gapAhead[i] = .infinity
        type[i] = Int32(t); route[i] = Int32(r); routePos[i] = Int32(ri); mayPass[i] = false; cooldown[i] = 0; standing[i] = 0
        depart[i] = time
        cameVia[i] = -1
        nextStop[i] = 0; dwell[i] = -1; hold[i] = false
        nextConn[i] = computeNextConn(lane: l, route: r, routePos: ri)
        count += 1
        stats.departed += 1
        departedSlots.append(Int32(i))
        return i
    }

    func remove(_ i: Int, _ reason: VehicleExit, time: Double) {
        guard alive[i] else { return }
        alive[i] = false
        count -= 1
        freeSlots.append(Int32(i))
        exited.append((Int32(i), reason))
        switch reason {
        case .arrived:
            stats.arrived += 1
            let r = Int(route[i])
            stats.routeArrivals[r] += 1
            stats.routeTravelTime[r] += time - depart[i]
        case .stuck: stats.removedStuck += 1
        }
    }

    /// Next connection at the end of normal lane `l` for a vehicle at `routePos`: ≥ 0, −1 route end, −2 no connection from this lane.
    @inline(__always)
    func computeNextConn(lane l: Int, route r: Int, routePos ri: Int) -> Int32 {
        if laneIsInternal[l] { return laneConn[l] }
        var nri = ri + 1
        if nri >= Int(routeCount[r]) {
            guard routeRepeats[r] else { return -1 }
            nri = 0
        }
        let road = routeRoads[Int(routeStart[r]) + nri]
        let st = Int(laneOutStart[l])
        for k in st..<(st + Int(laneOutCount[l])) where connToRoad[Int(outConn[k])] == road { return outConn[k] }
        return -2
    }

    /// Places a scene vehicle at a distance along its route (walking lanes through connections).
    func placeInitial(_ p: TrafficSetup.Placed) {
        var l = p.lane, pos = p.position, ri = 0
        let r = routes[p.route]
        var hops = 0
        while pos > network.lanes[l].length, hops < 10_000 {
            hops += 1
            pos -= network.lanes[l].length
            let c = computeNextConn(lane: l, route: p.route, routePos: ri)
            if c < 0 { pos = network.lanes[l].length; break }
            if laneIsInternal[l] {
                l = Int(connTo[Int(c)])
                ri = (ri + 1) % r.roads.count
            } else {
                let via = Int(connVia[Int(c)])
                if via >= 0 { l = via } else { l = Int(connTo[Int(c)]); ri = (ri + 1) % r.roads.count }
            }
        }
        _ = spawn(type: p.type, route: p.route, routeIndex: ri, lane: l, position: pos, speed: p.speed, time: 0)
    }

    // MARK: Step

    /// Advances by `dt` from `time`. `walkers` are positions (ground `[x, z]`) and radii of agents.
    public func step(dt: Double, time: Double, walkers: [(Vec2, Float)] = [], executor: ParallelExecutor = .serial) {
        departedSlots.removeAll(keepingCapacity: true)
        exited.removeAll(keepingCapacity: true)
        passages.removeAll(keepingCapacity: true)
        stopEvents.removeAll(keepingCapacity: true)
        updateSignals(time: time)
        updateCrossings(walkers)
        controlJunctions()
        computeAccelerations(executor)
        if !multiLaneLanes.isEmpty { changeLanes(dt: Float(dt)) }
        move(dt: Float(dt), executor)
        detect(time: time, dt: dt)
        transitions(time: time + dt, dt: dt)
        departures(time: time, dt: dt)
        rebuildOrder()
        stats.vehicleSteps += count
    }

    func updateSignals(time: Double) {
        for n in network.nodes.indices {
            guard let prog = network.nodes[n].program, !prog.phases.isEmpty else { continue }
            let ph = prog.phases[prog.phase(at: time)]
            for c in network.nodes[n].connections {
                let l = network.connections[c].link
                linkState[c] = l >= 0 && l < ph.states.count ? ph.states[l] : .red
            }
        }
    }

    func updateCrossings(_ walkers: [(Vec2, Float)]) {
        for c in network.crossings.indices {
            let cr = network.crossings[c]
            var occ = false
            for (p, r) in walkers where cr.contains(p, radius: r, margin: options.crossingMargin) { occ = true; break }
            crossingOccupied[c] = occ
        }
    }

    struct Request { var conn: Int; var eta: Float; var clear: Float; var committed: Bool; var rank: Int }

    /// Decides which connections may be entered this step (signals, priorities, first come).
    func controlJunctions() {
        swap(&open, &openPrev)
        let ord = order.p, ls = laneStart.p, lc = laneCount.p
        var requests: [Request] = []
        var granted: [Request] = []
        for n in network.nodes.indices {
            let node = network.nodes[n]
            if node.kind == .none {
                for c in node.connections { open[c] = true }
                continue
            }
            requests.removeAll(keepingCapacity: true)
            granted.removeAll(keepingCapacity: true)
            for c in node.connections { open[c] = false }
            var lastLane = -1
            for c in node.connections {
                let conn = network.connections[c]
                let fl = conn.fromLane
                if fl == lastLane { continue }
                lastLane = fl
                let cnt = Int(lc[fl])
                guard cnt > 0 else { continue }
                let i = Int(ord[Int(ls[fl]) + cnt - 1])
                let nc = Int(nextConn[i])
                guard nc >= 0 else { continue }
                let t = tpar[Int(type[i])]
                let d = max(0, laneLength[fl] - s[i]), sp = v[i]
                var committed = openPrev[nc] && d < sp * sp / (2 * t.decel) + 0.5
                var rank = network.connections[nc].rank
                if node.kind == .signal {
                    switch linkState[nc] {
                    case .red: if !mayPass[i] { continue }; committed = true
                    case .yellow:
                        if mayPass[i] || d < sp * sp / (2 * options.yellowDecel) { mayPass[i] = true; committed = true } else { continue }
                    case .green: rank += 1000
                    case .greenMinor: break
                    }
                }
                let via = network.connections[nc].via
                let through = (via >= 0 ? laneLength[via] : 0) + t.length + t.minGap
                let eta = d / max(sp, 1)
                let clear = through / max(sp, 3) + 1
                requests.append(Request(conn: nc, eta: eta, clear: clear, committed: committed, rank: rank))
            }
            requests.sort { a, b in
                if a.committed != b.committed { return a.committed }
                if a.rank != b.rank { return a.rank > b.rank }
                if a.eta != b.eta { return a.eta < b.eta }
                return a.conn < b.conn
            }
            for r in requests {
                var ok = true
                if !r.committed {
                    for f in network.connections[r.conn].foes {
                        if let until = occupiedUntil(f, ord, ls, lc), r.eta < until + 0.5 { ok = false; break }
                        for g in granted where g.conn == f {
                            if g.eta < r.eta + r.clear && r.eta < g.eta + g.clear { ok = false; break }
                        }
                        if !ok { break }
                    }
                    if ok {
                        // Do not enter a junction whose exit is blocked.
                        let to = Int(connTo[r.conn])
                        let n = Int(lc[to])
                        if n > 0 {
                            let j = Int(ord[Int(ls[to])])
                            let rear = s[j] - tpar[Int(type[j])].length
                            if v[j] < 1, rear < tpar[0].length + 1 { ok = false }
                        }
                    }
                }
                if ok { open[r.conn] = true; granted.append(r) }
            }
        }
    }

    /// If connection `c` has a vehicle in the junction: the time (s) until its rear has left, estimated.
    @inline(__always)
    func occupiedUntil(_ c: Int, _ ord: UnsafeMutablePointer<Int32>, _ ls: UnsafeMutablePointer<Int32>, _ lc: UnsafeMutablePointer<Int32>) -> Float? {
        let via = Int(connVia[c])
        if via >= 0, lc[via] > 0 {
            // The rearmost vehicle on the internal lane decides.
            let j = Int(ord[Int(ls[via])])
            return (laneLength[via] - s[j] + tpar[Int(type[j])].length + 0.5) / max(v[j], 1)
        }
        let to = Int(connTo[c])
        let n = Int(lc[to])
        if n > 0 {
            let j = Int(ord[Int(ls[to])])
            let rear = s[j] - tpar[Int(type[j])].length
            if cameVia[j] == Int32(c), rear < 0.5 { return (0.5 - rear) / max(v[j], 1) }
        }
        return nil
    }

    /// IDM acceleration and the gap to the vehicle ahead for every vehicle.
    /// Slots in contiguous chunks per worker (each worker writes its own stretch of `acc`/`gapAhead`,
    /// no false sharing); the leader comes from the per-lane sorted index.
    func computeAccelerations(_ executor: ParallelExecutor) {
        let n = slotLimit
        let chunk = 2048
        executor.run((n + chunk - 1) / chunk) { c in
            let al = self.alive.p
            for i in (c * chunk)..<min(n, (c + 1) * chunk) where al[i] { self.accelerate(i) }
        }
    }

    @inline(__always)
    func accelerate(_ i: Int) {
        let ord = order.p, sp = s.p, vp = v.p, tp = type.p
        let l = Int(lane[i])
        let st = Int(laneStart[l]), n = Int(laneCount[l])
        let k = Int(orderIndex[i]) - st
        let len = laneLength[l], limit = laneSpeed[l]
        let t = tpar[Int(tp[i])]
        let vi = vp[i], si = sp[i]
        let v0 = min(t.maxSpeed, limit * t.speedFactor)
        var a: Float
        var gapVehicle = Float.infinity
        if k + 1 < n {
            let j = Int(ord[st + k + 1])
            gapVehicle = sp[j] - tpar[Int(tp[j])].length - si
            a = IDM.acceleration(t, v: vi, v0: v0, gap: gapVehicle, leaderSpeed: vp[j])
        } else {
            let (g, lv, gate) = lookahead(i, lane: l, from: len - si, t: t)
            gapVehicle = g
            a = IDM.acceleration(t, v: vi, v0: v0, gap: g, leaderSpeed: lv)
            if gate < .infinity { a = min(a, IDM.acceleration(t, v: vi, v0: v0, gap: gate, leaderSpeed: 0)) }
        }
        if laneHasCrossings[l] {
            for c in network.lanes[l].crossings {
                let cr = network.crossings[c]
                let stop = cr.at - cr.width / 2 - 1
                if stop <= si - 0.01 { continue }
                if crossingOccupied[c], (stop - si) > vi * vi / (2 * t.emergencyDecel) {
                    a = min(a, IDM.acceleration(t, v: vi, v0: v0, gap: stop - si, leaderSpeed: 0))
                }
                break
            }
        }
        let r = Int(route[i])
        let ns = Int(nextStop[i])
        if ns < Int(stopCount[r]) {
            let k = Int(stopStart[r]) + ns
            if stopRI[k] == routePos[i], !laneIsInternal[l] {
                // A standing obstacle s0 beyond the stop point, so the front halts at it.
                let at = min(stopAt[k], len)
                a = min(a, IDM.acceleration(t, v: vi, v0: v0, gap: max(0.01, at + t.minGap - si), leaderSpeed: 0))
            }
        }
        acc[i] = a
        gapAhead[i] = gapVehicle
    }

    /// The nearest vehicle ahead beyond the end of lane `l` (gap, its speed) and the nearest closed gate (distance).
    @inline(__always)
    func lookahead(_ i: Int, lane l: Int, from dist0: Float, t: IDMParams) -> (Float, Float, Float) {
        var dist = dist0
        var l = l
        var ri = Int(routePos[i])
        let r = Int(route[i])
        var c = Int(nextConn[i])
        let ls = laneStart.p, lc = laneCount.p, ord = order.p
        var hops = 0
        while hops < 6 {
            hops += 1
            if c == -1 { return (.infinity, 0, .infinity) }
            if c == -2 { return (.infinity, 0, dist) }
            if !laneIsInternal[l], !open[c], !(mayPass[i] && hops == 1) {
                // A closed gate matters once it is within the distance a comfortable stop needs (plus margin);
                // farther away the decision is re-taken every step before that.
                let vi = v[i]
                let zone = max(IDM.desiredGap(t, v: vi, approach: vi), vi * vi / (2 * t.decel) + vi * t.timeHeadway + t.minGap) + 10
                return (.infinity, 0, dist <= zone ? dist : .infinity)
            }
            let via = Int(connVia[c])
            let next = laneIsInternal[l] ? Int(connTo[c]) : (via >= 0 ? via : Int(connTo[c]))
            if next == Int(connTo[c]) { ri += 1; if ri >= Int(routeCount[r]) { ri = 0 } }
            let n = Int(lc[next])
            if n > 0 {
                let j = Int(ord[Int(ls[next])])
                return (dist + s[j] - tpar[Int(type[j])].length, v[j], .infinity)
            }
            if dist > 250 { return (.infinity, 0, .infinity) }
            dist += laneLength[next]
            l = next
            c = Int(computeNextConn(lane: l, route: r, routePos: ri))
        }
        return (.infinity, 0, .infinity)
    }

    /// MOBIL (Kesting, Treiber & Helbing 2007) on multi-lane roads, with mandatory changes towards a lane that leads on.
    func changeLanes(dt: Float) {
        var changedInto: [(Int, Float)] = []
        let net = network
        for l in multiLaneLanes {
            let n = Int(laneCount[l])
            guard n > 0 else { continue }
            let st = Int(laneStart[l])
            for k in 0..<n {
                let i = Int(order[st + k])
                if lane[i] != Int32(l) { continue }
                cooldown[i] -= dt
                if cooldown[i] > 0 { continue }
                let t = tpar[Int(type[i])]
                let bit = t.classBit
                let mandatory = nextConn[i] == -2
                let nextRoad: Int? = {
                    let rs = routes[Int(route[i])].roads
                    let nri = Int(routePos[i]) + 1
                    if nri < rs.count { return rs[nri] }
                    return routes[Int(route[i])].repeats ? rs[0] : nil
                }()
                func leadsOn(_ lane: Int) -> Bool { nextRoad.map { net.connection(from: lane, toRoad: $0) != nil } ?? true }
                var best: (lane: Int, gain: Float, sT: Float, gapF: Float, aNew: Float, follower: Int, aN: Float)?
                for target in [net.lanes[l].left, net.lanes[l].right] where target >= 0 {
                    guard net.lanes[target].allowMask & bit != 0 else { continue }
                    let targetOK = leadsOn(target)
                    let remaining = laneLength[l] - s[i]
                    if !mandatory, !targetOK, remaining < 200 { continue }
                    if mandatory {
                        // Move towards some lane that leads on.
                        let lanes = net.roads[net.lanes[l].road].lanes
                        let myIdx = net.lanes[l].index, tIdx = net.lanes[target].index
                        let goodIdx = lanes.indices.filter { leadsOn(lanes[$0]) }
                        guard let g = goodIdx.min(by: { abs($0 - myIdx) < abs($1 - myIdx) }), (g - myIdx) * (tIdx - myIdx) > 0 else { continue }
                    }
                    if changedInto.contains(where: { $0.0 == target && abs($0.1 - s[i]) < 30 }) { continue }
                    let sT = s[i] * laneLength[target] / laneLength[l]
                    let tn = Int(laneCount[target]), ts = Int(laneStart[target])
                    // First vehicle with s > sT.
                    var lo = 0, hi = tn
                    while lo < hi {
                        let m = (lo + hi) >> 1
                        if s[Int(order[ts + m])] > sT { hi = m } else { lo = m + 1 }
                    }
                    let v0 = min(t.maxSpeed, laneSpeed[target] * t.speedFactor)
                    var gapF = Float.infinity, vL: Float = 0
                    if lo < tn { let j = Int(order[ts + lo]); gapF = s[j] - tpar[Int(type[j])].length - sT; vL = v[j] }
                    else {
                        // No leader on the target lane: the rearmost vehicle just beyond its end (on any
                        // lane it leads into) may still stick out into it — a change must respect it too.
                        let os = Int(laneOutStart[target])
                        for q in os..<(os + Int(laneOutCount[target])) {
                            let c = Int(outConn[q])
                            let nl = connVia[c] >= 0 ? Int(connVia[c]) : Int(connTo[c])
                            guard laneCount[nl] > 0 else { continue }
                            let j = Int(order[Int(laneStart[nl])])
                            let g = laneLength[target] - sT + s[j] - tpar[Int(type[j])].length
                            if g < gapF { gapF = g; vL = v[j] }
                        }
                    }
                    var follower = -1, gapB = Float.infinity
                    if lo > 0 { follower = Int(order[ts + lo - 1]); gapB = sT - t.length - s[follower] }
                    else {
                        // No follower on the target lane: the frontmost vehicle about to enter it from a
                        // lane that ends in it is one (only its gap is checked, not its braking).
                        for fl in laneFeeders[target] where laneCount[Int(fl)] > 0 {
                            let j = Int(order[Int(laneStart[Int(fl)]) + Int(laneCount[Int(fl)]) - 1])
                            let g = laneLength[Int(fl)] - s[j] + sT - t.length
                            if g < gapB { gapB = g }
                            if g < 2 * v[j] { gapB = min(gapB, 0) }   // closing in within 2 s: not a safe gap
                        }
                    }
                    guard gapF > 0.5, gapB > 0.5 else { continue }
                    var aNew = IDM.acceleration(t, v: v[i], v0: v0, gap: gapF, leaderSpeed: vL)
                    if !targetOK { aNew = min(aNew, IDM.acceleration(t, v: v[i], v0: v0, gap: laneLength[target] - sT, leaderSpeed: 0)) }
                    guard aNew >= -t.safeDecel else { continue }
                    var aN: Float = 0, dN: Float = 0
                    if follower >= 0 {
                        let ft = tpar[Int(type[follower])]
                        aN = IDM.acceleration(ft, v: v[follower], v0: min(ft.maxSpeed, laneSpeed[target] * ft.speedFactor), gap: gapB, leaderSpeed: v[i])
                        guard aN >= -ft.safeDecel else { continue }
                        dN = aN - acc[follower]
                    }
                    var dO: Float = 0
                    if k > 0 {
                        let o = Int(order[st + k - 1])
                        let ot = tpar[Int(type[o])]
                        var gapO = Float.infinity, vO: Float = 0
                        if k + 1 < n { let j = Int(order[st + k + 1]); gapO = s[j] - tpar[Int(type[j])].length - s[o]; vO = v[j] }
                        let aO = IDM.acceleration(ot, v: v[o], v0: min(ot.maxSpeed, laneSpeed[l] * ot.speedFactor), gap: gapO, leaderSpeed: vO)
                        dO = aO - acc[o]
                    }
                    let gain = aNew - acc[i] + t.politeness * (dN + dO)
                    if mandatory || gain > t.changeThreshold {
                        let score = mandatory ? gain + 1000 : gain
                        if best == nil || score > best!.gain { best = (target, score, sT, gapF, aNew, follower, aN) }
                    }
                }
                if let b = best {
                    lane[i] = Int32(b.lane); s[i] = b.sT; sPrev[i] = b.sT; cameVia[i] = -1
                    acc[i] = b.aNew; gapAhead[i] = b.gapF
                    cooldown[i] = options.laneChangeCooldown
                    mayPass[i] = false
                    nextConn[i] = computeNextConn(lane: b.lane, route: Int(route[i]), routePos: Int(routePos[i]))
                    if b.follower >= 0 {
                        acc[b.follower] = min(acc[b.follower], b.aN)
                        gapAhead[b.follower] = min(gapAhead[b.follower], b.sT - t.length - s[b.follower])
                    }
                    changedInto.append((b.lane, b.sT))
                }
            }
        }
    }

    /// Ballistic (or Euler) update; speeds ≥ 0; never past the rear of the vehicle ahead.
    func move(dt: Float, _ executor: ParallelExecutor) {
        let n = slotLimit
        let chunk = 4096
        let chunks = (n + chunk - 1) / chunk
        let ballistic = options.scheme == .ballistic
        let al = alive.p, sp = s.p, spv = sPrev.p, vp = v.p, ap = acc.p, gp = gapAhead.p
        nonisolated(unsafe) let ptrs = (al, sp, spv, vp, ap, gp)
        executor.run(chunks) { c in
            let (al, sp, spv, vp, ap, gp) = ptrs
            for i in (c * chunk)..<min(n, (c + 1) * chunk) where al[i] {
                let v0 = vp[i], a = ap[i]
                var ds: Float, v1: Float
                if ballistic {
                    v1 = v0 + a * dt
                    if v1 < 0 { ds = a < 0 ? -v0 * v0 / (2 * a) : 0; v1 = 0 } else { ds = (v0 + v1) * 0.5 * dt }
                } else {
                    v1 = max(0, v0 + a * dt)
                    ds = v1 * dt
                }
                let room = gp[i] - 0.01
                if ds > room {
                    ds = max(0, room)
                    v1 = min(v1, max(0, 2 * ds / dt - v0))
                }
                spv[i] = sp[i]
                sp[i] += ds
                vp[i] = v1
            }
        }
    }

    func detect(time: Double, dt: Double) {
        guard !network.detectors.isEmpty else { return }
        for l in laneDetectors.indices where !laneDetectors[l].isEmpty {
            for i in vehicles(onLane: l) where lane[i] == Int32(l) {
                for d in laneDetectors[l] {
                    let at = network.detectors[d].at
                    if sPrev[i] < at, s[i] >= at {
                        let f = Double((at - sPrev[i]) / max(s[i] - sPrev[i], 1e-6))
                        passages.append(Passage(detector: d, time: time + f * dt, speed: v[i]))
                        stats.detectorCount[d] += 1
                        stats.detectorSpeedSum[d] += Double(v[i])
                    }
                }
            }
        }
    }

    func transitions(time: Double, dt: Double) {
        for k in 0..<count {
            let i = Int(order[k])
            guard alive[i] else { continue }
            var l = Int(lane[i])
            let r0 = Int(route[i]), ns = Int(nextStop[i])
            if ns < Int(stopCount[r0]) {
                let k = Int(stopStart[r0]) + ns
                let ri = routePos[i]
                if stopRI[k] == ri, !laneIsInternal[l] {
                    let at = min(stopAt[k], laneLength[l])
                    if dwell[i] >= 0 || (v[i] < 0.1 && abs(at - s[i]) < 1.5) {
                        if dwell[i] < 0 {
                            dwell[i] = stopDuration[k]; stopEvents.append((Int32(i), Int32(r0), Int32(ns), true))
                            // A transfer stop holds the carrier until the traffic system has handled it once.
                            hold[i] = stopTransfer[k]
                        }
                        dwell[i] -= Float(dt)
                        standing[i] = 0
                        if dwell[i] <= 0, hold[i] { dwell[i] = 0 }
                        else if dwell[i] <= 0 { dwell[i] = -1; hold[i] = false; nextStop[i] += 1; stopEvents.append((Int32(i), Int32(r0), Int32(ns), false)) }
                        continue
                    } else if s[i] > at + 1.5 {
                        nextStop[i] += 1   // passed it (e.g. entered the road behind it)
                    }
                } else if stopRI[k] < ri {
                    nextStop[i] += 1
                }
            }
            if v[i] < 0.1 {
                if standing[i] == 0 { stats.stops += 1 }
                standing[i] += Float(dt)
                if Double(standing[i]) > options.stuckTimeout { remove(i, .stuck, time: time); continue }
            } else { standing[i] = 0 }
            var hops = 0
            while s[i] >= laneLength[l], hops < 16 {
                hops += 1
                let c = Int(nextConn[i])
                if c == -1 { remove(i, .arrived, time: time); break }
                if c == -2 { s[i] = laneLength[l]; v[i] = 0; break }
                s[i] -= laneLength[l]
                sPrev[i] -= laneLength[l]
                let r = Int(route[i])
                if laneIsInternal[l] {
                    l = Int(connTo[c])
                    cameVia[i] = Int32(c)
                    routePos[i] = Int32((Int(routePos[i]) + 1) % Int(routeCount[r]))
                    if routePos[i] == 0 { nextStop[i] = 0 }
                } else {
                    let via = Int(connVia[c])
                    if via >= 0 { l = via } else {
                        l = Int(connTo[c])
                        cameVia[i] = Int32(c)
                        routePos[i] = Int32((Int(routePos[i]) + 1) % Int(routeCount[r]))
                        if routePos[i] == 0 { nextStop[i] = 0 }
                    }
                }
                lane[i] = Int32(l)
                mayPass[i] = false
                nextConn[i] = computeNextConn(lane: l, route: r, routePos: Int(routePos[i]))
            }
        }
    }

    /// Flow arrivals and timed departures enter at the start of their first road when there is room.
    func departures(time: Double, dt: Double) {
        let end = time + dt
        for f in flows.indices {
            let fl = flows[f]
            guard fl.rate > 0 else { continue }
            var guardCount = 0
            while flowNext[f] < end, guardCount < 10_000 {
                guardCount += 1
                let t = flowNext[f]
                if let stop = fl.stop, t >= stop { flowNext[f] = .infinity; break }
                if let limit = fl.limit, flowCount[f] >= limit { flowNext[f] = .infinity; break }
                flowCount[f] += 1
                pending.append(Pending(type: Int32(fl.type), route: Int32(fl.route), lane: Int32(fl.departLane ?? -1), position: -1,
                                       speed: fl.departSpeed ?? -1, depart: t, deadline: t + fl.maxDepartDelay, flow: Int32(f)))
                let rateS = fl.rate / 3600
                let gap = fl.poisson ? random.exponential(rate: rateS) : 1 / rateS
                flowNext[f] = t + gap > t ? t + gap : t.nextUp
            }
        }
        while timedCursor < timedPlacements.count, timedPlacements[timedCursor].depart < end {
            let p = timedPlacements[timedCursor]
            timedCursor += 1
            pending.append(Pending(type: Int32(p.type), route: Int32(p.route), lane: -1, position: -1, speed: p.speed, depart: p.depart,
                                   deadline: .infinity, flow: -1))
        }
        guard !pending.isEmpty else { return }
        // One insertion per lane per step; after a failed attempt the rest of that road's queue waits.
        stamp &+= 1
        pendingScratch.removeAll(keepingCapacity: true)
        for p in pending {
            let road = Int(routeRoads[Int(routeStart[Int(p.route)])])
            if roadFailStamp[road] != stamp {
                if insert(p, time: end) { continue }
                roadFailStamp[road] = stamp
            }
            if p.deadline < end { stats.dropped += 1; continue }
            pendingScratch.append(p)
        }
        swap(&pending, &pendingScratch)
    }
    var pendingScratch: [Pending] = []
    var stamp: Int32 = 0
    let laneUsedStamp: Buf<Int32>
    let roadFailStamp: Buf<Int32>

    func insert(_ p: Pending, time: Double) -> Bool {
        let r = Int(p.route)
        let t = tpar[Int(p.type)]
        let rs = Int(routeStart[r])
        let lanes = network.roads[Int(routeRoads[rs])].lanes
        let next: Int32 = routeCount[r] > 1 ? routeRoads[rs + 1] : -1
        func allowed(_ l: Int) -> Bool { network.lanes[l].allowMask & t.classBit != 0 }
        func leadsOn(_ l: Int) -> Bool {
            guard next >= 0 else { return true }
            let st = Int(laneOutStart[l])
            for k in st..<(st + Int(laneOutCount[l])) where connToRoad[Int(outConn[k])] == next { return true }
            return false
        }
        // Without a given lane: the emptiest allowed lane, among those that lead on if any does.
        let anyLeads = p.lane < 0 && lanes.contains { allowed($0) && leadsOn($0) }
        var bestLane = -1, bestRoom = -Float.infinity
        for (k, l) in lanes.enumerated() where laneUsedStamp[l] != stamp {
            if p.lane >= 0 { guard k == Int(p.lane) else { continue } } else {
                guard allowed(l), !anyLeads || leadsOn(l) else { continue }
            }
            var room = Float.infinity
            if laneCount[l] > 0 {
                let j = Int(order[Int(laneStart[l])])
                if lane[j] == Int32(l) { room = s[j] - tpar[Int(type[j])].length - t.length }
            }
            if bestLane < 0 || room > bestRoom { bestLane = l; bestRoom = room }
        }
        guard bestLane >= 0, bestRoom >= t.minGap else { return false }
        let v0 = min(t.maxSpeed, laneSpeed[bestLane] * t.speedFactor)
        var speed = p.speed >= 0 ? p.speed : v0
        if bestRoom < .infinity { speed = min(speed, max(0, (bestRoom - t.minGap) / max(t.timeHeadway, 0.1))) }
        _ = spawn(type: Int(p.type), route: r, routeIndex: 0, lane: bestLane, position: t.length, speed: speed, time: p.depart)
        // One insertion per lane per step: the lane index is rebuilt after the departures.
        laneUsedStamp[bestLane] = stamp
        return true
    }

    /// Counting sort by lane (stable on the previous order), then insertion sort by position.
    func rebuildOrder() {
        let nl = network.lanes.count
        let lc = laneCount.p, ls = laneStart.p
        for l in 0..<nl { lc[l] = 0 }
        let n = slotLimit
        // Previous order first (keeps lanes nearly sorted), then new slots.
        var m = 0
        let prevCount = orderCountPrev
        for k in 0..<prevCount {
            let i = Int(order[k])
            if alive[i] { orderScratch[m] = Int32(i); m += 1 }
        }
        for i in departedSlots where alive[Int(i)] { orderScratch[m] = i; m += 1 }
        if m != count {
            // Fallback (first build): every live slot.
            m = 0
            for i in 0..<n where alive[i] { orderScratch[m] = Int32(i); m += 1 }
        }
        for k in 0..<m { lc[Int(lane[Int(orderScratch[k])])] += 1 }
        var acc: Int32 = 0
        for l in 0..<nl { ls[l] = acc; acc += lc[l] }
        // Scatter: use laneStart as a cursor, then restore it.
        for k in 0..<m {
            let i = orderScratch[k]
            let l = Int(lane[Int(i)])
            order[Int(ls[l])] = i
            ls[l] += 1
        }
        for l in 0..<nl { ls[l] -= lc[l] }
        let sp = s.p, op = order.p
        for l in 0..<nl where lc[l] > 1 {
            let st = Int(ls[l]), e = st + Int(lc[l])
            for a in (st + 1)..<e {
                let x = op[a]
                let sx = sp[Int(x)]
                var b = a - 1
                while b >= st, sp[Int(op[b])] > sx || (sp[Int(op[b])] == sx && op[b] > x) {
                    op[b + 1] = op[b]; b -= 1
                }
                op[b + 1] = x
            }
        }
        for k in 0..<m { orderIndex[Int(op[k])] = Int32(k) }
        orderCountPrev = m
    }
    var orderCountPrev = 0
}
