import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting
@testable import TwinVehicles

/// Every vehicle's gap to the vehicle ahead on its own lane (front to rear), and the smallest.
func minLaneGap(_ m: TrafficModel) -> Float {
    var g = Float.infinity
    for l in m.network.lanes.indices {
        let vs = m.vehicles(onLane: l)
        for k in vs.indices.dropFirst() {
            let a = m.state(vs[k - 1]), b = m.state(vs[k])
            g = min(g, b.position - m.types[b.type].length - a.position)
        }
    }
    return g
}

@Suite("Junctions, lane changes, crossings")
struct BehaviourTests {
    /// A priority junction: a major east–west road crossed by a minor north–south road.
    func priorityJunction(major: Double, minor: Double) throws -> TrafficSetup {
        var spec = TrafficSpec()
        spec.nodes = [.init(id: "C", position: Vec2(0, 0), type: .priority),
                      .init(id: "W", position: Vec2(-300, 0), type: NodeKind.none), .init(id: "E", position: Vec2(300, 0), type: NodeKind.none),
                      .init(id: "N", position: Vec2(0, -300), type: NodeKind.none), .init(id: "S", position: Vec2(0, 300), type: NodeKind.none)]
        spec.roads = [.init(id: "WC", from: "W", to: "C", priority: 2), .init(id: "CE", from: "C", to: "E", priority: 2),
                      .init(id: "NC", from: "N", to: "C", priority: 1), .init(id: "CS", from: "C", to: "S", priority: 1)]
        spec.routes = [.init(id: "we", roads: ["WC", "CE"]), .init(id: "ns", roads: ["NC", "CS"])]
        spec.flows = [.init(route: "we", rate: major, arrivals: .poisson), .init(route: "ns", rate: minor, arrivals: .poisson)]
        return try spec.setup()
    }

    @Test("priority junction (900 veh/h major, 150 minor): crossing vehicles are never inside the junction together; the minor road yields; nobody is stuck")
    func priority() throws {
        let setup = try priorityJunction(major: 900, minor: 150)
        let m = TrafficModel(setup, random: RandomStream(seed: 3))
        let net = setup.network
        let viaWE = net.connections.first { net.lanes[$0.fromLane].id == "WC_0" }!.via
        let viaNS = net.connections.first { net.lanes[$0.fromLane].id == "NC_0" }!.via
        // Straight on crosses the minor straight on and merges with the minor left turn.
        #expect(net.connections.first { net.lanes[$0.fromLane].id == "WC_0" }!.foes.count == 2)
        var both = 0, minorWaits = 0
        for k in 0..<(1800 * 4) {
            m.step(dt: 0.25, time: Double(k) * 0.25)
            if !m.vehicles(onLane: viaWE).isEmpty && !m.vehicles(onLane: viaNS).isEmpty { both += 1 }
            #expect(minLaneGap(m) > 0)
            let nc = net.lane(named: "NC_0")!
            if let last = m.vehicles(onLane: nc).last, m.state(last).speed < 3, net.lanes[nc].length - m.state(last).position < 40 { minorWaits += 1 }
        }
        #expect(both == 0, "steps with both crossing paths occupied: \(both)")
        #expect(minorWaits > 0)
        let tt = zip(m.stats.routeTravelTime, m.stats.routeArrivals).map { $0 / Double(max(1, $1)) }
        print("priority junction: travel time major \(tt[0]) s, minor \(tt[1]) s; arrivals \(m.stats.routeArrivals); minor slow steps \(minorWaits)")
        #expect(tt[1] > tt[0] + 2, "the minor road waits: \(tt)")
        #expect(m.stats.removedStuck == 0)
        let arrived = m.stats.routeArrivals
        #expect(arrived[0] > 400 && arrived[1] > 60, "arrivals \(arrived)")
    }

    @Test("MOBIL: a fast car overtakes a slow truck on a two-lane road, then nobody overlaps")
    func overtaking() throws {
        var spec = TrafficSpec()
        spec.nodes = [.init(id: "A", position: Vec2(0, 0), type: NodeKind.none), .init(id: "B", position: Vec2(2000, 0), type: NodeKind.none)]
        spec.roads = [.init(id: "ab", from: "A", to: "B", lanes: 2, speedLimit: 30)]
        var truck = VehicleType(); truck.id = "truck"; truck.class = "truck"; truck.length = 12; truck.maxSpeed = 15; truck.accel = 1; truck.decel = 2
        spec.vehicleTypes = [truck]
        spec.routes = [.init(id: "r", roads: ["ab"])]
        spec.vehicles = [.init(type: "truck", route: "r", lane: 0, position: 200, speed: 15),
                         .init(type: "car", route: "r", lane: 0, position: 100, speed: 25)]
        let m = TrafficModel(try spec.setup(), random: RandomStream(seed: 1))
        var changed = false
        for k in 0..<400 {
            m.step(dt: 0.1, time: Double(k) * 0.1)
            if m.state(1).lane == 1 { changed = true }
            #expect(minLaneGap(m) > 0)
        }
        #expect(changed, "the car moved to the left lane")
        #expect(m.state(1).position > m.state(0).position, "the car passed the truck")
    }

