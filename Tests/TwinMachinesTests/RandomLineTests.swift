import Foundation
import Testing
import TwinCore
import TwinMachines
import TwinRuntime
import TwinTesting

/// Randomly built lines (chains of buffers, stations, conveyors, parallel branches through
/// splitters and mergers, failures) must keep their books: every item created is in some
/// element or reached a sink, the elements' contents add up to the line's WIP, and each
/// station's time fractions add up to 1 — and nothing crashes or hangs.
@Suite("machines: random lines keep their books")
struct RandomLineTests {
    static func randomLine(_ seed: UInt64) -> String {
        var r = RandomStream(seed: seed)
        func pick(_ n: Int) -> Int { Int(r.next() % UInt64(n)) }
        var els: [String] = []
        var n = 0
        func name() -> String { n += 1; return "e\(n)" }
        func dist() -> String {
            switch pick(4) {
            case 0: return String(format: "%.2f", 0.2 + r.unitDouble())
            case 1: return String(format: #"{"dist": "exponential", "mean": %.2f}"#, 0.3 + r.unitDouble())
            case 2: return String(format: #"{"dist": "uniform", "min": %.2f, "max": %.2f}"#, 0.1, 0.3 + r.unitDouble())
            default: return String(format: #"{"dist": "triangular", "min": 0.1, "mode": 0.5, "max": %.2f}"#, 0.6 + r.unitDouble())
            }
        }
        func station(_ me: String, _ to: String) -> String {
            let fail = pick(3) == 0 ? #", "failures": [{"upTime": {"dist": "exponential", "mean": 50}, "repairTime": 5, "clock": "\#(pick(2) == 0 ? "calendar" : "operating")"}]"# : ""
            let cal = pick(5) == 0 ? #", "calendar": {"period": 100, "open": [[0, 70]]}"# : ""
            return #"{"name": "\#(me)", "type": "station", "servers": \#(1 + pick(3)), "batch": \#(1 + pick(2)), "process": \#(dist())\#(fail)\#(cal), "to": "\#(to)"}"#
        }
        let src = name()
        var current = name()
        let infinite = pick(2) == 0
        els.append(infinite
            ? #"{"name": "\#(src)", "type": "source", "infinite": true, "to": "\#(current)"}"#
            : #"{"name": "\#(src)", "type": "source", "interarrival": {"dist": "exponential", "mean": 0.7}, "to": "\#(current)"}"#)
        let stages = 3 + pick(5)
        for s in 0..<stages {
            let next = s == stages - 1 ? "sink" : name()
            // The first stage after an infinite source must be able to refuse.
            switch s == 0 && infinite ? 1 : pick(5) {
            case 0:
                let cap = pick(3) == 0 ? "null" : String(1 + pick(5))
                els.append(#"{"name": "\#(current)", "type": "buffer", "capacity": \#(cap), "discipline": "\#(pick(2) == 0 ? "fifo" : "lifo")", "to": "\#(next)"}"#)
            case 1, 2:
                els.append(station(current, next))
            case 3:
                els.append(#"{"name": "\#(current)", "type": "conveyor", "length": \#(2 + pick(8)), "speed": 1, "spacing": 0.5, "accumulating": \#(pick(2) == 0), "to": "\#(next)"}"#)
            default:
                let a = name(), b = name(), m = name()
                let rule = ["roundRobin", "shortestQueue", "probability"][pick(3)]
                let w = rule == "probability" ? #", "weights": [1, 2]"# : ""
                els.append(#"{"name": "\#(current)", "type": "splitter", "rule": "\#(rule)"\#(w), "to": ["\#(a)", "\#(b)"]}"#)
                els.append(station(a, m))
                els.append(station(b, m))
                els.append(#"{"name": "\#(m)", "type": "merger", "rule": "\#(["fifo", "roundRobin", "priority"][pick(3)])", "to": "\#(next)"}"#)
            }
            current = next
        }
        els.append(#"{"name": "sink", "type": "sink"}"#)
        return """
        {"world": {"dt": \(["0.25", "1", "0.1"][pick(3)]), "seed": \(seed), "duration": 1e6},
         "systems": [{"id": "machines.process", "params": {"itemEntities": \(pick(2) == 0), "eventLog": true}}],
         "machines": {"elements": [\(els.joined(separator: ",\n"))]}}
        """
    }

    @Test("40 random lines run 1000 s each: created = finished + WIP = Σ contents + finished; fractions sum to 1", arguments: 1...40)
    func books(seed: Int) throws {
        let json = Self.randomLine(UInt64(seed))
        let run = try LineRun(json)
        run.run(seconds: 1000)
        let line = try run.line
        var contents = 0
        for (_, s) in run.fixture.values(MachineStatus.self) {
            contents += s.element == "sink" ? 0 : s.contents
            if s.element == "station" {
                let total = s.busy + s.blocked + s.starved + s.setup + s.down + s.idle
                #expect(abs(total - 1) <= 1e-9, "fractions sum to \(total)")
            }
        }
        #expect(line.created == line.finished + line.wip, "created \(line.created), finished \(line.finished), wip \(line.wip)\n\(json)")
        #expect(contents == line.wip, "Σ contents \(contents) vs WIP \(line.wip)\n\(json)")
        #expect(line.finished > 0, "\(json)")
        // The clock never runs backwards.
        let times = try #require(run.world.resource(MachineEventLog.self)).events.map(\.time)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "\(json)")
    }
}

