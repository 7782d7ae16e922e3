import Foundation
import Testing
import TwinCore
import TwinMachines
import TwinRuntime
import TwinTesting

/// Validation case M3 (conveyor with accumulation) and the dt-independence of event times.
@Suite("machines: conveyors (M3) and exact in-step event times")
struct ConveyorAndTimingTests {
    /// Conveyor 10 m at 0.5 m/s, pitch 0.5 m, items scheduled at 2k s (k = 0…49).
    static func conveyorScene(exit: String, calendar: String = "", dt: Double = 0.25) -> String {
        let times = (0..<50).map { String(2 * $0) }.joined(separator: ", ")
        return """
        {"world": {"dt": \(dt), "duration": 400},
         "systems": [{"id": "machines.process", "params": {"eventLog": true}}],
         "machines": {"elements": [
           {"name": "feed", "type": "source", "schedule": [\(times)], "to": "belt"},
           {"name": "belt", "type": "conveyor", "length": 10, "speed": 0.5, "spacing": 0.5, "to": "\(exit)"\(calendar)},
           {"name": "station", "type": "station", "process": 3.0, "to": "out"},
           {"name": "out", "type": "sink"}]}}
        """
    }

    /// (entry, exit) times of conveyor items, in order.
    static func beltTimes(_ json: String, seconds: Double = 400) throws -> (entries: [Double], exits: [Double]) {
        let run = try LineRun(json)
        run.run(seconds: seconds)
        let log = try #require(run.world.resource(MachineEventLog.self))
        let entries = log.events.filter { $0.element == 1 && $0.kind == 200 }.map(\.time)
        let exits = log.events.filter { $0.element == 1 && $0.kind == 201 }.map(\.time)
        return (entries, exits)
    }

    /// An independent time-stepped reference of the M3 rules with step h: items move at v
    /// unless closing up to the pitch or at the closed end; placement when the previous item
    /// is ≥ d from the entry. Each hand-over can be late by up to h.
    static func reference(h: Double, canExit: (Double) -> Bool, hold: Double?) -> (entries: [Double], exits: [Double]) {
        let l = 10.0, v = 0.5, d = 0.5
        var pos: [Double] = [], entries: [Double] = [], exits: [Double] = []
        var next = 0, stationFree = 0.0
        var t = 0.0
        while exits.count < 50, t < 1000 {
            // Exit at the end.
            if let p = pos.first, p >= l - 1e-9, canExit(t), hold.map({ _ in t >= stationFree - 1e-9 }) ?? true {
                pos.removeFirst(); exits.append(t)
                if let hd = hold { stationFree = t + hd }
            }
            // Placement.
            if next < 50, Double(2 * next) <= t + 1e-9, pos.last.map({ $0 >= d - 1e-9 }) ?? true {
                pos.append(0); entries.append(t); next += 1
            }
            // Motion.
            for k in pos.indices {
                let cap = k == 0 ? l : pos[k - 1] - d
                pos[k] = min(pos[k] + v * h, max(pos[k], cap))
            }
            t = (t / h + 1).rounded() * h
        }
        return (entries, exits)
    }

