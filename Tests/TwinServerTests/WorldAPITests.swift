import Foundation
import Testing
import TwinRuntime
@testable import TwinServer

/// Worlds, control and state over real HTTP on loopback.
@Suite(.timeLimit(.minutes(2)))
struct WorldAPITests {
    /// The cart moves at exactly 1 m/s with dt = 1/64 s: after N steps x = N/64 m,
    /// exactly (every value is a binary fraction); tolerance 1e-6 m for Float storage.
    @Test func steppingMovesEntitiesAnalytically() async throws {
        try await withServer { s in
            let status = try await s.step(128)
            #expect(status["step"]?.int == 128)
            let cart = try await s.json("GET", "/api/worlds/movers/entities/cart")
            let p = cart["components"]?["Position"]?.elements?.compactMap(\.doubleValue) ?? []
            #expect(p.count == 3)
            #expect(abs((p.first ?? -1) - 2.0) <= 1e-6)
            let robot = try await s.json("GET", "/api/worlds/movers/entities/robot")
            #expect(abs((robot["components"]?["Position"]?.elements?[2].doubleValue ?? -1) - 4.0) <= 1e-6)
            // KPI meanX = mean of the two movers' x = (2 + 10) / 2.
            let kpis = try await s.json("GET", "/api/worlds/movers/kpis?limit=5")
            #expect(abs((kpis["latest"]?["meanX"]?.doubleValue ?? -1) - 6.0) <= 1e-6)
            #expect(kpis["history"]?["steps"]?.elements?.count == 5)
            #expect(kpis["history"]?["steps"]?.elements?.last?.int == 128)
        }
    }

