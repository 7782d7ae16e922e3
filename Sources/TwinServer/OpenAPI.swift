import TwinRuntime

/// The API described as OpenAPI 3.1 (`GET /openapi.json`); a test checks every
/// path in it answers and every route is in it.
enum OpenAPI {
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var scope: String?
        var query: [String] = []
        var body: String?
        var responses: [Int]
    }

    static let operations: [Operation] = [
        .init(method: "get", path: "/healthz", summary: "Liveness: 200 with the number of worlds", scope: nil, responses: [200]),
        .init(method: "get", path: "/metrics", summary: "Prometheus metrics", scope: nil, responses: [200]),
        .init(method: "get", path: "/openapi.json", summary: "This document", scope: nil, responses: [200]),
        .init(method: "get", path: "/", summary: "The web viewer page", scope: nil, responses: [200]),
        .init(method: "get", path: "/api/scenes", summary: "Scenes worlds can be created from", scope: "read", responses: [200, 401, 403]),
        .init(method: "put", path: "/api/scenes/{name}", summary: "Upload a scene (twin-scene/1 JSON) into the data directory",
              scope: "admin", body: "a twin-scene/1 document", responses: [201, 400, 401, 403, 413, 422]),
        .init(method: "put", path: "/api/assets/{name}", summary: "Upload an asset file; scenes name it as assets/NAME",
              scope: "admin", body: "the file's bytes", responses: [201, 400, 401, 403, 413]),
        .init(method: "get", path: "/api/worlds", summary: "List worlds", scope: "read", responses: [200, 401]),
        .init(method: "post", path: "/api/worlds", summary: "Create a world from a scene or a saved state",
              scope: "admin", body: #"{"scene"|"state": NAME, "id"?, "seed"?, "parameters"?, "play"?, "speed"?}"#,
              responses: [201, 400, 401, 403, 404, 409, 422]),
        .init(method: "get", path: "/api/worlds/{id}", summary: "A world's status", scope: "read", responses: [200, 404]),
        .init(method: "delete", path: "/api/worlds/{id}", summary: "Stop and delete a world", scope: "admin", responses: [204, 404]),
        .init(method: "post", path: "/api/worlds/{id}/play", summary: "Play in real time × speed", scope: "control",
              body: #"{"speed"?: 0.001…1000}"#, responses: [200, 400, 404]),
        .init(method: "post", path: "/api/worlds/{id}/pause", summary: "Pause", scope: "control", responses: [200, 404]),
        .init(method: "post", path: "/api/worlds/{id}/step", summary: "Run N steps (also while paused)", scope: "control",
              body: #"{"count"?: 1…1000000, "wait"?: bool}"#, responses: [200, 400, 404, 429]),
        .init(method: "post", path: "/api/worlds/{id}/reset", summary: "Reload the scene; pause", scope: "control", responses: [200, 404]),
        .init(method: "post", path: "/api/worlds/{id}/save", summary: "Save the state (twin-state/1) to the data directory",
              scope: "control", body: #"{"name"?}"#, responses: [201, 400, 404]),
        .init(method: "get", path: "/api/worlds/{id}/state", summary: "The world's state now (twin-state/1), e.g. for a sweep that forks from it",
              scope: "read", responses: [200, 404]),
        .init(method: "post", path: "/api/worlds/{id}/fork", summary: "A new world from this one's current state",
              scope: "control", body: #"{"id"?, "play"?, "speed"?}"#, responses: [201, 400, 404, 409]),
        .init(method: "get", path: "/api/worlds/{id}/entities", summary: "Entities with their components, filtered and paged",
              scope: "read", query: ["kind", "component", "area", "offset", "limit"], responses: [200, 400, 404]),
        .init(method: "get", path: "/api/worlds/{id}/entities/{ref}", summary: "One entity by id or name", scope: "read",
              responses: [200, 404]),
        .init(method: "get", path: "/api/worlds/{id}/kpis", summary: "Latest KPIs and their recent history", scope: "read",
              query: ["limit", "since"], responses: [200, 400, 404]),
        .init(method: "post", path: "/api/worlds/{id}/commands", summary: "Queue world commands (applied at the next step)",
              scope: "control or ingest", body: "a WorldCommand or an array of them", responses: [202, 400, 404, 503]),
        .init(method: "get", path: "/api/worlds/{id}/commands", summary: "Applied and rejected commands", scope: "read",
              query: ["since"], responses: [200, 404]),
        .init(method: "get", path: "/api/worlds/{id}/snapshot.glb", summary: "glTF 2.0 snapshot, cached per step", scope: "read",
              responses: [200, 404]),
        .init(method: "get", path: "/api/worlds/{id}/snapshot.png", summary: "PNG snapshot, cached per step and parameters",
              scope: "read", query: ["camera", "size", "overlay"], responses: [200, 400, 404]),
        .init(method: "get", path: "/api/worlds/{id}/stream", summary: "WebSocket: keyframe, then per-step deltas (JSON + binary TWD1, or TWD2 with format=2)",
              scope: "read", query: ["kinds", "area", "interval", "format", "token"], responses: [101, 400, 404]),
        .init(method: "get", path: "/api/worlds/{id}/events", summary: "Server-Sent Events: the stream as JSON", scope: "read",
              query: ["kinds", "area", "interval", "token"], responses: [200, 400, 404]),
        .init(method: "post", path: "/api/worlds/{id}/ingest", summary: "Live data through the scene's bindings, journaled, taken at the next step",
              scope: "ingest", body: #"{"topic", "payload", "id"?} or {"messages": [...]}"#, responses: [200, 400, 404, 409, 413, 429, 503]),
        .init(method: "get", path: "/api/worlds/{id}/ingest", summary: "The world's bindings and live-data queue", scope: "read",
              responses: [200, 404, 409]),
        .init(method: "get", path: "/api/worlds/{id}/ingest/dead-letters", summary: "Messages refused or not applied, with why",
              scope: "ingest or admin", query: ["after", "limit"], responses: [200, 400, 404, 409]),
        .init(method: "get", path: "/api/worlds/{id}/ingest/ws", summary: "WebSocket feed: each text frame an ingest body, answered in order",
              scope: "ingest", query: ["token"], responses: [101, 400, 404, 409]),
    ]

    static var document: JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for op in operations {
            let params: [JSONValue] = pathParameters(op.path).map { name in
                .object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)), ("schema", .object([("type", .string("string"))]))])
            } + op.query.map { name in
                .object([("name", .string(name)), ("in", .string("query")), ("required", .bool(false)), ("schema", .object([("type", .string("string"))]))])
            }
            var o: [(String, JSONValue)] = [("summary", .string(op.summary)), ("parameters", .array(params))]
            if let scope = op.scope {
                o.append(("security", .array([.object([("bearer", .array([.string(scope)]))])])))
            }
            if let body = op.body {
                o.append(("requestBody", .object([("description", .string(body)), ("content", .object([
                    ("application/json", .object([("schema", .object([("type", .string("object"))]))])),
                ]))])))
            }
            o.append(("responses", .object(op.responses.map { code in
                (String(code), .object([("description", .string(code < 300 ? "success" : "error: {\"error\": {\"status\", \"message\"}}"))]))
            })))
            if let i = paths.firstIndex(where: { $0.0 == op.path }) { paths[i].1.append((op.method, .object(o))) } else {
                paths.append((op.path, [(op.method, .object(o))]))
            }
        }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([("title", .string("TwinWorld server")), ("version", .string("1"))])),
            ("components", .object([("securitySchemes", .object([("bearer", .object([
                ("type", .string("http")), ("scheme", .string("bearer")),
                ("description", .string("Scopes: read, control, ingest, admin (twin serve --token SECRET:scopes)")),
            ]))]))])),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
        ])
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { c in
            c.hasPrefix("{") && c.hasSuffix("}") ? String(c.dropFirst().dropLast()) : nil
        }
    }
}
