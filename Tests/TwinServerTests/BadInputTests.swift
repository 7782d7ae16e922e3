import Foundation
import Testing
import TwinRuntime
@testable import TwinServer

/// Every kind of bad request gets the right 4xx and a clear message, and the world
/// keeps stepping through all of it.
@Suite(.timeLimit(.minutes(2)))
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var method: String
        var path: String
        var token: String? = ServerFixture.admin
        var body: String?
        var status: Int
        /// Text the error message must contain.
        var says: String
        var description: String { "\(method) \(path) → \(status)" }
    }

    static let cases: [Case] = [
        .init(method: "GET", path: "/api/worlds", token: nil, status: 401, says: "Authorization: Bearer"),
        .init(method: "GET", path: "/api/worlds", token: "not-a-token-at-all", status: 401, says: "unknown token"),
        .init(method: "POST", path: "/api/worlds/movers/play", token: ServerFixture.reader, body: "{}", status: 403, says: "control"),
        .init(method: "POST", path: "/api/worlds/movers/pause", token: ServerFixture.ingester, status: 403, says: "control"),
        .init(method: "DELETE", path: "/api/worlds/movers", token: ServerFixture.controller, status: 403, says: "admin"),
        .init(method: "POST", path: "/api/worlds/movers/commands", token: ServerFixture.reader, body: "[]", status: 403, says: "ingest"),
        .init(method: "POST", path: "/api/worlds/movers/step", body: #"{"count": 3"#, status: 400, says: "malformed JSON at 1:"),
        .init(method: "POST", path: "/api/worlds/movers/step", body: #"{"count": "3"}"#, status: 400, says: "$.count: expected a number"),
        .init(method: "POST", path: "/api/worlds/movers/step", body: #"{"count": 2.5}"#, status: 400, says: "whole number"),
        .init(method: "POST", path: "/api/worlds/movers/step", body: #"{"count": 0}"#, status: 400, says: "outside 1"),
        .init(method: "POST", path: "/api/worlds/movers/step", body: #"{"cuont": 3}"#, status: 400, says: "count"),
        .init(method: "POST", path: "/api/worlds/movers/play", body: #"[1, 2]"#, status: 400, says: "JSON object"),
        .init(method: "POST", path: "/api/worlds/movers/play", body: #"{"speed": -1}"#, status: 400, says: "$.speed"),
        .init(method: "POST", path: "/api/worlds", body: #"{"scene": "../../etc/passwd"}"#, status: 400, says: "not a valid name"),
        .init(method: "POST", path: "/api/worlds", body: #"{"scene": "movers", "state": "x"}"#, status: 400, says: "exactly one"),
        .init(method: "POST", path: "/api/worlds", body: #"{"state": "nothing-saved"}"#, status: 404, says: "no saved state"),
        .init(method: "GET", path: "/api/worlds/atlantis", status: 404, says: "no world \"atlantis\""),
        .init(method: "GET", path: "/api/worlds/movers/entities/nobody", status: 404, says: "nobody"),
        .init(method: "GET", path: "/api/worlds/movers/entities/99999999", status: 404, says: "no entity"),
        .init(method: "GET", path: "/api/worlds/movers/entities?component=Velocty", status: 400, says: "Velocity"),
        .init(method: "GET", path: "/api/worlds/movers/entities?area=1,2,3", status: 400, says: "minX,minZ,maxX,maxZ"),
        .init(method: "GET", path: "/api/worlds/movers/entities?limit=0", status: 400, says: "limit"),
        .init(method: "GET", path: "/api/worlds/movers/kpis?limit=abc", status: 400, says: "limit"),
        .init(method: "GET", path: "/api/worlds/movers/snapshot.png?size=99999x1", status: 400, says: "size"),
        .init(method: "GET", path: "/api/worlds/movers/snapshot.png?size=axb", status: 400, says: "size"),
        .init(method: "GET", path: "/api/worlds/movers/snapshot.png?camera=drone-cam", status: 400, says: "unknown camera"),
        .init(method: "GET", path: "/api/worlds/movers/snapshot.png?overlay=trajectories", status: 400, says: "recording"),
        .init(method: "GET", path: "/api/worlds/movers/snapshot.png?overlay=heat", status: 400, says: "density"),
        .init(method: "GET", path: "/api/worlds/movers/stream?area=x", status: 400, says: "area"),
        .init(method: "POST", path: "/api/worlds/movers/commands", body: #"{"op": "explode"}"#, status: 400, says: "op"),
        .init(method: "POST", path: "/api/worlds/movers/commands", body: #"[{"op": "despawn", "entity": "cart"}, {"op": "set"}]"#,
              status: 400, says: "$[1]"),
        .init(method: "POST", path: "/api/worlds/movers/save", body: #"{"name": "../escape"}"#, status: 400, says: "not a valid name"),
        .init(method: "PUT", path: "/api/scenes/evil", body: #"{"format": "twin-scene/1", "assets": {"a": {"file": "../../secret.glb"}}}"#,
              status: 400, says: "leaves the data directory"),
        .init(method: "PUT", path: "/api/scenes/broken", body: #"{"format": "twin-scene/1", "wrld": {}}"#, status: 422, says: "does not load"),
        .init(method: "PUT", path: "/api/assets/..hidden", body: "x", status: 400, says: "not a valid name"),
        .init(method: "GET", path: "/vendor/..%2F..%2Fetc%2Fpasswd", token: nil, status: 404, says: "no vendor file"),
    ]

    @Test func badRequestsGetClearErrorsAndTheWorldKeepsStepping() async throws {
        try await withServer { s in
            _ = try await s.json("POST", "/api/worlds/movers/play", json: #"{"speed": 1}"#)
            let before = try await s.json("GET", "/api/worlds/movers")["step"]?.int ?? 0
            for c in Self.cases {
                let r = try await s.request(c.method, c.path, token: c.token, json: c.body)
                #expect(r.status == c.status, "\(c): \(r.text)")
                let message = (try? JSONParser.parse(r.body))?["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains(c.says), "\(c): \(r.text)")
                if r.status == 401 { #expect(r.headers["www-authenticate"] != nil, "\(c)") }
                if r.headers["content-type"] != nil { #expect(r.headers["content-type"] == "application/json", "\(c)") }
            }
            try await Task.sleep(nanoseconds: 100_000_000)
            let after = try await s.json("GET", "/api/worlds/movers")["step"]?.int ?? 0
            #expect(after > before, "the world kept stepping")
            // Nothing was queued by the rejected command batches.
            let log = try await s.json("GET", "/api/worlds/movers/commands")
            #expect(log["total"]?.int == 0)
        }
    }

    @Test func hugeBodiesAre413() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 4096 }) { s in
            let big = [UInt8](repeating: UInt8(ascii: " "), count: 100_000)
            let r = try await s.request("POST", "/api/worlds/movers/commands", body: big)
            #expect(r.status == 413)
            #expect(r.text.contains("larger than 4096 bytes"))
            #expect(try await s.request("GET", "/healthz", token: nil).status == 200)
        }
    }

    @Test func rateLimitsPerToken() async throws {
        try await withServer(configure: { $0.rateLimit = 0.01; $0.rateBurst = 3 }) { s in
            var replies: [LoopbackClient.Reply] = []
            for _ in 0..<5 { replies.append(try await s.request("GET", "/api/worlds", token: ServerFixture.reader)) }
            #expect(replies.prefix(3).map(\.status) == [200, 200, 200])
            #expect(replies.last?.status == 429)
            #expect(replies.last?.headers["retry-after"] != nil)
            // Another token has its own bucket.
            #expect(try await s.request("GET", "/api/worlds", token: ServerFixture.controller).status == 200)
        }
    }

    @Test func corsHeadersWhenConfigured() async throws {
        try await withServer(configure: { $0.corsOrigin = "https://dash.example" }) { s in
            let pre = try await s.request("OPTIONS", "/api/worlds", token: nil)
            #expect(pre.status == 204)
            #expect(pre.headers["access-control-allow-origin"] == "https://dash.example")
            #expect(pre.headers["access-control-allow-headers"]?.contains("Authorization") == true)
            let get = try await s.request("GET", "/api/worlds", token: ServerFixture.reader)
            #expect(get.headers["access-control-allow-origin"] == "https://dash.example")
        }
    }

    @Test func uploadedScenesAndAssetsStayInTheDataDirectory() async throws {
        try await withServer { s in
            let up = try await s.request("PUT", "/api/scenes/uploaded-movers", json: ServerFixture.moversScene)
            #expect(up.status == 201, "\(up.text)")
            #expect(FileManager.default.fileExists(atPath: s.directory + "/data/scenes/uploaded-movers.json"))
            let asset = try await s.request("PUT", "/api/assets/box.obj", body: Array("v 0 0 0\n".utf8))
            #expect(asset.status == 201)
            #expect(FileManager.default.fileExists(atPath: s.directory + "/data/scenes/assets/box.obj"))
            let w = try await s.json("POST", "/api/worlds", json: #"{"scene": "uploaded-movers"}"#, expect: 201)
            #expect(w["scene"]?.stringValue == "movers")
            let scenes = try await s.json("GET", "/api/scenes", token: ServerFixture.reader)
            #expect(scenes["scenes"]?.elements?.contains { $0["name"]?.stringValue == "uploaded-movers" } == true)
        }
    }
}
