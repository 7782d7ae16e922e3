import Foundation
import Synchronization
import Testing
import TwinRuntime
import TwinTesting
@testable import TwinServer

/// A real server on an ephemeral loopback port with a temporary data directory and
/// one token per scope; `stop()` shuts it down and removes the directory.
final class ServerFixture: Sendable {
    static let admin = "admin-secret-0001"
    static let reader = "reader-secret-0001"
    static let controller = "control-secret-0001"
    static let ingester = "ingest-secret-0001"

    /// Three entities under `core.integrate`: `cart` (vehicle) moves +x at 1 m/s, `robot`
    /// (machine) moves −z at 0.5 m/s from (10, 0, 5), `pillar` (static) stays at (5, 0, 5).
    /// dt = 1/64 s is exact in binary, so positions after N steps are exact multiples.
    static let moversScene = #"""
    {"format": "twin-scene/1", "name": "movers", "world": {"dt": 0.015625, "duration": 600, "seed": 1},
     "prefabs": {"box": {"components": {"Kind": "crate", "Velocity": [0, 1, 0]}}},
     "entities": [
       {"name": "cart", "kind": "vehicle", "components": {"Position": [0, 0, 0], "Velocity": [1, 0, 0]}},
       {"name": "robot", "kind": "machine", "components": {"Position": [10, 0, 5], "Velocity": [0, 0, -0.5]}},
       {"name": "pillar", "kind": "static", "components": {"Position": [5, 0, 5]}}
     ],
     "systems": [{"id": "core.integrate", "params": {"damping": 0}}],
     "measurements": [
       {"name": "moving", "kind": "count", "with": ["Velocity"], "every": 1},
       {"name": "meanX", "kind": "mean", "of": "Position.x", "with": ["Velocity"], "every": 1}
     ]}
    """#

    let server: TwinWorldServer
    let port: Int
    let directory: String
    private let task: Task<Void, any Error>

    static func start(configure: (inout ServerConfig) -> Void = { _ in }) async throws -> ServerFixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let scene = dir + "/movers.json"
        try moversScene.write(toFile: scene, atomically: true, encoding: .utf8)
        var config = ServerConfig(dataDirectory: dir + "/data")
        config.port = 0
        config.sceneFiles = [scene, packageRoot() + "/Scenes/warehouse-arrivals.json"]
        config.rateLimit = 0
        for t in ["\(admin):admin", "\(reader):read", "\(controller):control", "\(ingester):ingest"] { try config.tokens.add(t) }
        configure(&config)
        let server = TwinWorldServer(config: config)
        try server.host(sceneFile: scene, id: "movers")
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task {
            // A server that fails to start ends the stream, so start() fails instead of waiting.
            defer { continuation.finish() }
            try await server.run(signals: false) { continuation.yield($0) }
        }
        var port = 0
        for await p in ports { port = p; break }
        guard port > 0 else {
            _ = await task.result
            throw LoopbackClient.Failure(description: "the server did not start: \(String(describing: await task.result))")
        }
        return ServerFixture(server: server, port: port, directory: dir, task: task)
    }

    private init(server: TwinWorldServer, port: Int, directory: String, task: Task<Void, any Error>) {
        self.server = server; self.port = port; self.directory = directory; self.task = task
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(atPath: directory)
    }

    func request(_ method: String, _ path: String, token: String? = ServerFixture.admin, json: String? = nil,
                 body: [UInt8]? = nil) async throws -> LoopbackClient.Reply {
        try await LoopbackClient.request(port: port, method, path, token: token, body: body ?? json.map { Array($0.utf8) })
    }

    /// The reply's JSON body.
    func json(_ method: String, _ path: String, token: String? = ServerFixture.admin, json: String? = nil,
              expect status: Int = 200) async throws -> JSONValue {
        let r = try await request(method, path, token: token, json: json)
        #expect(r.status == status, "\(method) \(path): \(r.text)")
        return try JSONParser.parse(r.body)
    }

    /// Runs `n` steps and waits for them.
    func step(_ n: Int, world: String = "movers") async throws -> JSONValue {
        try await json("POST", "/api/worlds/\(world)/step", json: #"{"count": \#(n), "wait": true}"#)
    }
}

/// Runs `body` against a fresh server, stopping it afterwards even when `body` throws.
func withServer(configure: (inout ServerConfig) -> Void = { _ in }, _ body: (ServerFixture) async throws -> Void) async throws {
    let f = try await ServerFixture.start(configure: configure)
    do { try await body(f) } catch { await f.stop(); throw error }
    await f.stop()
}

extension JSONValue {
    var int: Int? { doubleValue.map { Int($0) } }
}