    @Test("mandatory lane change: a vehicle in the wrong lane moves to the lane that turns")
    func mandatoryChange() throws {
        var spec = TrafficSpec()
        spec.nodes = [.init(id: "A", position: Vec2(0, 0), type: NodeKind.none), .init(id: "C", position: Vec2(400, 0), type: .priority),
                      .init(id: "N", position: Vec2(400, -300), type: NodeKind.none), .init(id: "E", position: Vec2(700, 0), type: NodeKind.none)]
        spec.roads = [.init(id: "AC", from: "A", to: "C", lanes: 2), .init(id: "CN", from: "C", to: "N"), .init(id: "CE", from: "C", to: "E", lanes: 2)]
        spec.routes = [.init(id: "left", roads: ["AC", "CN"])]
        spec.vehicles = [.init(route: "left", lane: 0, position: 50, speed: 10)]
        let setup = try spec.setup()
        let net = setup.network
        // Left turn (−Z is to the left when heading +X) only from the leftmost lane.
        #expect(net.connection(from: net.lane(named: "AC_0")!, toRoad: net.road(named: "CN")!) == nil)
        #expect(net.connection(from: net.lane(named: "AC_1")!, toRoad: net.road(named: "CN")!) != nil)
        let m = TrafficModel(setup, random: RandomStream(seed: 1))
        for k in 0..<600 { m.step(dt: 0.1, time: Double(k) * 0.1) }
        #expect(m.stats.arrived == 0 ? net.roads[net.lanes[m.state(0).lane].road >= 0 ? net.lanes[m.state(0).lane].road : 0].id != "AC" : true)
        for k in 600..<2000 { m.step(dt: 0.1, time: Double(k) * 0.1) }
        #expect(m.stats.arrived == 1, "the vehicle reached N")
    }

