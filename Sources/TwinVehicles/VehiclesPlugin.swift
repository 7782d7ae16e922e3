#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TwinCore

/// A vehicle's lane-relative state (mirrored from the traffic model each step).
public struct Vehicle: DefaultComponent, DocumentedComponent, Hashable {
    /// Slot in the traffic model.
    public var slot: Int32 = -1
    /// Lane index in the network.
    public var lane: Int32 = 0
    /// Front-bumper position along the lane, m.
    public var position: Float = 0
    /// m/s
    public var speed: Float = 0
    /// m/s²
    public var acceleration: Float = 0
    /// Vehicle type index (0 = built-in `car`).
    public var type: Int32 = 0
    /// Route index.
    public var route: Int32 = 0
    public init() {}
    public static let summary = "A vehicle of the traffic model: lane, front-bumper position along it, speed, acceleration (written by vehicles.traffic)."
    public static let fieldUnits = ["position": "m", "speed": "m/s", "acceleration": "m/s²"]
    public func hashState(into h: inout StableHasher) {
        h.combine(Int(slot)); h.combine(Int(lane)); h.combine(position); h.combine(speed); h.combine(acceleration); h.combine(Int(type)); h.combine(Int(route))
    }
}

/// Network-wide traffic counters (one entity named `traffic`).
public struct TrafficStats: DefaultComponent, DocumentedComponent, Hashable {
    public var running: Int = 0
    public var departed: Int = 0
    public var arrived: Int = 0
    /// Vehicles that could not enter within their flow's maxDepartDelay.
    public var dropped: Int = 0
    /// Vehicles removed after standing longer than stuckTimeout.
    public var stuck: Int = 0
    /// Vehicles slower than 0.1 m/s now.
    public var halting: Int = 0
    /// Times a vehicle came to a halt.
    public var stops: Int = 0
    /// Mean speed of the running vehicles, m/s.
    public var meanSpeed: Float = 0
    /// Mean travel time of the arrived vehicles, s.
    public var meanTravelTime: Double = 0
    /// Sum over steps of the running vehicles.
    public var vehicleSteps: Int = 0
    /// Items on carriers now (transfer stops), and items lost with carriers that left the network loaded.
    public var carried: Int = 0
    public var lostItems: Int = 0
    public init() {}
    public static let summary = "Traffic counters: running, departed, arrived, dropped, stuck, halting, stops, mean speed, mean travel time."
    public static let fieldUnits = ["meanSpeed": "m/s", "meanTravelTime": "s"]
    public func hashState(into h: inout StableHasher) {
        h.combine(running); h.combine(departed); h.combine(arrived); h.combine(dropped); h.combine(stuck); h.combine(halting)
        h.combine(stops); h.combine(meanSpeed); h.combine(meanTravelTime); h.combine(vehicleSteps)
        h.combine(carried); h.combine(lostItems)
    }
}

/// A loop detector's readings (one entity per `traffic.detectors` entry, named by its id).
public struct TrafficDetector: DefaultComponent, DocumentedComponent, Hashable {
    public var index: Int32 = 0
    /// Vehicles counted since the start.
    public var count: Int = 0
    /// count / elapsed time, veh/h.
    public var flow: Double = 0
    /// Mean speed of the counted vehicles (time mean), m/s.
    public var meanSpeed: Float = 0
    /// Vehicles now within `length` upstream of the detector per km and lane, veh/km.
    public var density: Float = 0
    public init() {}
    public static let summary = "Loop detector: vehicles counted, flow, time-mean speed, density of the section upstream."
    public static let fieldUnits = ["flow": "veh/h", "meanSpeed": "m/s", "density": "veh/km"]
    public func hashState(into h: inout StableHasher) { h.combine(Int(index)); h.combine(count); h.combine(flow); h.combine(meanSpeed); h.combine(density) }
}

