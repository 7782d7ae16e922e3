import Foundation
import Hummingbird
import TwinRuntime

/// Worlds: create, list, get, delete; play, pause, step, reset, save, fork.
extension API {
    func addWorldRoutes(to router: Router<Context>) {
        router.get("/api/scenes") { request, _ in
            try self.authorize(request, .read)
            return API.json(.object([("scenes", .array(self.registry.sceneNames.map { s in
                .object([("name", .string(s.name)), ("uploaded", .bool(s.uploaded))])
            }))]))
        }
        router.get("/api/worlds") { request, _ in
            try self.authorize(request, .read)
            return API.json(.object([("worlds", .array(self.registry.all.map { $0.currentStatus.json }))]))
        }
        router.post("/api/worlds") { request, _ in
            try self.authorize(request, .admin)
            var request = request
            let w = try await self.createWorld(try await self.jsonBody(&request))
            return API.json(w.currentStatus.json, status: .created, headers: [.location: "/api/worlds/\(w.id)"])
        }
        router.get("/api/worlds/:id") { request, context in
            try self.authorize(request, .read)
            return API.json(try self.world(context).currentStatus.json)
        }
        router.delete("/api/worlds/:id") { request, context in
            try self.authorize(request, .admin)
            try self.registry.remove(context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        router.post("/api/worlds/:id/play") { request, context in
            try self.authorize(request, .control)
            let w = try self.world(context)
            var request = request
            let body = try BodyReader(try await self.jsonBody(&request), allowed: ["speed"])
            w.play(speed: try body.number("speed", in: 0.001...1000))
            return API.json(w.currentStatus.json)
        }
        router.post("/api/worlds/:id/pause") { request, context in
            try self.authorize(request, .control)
            let w = try self.world(context)
            w.pause()
            return API.json(w.currentStatus.json)
        }
        router.post("/api/worlds/:id/step") { request, context in
            try self.authorize(request, .control)
            let w = try self.world(context)
            var request = request
            let body = try BodyReader(try await self.jsonBody(&request), allowed: ["count", "wait"])
            let n = try body.integer("count", in: 1...HostedWorld.maxStepRequest) ?? 1
            let target = w.currentStatus.step + n
            guard w.step(n) else {
                throw APIError(.tooManyRequests, "more than \(HostedWorld.maxStepRequest) steps would be pending; wait for the world to catch up")
            }
            // `wait` answers once the steps ran, so a client can read the state they produced.
            if try body.bool("wait") ?? false {
                _ = try await w.read { $0.stepCount }
                while w.currentStatus.step < target && w.currentStatus.pendingSteps > 0 {
                    try await Task.sleep(nanoseconds: 2_000_000)
                }
            }
            return API.json(w.currentStatus.json)
        }
        router.post("/api/worlds/:id/reset") { request, context in
            try self.authorize(request, .control)
            let w = try self.world(context)
            w.reset()
            _ = try await w.read { $0.stepCount }
            return API.json(w.currentStatus.json)
        }
        router.post("/api/worlds/:id/save") { request, context in
            try self.authorize(request, .control)
            let w = try self.world(context)
            var request = request
            let body = try BodyReader(try await self.jsonBody(&request), allowed: ["name"])
            let name = try body.string("name") ?? w.id
            let path = try SafeName.path(name + ".json", in: self.registry.states, what: "state name")
            let checkpoint = try await w.read { $0.checkpoint() }
            do {
                try FileManager.default.createDirectory(atPath: self.registry.states, withIntermediateDirectories: true)
                try checkpoint.write(to: path)
            } catch {
                throw APIError(.internalServerError, "could not write the state: \(error.localizedDescription)")
            }
            return API.json(.object([
                ("name", .string(name)), ("step", .number(Double(checkpoint.step))),
                ("stateHash", .string(StableHasher.hex(checkpoint.stateHash))), ("commands", .number(Double(checkpoint.commands.count))),
            ]), status: .created)
        }
        router.get("/api/worlds/:id/state") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            var checkpoint = try await w.read { $0.checkpoint() }
            // A live-fed world's state names its journal, which is only here: the file
            // sent lists the journal's commands instead, so it restores anywhere.
            if checkpoint.journal != nil { checkpoint = try await Self.restore(checkpoint).checkpoint() }
            var headers = Self.stepHeaders(checkpoint.step)
            headers[.contentDisposition] = "attachment; filename=\"\(w.id)-\(checkpoint.step).json\""
            return API.bytes(Array(JSONWriter.string(checkpoint.json).utf8), type: "application/json", headers: headers)
        }
        router.post("/api/worlds/:id/fork") { request, context in
            try self.authorize(request, .control)
            let w = try self.world(context)
            var request = request
            let body = try BodyReader(try await self.jsonBody(&request), allowed: ["id", "play", "speed"])
            let id = try body.string("id")
            let play = try body.bool("play") ?? false
            let speed = try body.number("speed", in: 0.001...1000)
            let checkpoint = try await w.read { $0.checkpoint() }
            let sim = try await Self.restore(checkpoint)
            let fork = try self.registry.add(sim, id: id)
            if play { fork.play(speed: speed) }
            return API.json(fork.currentStatus.json, status: .created, headers: [.location: "/api/worlds/\(fork.id)"])
        }
    }

    /// `{"scene": NAME | "state": NAME, "id", "seed", "parameters", "play", "speed"}`.
    func createWorld(_ json: JSONValue?) async throws -> HostedWorld {
        let body = try BodyReader(json, allowed: ["scene", "state", "id", "seed", "parameters", "play", "speed"])
        let scene = try body.string("scene"), state = try body.string("state")
        guard (scene == nil) != (state == nil) else {
            throw APIError(.badRequest, "give \"scene\" (a scene name from GET /api/scenes) or \"state\" (a saved state name), exactly one")
        }
        let seed = try body.number("seed", in: 0...Double(1 << 53))
        if let s = seed, s != s.rounded() { throw APIError(.badRequest, "$.seed: expected a whole number") }
        var overrides: [String: JSONValue] = [:]
        for m in try body.object("parameters") ?? [] { overrides[m.key] = m.value }
        let sim: Simulation
        if let scene {
            let file = try registry.sceneFile(named: scene)
            let options = SceneLoadOptions(seed: seed.map { UInt64($0) }, parameterOverrides: overrides)
            sim = try await Self.offload {
                do { return try SceneLoader().load(file: file, options: options) } catch let error as SceneError {
                    throw APIError(.unprocessableContent, "scene \(scene) does not load: " + error.issues.prefix(5).map(\.description).joined(separator: "; "))
                }
            }
        } else {
            guard seed == nil, overrides.isEmpty else { throw APIError(.badRequest, "a saved state brings its own seed and parameters") }
            let path = try SafeName.path((state ?? "") + ".json", in: registry.states, what: "state name")
            guard FileManager.default.fileExists(atPath: path) else { throw APIError(.notFound, "no saved state \"\(state ?? "")\"") }
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint.read(file: path) } catch { throw APIError(.unprocessableContent, error.description) }
            sim = try await Self.restore(checkpoint)
        }
        let w = try registry.add(sim, id: try body.string("id"))
        if try body.bool("play") ?? false { w.play(speed: try body.number("speed", in: 0.001...1000)) }
        return w
    }

    static func restore(_ c: Checkpoint) async throws -> Simulation {
        try await offload {
            do { return try SceneLoader().restore(c) } catch let e as CheckpointError {
                throw APIError(.unprocessableContent, e.description)
            } catch let e as SceneError {
                throw APIError(.unprocessableContent, e.issues.prefix(5).map(\.description).joined(separator: "; "))
            }
        }
    }

    /// Runs blocking work (scene loading, replay) on a plain thread, off the server's event loops.
    static func offload<T>(_ work: @escaping () throws -> T) async throws -> T {
        let box = UncheckedBox(work)
        return try await withCheckedThrowingContinuation { (k: CheckedContinuation<UncheckedBox<T>, any Error>) in
            Thread.detachNewThread {
                do { k.resume(returning: UncheckedBox(try box.value())) } catch { k.resume(throwing: error) }
            }
        }.value
    }
}

/// Hands a value the compiler cannot prove Sendable to exactly one other thread.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
