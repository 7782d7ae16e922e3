import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

@Suite("Replay of recorded JSON Lines and CSV")
struct ReplaySourceTests {
    let t0 = LiveScene.now - 100

    @Test("CSV: header columns become payload members; each line applies at the step its time falls in; bad lines are dead letters")
    func csvSimPaced() throws {
        let dir = LiveScene.temporaryDirectory("csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = """
            time,topic,door,entered,note
            \(t0),plant/door,door,3,"morning, early"
            \(t0 + 0.5),plant/door,door,4,
            \(t0 + 1),plant/door,door,"not a number",x
            soon,plant/door,door,1,
            \(t0 + 2),plant/door,door
            \(t0 + 2),plant/door,door,40,
            """
        try csv.write(toFile: dir + "/door.csv", atomically: true, encoding: .utf8)
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        let replay = try ReplaySource(path: dir + "/door.csv", hub: hub)
        var releases: [Double] = []
        for _ in 0..<50 {
            replay.feed(through: sim.stepCount, epoch: t0, dt: sim.dt)
            hub.pump(sim); sim.step()
            releases.append(sim.json("door", "MachineControl")?["release"]?.doubleValue ?? -1)
        }
        #expect(replay.isFinished)
        // Total count: 3 at step 0, +4 at step 10 (0.5 s / 0.05 s), +40 at step 40.
        #expect(releases[0] == 3 && releases[9] == 3 && releases[10] == 7 && releases[39] == 7 && releases[40] == 47, "\(releases)")
        let dead = try hub.journal.deadLetters().map(\.reason)
        #expect(dead.count == 3, "\(dead)")
        #expect(dead.contains { $0.contains("expected a number, found a string") })
        #expect(dead.contains { $0.contains("door.csv:5: \"time\" must be a number") })
        #expect(dead.contains { $0.contains("door.csv:6: 3 cells, the header has 5") })
        #expect(CSV.fields("a,\"b, c\",\"say \"\"hi\"\"\",") == ["a", "b, c", "say \"hi\"", ""])
    }

    @Test("JSON Lines: a restarted replay continues after the last journaled line")
    func resume() throws {
        let dir = LiveScene.temporaryDirectory("jsonl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = (0..<10).map { i in #"{"time": \#(t0 + Double(i)), "source": "mqtt", "topic": "plant/P1/status", "payload": {"state": "\#(i % 2 == 0 ? "DOWN" : "RUN")", "ts": \#(t0 + Double(i))}}"# }
        try lines.joined(separator: "\n").write(toFile: dir + "/feed.jsonl", atomically: true, encoding: .utf8)
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        let first = try ReplaySource(path: dir + "/feed.jsonl", hub: hub)
        first.feed(through: 80, epoch: t0, dt: sim.dt)   // lines at 0…4 s
        #expect(first.next == 5 && hub.journal.messageCount == 5)
        let second = try ReplaySource(path: dir + "/feed.jsonl", hub: hub)
        #expect(second.next == 5)
        second.feed(through: 1000, epoch: t0, dt: sim.dt)
        #expect(second.isFinished && hub.journal.messageCount == 10)
    }

    @Test("wall-clock pacing at a speed factor: 10 lines 1 s apart at 20× take about 0.45 s (lines sent when due, not before)")
    func wallPaced() throws {
        let dir = LiveScene.temporaryDirectory("wall")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = (0..<10).map { i in #"{"time": \#(t0 + Double(i)), "topic": "plant/door", "payload": {"door": "door", "entered": 1}}"# }
        try lines.joined(separator: "\n").write(toFile: dir + "/feed.jsonl", atomically: true, encoding: .utf8)
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        let replay = try ReplaySource(path: dir + "/feed.jsonl", hub: hub)
        let start = Date()
        replay.run(speed: 20)
        let elapsed = Date().timeIntervalSince(start)
        // Ordering check, not a benchmark: the last line is due 9/20 s after the first.
        #expect(elapsed >= 0.45 && hub.journal.messageCount == 10, "\(elapsed) s")
    }
}