/// A traffic light's state (one entity per signal node, named by the node id).
public struct TrafficSignal: DefaultComponent, DocumentedComponent, Hashable {
    public var node: Int32 = 0
    /// Current phase index.
    public var phase: Int32 = 0
    /// Halting vehicles (< 0.1 m/s) on the lanes entering the junction.
    public var queue: Int = 0
    /// Longest queue seen.
    public var maxQueue: Int = 0
    public init() {}
    public static let summary = "A traffic light: current phase and the queue of halting vehicles on its approaches."
    public func hashState(into h: inout StableHasher) { h.combine(Int(node)); h.combine(Int(phase)); h.combine(queue); h.combine(maxQueue) }
}

/// Travel times on one declared route (one entity per `traffic.routes` entry, named by its id).
public struct TrafficRoute: DefaultComponent, DocumentedComponent, Hashable {
    public var index: Int32 = 0
    /// Vehicles that completed the route.
    public var arrived: Int = 0
    /// Their mean travel time, s.
    public var meanTravelTime: Double = 0
    public init() {}
    public static let summary = "A route's completed trips and their mean travel time."
    public static let fieldUnits = ["meanTravelTime": "s"]
    public func hashState(into h: inout StableHasher) { h.combine(Int(index)); h.combine(arrived); h.combine(meanTravelTime) }
}

/// A vehicle left the network.
public struct VehicleExited: Sendable, Hashable {
    public let entity: Entity
    public let reason: VehicleExit
    public let time: Double
}

/// A vehicle reached (`arrived`) or left a stop of its route at `time`.
public struct VehicleAtStop: Sendable, Hashable {
    public let entity: Entity
    public let route: String
    public let stop: String
    public let arrived: Bool
    public let time: Double
}

/// A vehicle's front passed a detector at `time` (interpolated within the step).
public struct DetectorPassage: Sendable, Hashable {
    public let detector: String
    public let time: Double
    public let speed: Float
}

/// Why `vehicles.traffic` cannot start in a scene.
public struct TrafficSystemError: Error, CustomStringConvertible {
    public var description: String
}

/// The validated `traffic` section (a world resource for `vehicles.traffic`).
public struct TrafficScene: @unchecked Sendable {
    public var setup: TrafficSetup
    /// The section as written (source locations for errors found when the system starts).
    public var json: JSONValue?
    public init(setup: TrafficSetup, json: JSONValue? = nil) { self.setup = setup; self.json = json }
}

/// Drives every vehicle of the `traffic` section.
///
/// - Parameters: `scheme` (`ballistic` default, or `euler`), `stuckTimeout` (s, 300),
///   `yellowDecel` (m/s², 3), `laneChangeCooldown` (s, 3), `crossingMargin` (m, 1).
/// - Supported dt: 0 < dt ≤ 1 s (a scene error otherwise).
/// - Transfer stops (`pickUp`/`dropOff`): a carrier dwelling at one moves items between
///   its `CarriedLoad` (up to its type's `capacity`) and the named `TransferPoint` right
///   after the model's step (taking from `offered`, delivering while `space` lasts), and
///   stays past its dwell time until its `waitUntil` rule holds. The owner (machines)
///   sees the hand-over at its next step's start: at most one step later.
/// - Reads: Walker, Position (agents on crossings), Name + TransferPoint. Writes: Position,
///   Rotation, Vehicle, CarriedLoad, TransferPoint, TrafficStats, TrafficDetector,
///   TrafficSignal, TrafficRoute. Emits: VehicleExited, DetectorPassage, VehicleAtStop.
public final class TrafficSystem: UpdateSystem {
    public struct Parameters: SystemParameters, Hashable {
        public var scheme: String = "ballistic"
        public var stuckTimeout: Double = 300
        public var yellowDecel: Float = 3
        public var laneChangeCooldown: Float = 3
        public var crossingMargin: Float = 1
        public init() {}
        public static let units = ["stuckTimeout": "s", "yellowDecel": "m/s²", "laneChangeCooldown": "s", "crossingMargin": "m"]
        public static let documentation = [
            "scheme": "Position update: ballistic (Treiber & Kanagaraj 2015) or euler (semi-implicit, SUMO's default).",
            "stuckTimeout": "A vehicle standing this long is reported (VehicleExited, stuck) and removed.",
            "yellowDecel": "On yellow, a vehicle that cannot stop with this deceleration drives on.",
            "laneChangeCooldown": "Minimum time between two lane changes of one vehicle.",
            "crossingMargin": "Walkers this close to a crossing make vehicles stop before it.",
        ]
        public func validate() throws(ParameterError) {
            guard TrafficModel.Scheme(rawValue: scheme) != nil else { throw ParameterError("scheme", "scheme must be \"ballistic\" or \"euler\", got \"\(scheme)\"") }
            guard stuckTimeout > 0 else { throw ParameterError("stuckTimeout", "stuckTimeout must be positive") }
            guard yellowDecel > 0, yellowDecel.isFinite else { throw ParameterError("yellowDecel", "yellowDecel must be positive") }
            guard laneChangeCooldown >= 0, laneChangeCooldown.isFinite else { throw ParameterError("laneChangeCooldown", "laneChangeCooldown must be ≥ 0") }
            guard crossingMargin >= 0, crossingMargin.isFinite else { throw ParameterError("crossingMargin", "crossingMargin must be ≥ 0") }
        }
    }