    @Test("crossing: vehicles stop before a crossing while a walker is on it and go on after")
    func crossing() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.125, "duration": 60},
         "systems": [{"id": "core.integrate"}, {"id": "vehicles.traffic"}],
         "entities": [{"name": "ped", "components": {"Position": [100, 0, -8], "Velocity": [0, 0, 1], "Walker": {"radius": 0.25, "desiredSpeed": 1}}}],
         "traffic": {
           "nodes": [{"id": "A", "position": [0, 0], "type": "none"}, {"id": "B", "position": [400, 0], "type": "none"}],
           "roads": [{"id": "ab", "from": "A", "to": "B", "speedLimit": 13.89}],
           "crossings": [{"id": "zebra", "road": "ab", "at": 100, "width": 4}],
           "routes": [{"id": "r", "roads": ["ab"]}],
           "vehicles": [{"route": "r", "positions": [40, 20], "speed": 10}]}}
        """)
        var stoppedWhileOccupied = false
        var maxFrontWhileOccupied: Float = 0
        f.run(steps: 480) { sim in
            let ped = f.values(Position.self).first { f.world.has(Walker.self, $0.0) }!.1.value
            let onCrossing = abs(ped.z) <= 1.6 + 0.25 + 1 && abs(ped.x - 100) <= 2 + 0.25 + 1
            for (_, v) in f.values(Vehicle.self) where onCrossing {
                maxFrontWhileOccupied = max(maxFrontWhileOccupied, v.position)
                if v.speed < 0.1 { stoppedWhileOccupied = true }
            }
        }
        #expect(stoppedWhileOccupied)
        #expect(maxFrontWhileOccupied < 98, "front reached \(maxFrontWhileOccupied) m while the walker was on the crossing")
        let vs = f.values(Vehicle.self)
        #expect(vs.isEmpty || vs.allSatisfy { $0.1.position > 102 }, "vehicles went on")
    }

    @Test("a vehicle that cannot continue is reported (VehicleExited, stuck) and removed")
    func stuckRemoved() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.25, "duration": 60},
         "systems": [{"id": "vehicles.traffic", "params": {"stuckTimeout": 5}}],
         "traffic": {
           "nodes": [{"id": "A", "position": [0, 0], "type": "none"}, {"id": "C", "position": [200, 0], "type": "signal",
                      "signal": {"phases": [{"duration": 2, "green": ["ac"]}, {"duration": 40, "yellow": []}]}},
                     {"id": "B", "position": [400, 0], "type": "none"}],
           "roads": [{"id": "ac", "from": "A", "to": "C"}, {"id": "cb", "from": "C", "to": "B"}],
           "routes": [{"id": "r", "roads": ["ac", "cb"]}],
           "vehicles": [{"route": "r", "positions": [150, 120], "speed": 0}]}}
        """)
        var reader = EventReader<VehicleExited>()
        var stuck = 0
        f.run(steps: 240) { sim in stuck += reader.read(sim.world).filter { $0.reason == .stuck }.count }
        #expect(stuck == 2)
        #expect(f.values(Vehicle.self).isEmpty)
    }

    @Test("same seed → same state hashes with 1 and 2 workers (signalised-crossing scene, 40 s)")
    func determinism() throws {
        let file = packageRoot() + "/Scenes/signalised-crossing.json"
        let a = try SceneFixture(file: file, options: .init(workers: 1)).hashes(steps: 320)
        let b = try SceneFixture(file: file, options: .init(workers: 2)).hashes(steps: 320)
        #expect(a == b)
        let c = try SceneFixture(file: file, options: .init(seed: 99, workers: 1)).hashes(steps: 320)
        #expect(a.last != c.last)
    }

    @Test("measurement entities: per-route travel times add up to the network's arrivals; signal queues; detectors count")
    func measurementEntities() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/signalised-crossing.json")
        var maxQueue = 0
        f.run(steps: 1200) { _ in maxQueue = max(maxQueue, f.values(TrafficSignal.self).first?.1.queue ?? 0) }
        let stats = try #require(f.values(TrafficStats.self).first?.1)
        let routes = f.values(TrafficRoute.self).map(\.1)
        #expect(routes.count == 12)
        #expect(stats.arrived > 20)
        #expect(routes.reduce(0) { $0 + $1.arrived } == stats.arrived)
        #expect(routes.allSatisfy { $0.arrived == 0 || $0.meanTravelTime > 15 })
        #expect(maxQueue > 0)
        #expect(f.values(TrafficDetector.self).allSatisfy { $0.1.count > 0 && $0.1.flow > 0 })
        #expect(stats.running == f.values(Vehicle.self).count)
    }

    @Test("vehicles are entities: Position on the lane, heading along it, one entity per model vehicle")
    func entities() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/ring-road.json")
        f.run(steps: 50)
        let vs = f.values(Vehicle.self)
        #expect(vs.count == 22)
        let r: Float = 230 / (2 * .pi)
        for (e, _) in vs {
            let p = try #require(f.world.get(Position.self, of: e)).value
            let radius = (p.x * p.x + p.z * p.z).squareRoot()
            #expect(abs(radius - r) < 0.3, "radius \(radius)")
            let q = try #require(f.world.get(Rotation.self, of: e)).value
            let fwd = q.rotate(Vec3(1, 0, 0))
            // Tangent to the circle: perpendicular to the radius.
            #expect(abs(fwd.x * p.x + fwd.z * p.z) / radius < 0.15)
        }
    }

    @Test("SUMO import: the netconvert junction of vehicles.md V7 loads with its signal program and internal lanes")
    func sumoImport() throws {
        var spec = TrafficSpec()
        spec.import = .init(sumoNet: packageRoot() + "/Tests/TwinVehiclesTests/Fixtures/cross.net.xml")
        spec.routes = [.init(id: "ns", roads: ["NC", "CS"]), .init(id: "we", from: "WC", to: "CE")]
        spec.flows = [.init(route: "ns", rate: 1800, maxDepartDelay: 10), .init(route: "we", rate: 1800, maxDepartDelay: 10)]
        spec.detectors = [.init(id: "n", road: "NC"), .init(id: "w", road: "WC")]
        let setup = try spec.setup { path throws(TrafficError) in
            guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { throw TrafficError([], "cannot read") }
            return t
        }
        let net = setup.network
        #expect(net.roads.count == 8)
        #expect(net.connections.count == 12)
        #expect(net.nodes[net.node(named: "C")!].program?.phases.count == 4)
        #expect(net.connections.allSatisfy { $0.via >= 0 && $0.link >= 0 })
        #expect(abs(net.lanes[net.lane(named: "NC_0")!].length - 492.8) < 0.5)
        let m = TrafficModel(setup, random: RandomStream(seed: 1))
        var passes: [Int: [Double]] = [:]
        for k in 0..<(1254 * 10) {
            m.step(dt: 0.1, time: Double(k) * 0.1)
            for p in m.passages { passes[p.detector, default: []].append(p.time) }
            if k % 50 == 0 { #expect(minLaneGap(m) > 0) }
        }
        // NS green [66c, 66c+33), EW [66c+33, 66c+66): count per interval over cycles 10…18.
        for (d, offset) in [(0, 0.0), (1, 33.0)] {
            var counts: [Int] = []
            for c in 10..<19 {
                let g0 = 66 * Double(c) + offset
                counts.append((passes[d] ?? []).filter { $0 >= g0 && $0 < g0 + 33 }.count)
            }
            let mean = Double(counts.reduce(0, +)) / Double(counts.count)
            #expect(abs(mean - 14.98) / 14.98 <= 0.07, "detector \(d): \(counts)")
            let onRed = (passes[d] ?? []).filter { $0 >= 660 && ((($0 - offset).truncatingRemainder(dividingBy: 66)) >= 33) }.count
            #expect(onRed == 0)
        }
    }
}

