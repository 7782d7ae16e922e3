import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

/// The process is really killed (SIGKILL, mid-run: no chance to flush or save) and
/// started again with the same journal and checkpoint; it must end in the state of
/// a run that never stopped.
@Suite("twin live: kill -9 and restart loses nothing", .serialized, .timeLimit(.minutes(3)))
struct KillRestartTests {
    static var twin: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (me as NSString).deletingLastPathComponent + "/twin"
    }

    /// The recovery feed as a recorded JSON Lines file, one line per message, times
    /// on the simulated clock from `LiveScene.now - 1000`.
    static func writeFeed(_ path: String, steps: Int) throws {
        var lines: [String] = []
        for s in 0..<steps {
            for m in RecoveryTests.feed(s) {
                let t = LiveScene.now - 1000 + Double(s) * 0.05
                lines.append(JSONWriter.string(.object([
                    ("time", .number(t)), ("source", .string(m.source)), ("topic", .string(m.topic)), ("payload", m.payload),
                ] + (m.id.map { [("id", JSONValue.string($0))] } ?? []))))
            }
        }
        lines.append("this line is not JSON")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func live(_ dir: String, _ tag: String, speed: Double) -> [String] {
        ["live", dir + "/scene.json", "--journal", dir + "/\(tag).sqlite", "--state", dir + "/\(tag).state.json",
         "--checkpoint-every", "40", "--replay", dir + "/feed.jsonl", "--pace", "sim", "--steps", "\(RecoveryTests.total)",
         "--speed", "\(speed)", "--json"]
    }

    func summary(_ output: String) throws -> JSONValue {
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON summary in: \(output)")
        return try JSONParser.parse(String(line))
    }

    @Test("kill -9 mid-run, restart: same final state hash, journal and dead letters as an uninterrupted run")
    func killAndRestart() throws {
        try Services.require(Self.twin, package: "(build the twin product)")
        let dir = LiveScene.temporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try LiveScene.text.write(toFile: dir + "/scene.json", atomically: true, encoding: .utf8)
        try Self.writeFeed(dir + "/feed.jsonl", steps: RecoveryTests.total)

        let reference = try Services.run(Self.twin, live(dir, "ref", speed: 1000), timeout: 120)
        #expect(reference.status == 0, "\(reference.output)")
        let ref = try summary(reference.output)

        // 240 steps of 0.05 s at 4× real time take 3 s; kill after about half.
        let pid = try Services.spawn(Self.twin, live(dir, "kill", speed: 4), log: dir + "/killed.log")
        Thread.sleep(forTimeInterval: 1.5)
        kill(pid, SIGKILL)
        let killedStatus = Services.reap(pid, timeout: 10)
        #expect(killedStatus == 128 + SIGKILL, "the run had already ended (status \(killedStatus.map(String.init) ?? "?")): kill earlier")
        #expect(FileManager.default.fileExists(atPath: dir + "/kill.state.json"))
        let journaledBefore = try IngestJournal(path: dir + "/kill.sqlite").messageCount
        #expect(journaledBefore > 0)

        let restarted = try Services.run(Self.twin, live(dir, "kill", speed: 1000), timeout: 120)
        #expect(restarted.status == 0, "\(restarted.output)")
        let again = try summary(restarted.output)
        #expect(again["steps"]?.doubleValue == Double(RecoveryTests.total))
        #expect(again["stateHash"]?.stringValue == ref["stateHash"]?.stringValue)
        #expect(again["journaled"]?.doubleValue == ref["journaled"]?.doubleValue)
        #expect(again["deadLetters"]?.doubleValue == ref["deadLetters"]?.doubleValue)
        #expect((ref["deadLetters"]?.doubleValue ?? 0) >= 3)  // duplicate, late, the non-JSON line

        let letters = try Services.run(Self.twin, ["live", dir + "/scene.json", "--journal", dir + "/kill.sqlite", "--dead-letters"])
        #expect(letters.output.contains("this line is not JSON") && letters.output.contains("duplicate"))
    }
}