    public static let id: SystemID = "vehicles.traffic"
    public static let summary = "Lane-graph traffic: IDM car-following, MOBIL lane changes, signals, priority junctions, crossings, flows."
    public static let reads = ["Walker", "Position", "Name", "TransferPoint"]
    public static let writes = ["Position", "Rotation", "Vehicle", "CarriedLoad", "TransferPoint", "TrafficStats", "TrafficDetector", "TrafficSignal", "TrafficRoute"]
    public static let emits = ["VehicleExited", "DetectorPassage", "VehicleAtStop"]

    /// Largest supported step, s.
    public static let maxDt = 1.0

    public let model: TrafficModel
    var entities: [Entity] = []
    var walkers: [(Vec2, Float)] = []
    let walkerQuery: Query<Walker, Position>
    let vehicles: Query<Mut<Position>, Mut<Rotation>, Mut<Vehicle>>
    let statsEntity: Entity
    var detectorEntities: [Entity] = []
    var signalEntities: [(Int, Entity)] = []
    var routeEntities: [Entity] = []
    var maxQueue: [Int] = []
    /// Transfer points named by stops (entity, pick-up), and per route per stop the action:
    /// (point index, pick-up, rule) or nil.
    var transferPoints: [Entity] = []
    var stopActions: [[(point: Int, pickUp: Bool, rule: TrafficSetup.WaitUntil)?]] = []
    let hasTransfers: Bool
    /// Per slot: items carried (owner's handles).
    var loads: [[Int32]] = []
    var lostItems = 0