@Suite("Route stops (stations)")
struct StopTests {
    @Test("forklift-aisles.json: forklifts stop at the racks for 25 s and at the dock for 20 s, standing; nobody gets stuck")
    func stations() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/forklift-aisles.json")
        var reader = EventReader<VehicleAtStop>()
        var arrivedAt: [Entity: Double] = [:]
        var dwellTimes: [String: [Double]] = [:]
        try f.run(steps: 4000) { sim in
            for e in reader.read(sim.world) {
                if e.arrived {
                    arrivedAt[e.entity] = e.time
                    let v = try #require(sim.world.get(Vehicle.self, of: e.entity))
                    #expect(v.speed < 0.1)
                } else if let t0 = arrivedAt.removeValue(forKey: e.entity) {
                    dwellTimes[e.stop, default: []].append(e.time - t0)
                }
            }
        }
        #expect((dwellTimes["racks"] ?? []).count >= 3)
        #expect((dwellTimes["dock"] ?? []).count >= 3)
        #expect((dwellTimes["cross-dock"] ?? []).count >= 3)
        for (stop, want) in [("racks", 25.0), ("dock", 20.0), ("cross-dock", 10.0)] {
            for d in dwellTimes[stop] ?? [] { #expect(abs(d - want) <= 0.125 + 1e-9, "\(stop): dwell \(d)") }
        }
        #expect(f.values(TrafficStats.self).first?.1.stuck == 0)
    }

    @Test("bad stops: a road the route does not pass, at outside the road")
    func badStops() {
        let net = #"\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B"}, {"id": "ba", "from": "B", "to": "A"}]"#
        let a = trafficIssues(#"{\#(net), "routes": [{"id": "r", "roads": ["ab"], "stops": [{"road": "ba", "duration": 5}]}]}"#)
        #expect(a.count == 1 && a[0].path.jsonPath == "$.traffic.routes[0].stops[0].road" && a[0].message.contains("does not pass"), "\(a)")
        let b = trafficIssues(#"{\#(net), "routes": [{"id": "r", "roads": ["ab"], "stops": [{"road": "ab", "at": 500, "duration": 5}]}]}"#)
        #expect(b.count == 1 && b[0].path.jsonPath == "$.traffic.routes[0].stops[0].at", "\(b)")
    }
}

@Suite("Supported dt range")
struct DtRangeTests {
    @Test("signalised-crossing.json at dt 0.5 and 1 s (junctions, lane changes, crossings): no overlap on any lane, no negative speed, traffic flows")
    func largeSteps() throws {
        let text = try String(contentsOfFile: packageRoot() + "/Scenes/signalised-crossing.json", encoding: .utf8)
        for dt in ["0.5", "1.0"] {
            let f = try SceneFixture(json: text.replacingOccurrences(of: "\"dt\": 0.125", with: "\"dt\": \(dt)"))
            var minGap = Float.infinity, minSpeed = Float.infinity
            let steps = Int(600 / Double(dt)!)
            f.run(steps: steps) { _ in
                var byLane: [Int32: [Float]] = [:]
                for (_, v) in f.values(Vehicle.self) {
                    byLane[v.lane, default: []].append(v.position)
                    minSpeed = min(minSpeed, v.speed)
                }
                for (_, ps) in byLane {
                    let s = ps.sorted()
                    for k in s.indices.dropFirst() { minGap = min(minGap, s[k] - 5 - s[k - 1]) }
                }
            }
            let stats = try #require(f.values(TrafficStats.self).first?.1)
            #expect(minGap > 0, "dt \(dt): min gap \(minGap)")
            #expect(minSpeed >= 0, "dt \(dt)")
            #expect(stats.arrived > 300 && stats.stuck == 0, "dt \(dt): \(stats)")
        }
    }
}
