import Foundation
import Testing
import TwinRuntime
@testable import TwinServer

@Suite(.timeLimit(.minutes(3)))
struct SnapshotAndOpsTests {
    static func metric(_ text: String, _ name: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func snapshotsAreValidAndCachedPerStep() async throws {
        try await withServer { s in
            _ = try await s.step(10)
            async let a = s.request("GET", "/api/worlds/movers/snapshot.glb", token: ServerFixture.reader)
            async let b = s.request("GET", "/api/worlds/movers/snapshot.glb", token: ServerFixture.reader)
            let (ra, rb) = try await (a, b)
            #expect(ra.status == 200)
            #expect(ra.headers["content-type"] == "model/gltf-binary")
            #expect(Array(ra.body.prefix(4)) == Array("glTF".utf8))
            #expect(ra.body == rb.body)
            #expect(ra.headers["x-twin-step"] == "10")
            let png = try await s.request("GET", "/api/worlds/movers/snapshot.png?size=320x180&camera=top-down", token: ServerFixture.reader)
            #expect(png.status == 200)
            #expect(Array(png.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            // IHDR width and height, big-endian at bytes 16…23.
            let w = png.body[16..<20].reduce(0) { $0 << 8 | Int($1) }, h = png.body[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect((w, h) == (320, 180))
            _ = try await s.request("GET", "/api/worlds/movers/snapshot.png?size=320x180&camera=top-down", token: ServerFixture.reader)
            let metrics = try await s.request("GET", "/metrics", token: nil).text
            // Two glb requests and two identical png requests at one step: two renders.
            #expect(Self.metric(metrics, "twin_snapshot_renders_total") == 2)
            _ = try await s.step(1)
            let next = try await s.request("GET", "/api/worlds/movers/snapshot.glb", token: ServerFixture.reader)
            #expect(next.headers["x-twin-step"] == "11")

            // The density overlay of the moment is its own view. A far-away marker widens the
            // density grid (64 cells on the longer side) so cells are larger than the boxes on them.
            _ = try await s.json("POST", "/api/worlds/movers/commands",
                                 json: #"{"op": "spawn", "name": "far", "components": {"Position": [120, 0, 0]}}"#, expect: 202)
            _ = try await s.step(1)
            let plain = try await s.request("GET", "/api/worlds/movers/snapshot.png?size=320x180&camera=top-down", token: ServerFixture.reader)
            let heat = try await s.request("GET", "/api/worlds/movers/snapshot.png?size=320x180&camera=top-down&overlay=density",
                                           token: ServerFixture.reader)
            #expect(heat.status == 200)
            #expect(heat.headers["x-twin-step"] == "12")
            #expect(plain.body != heat.body)
        }
    }

    @Test func healthMetricsAndOpenAPI() async throws {
        try await withServer { s in
            let health = try await s.json("GET", "/healthz", token: nil)
            #expect(health["status"]?.stringValue == "ok")
            _ = try await s.step(5)
            let metrics = try await s.request("GET", "/metrics", token: nil).text
            #expect(Self.metric(metrics, #"twin_steps_total{world="movers"}"#) == 5)
            #expect(Self.metric(metrics, "twin_worlds") == 1)
            #expect(metrics.contains("twin_http_request_seconds_bucket"))
            #expect(metrics.contains(#"twin_step_seconds_count{world="movers"} 5"#))

            let doc = try await s.json("GET", "/openapi.json", token: nil)
            #expect(doc["openapi"]?.stringValue == "3.1.0")
            let paths = doc["paths"]?.members ?? []
            #expect(paths.count == Set(OpenAPI.operations.map(\.path)).count)
            // Every documented operation is routed: none answers the router's bare 404.
            for p in paths {
                // DELETE would end the test world; the endless SSE stream has its own test.
                for op in p.value.members ?? [] where op.key != "delete" && !p.key.hasSuffix("/events") {
                    let path = p.key.replacingOccurrences(of: "{id}", with: "movers").replacingOccurrences(of: "{ref}", with: "cart")
                        .replacingOccurrences(of: "{name}", with: "x")
                    let r = try await s.request(op.key.uppercased(), path, json: op.key == "put" ? "{}" : nil)
                    #expect(r.status != 404 || r.text.contains("\"error\""), "\(op.key) \(p.key) is not routed")
                    #expect(r.status != 405, "\(op.key) \(p.key)")
                    if op.value["responses"]?[String(r.status)] == nil && r.status != 101 {
                        Issue.record("\(op.key) \(p.key) answered \(r.status), not documented: \(r.text.prefix(200))")
                    }
                }
            }
        }
    }

    @Test func gracefulShutdownSavesWorldStates() async throws {
        let f = try await ServerFixture.start { $0.saveOnShutdown = true }
        _ = try await f.step(20)
        let dir = f.directory
        // Stop the server but keep the directory to look at what it saved.
        let saved = await f.server.registry.shutdown(saveTo: f.server.registry.states)
        #expect(saved == [dir + "/data/states/movers.json"])
        let c = try Checkpoint.read(file: dir + "/data/states/movers.json")
        #expect(c.step == 20)
        let restored = try SceneLoader().restore(c)
        #expect(restored.stepCount == 20)
        await f.stop()
    }

    /// Many dashboards and viewers at once on loopback, bounded in time: every
    /// request succeeds, and the world keeps stepping.
    @Test func loadManySnapshotsAndViewers() async throws {
        try await withServer { s in
            _ = try await s.json("POST", "/api/worlds", json: #"{"scene": "warehouse-arrivals", "id": "wh", "play": true, "speed": 4}"#, expect: 201)
            let viewers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/wh/stream?token=\(ServerFixture.reader)")
                        defer { ws.close() }
                        var binaries = 0
                        while binaries < 10, let m = try await ws.receive() { if case .binary = m { binaries += 1 } }
                        return binaries
                    }
                }
                for _ in 0..<50 {
                    group.addTask {
                        let r = try await s.request("GET", "/api/worlds/wh/snapshot.glb", token: ServerFixture.reader)
                        return r.status == 200 ? 0 : -1000
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(viewers == 200, "20 viewers got 10 updates each and all 50 snapshots were 200")
            let status = try await s.json("GET", "/api/worlds/wh")
            #expect((status["step"]?.int ?? 0) > 0)
        }
    }
}