    @Test("M3 C1 (exit always open): arrival = exit = 2k + 20 s, within 1e-6 s")
    func c1() throws {
        let (entries, exits) = try Self.beltTimes(Self.conveyorScene(exit: "out"))
        #expect(exits.count == 50)
        for (k, x) in exits.enumerated() { #expect(abs(x - Double(2 * k + 20)) <= 1e-6, "item \(k) exits at \(x)") }
        for (k, e) in entries.enumerated() { #expect(abs(e - Double(2 * k)) <= 1e-6) }
    }

    @Test("M3 C2 (exit closed 31–61 s): hand-derived exits 30, 61, 62 within 1e-6 s; all within 60·h of a 1 ms time-stepped reference")
    func c2() throws {
        let (entries, exits) = try Self.beltTimes(Self.conveyorScene(exit: "out", calendar: #", "calendar": {"closed": [[31, 61]]}"#))
        #expect(exits.count == 50)
        #expect(abs(exits[5] - 30) <= 1e-6)
        #expect(abs(exits[6] - 61) <= 1e-6)
        #expect(abs(exits[7] - 62) <= 1e-6)
        let ref = Self.reference(h: 0.001, canExit: { !($0 >= 31 && $0 < 61) }, hold: nil)
        #expect(ref.exits.count == 50)
        for k in 0..<min(exits.count, ref.exits.count) {
            #expect(abs(exits[k] - ref.exits[k]) <= 0.06, "item \(k): exit \(exits[k]) vs reference \(ref.exits[k])")
            #expect(abs(entries[k] - ref.entries[k]) <= 0.06, "item \(k): entry \(entries[k]) vs reference \(ref.entries[k])")
        }
        // Items leave in order and never closer than the pitch allows (d/v = 1 s).
        for k in 1..<exits.count { #expect(exits[k] - exits[k - 1] >= 1 - 1e-9) }
    }

    @Test("M3 C3 (a 3 s station takes one item at a time): exits at 20 + 3k s within 1e-6 s; entries within 60·h of the reference")
    func c3() throws {
        let (entries, exits) = try Self.beltTimes(Self.conveyorScene(exit: "station"))
        #expect(exits.count == 50)
        for (k, x) in exits.enumerated() { #expect(abs(x - Double(20 + 3 * k)) <= 1e-6, "item \(k) exits at \(x)") }
        let ref = Self.reference(h: 0.001, canExit: { _ in true }, hold: 3)
        for k in 0..<min(entries.count, ref.entries.count) {
            #expect(abs(entries[k] - ref.entries[k]) <= 0.06, "item \(k): entry \(entries[k]) vs reference \(ref.entries[k])")
        }
        // The belt jams back to the entry: some placements are delayed past 2k.
        #expect(entries.enumerated().contains { $0.element > Double(2 * $0.offset) + 0.5 })
    }

    @Test("the same model at dt = 0.01, 0.1 and 1 s gives the same event log (times bit-identical)")
    func dtIndependence() throws {
        func log(dt: Double) throws -> [MachineEventLog.Entry] {
            let json = """
            {"world": {"dt": \(dt), "seed": 3, "duration": 400},
             "systems": [{"id": "machines.process", "params": {"eventLog": true}}],
             "machines": {"elements": [
               {"name": "src", "type": "source", "interarrival": {"dist": "exponential", "mean": 1.2}, "to": "q"},
               {"name": "q", "type": "buffer", "capacity": 4, "to": "A"},
               {"name": "A", "type": "station", "process": {"dist": "triangular", "min": 0.5, "mode": 0.8, "max": 1.5}, "to": "belt",
                "failures": [{"upTime": {"dist": "exponential", "mean": 50}, "repairTime": {"dist": "uniform", "min": 2, "max": 6}}]},
               {"name": "belt", "type": "conveyor", "length": 6, "speed": 0.7, "spacing": 0.6, "to": "split"},
               {"name": "split", "type": "splitter", "rule": "probability", "weights": [1, 2], "to": ["B1", "B2"]},
               {"name": "B1", "type": "station", "process": {"dist": "lognormal", "mean": 1.5, "sd": 0.5}, "to": "out"},
               {"name": "B2", "type": "station", "process": {"dist": "normal", "mean": 1.8, "sd": 0.4}, "to": "out"},
               {"name": "out", "type": "sink"}]}}
            """
            let run = try LineRun(json)
            run.run(seconds: 400)
            return try #require(run.world.resource(MachineEventLog.self)).events
        }
        let a = try log(dt: 0.01), b = try log(dt: 0.1), c = try log(dt: 1)
        #expect(a.count > 1000)
        #expect(a == b)
        #expect(a == c)
    }
}
