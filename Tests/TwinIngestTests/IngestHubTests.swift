import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

@Suite("IngestHub: journal, semantics, late policy, dead letters, back-pressure")
struct IngestHubTests {
    let now = LiveScene.now

    func step(_ sim: Simulation, _ hub: IngestHub, _ n: Int = 1) {
        for _ in 0..<n { hub.pump(sim); sim.step() }
    }

    func reasons(_ hub: IngestHub) throws -> [String] { try hub.journal.deadLetters(limit: 1000).map(\.reason) }

    @Test("latest: a status message sets the field at the next step; LiveReported keeps value, text and source time")
    func latest() throws {
        let dir = LiveScene.temporaryDirectory("latest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        step(sim, hub, 3)
        let reply = hub.submit([LiveScene.message("plant/P1/status", #"{"state": "DOWN", "ts": \#(now - 1)}"#)])
        #expect(reply.status == .accepted && reply.accepted == 1 && reply.rejected.isEmpty)
        #expect(hub.journal.messageCount == 1)
        #expect(sim.json("press-1", "MachineControl")?["forcedDown"]?.boolValue == false)
        step(sim, hub)
        #expect(sim.json("press-1", "MachineControl")?["forcedDown"]?.boolValue == true)
        #expect(sim.json("press-2", "MachineControl")?["forcedDown"]?.boolValue == false)
        let reported = try #require(sim.json("press-1", "LiveReported")?["fields"]?["MachineControl.forcedDown"])
        #expect(reported["text"]?.stringValue == "DOWN" && reported["value"] == .array([.number(1)]))
        #expect(reported["time"]?.doubleValue == now - 1 && reported["appliedAt"]?.doubleValue == 3 * 0.05)
        // The simulation may change the field; reported stays what the source said.
        sim.commandQueue.enqueue(.set(entity: .name("press-1"), component: "MachineControl", value: .object([("forcedDown", .bool(false))])))
        step(sim, hub)
        #expect(sim.json("press-1", "MachineControl")?["forcedDown"]?.boolValue == false)
        #expect(sim.json("press-1", "LiveReported")?["fields"]?["MachineControl.forcedDown"]?["text"]?.stringValue == "DOWN")
    }

    @Test("desired: an operator sets it through a world command; the next report keeps it beside the reported value; the reply's JSON is what the server returns")
    func desired() throws {
        let dir = LiveScene.temporaryDirectory("desired")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        _ = hub.submit([LiveScene.message("plant/P1/status", #"{"state": "DOWN", "ts": \#(now)}"#)])
        step(sim, hub)
        let ask = try WorldCommand.decode(JSONParser.parse(#"{"op": "set", "entity": "press-1", "component": "LiveReported", "value": {"fields": {"MachineControl.forcedDown": {"desired": [0]}}}}"#))
        sim.commandQueue.enqueue(ask)
        step(sim, hub)
        let reply = hub.submit([LiveScene.message("plant/P1/status", #"{"state": "IDLE", "ts": \#(now + 1)}"#), LiveScene.message("plant/P1/status", "{}")])
        step(sim, hub)
        let field = try #require(sim.json("press-1", "LiveReported")?["fields"]?["MachineControl.forcedDown"])
        #expect(field["desired"] == .array([.number(0)]) && field["text"]?.stringValue == "IDLE" && field["time"]?.doubleValue == now + 1)
        #expect(JSONWriter.string(reply.json) == #"{"status":"accepted","accepted":1,"rejected":[{"index":1,"reason":"binding \"status\": no timestamp at ts"}]}"#)
        #expect(JSONWriter.string(IngestReply(status: .retryAfter(1)).json) == #"{"status":"retry","retryAfter":1,"accepted":0,"rejected":[]}"#)
    }

    @Test("a value the world refuses is a dead letter of the message it came from, not of another producer's command in the same step")
    func refusedByWorld() throws {
        let dir = LiveScene.temporaryDirectory("refused")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        // Another producer's command, refused too, queued before ours.
        sim.commandQueue.enqueue(.set(entity: .name("nobody"), component: "MachineControl", value: .object([("release", .number(1))])))
        // Running totals 2.5 (not an integer: the world refuses it), then 3.
        let reply = hub.submit([LiveScene.message("plant/door", #"{"door": "door", "entered": 2.5}"#),
                                LiveScene.message("plant/door", #"{"door": "door", "entered": 0.5}"#)])
        #expect(reply.accepted == 2)
        step(sim, hub)
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == 3)
        #expect(sim.commandLog.filter { $0.rejection != nil }.count == 1 && sim.journaledRejected == 1)
        hub.pump(sim)
        let dead = try hub.journal.deadLetters(limit: 10)
        #expect(dead.count == 1)
        #expect(dead.first?.seq == 1 && dead.first?.reason.hasPrefix("the world refused set MachineControl: ") == true, "\(dead)")
    }

    @Test("bad input: each message refused with its reason into the dead letters; the good ones in the same batch apply")
    func badInput() throws {
        let dir = LiveScene.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        let batch = [
            LiveScene.message("plant/P1/status", #"{"state": "BURNING", "ts": \#(now)}"#),
            LiveScene.message("plant/P1/status", #"{"state": 7, "ts": \#(now)}"#),
            LiveScene.message("plant/P2/status", #"{"state": "DOWN", "ts": \#(now + 86400)}"#),
            LiveScene.message("plant/door", #"{"door": "main", "entered": 2000}"#),
            LiveScene.message("plant/door", #"{"door": "main", "entered": "many"}"#),
            LiveScene.message("plant/door", #"[1, 2]"#),
            LiveScene.message("elsewhere/x", #"{"a": 1}"#),
            LiveScene.message("plant/P2/status", #"{"state": "DOWN", "ts": \#(now)}"#, id: "m-1"),
            LiveScene.message("plant/P2/status", #"{"state": "RUN", "ts": \#(now)}"#, id: "m-1"),
            LiveScene.message("plant/P9/status", #"{"state": "DOWN", "ts": \#(now)}"#),
        ]
        let reply = hub.submit(batch)
        hub.refuse(UnparsedMessage(source: "http", topic: "plant/door", raw: "{\"door\": ", reason: "malformed JSON at 1:10: unexpected end"))
        #expect(reply.status == .accepted && reply.accepted == 2)
        #expect(reply.rejected.map(\.index) == [0, 1, 2, 3, 4, 5, 6, 8])
        step(sim, hub, 2)
        let dead = try reasons(hub)
        let expected = [
            "\"BURNING\" is not one of DOWN, IDLE, RUN", "7 is not one of", "ahead of the receiving clock",
            "2000 is above the maximum 1000", "expected a number, found a string", "the payload is a JSON object, found an array",
            "no binding takes source \"mqtt\" topic \"elsewhere/x\"", "duplicate: mqtt message id \"m-1\"", "malformed JSON",
            "no entity \"P9\" for id \"P9\"",
        ]
        for e in expected { #expect(dead.contains { $0.contains(e) }, "missing dead letter: \(e) in \(dead)") }
        #expect(dead.count == expected.count)
        #expect(sim.json("press-2", "MachineControl")?["forcedDown"]?.boolValue == true)
        #expect(sim.stepCount == 2)
        // Inspectable: each dead letter keeps the body as received.
        let letters = try hub.journal.deadLetters(limit: 100)
        #expect(letters.contains { $0.payload == "{\"door\": " && $0.source == "http" })
        #expect(letters.contains { $0.seq != nil && $0.reason.contains("P9") })
    }

    @Test("late policy drop: an older timestamp than the one applied is dead-lettered as late")
    func lateDrop() throws {
        let dir = LiveScene.temporaryDirectory("drop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        _ = hub.submit([LiveScene.message("plant/P1/status", #"{"state": "DOWN", "ts": \#(now - 5)}"#)])
        step(sim, hub)
        _ = hub.submit([LiveScene.message("plant/P1/status", #"{"state": "RUN", "ts": \#(now - 10)}"#)])
        step(sim, hub)
        #expect(sim.json("press-1", "MachineControl")?["forcedDown"]?.boolValue == true)
        #expect(try reasons(hub).count == 1 && reasons(hub)[0].contains("late"))
    }

    @Test("late policy reorder (window 2 s): held until 2 s newer data arrives, applied in timestamp order; older than the window refused")
    func reorder() throws {
        let dir = LiveScene.temporaryDirectory("reorder")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        func truck(_ dt: Double, eta: Double) -> IngestMessage {
            LiveScene.message("fleet/T7", #"{"lat": 48.0, "lon": 11.0, "eta": \#(eta), "ts": \#(now - 100 + dt)}"#)
        }
        _ = hub.submit([truck(0, eta: 10)]); step(sim, hub)
        #expect(sim.entity(.name("truck-T7")) == nil)  // held: nothing 2 s newer yet
        _ = hub.submit([truck(3, eta: 13)]); step(sim, hub)
        #expect(sim.json("truck-T7", "Lifetime")?["remaining"]?.doubleValue == 600)  // t=0 released, created from the prefab
        _ = hub.submit([truck(1, eta: 11), truck(-1, eta: 9)]); step(sim, hub)
        #expect(sim.json("truck-T7", "Lifetime")?["remaining"]?.doubleValue == 660)  // t=1 released in order; t=−1 too old
        _ = hub.submit([truck(6, eta: 16)]); step(sim, hub)
        #expect(sim.json("truck-T7", "Lifetime")?["remaining"]?.doubleValue == 780)  // t=3
        let dead = try reasons(hub)
        #expect(dead.count == 1 && dead[0].contains("more than the reorder window"))
        #expect(sim.json("truck-T7", "Kind") == .string("vehicle"))
    }

    @Test("count: a running total across messages; event: each message spawns an entity from the prefab")
    func countAndEvent() throws {
        let dir = LiveScene.temporaryDirectory("count")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        _ = hub.submit([LiveScene.message("plant/door", #"{"door": "main", "entered": 3}"#), LiveScene.message("plant/door", #"{"door": "main", "entered": 4}"#)])
        step(sim, hub)
        _ = hub.submit([LiveScene.message("plant/door", #"{"door": "main", "entered": 40}"#)])
        step(sim, hub)
        #expect(sim.json("main", "MachineControl") == nil)  // the id "main" names no entity…
        #expect(try reasons(hub).count == 3)                // …so every message is refused with a reason
        let before = sim.world.aliveCount
        _ = hub.submit([LiveScene.message("plant/alarm", #"{"zone": "smoke-A"}"#), LiveScene.message("plant/alarm", #"{"zone": "smoke-B"}"#)])
        step(sim, hub)
        let why = try reasons(hub)
        #expect(sim.world.aliveCount == before + 2, "\(why)")
        var kinds: [String] = []
        sim.world.query(Kind.self).forEach { _, k in kinds.append(k.value) }
        #expect(kinds.contains("smoke-A") && kinds.contains("smoke-B"))
    }

    @Test("count into an existing entity: 3 + 4 + 40 = 47 (total)")
    func countTotal() throws {
        let dir = LiveScene.temporaryDirectory("total")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        _ = hub.submit([LiveScene.message("plant/door", #"{"door": "door", "entered": 3}"#), LiveScene.message("plant/door", #"{"door": "door", "entered": 4}"#)])
        step(sim, hub)
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == 7)
        _ = hub.submit([LiveScene.message("plant/door", #"{"door": "door", "entered": 40}"#)])
        step(sim, hub)
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == 47)
    }

    /// Two samples 1 s apart (x = 0 mm, then 1000 mm): the position moves linearly
    /// over the 20 steps of 0.05 s that follow the second — x = (j + 1)/20 m at the
    /// j-th — and then stays. Within 1e-6 m: positions are stored as Float.
    @Test("interpolate: linear ramp from the previous sample over the samples' time gap (analytic, 1e-6 m, Float storage)")
    func interpolate() throws {
        let dir = LiveScene.temporaryDirectory("interp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        _ = hub.submit([LiveScene.message("plant/forklift", #"{"id": "forklift", "x": 0, "y": 0, "ts": \#(now - 10)}"#)])
        step(sim, hub)
        _ = hub.submit([LiveScene.message("plant/forklift", #"{"id": "forklift", "x": 1000, "y": 0, "ts": \#(now - 9)}"#)])
        for j in 0..<25 {
            step(sim, hub)
            let x = try #require(sim.json("forklift", "Position")?.elements?.first?.doubleValue)
            let expected = Double(min(j + 1, 20)) / 20
            #expect(abs(x - expected) < 1e-6, "step \(j): x = \(x), expected \(expected)")
        }
        #expect(sim.json("forklift", "LiveReported")?["fields"]?["Position"]?["value"] == .array([.number(1), .number(0), .number(0)]))
    }

    @Test("back-pressure: a full queue answers retry-after and journals nothing; an oversized batch fails")
    func backPressure() throws {
        let dir = LiveScene.temporaryDirectory("bp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir, capacity: 3)
        let m = { (i: Int) in LiveScene.message("plant/door", #"{"door": "door", "entered": \#(i)}"#) }
        #expect(hub.submit((0..<4).map(m)).status == .failed("a batch of 4 messages exceeds the queue capacity (3); send smaller batches"))
        #expect(hub.submit((0..<3).map(m)).status == .accepted)
        #expect(hub.submit([m(9)]).status == .retryAfter(1))
        #expect(hub.journal.messageCount == 3 && hub.pendingCount == 3)
        step(sim, hub)
        #expect(hub.pendingCount == 0)
        #expect(hub.submit([m(9)]).status == .accepted)
        step(sim, hub)
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == 12.0)
    }
}

@Suite("IngestHub group commit: concurrent sources share journal commits")
struct GroupCommitTests {
    /// Thread-safe list of replies.
    final class Replies: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [IngestReply] = []
        func add(_ r: IngestReply) { lock.withLock { list.append(r) } }
        var all: [IngestReply] { lock.withLock { list } }
    }

    @Test("8 threads × 25 batches: every message journaled once, in one sequence, each reply counting its own batch; a message id sent by two threads is accepted once")
    func concurrentBatches() throws {
        let dir = LiveScene.temporaryDirectory("group")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir, capacity: 100_000)
        let replies = Replies()
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for b in 0..<25 {
                var batch = (0..<10).map { k in
                    var m = LiveScene.message("plant/door", #"{"door": "door", "entered": 1}"#)
                    m.id = "t\(t)-b\(b)-\(k)"
                    return m
                }
                // Every thread also sends one message of a shared id per batch.
                var shared = LiveScene.message("plant/door", #"{"door": "door", "entered": 1000}"#)
                shared.id = "shared-\(b)"
                batch.append(shared)
                replies.add(hub.submit(batch))
            }
        }
        let all = replies.all
        #expect(all.count == 200 && all.allSatisfy { $0.status == .accepted })
        #expect(all.reduce(0) { $0 + $1.accepted } == 8 * 25 * 10 + 25)
        // Each reply names the shared message (index 10) as the duplicate or accepts it.
        #expect(all.filter { $0.rejected.isEmpty }.count == 25)
        #expect(all.allSatisfy { $0.rejected.allSatisfy { $0.index == 10 && $0.reason.hasPrefix("duplicate") } })
        #expect(hub.journal.messageCount == 2025 && hub.pendingCount == 2025)
        hub.pump(sim); sim.step()
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == Double(2000 + 25 * 1000))
    }

    @Test("a group over the queue's capacity: the batches that do not fit answer retry-after and journal nothing")
    func groupOverCapacity() throws {
        let dir = LiveScene.temporaryDirectory("group-cap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir, capacity: 100)
        let replies = Replies()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            replies.add(hub.submit((0..<30).map { _ in LiveScene.message("plant/door", #"{"door": "door", "entered": 1}"#) }))
        }
        let all = replies.all
        let accepted = all.filter { $0.status == .accepted }
        #expect(accepted.count == 3 && accepted.allSatisfy { $0.accepted == 30 })
        #expect(all.filter { $0.status == .retryAfter(1) && $0.httpStatus == 429 && $0.accepted == 0 }.count == 5)
        #expect(hub.journal.messageCount == 90 && hub.pendingCount == 90)
    }
}

@Suite("Ingest request bodies (what the server's HTTP and WebSocket routes forward)")
struct HTTPBodyTests {
    @Test("one message, a batch, and bad bodies: 400 with a dead letter; bad items refused by index, the rest accepted")
    func bodies() throws {
        let dir = LiveScene.temporaryDirectory("http")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        let one = hub.submit(body: Array(#"{"topic": "plant/door", "payload": {"door": "door", "entered": 2}, "id": "a"}"#.utf8))
        #expect(one.status == .accepted && one.accepted == 1 && one.httpStatus == 200)
        let batch = hub.submit(body: Array("""
            {"messages": [
              {"topic": "plant/door", "payload": {"door": "door", "entered": 5}},
              {"topic": "plant/door", "payload": {"door": "door", "entered": "x"}},
              {"payload": {"x": 1}},
              {"topic": "plant/door", "payload": {"door": "door", "entered": 1}, "colour": "red"},
              {"topic": "plant/door", "payload": {"door": "door", "entered": 1}, "id": "a"}
            ]}
            """.utf8))
        #expect(batch.status == .accepted && batch.accepted == 1)
        #expect(batch.rejected.map(\.index) == [1, 2, 3, 4], "\(batch.rejected)")
        #expect(batch.rejected[2].reason.contains("unknown member \"colour\""))
        for body in ["{\"topic\": ", "[1, 2]", "{\"messages\": [], \"x\": 1}"] {
            let r = hub.submit(body: Array(body.utf8))
            #expect(r.httpStatus == 400, "\(body)")
        }
        hub.pump(sim); sim.step()
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == 7)
        #expect(try hub.journal.deadLetters().count == 4 + 3)
    }
}