    public init(parameters: Parameters, setup: inout SystemSetup) throws {
        guard let scene = setup.world.resource(TrafficScene.self) else {
            throw TrafficSystemError(description: "it needs a \"traffic\" section in the scene")
        }
        let dt = setup.scene.settings.dt
        guard dt > 0, dt <= Self.maxDt else {
            throw TrafficSystemError(description: "it supports world.dt in (0, \(Self.maxDt)] s, got \(dt)")
        }
        var opts = TrafficModel.Options()
        opts.scheme = TrafficModel.Scheme(rawValue: parameters.scheme) ?? .ballistic
        opts.stuckTimeout = parameters.stuckTimeout
        opts.yellowDecel = parameters.yellowDecel
        opts.laneChangeCooldown = parameters.laneChangeCooldown
        opts.crossingMargin = parameters.crossingMargin
        model = TrafficModel(scene.setup, options: opts, random: setup.random)
        walkerQuery = setup.world.query(Walker.self, Position.self)
        vehicles = setup.world.query(Mut<Position>.self, Mut<Rotation>.self, Mut<Vehicle>.self)
        let w = setup.world
        statsEntity = w.spawn()
        w.insert(Name("traffic"), on: statsEntity)
        w.insert(TrafficStats(), on: statsEntity)
        for (d, det) in model.network.detectors.enumerated() {
            let e = w.spawn()
            w.insert(Name(det.id), on: e)
            var td = TrafficDetector(); td.index = Int32(d)
            w.insert(td, on: e)
            detectorEntities.append(e)
        }
        for (n, node) in model.network.nodes.enumerated() where node.program != nil {
            let e = w.spawn()
            w.insert(Name(node.id), on: e)
            w.insert(Kind("signal"), on: e)
            w.insert(Position(node.position.onGround()), on: e)
            var ts = TrafficSignal(); ts.node = Int32(n)
            w.insert(ts, on: e)
            signalEntities.append((n, e))
        }
        maxQueue = Array(repeating: 0, count: signalEntities.count)
        // Transfer stops: resolve the named points (machines buffers with a TransferPoint).
        var points: [(name: String, entity: Entity, pickUp: Bool)] = []
        w.query(Name.self, TransferPoint.self).forEach { e, n, tp in points.append((n.value, e, tp.role == "pickUp")) }
        points.sort { $0.name < $1.name }
        var used: [Int] = []
        for r in model.routes {
            var actions: [(point: Int, pickUp: Bool, rule: TrafficSetup.WaitUntil)?] = []
            for st in r.stops {
                guard let t = st.transfer else { actions.append(nil); continue }
                let path: [JSONPathComponent] = [.key("traffic")] + t.path
                let loc = scene.json?.value(at: t.path)?.location ?? .unknown
                guard let k = points.firstIndex(where: { $0.name == t.point }) else {
                    let msg = points.isEmpty
                        ? "no transfer point \"\(t.point)\": the scene has none (a machines buffer with \"transfer\": \"\(t.pickUp ? "pickUp" : "dropOff")\")"
                        : Suggestions.unknownMessage(kind: "transfer point", name: t.point, known: points.map(\.name))
                    throw JSONDecodingError(path: path, location: loc, message: msg)
                }
                guard points[k].pickUp == t.pickUp else {
                    throw JSONDecodingError(path: path, location: loc, message: "\"\(t.point)\" is a \(points[k].pickUp ? "pick-up" : "drop-off") point; a stop with \(t.pickUp ? "pickUp" : "dropOff") needs a buffer with \"transfer\": \"\(t.pickUp ? "pickUp" : "dropOff")\"")
                }
                if !used.contains(k) { used.append(k) }
                actions.append((k, t.pickUp, t.waitUntil))
            }
            stopActions.append(actions)
        }
        transferPoints = points.map(\.entity)
        hasTransfers = !used.isEmpty
        for r in 0..<scene.setup.declaredRoutes {
            let e = w.spawn()
            w.insert(Name(model.routes[r].id), on: e)
            var tr = TrafficRoute(); tr.index = Int32(r)
            w.insert(tr, on: e)
            routeEntities.append(e)
        }
        for slot in model.slotsInOrder.sorted() { spawnEntity(slot, world: w, direct: true) }
    }

    func spawnEntity(_ slot: Int, world: World, direct: Bool) {
        let st = model.state(slot)
        let t = model.types[st.type]
        let (c, d) = model.pose(slot)
        var veh = Vehicle()
        veh.slot = Int32(slot); veh.lane = Int32(st.lane); veh.position = st.position; veh.speed = st.speed
        veh.type = Int32(st.type); veh.route = Int32(st.route)
        let pos = Position(c.onGround()), rot = Rotation(Self.heading(d))
        let scale = Scale(Vec3(t.length / 4.5, 1, t.width / 1.9))
        // Every class renders as the standing vehicle box, scaled to its size.
        let kind = Kind("vehicle")
        let carrier = hasTransfers && stopActions.indices.contains(st.route) && stopActions[st.route].contains { $0 != nil }
        let e: Entity
        if direct {
            e = world.spawn()
            world.insert(pos, on: e); world.insert(rot, on: e); world.insert(veh, on: e); world.insert(scale, on: e); world.insert(kind, on: e)
            if carrier { world.insert(CarriedLoad(capacity: t.capacity), on: e) }
        } else if carrier {
            e = world.commands.spawn(world, pos, rot, veh, scale, kind, CarriedLoad(capacity: t.capacity))
        } else {
            e = world.commands.spawn(world, pos, rot, veh, scale, kind)
        }
        if entities.count <= slot { entities += Array(repeating: Entity.invalid, count: slot + 1 - entities.count) }
        entities[slot] = e
        if loads.count <= slot { loads += Array(repeating: [], count: slot + 1 - loads.count) }
        loads[slot].removeAll()
    }

