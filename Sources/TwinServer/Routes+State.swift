import Hummingbird
import TwinRuntime

/// State as JSON: entities (filtered, paged), one entity, KPIs and their history;
/// world commands and their log.
extension API {
    static let maxPage = 10_000

    func addStateRoutes(to router: Router<Context>) {
        router.get("/api/worlds/:id/entities") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let filter = try EntityFilter.parse { request.uri.queryParameters.get($0) }
            return API.json(try await w.read { try filter.page(of: $0) })
        }
        router.get("/api/worlds/:id/entities/:ref") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let text = context.parameters.get("ref") ?? ""
            let ref: EntityRef = UInt64(text).map { .id($0) } ?? .name(text.removingPercentEncoding ?? text)
            return API.json(try await w.read { sim in
                guard let e = sim.entity(ref) else { throw APIError(.notFound, "no \(ref) in world \"\(w.id)\"") }
                return EntityFilter.json(e, sim.world, step: sim.stepCount)
            })
        }
        router.get("/api/worlds/:id/kpis") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let q = request.uri.queryParameters
            let limit = try Self.intParameter(q.get("limit"), "limit", 1...100_000) ?? 600
            let since = try Self.intParameter(q.get("since"), "since", 0...Int(Int32.max)) ?? 0
            let status = w.currentStatus
            return API.json(.object([
                ("step", .number(Double(status.step))), ("time", .number(status.time)),
                ("latest", .object(status.kpis.map { ($0.name, $0.value.isFinite ? .number($0.value) : .null) })),
                ("history", w.kpiHistory.json(limit: limit, sinceStep: Int64(since))),
            ]))
        }
        router.post("/api/worlds/:id/commands") { request, context in
            try self.authorize(request, .control, .ingest)
            let w = try self.world(context)
            var request = request
            guard let body = try await self.jsonBody(&request) else {
                throw APIError(.badRequest, "the body must be a command object or an array of them")
            }
            let list = body.elements ?? [body]
            var commands: [WorldCommand] = []
            for (i, c) in list.enumerated() {
                do { commands.append(try WorldCommand.decode(c, path: body.elements == nil ? [] : [.index(i)])) } catch let error as JSONDecodingError {
                    throw APIError(.badRequest, "\(error.path.isEmpty ? "$" : error.path.jsonPath): \(error.message) (nothing was queued)")
                }
            }
            let step = w.currentStatus.step
            guard w.enqueue(commands) else {
                var e = APIError(.serviceUnavailable, "the world's command queue is full; nothing was queued, retry shortly")
                e.headers[.retryAfter] = "1"
                throw e
            }
            return API.json(.object([("queued", .number(Double(commands.count))), ("afterStep", .number(Double(step)))]), status: .accepted)
        }
        router.get("/api/worlds/:id/commands") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let since = try Self.intParameter(request.uri.queryParameters.get("since"), "since", 0...Int(Int32.max)) ?? 0
            return API.json(try await w.read { sim in
                let log = sim.commandLog
                let start = min(since, log.count)
                let page = log[start..<min(log.count, start + Self.maxPage)]
                return .object([
                    ("total", .number(Double(log.count))),
                    // Live-data commands are counted, not listed: their messages are in the ingest journal.
                    ("live", .object([("applied", .number(Double(sim.journaledApplied))), ("rejected", .number(Double(sim.journaledRejected)))])),
                    ("commands", .array(page.map { c in
                        .object([("step", .number(Double(c.step))), ("command", c.command.json),
                                 ("applied", .bool(c.rejection == nil))]
                                + (c.rejection.map { [("reason", JSONValue.string($0))] } ?? []))
                    })),
                ])
            })
        }
    }

    static func intParameter(_ text: String?, _ name: String, _ range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text else { return nil }
        guard let v = Int(text), range.contains(v) else {
            throw APIError(.badRequest, "query parameter \(name) must be an integer in \(range.lowerBound)…\(range.upperBound), got \"\(text.prefix(32))\"")
        }
        return v
    }
}

/// `GET …/entities?kind=a,b&component=C&area=minX,minZ,maxX,maxZ&offset=N&limit=N`.
struct EntityFilter: Sendable {
    var kinds: Set<String>?
    var components: [String] = []
    var area: (Float, Float, Float, Float)?
    var offset = 0
    var limit = 100

    static func parse(_ q: (String) -> String?) throws(APIError) -> EntityFilter {
        var f = EntityFilter()
        let s = try Subscription.parse { ["interval", "format"].contains($0) ? nil : q($0 == "kinds" ? "kind" : $0) }
        f.kinds = s.kinds
        f.area = s.area
        if let c = q("component") { f.components = c.split(separator: ",").map(String.init) }
        f.offset = try API.intParameter(q("offset"), "offset", 0...Int(Int32.max)) ?? 0
        f.limit = try API.intParameter(q("limit"), "limit", 1...API.maxPage) ?? 100
        return f
    }

    /// The page, on the world thread.
    func page(of sim: Simulation) throws(APIError) -> JSONValue {
        let world = sim.world
        var ids: [ComponentID] = []
        for name in components {
            guard let t = world.registry.type(named: name) else {
                throw APIError(.badRequest, Suggestions.unknownMessage(kind: "component", name: name, known: world.registry.names))
            }
            ids.append(t.id)
        }
        var matched = 0
        var items: [JSONValue] = []
        for e in world.entities(with: ids) {
            if let kinds, !kinds.contains(world.get(Kind.self, of: e)?.value ?? "") { continue }
            if let a = area {
                guard let p = world.get(Position.self, of: e)?.value, p.x >= a.0, p.z >= a.1, p.x <= a.2, p.z <= a.3 else { continue }
            }
            if matched >= offset && items.count < limit { items.append(Self.json(e, world, step: nil)) }
            matched += 1
        }
        return .object([
            ("step", .number(Double(sim.stepCount))), ("time", .number(sim.time)),
            ("total", .number(Double(matched))), ("offset", .number(Double(offset))), ("limit", .number(Double(limit))),
            ("entities", .array(items)),
        ])
    }

    static func json(_ e: Entity, _ world: World, step: Int64?) -> JSONValue {
        .object([("id", .number(Double(e.id)))]
            + (step.map { [("step", JSONValue.number(Double($0)))] } ?? [])
            + [("components", .object(world.encodeComponents(of: e).map { ($0.name, $0.value) }))])
    }
}
