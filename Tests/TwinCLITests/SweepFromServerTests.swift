import Foundation
import Testing
import TwinBatch
import TwinRuntime
import TwinServer
import TwinTesting

/// What-if from now on a live twin: `twin sweep` forks every run from the state of a
/// world running under `twin serve` (`fromState: http://…/api/worlds/ID/state`).
@Suite("A sweep forked from a live world", .timeLimit(.minutes(4)))
struct SweepFromServerTests {
    @Test("fetched once into DB.state.json: the fork equals the same moment saved by twin run; resume keeps it; bad token and unknown world are clear errors")
    func forkFromServer() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-sweep-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (serve, port) = try ServeProcess.start(["Scenes/warehouse-arrivals.json", "--port", "0", "--data", dir + "/data",
                                                     "--token", "live-admin-token:admin", "--token", "live-read-token:read"])
        defer { if serve.isRunning { serve.terminate(); serve.waitUntilExit() } }
        // 60 s of the live world (dt = 1/64 s).
        let stepped = try await LoopbackClient.request(port: port, "POST", "/api/worlds/warehouse-arrivals/step",
                                                       token: "live-admin-token", body: Array(#"{"count": 3840, "wait": true}"#.utf8), timeout: 120)
        #expect(stepped.status == 200, "\(stepped.text)")

        func experiment(world: String = "warehouse-arrivals") -> String {
            """
            {"format": "twin-experiment/1", "name": "live-fork",
             "fromState": "http://127.0.0.1:\(port)/api/worlds/\(world)/state",
             "parameters": {"rate": {"values": [0.8, 1.6]}},
             "commands": [{"op": "set", "entity": "arrivals", "component": "Spawner", "value": {"rate": {"$param": "rate"}}}],
             "kpis": ["onBelt", {"name": "received", "statistic": "increase"}], "duration": 60}
            """
        }
        try experiment().write(toFile: dir + "/exp.json", atomically: true, encoding: .utf8)
        var r = try await onOwnThread {
            try TwinProcess.run(["sweep", "exp.json", "--jobs", "2", "--db", "live.sqlite", "--token", "live-read-token"], cwd: dir)
        }
        try #require(r.status == 0, "\(r.stderr)")
        let rows = try ResultStore(path: dir + "/live.sqlite", experiment: nil, mode: .read).runs()
        #expect(rows.count == 2 && rows.allSatisfy { $0.status == .ok })
        let fetched = try Checkpoint.read(file: dir + "/live.sqlite.state.json")
        #expect(fetched.step == 3840)
        // The live world ran the scene with its own seed and no commands, so its state at
        // 60 s is the one `twin run --duration 60` saves: bit-identical.
        r = try await onOwnThread {
            try TwinProcess.run(["run", packageRoot() + "/Scenes/warehouse-arrivals.json", "--duration", "60", "--save-state", "now.json",
                                 "--out", "out"], cwd: dir)
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Checkpoint.read(file: dir + "/now.json").stateHash == fetched.stateHash)

        // The world moves on; a resume forks from the moment fetched first, not from now.
        _ = try await LoopbackClient.request(port: port, "POST", "/api/worlds/warehouse-arrivals/step",
                                             token: "live-admin-token", body: Array(#"{"count": 64, "wait": true}"#.utf8))
        r = try await onOwnThread {
            try TwinProcess.run(["sweep", "exp.json", "--resume", "--db", "live.sqlite", "--token", "live-read-token"], cwd: dir)
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Checkpoint.read(file: dir + "/live.sqlite.state.json").step == 3840)

        // Refusals are clear errors, and no results database is left behind.
        r = try await onOwnThread { try TwinProcess.run(["sweep", "exp.json", "--db", "anon.sqlite"], cwd: dir, environment: ["TWIN_TOKEN": ""]) }
        #expect(r.status == 1)
        #expect(r.stderr.contains("401"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/anon.sqlite"))
        try experiment(world: "nope").write(toFile: dir + "/nope.json", atomically: true, encoding: .utf8)
        r = try await onOwnThread { try TwinProcess.run(["sweep", "nope.json", "--db", "nope.sqlite", "--token", "live-read-token"], cwd: dir) }
        #expect(r.status == 1)
        #expect(r.stderr.contains("404") && r.stderr.contains("no world"), "\(r.stderr)")
    }
}