    /// Rotation about +Y turning local +X (the vehicle's forward) onto `d` = [x, z].
    @inline(__always)
    static func heading(_ d: Vec2) -> Quat { Quat(yaw: atan2f(-d.y, d.x)) }

    public func update(_ step: StepInfo, world: World) {
        walkers.removeAll(keepingCapacity: true)
        if !model.network.crossings.isEmpty {
            walkerQuery.forEach { _, w, p in walkers.append((Vec2(p.value.x, p.value.z), w.radius)) }
        }
        model.step(dt: step.dt, time: step.time, walkers: walkers, executor: step.executor)
        for (slot, reason) in model.exited {
            let s = Int(slot)
            guard s < entities.count else { continue }
            if s < loads.count, !loads[s].isEmpty { lostItems += loads[s].count; loads[s].removeAll() }
            world.commands.despawn(entities[s])
            world.send(VehicleExited(entity: entities[s], reason: reason, time: step.endTime))
        }
        for e in model.stopEvents where Int(e.slot) < entities.count {
            let route = model.routes[Int(e.route)]
            world.send(VehicleAtStop(entity: entities[Int(e.slot)], route: route.id, stop: route.stops[Int(e.stop)].id, arrived: e.arrived, time: step.endTime))
        }
        for p in model.passages {
            world.send(DetectorPassage(detector: model.network.detectors[p.detector].id, time: p.time, speed: p.speed))
        }
        // Mirror the model into the vehicles' components (parallel slices; per-entity independent).
        let m = model.view
        step.executor.forEachSlice(of: vehicles, maxRows: 4096) { chunk, pos, rot, veh in
            for k in 0..<chunk.count {
                let slot = Int(veh[k].slot)
                guard m.isAlive(slot) else { continue }
                veh[k].lane = m.lane(slot); veh[k].position = m.position(slot); veh[k].speed = m.speed(slot)
                veh[k].acceleration = m.acceleration(slot)
                let (c, d) = m.pose(slot)
                pos[k].value = c.onGround()
                rot[k].value = Self.heading(d)
            }
        }
        for slot in model.departedSlots { spawnEntity(Int(slot), world: world, direct: false) }
        if hasTransfers { handleTransfers(world) }
        updateMeasurements(step, world)
    }

    /// Carriers dwelling at transfer stops load or unload (slot order, so deterministic),
    /// then the model holds them until their `waitUntil` rule is met.
    func handleTransfers(_ world: World) {
        for slot in 0..<min(model.slotLimit, loads.count) {
            guard let (r, k) = model.dwellingStop(slot), r < stopActions.count, k < stopActions[r].count,
                  let act = stopActions[r][k] else { continue }
            let cap = model.types[model.state(slot).type].capacity
            let e = transferPoints[act.point]
            guard var tp = world.get(TransferPoint.self, of: e) else { model.setHold(slot, false); continue }
            var changed = false
            if act.pickUp {
                let n = min(cap - loads[slot].count, tp.offered.count)
                if n > 0 {
                    loads[slot] += tp.offered.prefix(n)
                    tp.taken += tp.offered.prefix(n)
                    tp.offered.removeFirst(n)
                    tp.totalTaken += n
                    changed = true
                }
                let full = loads[slot].count >= cap
                model.setHold(slot, act.rule == .full ? !full : act.rule == .any ? loads[slot].isEmpty : false)
            } else {
                let n = min(loads[slot].count, max(0, tp.space))
                if n > 0 {
                    tp.delivered += loads[slot].prefix(n)
                    loads[slot].removeFirst(n)
                    tp.space -= n
                    tp.totalDelivered += n
                    changed = true
                }
                model.setHold(slot, act.rule == .empty && !loads[slot].isEmpty)
            }
            guard changed else { continue }
            world.update(TransferPoint.self, of: e) { $0 = tp }
            let items = loads[slot]
            world.update(CarriedLoad.self, of: entities[slot]) { $0.items = items; $0.count = items.count }
        }
    }

