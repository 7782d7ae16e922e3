import Foundation
import Testing
import TwinCore
import TwinMachines
import TwinRuntime
import TwinTesting

/// Each element and rule against an exact (deterministic models) or binomial/analytic
/// expectation, tolerances stated per test.
@Suite("machines: elements, routing, timing rules")
struct ElementTests {
    static func scene(_ elements: String, dt: Double = 0.5, seed: Int = 1, warmup: Double = 0, params: String = #"{"itemEntities": false}"#) -> String {
        """
        {"world": {"dt": \(dt), "seed": \(seed), "duration": 1e7},
         "systems": [{"id": "machines.process", "params": \(params)}],
         "machines": {"warmup": \(warmup), "elements": [\(elements)]}}
        """
    }

    @Test("operating-time failures (the case's M2 diagnostic): throughput 0.898626 ± 0.0041 over 10 × 10⁵ s")
    func operatingFailures() throws {
        var sum = 0.0
        for seed in 1...10 {
            let json = tandemScene(seed: seed, failures: true).replacingOccurrences(of: #""clock": "calendar""#, with: #""clock": "operating""#)
            let run = try LineRun(json)
            run.run(seconds: 100_000)
            sum += try run.status("done").throughput
        }
        #expect(abs(sum / 10 - 0.898626) <= 0.0041, "mean throughput \(sum / 10)")
    }

    @Test("probability splitter: shares 1:2:3 within 3σ of the binomial over 30,000 items; round robin alternates exactly")
    func splitters() throws {
        let outs = #"{"name": "a", "type": "sink"}, {"name": "b", "type": "sink"}, {"name": "c", "type": "sink"}"#
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "interarrival": 0.01, "limit": 30000, "to": "split"},
          {"name": "split", "type": "splitter", "rule": "probability", "weights": [1, 2, 3], "to": ["a", "b", "c"]}, \(outs)
        """))
        run.run(seconds: 400)
        let n = 30000.0
        for (name, p) in [("a", 1.0 / 6), ("b", 2.0 / 6), ("c", 3.0 / 6)] {
            let k = Double(try run.status(name).completed)
            #expect(abs(k - n * p) <= 3 * (n * p * (1 - p)).squareRoot(), "\(name): \(k) of \(n), expected \(n * p)")
        }
        let rr = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "interarrival": 0.5, "limit": 1000, "to": "split"},
          {"name": "split", "type": "splitter", "rule": "roundRobin", "to": ["a", "b", "c"]}, \(outs)
        """))
        rr.run(seconds: 600)
        #expect(try rr.status("a").completed == 334)
        #expect(try rr.status("b").completed == 333)
        #expect(try rr.status("c").completed == 333)
    }

    @Test("byType routes every type to its output; shortestQueue balances two equal stations within 1 %")
    func routing() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "interarrival": 1, "limit": 2000, "mix": [{"type": "red", "weight": 1}, {"type": "blue", "weight": 3}], "to": "split"},
          {"name": "split", "type": "splitter", "rule": "byType", "routes": {"red": "R", "blue": "B"}},
          {"name": "R", "type": "station", "process": 0.5, "accepts": ["red"], "to": "outR"},
          {"name": "B", "type": "station", "process": 0.5, "accepts": ["blue"], "to": "outB"},
          {"name": "outR", "type": "sink"}, {"name": "outB", "type": "sink"}
        """))
        run.run(seconds: 2100)
        let r = try run.status("outR").completed, b = try run.status("outB").completed
        #expect(r + b == 2000)
        #expect(abs(Double(r) - 500) <= 3 * (2000 * 0.25 * 0.75).squareRoot())
        let sq = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "interarrival": {"dist": "exponential", "mean": 0.6}, "limit": 20000, "to": "split"},
          {"name": "split", "type": "splitter", "rule": "shortestQueue", "to": ["q1", "q2"]},
          {"name": "q1", "type": "buffer", "to": "m1"}, {"name": "q2", "type": "buffer", "to": "m2"},
          {"name": "m1", "type": "station", "process": {"dist": "exponential", "mean": 1}, "to": "out"},
          {"name": "m2", "type": "station", "process": {"dist": "exponential", "mean": 1}, "to": "out"},
          {"name": "out", "type": "sink"}
        """))
        sq.run(seconds: 13_000)
        let c1 = Double(try sq.status("m1").completed), c2 = Double(try sq.status("m2").completed)
        #expect(c1 + c2 >= 19_900)
        #expect(abs(c1 - c2) / (c1 + c2) <= 0.01, "m1 \(c1), m2 \(c2)")
    }

    @Test("mergers: priority serves the first input only while it has items; round robin alternates exactly")
    func mergers() throws {
        func counts(_ rule: String) throws -> (Int, Int) {
            let run = try LineRun(Self.scene("""
              {"name": "s1", "type": "source", "infinite": true, "to": "c1"},
              {"name": "s2", "type": "source", "infinite": true, "to": "c2"},
              {"name": "c1", "type": "buffer", "capacity": 2, "to": "join"},
              {"name": "c2", "type": "buffer", "capacity": 2, "to": "join"},
              {"name": "join", "type": "merger", "rule": "\(rule)", "to": "m"},
              {"name": "m", "type": "station", "process": 1, "to": "out"},
              {"name": "out", "type": "sink"}
            """))
            run.run(seconds: 100.25)
            return (try run.status("c1").completed, try run.status("c2").completed)
        }
        let p = try counts("priority")
        #expect(p.1 == 0 && p.0 >= 100, "priority: \(p)")
        let r = try counts("roundRobin")
        #expect(abs(r.0 - r.1) <= 1 && r.0 + r.1 >= 100, "roundRobin: \(r)")
    }

    @Test("assembler: 2 bodies + 1 lid → 1 box; output rate set by the slower input, exactly; lead time from the first part")
    func assembler() throws {
        let run = try LineRun(Self.scene("""
          {"name": "bodies", "type": "source", "interarrival": 1, "to": "asm", "itemType": "body"},
          {"name": "lids", "type": "source", "interarrival": 3, "to": "asm", "itemType": "lid"},
          {"name": "asm", "type": "assembler", "process": 0.5, "requires": {"bodies": 2, "lids": 1}, "itemType": "box", "to": "out"},
          {"name": "out", "type": "sink"}
        """, dt: 1))
        run.run(seconds: 300.5)
        // Lids at 3, 6, …; bodies at 1, 2, …; assembly k starts at 3k, ends 3k + 0.5.
        let out = try run.status("out")
        #expect(out.completed == 100)
        // Assembly k takes bodies 2k − 1 and 2k (made at 2k − 1 s, 2k s; bodies wait in their
        // source meanwhile) and lid k, and ends at 3k + 0.5 s: lead time k + 1.5 s, mean 52 s.
        #expect(abs(out.leadTimeMean - 52) <= 1e-9, "mean lead time \(out.leadTimeMean)")
        #expect(abs(out.leadTimeP50 - 51.5) <= 51.5 * 0.005, "p50 \(out.leadTimeP50)")
        #expect(try run.line.wip > 0)
    }

    @Test("batches of 3 in 2 s give exactly 1.5 items/s; setups on every type change take their share of time")
    func batchAndSetup() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "infinite": true, "to": "m"},
          {"name": "m", "type": "station", "process": 2, "batch": 3, "to": "out"},
          {"name": "out", "type": "sink"}
        """))
        run.run(seconds: 100.25)
        #expect(try run.status("out").completed == 150)
        let setup = try LineRun(Self.scene("""
          {"name": "a", "type": "source", "infinite": true, "to": "ba", "itemType": "a"},
          {"name": "b", "type": "source", "infinite": true, "to": "bb", "itemType": "b"},
          {"name": "ba", "type": "buffer", "capacity": 1, "to": "join"},
          {"name": "bb", "type": "buffer", "capacity": 1, "to": "join"},
          {"name": "join", "type": "merger", "rule": "roundRobin", "to": "m"},
          {"name": "m", "type": "station", "process": 1, "setup": 1, "to": "out"},
          {"name": "out", "type": "sink"}
        """))
        setup.run(seconds: 1000)
        let m = try setup.status("m")
        // Types alternate, so every job has a 1 s setup and a 1 s run: half the time each.
        #expect(abs(m.setup - 0.5) <= 0.002 && abs(m.busy - 0.5) <= 0.002, "setup \(m.setup), busy \(m.busy)")
        #expect(abs(m.setup + m.busy + m.starved + m.blocked + m.down + m.idle - 1) <= 1e-9)
    }

    @Test("LIFO and priority buffers: the exact service order")
    func disciplines() throws {
        func leads(_ buffer: String) throws -> [String: Double] {
            let run = try LineRun(Self.scene("""
              {"name": "A", "type": "source", "schedule": [0], "to": "q", "itemType": "a"},
              {"name": "B", "type": "source", "schedule": [0.1], "to": "q", "itemType": "b"},
              {"name": "C", "type": "source", "schedule": [0.2], "to": "q", "itemType": "c"},
              \(buffer),
              {"name": "m", "type": "station", "process": 1, "to": "split"},
              {"name": "split", "type": "splitter", "rule": "byType", "routes": {"a": "sa", "b": "sb", "c": "sc"}},
              {"name": "sa", "type": "sink"}, {"name": "sb", "type": "sink"}, {"name": "sc", "type": "sink"}
            """, dt: 0.25))
            run.run(seconds: 10)
            return ["a": try run.status("sa").leadTimeMean, "b": try run.status("sb").leadTimeMean, "c": try run.status("sc").leadTimeMean]
        }
        let lifo = try leads(#"{"name": "q", "type": "buffer", "discipline": "lifo", "to": "m"}"#)
        #expect(abs((lifo["a"] ?? 0) - 1) <= 1e-9 && abs((lifo["c"] ?? 0) - 1.8) <= 1e-9 && abs((lifo["b"] ?? 0) - 2.9) <= 1e-9, "\(lifo)")
        let fifo = try leads(#"{"name": "q", "type": "buffer", "to": "m"}"#)
        #expect(abs((fifo["b"] ?? 0) - 1.9) <= 1e-9 && abs((fifo["c"] ?? 0) - 2.8) <= 1e-9, "\(fifo)")
        let prio = try leads(#"{"name": "q", "type": "buffer", "discipline": "priority", "priorities": {"b": 2, "c": 1}, "to": "m"}"#)
        #expect(abs((prio["b"] ?? 0) - 1.9) <= 1e-9 && abs((prio["c"] ?? 0) - 2.8) <= 1e-9, "\(prio)")
        let prio2 = try leads(#"{"name": "q", "type": "buffer", "discipline": "priority", "priorities": {"b": 1, "c": 2}, "to": "m"}"#)
        #expect(abs((prio2["c"] ?? 0) - 1.8) <= 1e-9 && abs((prio2["b"] ?? 0) - 2.9) <= 1e-9, "\(prio2)")
    }

    @Test("a shift calendar (open 50 of every 100 s) halves output exactly; idle counts the closed time")
    func calendar() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "infinite": true, "to": "m"},
          {"name": "m", "type": "station", "process": 1, "calendar": {"period": 100, "open": [[0, 50]]}, "to": "out"},
          {"name": "out", "type": "sink"}
        """))
        run.run(seconds: 1000)
        let m = try run.status("m")
        #expect(try run.status("out").completed == 500)
        #expect(abs(m.busy - 0.5) <= 1e-9 && abs(m.idle - 0.5) <= 1e-9, "busy \(m.busy), idle \(m.idle)")
    }

    @Test("scheduled maintenance (deterministic up 100 s, down 10 s) pre-empts and resumes: down exactly 10/110, output exact")
    func maintenance() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "infinite": true, "to": "m"},
          {"name": "m", "type": "station", "process": 3, "failures": [{"upTime": 100, "repairTime": 10}], "to": "out"},
          {"name": "out", "type": "sink"}
        """, dt: 0.5))
        run.run(seconds: 1100)
        let m = try run.status("m")
        #expect(abs(m.down - 10.0 / 110) <= 1e-9 && abs(m.busy - 100.0 / 110) <= 1e-9, "down \(m.down), busy \(m.busy)")
        // Down at 100–110, 210–220, …, 1090–1100: 1000 s of processing in 3 s jobs, pre-empted
        // and resumed: 333 jobs done, the 334th a third through.
        #expect(try run.status("out").completed == 333)
    }

    @Test("MachineControl.forcedDown (live data) stops a station for exactly the time it is set; work resumes")
    func control() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "infinite": true, "to": "m"},
          {"name": "m", "type": "station", "process": 1, "to": "out"},
          {"name": "out", "type": "sink"}
        """, dt: 1))
        let m = try #require(run.entity("m"))
        run.run(seconds: 10.5 - 0.5)
        run.world.update(MachineControl.self, of: m) { $0.forcedDown = true }
        run.run(seconds: 20)
        #expect(try run.status("m").state == .down)
        run.world.update(MachineControl.self, of: m) { $0.forcedDown = false }
        run.run(seconds: 70)
        let s = try run.status("m")
        // Jobs end at 1, 2, …; the one due at 10 s is pre-empted at the step start (10 s) with
        // nothing left to do and finishes at 30 s; then one per second until 99 s: 9 + 70.
        #expect(try run.status("out").completed == 79)
        #expect(abs(s.down - 0.2) <= 1e-9 && abs(s.busy - 0.8) <= 1e-9)
    }

    @Test("warm-up: statistics cover only [warmup, t]")
    func warmup() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "interarrival": 1, "to": "m"},
          {"name": "m", "type": "station", "process": 0.5, "to": "out"},
          {"name": "out", "type": "sink"}
        """, dt: 0.25, warmup: 100))
        run.run(seconds: 300.25)
        let out = try run.status("out"), m = try run.status("m")
        #expect(out.completed == 200)
        #expect(abs(out.throughput - 200 / 200.25) <= 1e-9)
        // Busy 0.5 s of every second, plus the job that started at 300 s: 100.25 s of 200.25.
        #expect(abs(m.busy - 100.25 / 200.25) <= 1e-9)
    }

    @Test("conveyor items are entities on the belt in the world (rotation respected) and leave with their item")
    func conveyorEntities() throws {
        let run = try LineRun(Self.scene("""
          {"name": "src", "type": "source", "schedule": [0, 1, 2], "to": "belt"},
          {"name": "belt", "type": "conveyor", "length": 10, "speed": 1, "spacing": 0.5, "to": "out",
           "position": [2, 0, 3], "rotation": [0, 0.7071067811865476, 0, 0.7071067811865476]},
          {"name": "out", "type": "sink"}
        """, dt: 0.25, params: #"{"itemHeight": 1}"#))
        run.run(seconds: 5)
        let items = run.fixture.values(ConveyorItem.self)
        #expect(items.count == 3)
        // +X turned 90° about +Y is −Z: the first item (entered at 0) is 5 m along at t = 5.
        let positions = run.fixture.values(Position.self).filter { e, _ in items.contains { $0.0 == e } }.map(\.1.value)
        #expect(positions.contains { $0.isApproximatelyEqual(to: Vec3(2, 1, -2), absolute: 1e-4) }, "\(positions)")
        #expect(items.contains { abs($0.1.along - 3) <= 1e-5 })
        run.run(seconds: 10)
        #expect(run.fixture.values(ConveyorItem.self).isEmpty)
        #expect(try run.status("out").completed == 3)
    }

    @Test("non-accumulating belt: a blocked head stops every item; accumulating: only the queue stops")
    func nonAccumulating() throws {
        func exits(_ acc: Bool) throws -> [Double] {
            let run = try LineRun(Self.scene("""
              {"name": "src", "type": "source", "schedule": [0, 2], "to": "belt"},
              {"name": "belt", "type": "conveyor", "length": 10, "speed": 1, "spacing": 1, "accumulating": \(acc),
               "calendar": {"closed": [[5, 15]]}, "to": "out"},
              {"name": "out", "type": "sink"}
            """, dt: 0.5, params: #"{"eventLog": true, "itemEntities": false}"#))
            run.run(seconds: 40)
            return try #require(run.world.resource(MachineEventLog.self)).events.filter { $0.kind == 201 }.map(\.time)
        }
        // Head reaches the end at 10, waits for 15. Non-accumulating: item 2 froze at 8 m from
        // 10 to 15, so it arrives at 17. Accumulating: it closes up to 9 m at 11 and leaves 1 s after the head.
        #expect(try exits(false) == [15, 17])
        #expect(try exits(true) == [15, 16])
    }

    @Test("the same scene with 1 and 2 workers gives the same state hashes")
    func workers() throws {
        let text = try String(contentsOfFile: packageRoot() + "/Scenes/benchmarks/machines-factory.json", encoding: .utf8)
        let one = try SceneFixture(json: text, options: SceneLoadOptions(workers: 1)).hashes(steps: 400)
        let two = try SceneFixture(json: text, options: SceneLoadOptions(workers: 2)).hashes(steps: 400)
        #expect(one == two)
        #expect(Set(one).count > 300)
    }
}

@Suite("machines: live sources")
struct LiveSourceTests {
    @Test("a live source creates exactly the items MachineControl.release asks for, at the step's start, and resets it")
    func release() throws {
        let run = try LineRun(ElementTests.scene("""
          {"name": "scanner", "type": "source", "live": true, "to": "q"},
          {"name": "q", "type": "buffer", "to": "m"},
          {"name": "m", "type": "station", "process": 1, "to": "out"},
          {"name": "out", "type": "sink"}
        """, dt: 1))
        let scanner = try #require(run.entity("scanner"))
        run.run(seconds: 5)
        #expect(try run.line.created == 0)
        run.world.update(MachineControl.self, of: scanner) { $0.release = 3 }
        run.run(seconds: 1)
        #expect(run.world.get(MachineControl.self, of: scanner)?.release == 0)
        #expect(try run.line.created == 3)
        run.run(seconds: 10)
        // Released at 5 s: served 5–6, 6–7, 7–8; lead times 1, 2, 3 s.
        let out = try run.status("out")
        #expect(out.completed == 3)
        #expect(abs(out.leadTimeMean - 2) <= 1e-9)
    }
}