    @Test func createListGetDeleteWorlds() async throws {
        try await withServer { s in
            let created = try await s.json("POST", "/api/worlds", json: #"{"scene": "warehouse-arrivals", "id": "wh", "seed": 3}"#, expect: 201)
            #expect(created["id"]?.stringValue == "wh")
            let list = try await s.json("GET", "/api/worlds", token: ServerFixture.reader)
            #expect(list["worlds"]?.elements?.compactMap { $0["id"]?.stringValue } == ["movers", "wh"])
            _ = try await s.json("GET", "/api/worlds/wh", token: ServerFixture.reader)
            let dup = try await s.request("POST", "/api/worlds", json: #"{"scene": "movers", "id": "wh"}"#)
            #expect(dup.status == 409)
            let unknown = try await s.request("POST", "/api/worlds", json: #"{"scene": "movrs"}"#)
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("movers"), "did-you-mean: \(unknown.text)")
            #expect(try await s.request("GET", "/metrics", token: nil).text.contains(#"twin_steps_total{world="wh"}"#))
            #expect(try await s.request("DELETE", "/api/worlds/wh").status == 204)
            // A deleted world's metric series go with it.
            let metrics = try await s.request("GET", "/metrics", token: nil).text
            #expect(!metrics.contains(#"world="wh""#))
            #expect(metrics.contains(#"twin_steps_total{world="movers"}"#))
            let gone = try await s.request("GET", "/api/worlds/wh")
            #expect(gone.status == 404)
            #expect(gone.text.contains("no world"))
        }
    }

    @Test func playPauseAndSpeed() async throws {
        try await withServer { s in
            let playing = try await s.json("POST", "/api/worlds/movers/play", token: ServerFixture.controller, json: #"{"speed": 4}"#)
            #expect(playing["playing"]?.boolValue == true)
            #expect(playing["speed"]?.doubleValue == 4)
            try await Task.sleep(nanoseconds: 300_000_000)
            let paused = try await s.json("POST", "/api/worlds/movers/pause", token: ServerFixture.controller)
            let step = paused["step"]?.int ?? 0
            #expect(step > 0, "the world played")
            try await Task.sleep(nanoseconds: 200_000_000)
            let later = try await s.json("GET", "/api/worlds/movers")
            #expect(later["step"]?.int == step, "paused worlds do not step")
        }
    }

    @Test func resetSaveForkAndRestore() async throws {
        try await withServer { s in
            _ = try await s.step(64)
            _ = try await s.json("POST", "/api/worlds/movers/commands", token: ServerFixture.ingester,
                                 json: #"{"op": "set", "entity": "cart", "component": "Velocity", "value": [2, 0, 0]}"#, expect: 202)
            _ = try await s.step(64)
            let saved = try await s.json("POST", "/api/worlds/movers/save", json: #"{"name": "snap1"}"#, expect: 201)
            #expect(saved["step"]?.int == 128)
            #expect(saved["commands"]?.int == 1)
            let fork = try await s.json("POST", "/api/worlds/movers/fork", json: #"{"id": "whatif"}"#, expect: 201)
            #expect(fork["step"]?.int == 128)
            // Same inputs → same state: both worlds agree after further steps.
            _ = try await s.step(32, world: "movers")
            _ = try await s.step(32, world: "whatif")
            let a = try await s.json("GET", "/api/worlds/movers/entities?limit=10")
            let b = try await s.json("GET", "/api/worlds/whatif/entities?limit=10")
            #expect(JSONWriter.string(a) == JSONWriter.string(b))
            // x = 64/64 · 1 m/s + 96/64 · 2 m/s = 4 m.
            let cart = a["entities"]?.elements?.first { $0["components"]?["Name"]?.stringValue == "cart" }
            #expect(abs((cart?["components"]?["Position"]?.elements?[0].doubleValue ?? 0) - 4) <= 1e-6)
            let restored = try await s.json("POST", "/api/worlds", json: #"{"state": "snap1", "id": "restored"}"#, expect: 201)
            #expect(restored["step"]?.int == 128)
            let reset = try await s.json("POST", "/api/worlds/movers/reset")
            #expect(reset["step"]?.int == 0)
        }
    }

    @Test func entityFiltersAndPaging() async throws {
        try await withServer { s in
            let all = try await s.json("GET", "/api/worlds/movers/entities")
            #expect(all["total"]?.int == 3)
            let vehicles = try await s.json("GET", "/api/worlds/movers/entities?kind=vehicle")
            #expect(vehicles["entities"]?.elements?.compactMap { $0["components"]?["Name"]?.stringValue } == ["cart"])
            let moving = try await s.json("GET", "/api/worlds/movers/entities?component=Velocity")
            #expect(moving["total"]?.int == 2)
            let area = try await s.json("GET", "/api/worlds/movers/entities?area=4,4,11,6")
            #expect(Set(area["entities"]?.elements?.compactMap { $0["components"]?["Name"]?.stringValue } ?? []) == ["robot", "pillar"])
            let page = try await s.json("GET", "/api/worlds/movers/entities?offset=1&limit=1")
            #expect(page["entities"]?.elements?.count == 1)
            #expect(page["total"]?.int == 3)
        }
    }

    @Test func commandsAreQueuedAppliedAndLogged() async throws {
        try await withServer { s in
            let batch = #"[{"op": "despawn", "entity": "pillar"}, {"op": "set", "entity": "ghost", "component": "Velocity", "value": [1, 0, 0]},"#
                + #" {"op": "spawn", "name": "drone", "components": {"Position": [1, 2, 3], "Kind": "drone"}}]"#
            let queued = try await s.json("POST", "/api/worlds/movers/commands", token: ServerFixture.controller, json: batch, expect: 202)
            #expect(queued["queued"]?.int == 3)
            _ = try await s.step(1)
            let log = try await s.json("GET", "/api/worlds/movers/commands")
            let entries = log["commands"]?.elements ?? []
            #expect(entries.map { $0["applied"]?.boolValue } == [true, false, true])
            #expect(entries[1]["reason"]?.stringValue?.contains("ghost") == true)
            #expect(try await s.request("GET", "/api/worlds/movers/entities/pillar").status == 404)
            let drone = try await s.json("GET", "/api/worlds/movers/entities/drone")
            #expect(drone["components"]?["Kind"]?.stringValue == "drone")
        }
    }
}