    func updateMeasurements(_ step: StepInfo, _ world: World) {
        let st = model.stats
        var stats = TrafficStats()
        stats.running = model.count
        stats.departed = st.departed; stats.arrived = st.arrived; stats.dropped = st.dropped; stats.stuck = st.removedStuck
        stats.stops = st.stops; stats.vehicleSteps = st.vehicleSteps
        stats.carried = loads.reduce(0) { $0 + $1.count }; stats.lostItems = lostItems
        var halting = 0
        var sum: Double = 0
        for slot in 0..<model.slotLimit where model.isAlive(slot) {
            let v = model.state(slot).speed
            sum += Double(v)
            if v < 0.1 { halting += 1 }
        }
        stats.halting = halting
        stats.meanSpeed = model.count > 0 ? Float(sum / Double(model.count)) : 0
        let arrivedTime = st.routeTravelTime.reduce(0, +)
        stats.meanTravelTime = st.arrived > 0 ? arrivedTime / Double(st.arrived) : 0
        _ = world.insert(stats, on: statsEntity)
        let elapsed = step.endTime
        for (d, e) in detectorEntities.enumerated() {
            var td = TrafficDetector(); td.index = Int32(d)
            td.count = st.detectorCount[d]
            td.flow = elapsed > 0 ? Double(td.count) / elapsed * 3600 : 0
            td.meanSpeed = td.count > 0 ? Float(st.detectorSpeedSum[d] / Double(td.count)) : 0
            let det = model.network.detectors[d]
            var inSection = 0
            for l in det.lanes {
                for slot in model.vehicles(onLane: l) {
                    let p = model.state(slot).position
                    if p <= det.at, p > det.at - det.length { inSection += 1 }
                }
            }
            td.density = Float(inSection) / (det.length / 1000) / Float(max(1, det.lanes.count))
            _ = world.insert(td, on: e)
        }
        for (r, e) in routeEntities.enumerated() {
            var tr = TrafficRoute(); tr.index = Int32(r)
            tr.arrived = st.routeArrivals[r]
            tr.meanTravelTime = tr.arrived > 0 ? st.routeTravelTime[r] / Double(tr.arrived) : 0
            _ = world.insert(tr, on: e)
        }
        for (k, (n, e)) in signalEntities.enumerated() {
            var ts = TrafficSignal(); ts.node = Int32(n)
            if let p = model.network.nodes[n].program { ts.phase = Int32(p.phase(at: step.time)) }
            ts.queue = model.queue(atNode: n)
            maxQueue[k] = max(maxQueue[k], ts.queue)
            ts.maxQueue = maxQueue[k]
            _ = world.insert(ts, on: e)
        }
    }
}

