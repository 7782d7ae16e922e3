import Foundation
import Testing
import TwinRuntime
import TwinServer
import TwinTesting

/// `twin serve` as a user starts it: a shipped scene, a token, SIGTERM to stop.
@Suite("twin serve, end to end", .timeLimit(.minutes(2)))
struct ServeCLITests {
    @Test("serves a shipped scene, refuses without a token, and saves world states on SIGTERM")
    func serveAndShutDown() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("twin-serve-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (p, port) = try ServeProcess.start(["Scenes/warehouse-arrivals.json", "--port", "0", "--data", data,
                                                "--token", "cli-test-token:admin", "--play", "--save-on-shutdown"])
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        #expect(port > 0)

        let worlds = try await LoopbackClient.request(port: port, "GET", "/api/worlds", token: "cli-test-token")
        #expect(worlds.status == 200)
        let first = try JSONParser.parse(worlds.body)["worlds"]?.elements?.first
        #expect(first?["id"]?.stringValue == "warehouse-arrivals")
        #expect(first?["playing"]?.boolValue == true)
        #expect(try await LoopbackClient.request(port: port, "GET", "/api/worlds").status == 401)
        let glb = try await LoopbackClient.request(port: port, "GET", "/api/worlds/warehouse-arrivals/snapshot.glb", token: "cli-test-token")
        #expect(Array(glb.body.prefix(4)) == Array("glTF".utf8))

        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let state = try Checkpoint.read(file: data + "/states/warehouse-arrivals.json")
        #expect(state.step > 0)

        let refused = try TwinProcess.run(["serve", "Scenes/warehouse-arrivals.json", "--port", "0"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--token"))
    }
}

/// `twin serve ARGS` started from the package root; returns once it listens, with its port.
enum ServeProcess {
    static func start(_ args: [String]) throws -> (Process, Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TwinProcess.executable)
        p.arguments = ["serve"] + args
        p.currentDirectoryURL = URL(fileURLWithPath: packageRoot())
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        var text = ""
        while !text.contains("listening on http://"), p.isRunning {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let port = Int(text.components(separatedBy: "http://127.0.0.1:").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? 0
        guard port > 0 else {
            if p.isRunning { p.terminate(); p.waitUntilExit() }
            throw ServeFailure(description: "twin serve did not start: \(text)")
        }
        return (p, port)
    }
}

struct ServeFailure: Error, CustomStringConvertible { let description: String }
