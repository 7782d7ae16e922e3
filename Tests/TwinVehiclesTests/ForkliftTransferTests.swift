import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting
@testable import TwinVehicles

/// One forklift on a 200 m aisle loop (a single road from A back to A, 2 m/s limit): it
/// picks up 2 items at a pick-up buffer fed on demand by an infinite source (stop at 20 m,
/// 15 s) and delivers them into a drop-off buffer in front of a sink (stop at 120 m, 15 s).
func shuttleScene(capacity: Int = 2, duration: Double = 4000, extraStops: String = "", machines: String? = nil, dt: String = "0.125",
                  systems: String = #"[{"id": "vehicles.traffic"}, {"id": "machines.process"}]"#) -> String {
    let line = machines ?? """
    {"elements": [
      {"name": "supply", "type": "source", "infinite": true, "to": "outbound"},
      {"name": "outbound", "type": "buffer", "capacity": 4, "transfer": "pickUp", "position": [20, 0, -3]},
      {"name": "inbound", "type": "buffer", "capacity": 10, "transfer": "dropOff", "to": "done", "position": [120, 0, -3]},
      {"name": "done", "type": "sink"}]}
    """
    return """
    {"world": {"dt": \(dt), "duration": \(duration), "seed": 5},
     "systems": \(systems),
     "machines": \(line),
     "traffic": {
       "nodes": [{"id": "A", "position": [0, 0], "type": "none"}],
       "roads": [{"id": "aisle", "from": "A", "to": "A", "speedLimit": 2, "allow": ["forklift"], "length": 200,
                  "shape": [[100, 0], [100, 40], [0, 40]]}],
       "vehicleTypes": [{"id": "forklift", "class": "forklift", "length": 2.6, "width": 1.2, "maxSpeed": 2, "accel": 2, "decel": 3,
                         "emergencyDecel": 5, "timeHeadway": 1, "minGap": 1, "capacity": \(capacity)}],
       "routes": [{"id": "shuttle", "roads": ["aisle"], "repeat": true,
                   "stops": [{"id": "pick", "road": "aisle", "at": 20, "duration": 15, "pickUp": "outbound"},
                             {"id": "drop", "road": "aisle", "at": 120, "duration": 15, "dropOff": "inbound"}\(extraStops)]}],
       "vehicles": [{"type": "forklift", "route": "shuttle", "position": 5}]}}
    """
}

@Suite("Forklifts carry machines items between transfer points")
struct ForkliftTransferTests {
    /// Items anywhere: in elements, on carriers, handed over but not yet seen by the line.
    func balance(_ f: SceneFixture) -> (created: Int, accounted: Int) {
        let line = f.values(MachineLine.self).first?.1 ?? MachineLine()
        let inElements = f.values(MachineStatus.self).filter { $0.1.element != "sink" && $0.1.element != "source" }.reduce(0) { $0 + $1.1.contents }
        let sources = f.values(MachineStatus.self).filter { $0.1.element == "source" }.reduce(0) { $0 + $1.1.contents }
        let carried = f.values(CarriedLoad.self).reduce(0) { $0 + $1.1.count }
        let tps = f.values(TransferPoint.self).map(\.1)
        let pendingIn = tps.reduce(0) { $0 + $1.delivered.count }, pendingOut = tps.reduce(0) { $0 + $1.taken.count }
        return (line.created, line.finished + inElements + sources + carried + pendingIn - pendingOut)
    }