/// The `vehicles` plugin.
public enum VehiclesPlugin: TwinPlugin {
    public static let name = "vehicles"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: Vehicle.self)
        catalog.register(component: TrafficStats.self)
        catalog.register(component: TrafficDetector.self)
        catalog.register(component: TrafficSignal.self)
        catalog.register(component: TrafficRoute.self)
        catalog.register(component: Walker.self)
        catalog.register(component: TransferPoint.self)
        catalog.register(component: CarriedLoad.self)
        catalog.register(TrafficSystem.self)
        catalog.register(
            section: "traffic",
            summary: "Road/aisle traffic: nodes, roads (lanes), connections, signals, crossings, vehicleTypes, routes, flows, vehicles, detectors, import (SUMO .net.xml/.rou.xml).",
            schema: schema, apply: apply)
    }

    static var schema: JSONValue {
        (try? JSONParser.parse(TrafficSpec.exampleJSON)).map { JSONSchemaBuilder.schema(forExample: $0) } ?? .object([])
    }

    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        // On any error the traffic system still builds (on an empty network), so the scene reports this problem only.
        let empty = TrafficScene(setup: TrafficSetup(network: Network(), types: VehicleType.presets, routes: [], flows: [], vehicles: []))
        let spec: TrafficSpec
        do { spec = try ctx.decoder.decode(TrafficSpec.self, from: json) } catch {
            ctx.world.setResource(empty)
            throw error
        }
        let scene = ctx.scene
        do {
            let setup = try spec.setup { (name) throws(TrafficError) -> String in
                let path = scene.resolve(name)
                // The runtime reads the file: plugins do no I/O.
                guard let bytes = scene.readFile(path) else {
                    throw TrafficError([.key("import")], "cannot read \"\(name)\" (resolved to \(path))")
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            ctx.world.setResource(TrafficScene(setup: setup, json: json))
        } catch {
            ctx.world.setResource(empty)
            let at = json.value(at: error.path) ?? deepest(json, error.path)
            throw ctx.error(error.message, at: at, path: error.path)
        }
    }

    static func deepest(_ json: JSONValue, _ path: [JSONPathComponent]) -> JSONValue {
        var p = path
        while !p.isEmpty {
            p.removeLast()
            if let v = json.value(at: p) { return v }
        }
        return json
    }
}

extension TrafficSpec {
    /// A complete example of the section (also the source of its JSON Schema).
    public static let exampleJSON = """
    {
      "import": {"sumoNet": "net.net.xml", "sumoRoutes": "demand.rou.xml", "osm": "town.osm"},
      "nodes": [{"id": "C", "position": [0, 0], "type": "signal", "radius": 8,
                 "signal": {"offset": 0, "phases": [{"duration": 30, "green": ["NC"], "yellow": ["NC>CS"]}]}}],
      "roads": [{"id": "NC", "from": "N", "to": "C", "lanes": 1, "laneWidth": 3.2, "speedLimit": 13.89, "priority": 1,
                 "shape": [[0, -250]], "length": 500, "allow": ["car"]}],
      "connections": [{"from": "NC", "to": "CS", "fromLane": 0, "toLane": 0}],
      "crossings": [{"id": "zebra", "road": "NC", "at": 480, "width": 4}],
      "vehicleTypes": [{"id": "car", "class": "car", "length": 5, "width": 1.8, "maxSpeed": 36.11, "accel": 1, "decel": 1.5,
                        "emergencyDecel": 9, "timeHeadway": 1, "minGap": 2, "delta": 4, "speedFactor": 1, "politeness": 0.2,
                        "changeThreshold": 0.1, "safeDecel": 4, "capacity": 1}],
      "routes": [{"id": "ns", "roads": ["NC", "CS"], "from": "NC", "to": "CS", "via": ["CS"], "repeat": false,
                  "stops": [{"id": "dock", "road": "CS", "at": 20, "duration": 30, "pickUp": "outbound", "waitUntil": "any"},
                            {"id": "store", "road": "CS", "at": 40, "duration": 10, "dropOff": "inbound"}]}],
      "flows": [{"id": "north", "route": "ns", "type": "car", "rate": 600, "arrivals": "poisson", "start": 0, "stop": 3600,
                 "limit": 100, "departSpeed": 10, "departLane": 0, "maxDepartDelay": 60}],
      "vehicles": [{"type": "car", "route": "ns", "lane": 0, "position": 10, "positions": [10, 20], "speed": 0}],
      "detectors": [{"id": "stopline", "road": "NC", "lane": 0, "at": 490, "length": 20}]
    }
    """
}
