import Foundation
import Testing
import TwinRuntime
@testable import TwinServer

/// Live data through the server: `POST …/ingest`, the `…/ingest/ws` feed, dead
/// letters, scopes and the bad inputs of issues 10/11.
@Suite(.timeLimit(.minutes(3)))
struct IngestRouteTests {
    /// Two presses whose status arrives as JSON (`forcedDown` from "DOWN"/"RUN") and a
    /// tracked forklift (position in mm), from any source.
    static let plant = #"""
    {"format": "twin-scene/1", "name": "plant", "world": {"dt": 0.05, "seed": 3, "duration": 600},
     "entities": [
       {"name": "press-1", "components": {"Position": [0, 0, 0], "MachineControl": {}}},
       {"name": "press-2", "components": {"Position": [5, 0, 0], "MachineControl": {}}},
       {"name": "forklift", "components": {"Position": [0, 0, 0]}}
     ],
     "systems": [],
     "bindings": [
       {"name": "status", "topic": "plant/+/status", "id": "$topic[1]",
        "entity": {"lookup": {"P1": "press-1", "P2": "press-2"}},
        "fields": [{"from": "state", "to": "MachineControl.forcedDown", "enum": {"DOWN": true, "RUN": false}}]},
       {"name": "track", "source": "websocket", "topic": "plant/forklift", "id": "id",
        "fields": [{"position": {"frame": "plan", "x": "x", "y": "y", "unit": "mm"}, "to": "Position", "min": -1000, "max": 1000}]}
     ]}
    """#

    static func withPlant(_ body: (ServerFixture) async throws -> Void) async throws {
        try await withServer { s in
            let path = s.directory + "/plant.json"
            try plant.write(toFile: path, atomically: true, encoding: .utf8)
            try s.server.host(sceneFile: path, id: "plant")
            try await body(s)
        }
    }

    static func forcedDown(_ s: ServerFixture, _ name: String) async throws -> Bool? {
        let e = try await s.json("GET", "/api/worlds/plant/entities/\(name)")
        return e["components"]?["MachineControl"]?["forcedDown"]?.boolValue
    }

    @Test func postedMessagesReachTheWorldAtTheNextStep() async throws {
        try await Self.withPlant { s in
            let one = try await s.json("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester,
                                       json: #"{"topic": "plant/P1/status", "payload": {"state": "DOWN"}, "id": "m-1"}"#)
            #expect(one["status"]?.stringValue == "accepted")
            #expect(one["accepted"]?.int == 1)
            // Journaled, not yet applied: handlers never touch the world.
            #expect(try await Self.forcedDown(s, "press-1") == false)
            let status = try await s.json("GET", "/api/worlds/plant/ingest")
            #expect(status["pending"]?.int == 1)
            #expect(status["bindings"]?.elements?.compactMap(\.stringValue) == ["status", "track"])
            _ = try await s.step(1, world: "plant")
            #expect(try await Self.forcedDown(s, "press-1") == true)

            // A batch with one unreadable item: the others are taken, the bad one is named.
            // (An id no lookup knows is readable: it is refused when the world takes it, below.)
            let batch = try await s.json("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: #"""
                {"messages": [
                  {"topic": "plant/P2/status", "payload": {"state": "DOWN"}},
                  {"topic": "plant/P1/status", "payload": {"state": "HALTED"}},
                  {"topic": "plant/P9/status", "payload": {"state": "DOWN"}},
                  {"topic": "plant/P1/status", "payload": {"state": "RUN"}}
                ]}
                """#)
            #expect(batch["accepted"]?.int == 3)
            let rejected = batch["rejected"]?.elements ?? []
            #expect(rejected.count == 1)
            #expect(rejected.first?["index"]?.int == 1)
            #expect(rejected.first?["reason"]?.stringValue?.contains("HALTED") == true, "\(rejected)")
            _ = try await s.step(1, world: "plant")
            #expect(try await Self.forcedDown(s, "press-1") == false)
            #expect(try await Self.forcedDown(s, "press-2") == true)
            let dead = try await s.json("GET", "/api/worlds/plant/ingest/dead-letters", token: ServerFixture.ingester)
            let reasons = dead["deadLetters"]?.elements?.compactMap { $0["reason"]?.stringValue } ?? []
            #expect(reasons.count == 2)
            #expect(reasons.contains { $0.contains("P9") }, "\(reasons)")

            // The same message id again is a duplicate, not applied twice.
            let again = try await s.json("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester,
                                         json: #"{"topic": "plant/P1/status", "payload": {"state": "DOWN"}, "id": "m-1"}"#)
            #expect(again["accepted"]?.int == 0)
            #expect(again["rejected"]?.elements?.first?["reason"]?.stringValue?.contains("duplicate") == true)

            let metrics = try await s.request("GET", "/metrics", token: nil).text
            #expect(metrics.contains(#"twin_ingest_accepted_total{world="plant"} 4"#))
            #expect(metrics.contains(#"twin_ingest_rejected_total{world="plant"} 2"#), "HALTED and the duplicate")
            #expect(metrics.contains(#"twin_steps_total{world="plant"} 2"#))
        }
    }

    @Test func badBodiesAreAnsweredAndKeptAsDeadLetters() async throws {
        try await Self.withPlant { s in
            let malformed = try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: #"{"topic": "#)
            #expect(malformed.status == 400)
            #expect(malformed.text.contains("failed"))
            let shape = try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: #"[1, 2]"#)
            #expect(shape.status == 400)
            let wrongType = try await s.json("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester,
                                             json: #"{"topic": "plant/P1/status", "payload": {"state": 42}}"#)
            #expect(wrongType["accepted"]?.int == 0)
            #expect(wrongType["rejected"]?.elements?.count == 1)
            // Nothing accepted before is lost, and the world goes on stepping.
            _ = try await s.json("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester,
                                 json: #"{"topic": "plant/P2/status", "payload": {"state": "DOWN"}}"#)
            let stepped = try await s.step(3, world: "plant")
            #expect(stepped["step"]?.int == 3)
            #expect(try await Self.forcedDown(s, "press-2") == true)

            let dead = try await s.json("GET", "/api/worlds/plant/ingest/dead-letters?limit=10", token: ServerFixture.ingester)
            let letters = dead["deadLetters"]?.elements ?? []
            #expect(letters.count == 3)
            #expect(letters.first?["payload"]?.stringValue?.hasPrefix(#"{"topic": "#) == true)
            let next = try await s.json("GET", "/api/worlds/plant/ingest/dead-letters?after=\(letters[0]["id"]?.int ?? 0)",
                                        token: ServerFixture.admin)
            #expect(next["deadLetters"]?.elements?.count == 2)
            #expect(try await s.request("GET", "/api/worlds/plant/ingest/dead-letters?limit=0", token: ServerFixture.admin).status == 400)
            #expect(try await s.request("GET", "/api/worlds/plant/ingest/dead-letters?after=x", token: ServerFixture.admin).status == 400)
        }
    }

    @Test func scopesWorldsWithoutBindingsAndSizeLimits() async throws {
        try await Self.withPlant { s in
            let body = #"{"topic": "plant/P1/status", "payload": {"state": "DOWN"}}"#
            #expect(try await s.request("POST", "/api/worlds/plant/ingest", token: nil, json: body).status == 401)
            #expect(try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.reader, json: body).status == 403)
            #expect(try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.controller, json: body).status == 403)
            #expect(try await s.request("GET", "/api/worlds/plant/ingest/dead-letters", token: ServerFixture.reader).status == 403)
            let none = try await s.request("POST", "/api/worlds/movers/ingest", token: ServerFixture.ingester, json: body)
            #expect(none.status == 409)
            #expect(none.text.contains("no bindings"))
            #expect(try await s.request("POST", "/api/worlds/nope/ingest", token: ServerFixture.ingester, json: body).status == 404)
        }
        try await withServer(configure: { $0.maxBodyBytes = 4096 }) { s in
            let path = s.directory + "/plant.json"
            try Self.plant.write(toFile: path, atomically: true, encoding: .utf8)
            try s.server.host(sceneFile: path, id: "plant")
            let items = Array(repeating: #"{"topic": "plant/P1/status", "payload": {"state": "RUN"}}"#, count: 200).joined(separator: ",")
            let huge = try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: #"{"messages": [\#(items)]}"#)
            #expect(huge.status == 413)
        }
    }

    @Test func aFullQueueAsksTheSenderToRetry() async throws {
        try await withServer(configure: { $0.ingestCapacity = 3 }) { s in
            let path = s.directory + "/plant.json"
            try Self.plant.write(toFile: path, atomically: true, encoding: .utf8)
            try s.server.host(sceneFile: path, id: "plant")
            let two = #"{"messages": [{"topic": "plant/P1/status", "payload": {"state": "DOWN"}}, {"topic": "plant/P2/status", "payload": {"state": "DOWN"}}]}"#
            #expect(try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: two).status == 200)
            let full = try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: two)
            #expect(full.status == 429)
            #expect(full.headers["retry-after"] == "1")
            _ = try await s.step(1, world: "plant")
            // The world took the first two; the queue has room again.
            #expect(try await s.request("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester, json: two).status == 200)
        }
    }

    @Test func aWebSocketFeedIsAnsweredFrameByFrame() async throws {
        try await Self.withPlant { s in
            #expect(try await s.request("GET", "/api/worlds/plant/ingest/ws", token: ServerFixture.ingester).status == 400)
            let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/plant/ingest/ws?token=\(ServerFixture.ingester)")
            defer { ws.close() }
            for (i, x) in [100, 200, 300].enumerated() {
                try await ws.send(text: #"{"topic": "plant/forklift", "payload": {"id": "forklift", "x": \#(x), "y": 50}, "id": "f-\#(i)"}"#)
                guard case .text(let t)? = try await ws.receive() else { Issue.record("no reply"); return }
                let reply = try JSONParser.parse(Array(t.utf8))
                #expect(reply["accepted"]?.int == 1, "\(t)")
            }
            try await ws.send(text: "not json")
            guard case .text(let bad)? = try await ws.receive() else { Issue.record("no reply"); return }
            #expect(bad.contains("failed"))
            // The feed survives a bad frame.
            try await ws.send(text: #"{"topic": "plant/forklift", "payload": {"id": "forklift", "x": 400, "y": 50}}"#)
            guard case .text(let ok)? = try await ws.receive() else { Issue.record("no reply"); return }
            #expect(ok.contains(#""accepted":1"#))
            _ = try await s.step(1, world: "plant")
            let e = try await s.json("GET", "/api/worlds/plant/entities/forklift")
            let p = e["components"]?["Position"]?.elements?.compactMap(\.doubleValue) ?? []
            // Plan (x right, y up the drawing) in mm → world (x, 0, −y) in m (north is −z); the last sample wins.
            #expect(p.count == 3 && abs(p[0] - 0.4) < 1e-9 && abs(p[2] + 0.05) < 1e-9, "\(p)")
            // Bindings tied to another source refuse the message.
            let http = try await s.json("POST", "/api/worlds/plant/ingest", token: ServerFixture.ingester,
                                        json: #"{"topic": "plant/forklift", "payload": {"id": "forklift", "x": 1, "y": 1}}"#)
            #expect(http["accepted"]?.int == 0)
        }
    }
}