    /// The round trip of one leg pattern (rest at a stop → drive 100 m → stop) by the published
    /// IDM equations (Treiber et al. 2000) integrated in continuous time (Δt = 1 ms), with the stop
    /// as a standing obstacle s0 beyond the stop point and arrival at v < 0.1 m/s within 1.5 m —
    /// independent of the engine's lanes, stops and transfers.
    func idmLegTime() -> Double {
        let a = 2.0, b = 3.0, v0 = 2.0, T = 1.0, s0 = 1.0, h = 0.001
        func acc(_ v: Double, gap: Double) -> Double {
            let ss = s0 + v * T + v * v / (2 * (a * b).squareRoot())
            return max(-5, a * (1 - pow(v / v0, 4) - pow(ss / max(gap, 0.01), 2)))
        }
        var start = 0.0, time = 0.0
        for _ in 0..<3 {   // the leg starts where the previous one stopped (fixed point)
            var x = start, v = 0.0, t = 0.0
            while !(v < 0.1 && abs(100 - x) < 1.5 && t > 1) {
                let dv = acc(v, gap: 100 + s0 - x)
                x += max(0, v * h + 0.5 * dv * h * h); v = max(0, v + dv * h); t += h
            }
            start = x - 100; time = t
        }
        return time
    }

    @Test("one forklift shuttle: deliveries/h = capacity × 3600 / round trip — within 1 % of the continuous-time IDM trip, within 4 % of the closed form; items conserved every step; hand-over within one step, both system orders")
    func shuttleRate() throws {
        // Closed form: 200 m at v0 = 2 m/s, two 15 s dwells, and per stop the time IDM loses
        // accelerating from rest, (v0/a)·∫₀¹(1−u)/(1−u⁴)du = (v0/a)(ln2/4 + π/8) = 0.566 s (a = 2 m/s²).
        // It leaves out IDM's braking approach to the stop (≈ 2 s per stop), hence 4 %.
        let accelLoss = (2.0 / 2.0) * (log(2.0) / 4 + Double.pi / 8)
        let closedForm = 200.0 / 2 + 2 * 15 + 2 * accelLoss
        let reference = 2 * (idmLegTime() + 15)
        let dt = 0.125
        for systems in [#"[{"id": "vehicles.traffic"}, {"id": "machines.process"}]"#, #"[{"id": "machines.process"}, {"id": "vehicles.traffic"}]"#] {
            let f = try SceneFixture(json: shuttleScene(systems: systems))
            var reader = EventReader<VehicleAtStop>()
            var dropArrivals: [Double] = []
            var pendingCheck: [(time: Double, sinkBefore: Int)] = []
            var lateHandOvers = 0, imbalances: [String] = []
            var lastSink = 0
            var step = 0
            f.run(steps: 32000) { sim in   // 4000 s
                step += 1
                let sink = f.values(MachineStatus.self).first { $0.1.element == "sink" }?.1.completed ?? 0
                let now = Double(step) * dt
                for e in reader.read(sim.world) where e.arrived && e.stop == "drop" {
                    dropArrivals.append(e.time)
                    pendingCheck.append((e.time, lastSink))
                }
                // Items dropped at the end of step k reach the sink (a zero-time pass through the
                // drop-off buffer) by the end of step k + 1.
                pendingCheck.removeAll { c in
                    if sink > c.sinkBefore { return true }
                    if now > c.time + dt + 1e-9 { lateHandOvers += 1; return true }
                    return false
                }
                lastSink = sink
                let b = balance(f)
                if b.created != b.accounted, imbalances.count < 3 { imbalances.append("t=\(now): created \(b.created), accounted \(b.accounted)") }
            }
            #expect(imbalances.isEmpty, "\(imbalances)")
            #expect(lateHandOvers == 0, "\(systems)")
            let cycles = dropArrivals.count - 1
            try #require(cycles >= 20)
            let measuredTrip = (dropArrivals[cycles] - dropArrivals[1]) / Double(cycles - 1)
            let delivered = f.values(TransferPoint.self).first { $0.1.role == "dropOff" }?.1.totalDelivered ?? 0
            let perHour = 2 * 3600 / measuredTrip
            #expect(abs(perHour - 7200 / reference) / (7200 / reference) <= 0.01,
                    "measured \(perHour)/h (round trip \(measuredTrip) s), IDM reference \(7200 / reference)/h (\(reference) s)")
            #expect(abs(perHour - 7200 / closedForm) / (7200 / closedForm) <= 0.04,
                    "measured \(perHour)/h, closed form \(7200 / closedForm)/h (\(closedForm) s)")
            // Every visit delivered a full load of 2, and all of it reached the sink.
            #expect(delivered == 2 * dropArrivals.count)
            let done = f.values(MachineStatus.self).first { $0.1.element == "sink" }?.1.completed ?? 0
            #expect(done == delivered)
            print("forklift shuttle \(systems): round trip \(measuredTrip) s (IDM reference \(reference) s, closed form \(closedForm) s), \(perHour) items/h (reference \(7200 / reference), closed form \(7200 / closedForm)), delivered \(delivered)")
        }
    }

    @Test("waitUntil: a forklift waits at the pick-up for a slow source (any / full), and at a full drop-off until it has room")
    func waiting() throws {
        // Items every 100 s; drop-off buffer of 1 in front of a 200 s station.
        let line = """
        {"elements": [
          {"name": "supply", "type": "source", "interarrival": 100, "to": "outbound"},
          {"name": "outbound", "type": "buffer", "transfer": "pickUp"},
          {"name": "inbound", "type": "buffer", "capacity": 1, "transfer": "dropOff", "to": "slow"},
          {"name": "slow", "type": "station", "process": 200, "to": "done"},
          {"name": "done", "type": "sink"}]}
        """
        for (rule, minLoad) in [("any", 1), ("full", 2)] {
            let text = shuttleScene(machines: line).replacingOccurrences(of: #""pickUp": "outbound"}"#, with: #""pickUp": "outbound", "waitUntil": "\#(rule)"}"#)
            let f = try SceneFixture(json: text)
            var reader = EventReader<VehicleAtStop>()
            var loadsLeaving: [Int] = []
            try f.run(steps: 16000) { sim in
                for e in reader.read(sim.world) where !e.arrived && e.stop == "pick" {
                    loadsLeaving.append(try #require(sim.world.get(CarriedLoad.self, of: e.entity)).count)
                }
            }
            #expect(loadsLeaving.count >= 3)
            #expect(loadsLeaving.allSatisfy { $0 >= minLoad }, "\(rule): \(loadsLeaving)")
            let b = balance(f)
            #expect(b.created == b.accounted)
            #expect(f.values(TrafficStats.self).first?.1.stuck == 0)
            // Drop-off never overfills the 1-place buffer.
            let inbound = try #require(f.values(MachineStatus.self).first { $0.1.element == "buffer" && $0.1.maxContents > 0 && f.world.get(TransferPoint.self, of: $0.0)?.role == "dropOff" }?.1)
            #expect(inbound.maxContents <= 1)
        }
    }

    @Test("forklift-aisles.json: forklifts carry the small line's items from the press to packing; items conserved")
    func sceneRuns() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/forklift-aisles.json")
        f.run(steps: 7200)   // 900 s
        let tps = f.values(TransferPoint.self).map(\.1)
        #expect(tps.count == 2)
        #expect(tps.allSatisfy { $0.totalTaken + $0.totalDelivered >= 5 }, "\(tps.map { ($0.role, $0.totalTaken, $0.totalDelivered) })")
        let b = balance(f)
        #expect(b.created == b.accounted)
        #expect((f.values(MachineLine.self).first?.1.finished ?? 0) >= 5)
        #expect(f.values(TrafficStats.self).first?.1.stuck == 0)
    }

    @Test("forklift-aisles.json: same seed → same state hashes with 1 and 2 workers (hand-overs included)")
    func determinism() throws {
        let file = packageRoot() + "/Scenes/forklift-aisles.json"
        let a = try SceneFixture(file: file, options: .init(workers: 1)).hashes(steps: 2400)
        let b = try SceneFixture(file: file, options: .init(workers: 2)).hashes(steps: 2400)
        #expect(a == b)
    }

    @Test("bad input: unknown transfer points (did-you-mean), wrong roles, both roles, waitUntil rules, capacity, machines transfer members")
    func badInput() {
        func one(_ text: String, cascade: Bool = false) -> SceneIssue? {
            let found = issues(text)
            // A broken machines section creates no transfer point, so the stop naming it is reported too.
            #expect(found.count == (cascade ? 2 : 1), "\(found)")
            return found.first
        }
        let a = one(shuttleScene().replacingOccurrences(of: #""pickUp": "outbound""#, with: #""pickUp": "outbund""#))
        #expect(a?.path.jsonPath == "$.traffic.routes[0].stops[0].pickUp" && a?.message.contains("did you mean \"outbound\"") == true, "\(String(describing: a))")
        #expect(a.map { $0.location.line > 0 } == true, "\(String(describing: a))")
        let b = one(shuttleScene().replacingOccurrences(of: #""pickUp": "outbound""#, with: #""pickUp": "inbound""#))
        #expect(b?.path.jsonPath == "$.traffic.routes[0].stops[0].pickUp" && b?.message.contains("drop-off point") == true, "\(String(describing: b))")
        let c = one(shuttleScene().replacingOccurrences(of: #""pickUp": "outbound""#, with: #""pickUp": "outbound", "dropOff": "inbound""#))
        #expect(c?.path.jsonPath == "$.traffic.routes[0].stops[0].dropOff", "\(String(describing: c))")
        let d = one(shuttleScene().replacingOccurrences(of: #""dropOff": "inbound""#, with: #""dropOff": "inbound", "waitUntil": "full""#))
        #expect(d?.path.jsonPath == "$.traffic.routes[0].stops[1].waitUntil" && d?.message.contains("empty") == true, "\(String(describing: d))")
        let e = one(shuttleScene(extraStops: #", {"road": "aisle", "at": 150, "duration": 5, "waitUntil": "any"}"#))
        #expect(e?.path.jsonPath == "$.traffic.routes[0].stops[2].waitUntil", "\(String(describing: e))")
        let g = one(shuttleScene(capacity: 0))
        #expect(g?.path.jsonPath == "$.traffic.vehicleTypes[0].capacity", "\(String(describing: g))")
        let h = one(shuttleScene().replacingOccurrences(of: #""transfer": "pickUp""#, with: #""transfer": "pickup""#), cascade: true)
        #expect(h?.path.jsonPath == "$.machines.elements[1].transfer" && h?.message.contains("did you mean \"pickUp\"") == true, "\(String(describing: h))")
        let i = one(shuttleScene().replacingOccurrences(of: #""transfer": "pickUp", "position""#, with: #""transfer": "pickUp", "to": "done", "position""#), cascade: true)
        #expect(i?.path.jsonPath == "$.machines.elements[1].to" && i?.message.contains("no \"to\"") == true, "\(String(describing: i))")
        let j = one(shuttleScene().replacingOccurrences(of: #"{"name": "done", "type": "sink"}"#, with: #"{"name": "done", "type": "sink", "transfer": "dropOff"}"#))
        #expect(j?.path.jsonPath == "$.machines.elements[3].transfer", "\(String(describing: j))")
        // No machines section at all: the stop names a point that cannot exist.
        let k = one(#"{"world": {"dt": 0.125}, "systems": [{"id": "vehicles.traffic"}], "traffic": {"nodes": [{"id": "A", "position": [0, 0], "type": "none"}], "roads": [{"id": "r", "from": "A", "to": "A", "length": 100, "shape": [[50, 0], [50, 20], [0, 20]]}], "routes": [{"id": "s", "roads": ["r"], "repeat": true, "stops": [{"road": "r", "at": 10, "duration": 5, "pickUp": "dock"}]}]}}"#)
        #expect(k?.path.jsonPath == "$.traffic.routes[0].stops[0].pickUp" && k?.message.contains("has none") == true, "\(String(describing: k))")
    }
}
