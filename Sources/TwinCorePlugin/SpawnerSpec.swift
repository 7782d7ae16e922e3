import TwinCore

/// One entry of the scene's `spawners` section.
///
/// ```json
/// {"name": "dock", "prefab": "crate", "rate": 0.5, "arrivals": "poisson",
///  "area": {"min": [0, 0, 0], "max": [2, 0, 10]}, "velocity": [1.2, 0, 0], "limit": 200}
/// ```
struct SpawnerSpec: Codable {
    struct Area: Codable { var min: Vec3; var max: Vec3 }
    var name: String?
    var prefab: String
    var rate: Double
    var arrivals: Spawner.Arrivals?
    var area: Area?
    var position: Vec3?
    var velocity: Vec3?
    var start: Double?
    var stop: Double?
    var limit: Int?

    static var schema: JSONValue {
        let example = JSONValue.object([
            ("name", .string("dock")), ("prefab", .string("crate")), ("rate", .number(1)),
            ("arrivals", .string("fixed")), ("area", .object([("min", .array([.number(0), .number(0), .number(0)])), ("max", .array([.number(0), .number(0), .number(0)]))])),
            ("position", .array([.number(0), .number(0), .number(0)])), ("velocity", .array([.number(0), .number(0), .number(0)])),
            ("start", .number(0)), ("stop", .number(0)), ("limit", .number(0)),
        ])
        var item = JSONSchemaBuilder.schema(forExample: example)
        item.setMember("required", .array([.string("prefab"), .string("rate")]))
        return .object([("type", .string("array")), ("items", item)])
    }

    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        let specs = try ctx.decoder.decode([SpawnerSpec].self, from: json)
        for (i, s) in specs.enumerated() {
            let item = json.elements?[i] ?? json
            guard ctx.scene.prefabs[s.prefab] != nil else {
                throw ctx.error(
                    Suggestions.unknownMessage(kind: "prefab", name: s.prefab, known: Array(ctx.scene.prefabs.keys)),
                    at: item["prefab"] ?? item, path: [.index(i), .key("prefab")])
            }
            guard s.rate >= 0, s.rate <= SpawnerSystem.maxRate else {
                throw ctx.error("rate must be in 0...\(Int(SpawnerSystem.maxRate)) per second, got \(s.rate)", at: item["rate"] ?? item, path: [.index(i), .key("rate")])
            }
            if let limit = s.limit, limit < 0 {
                throw ctx.error("limit must be ≥ 0", at: item["limit"] ?? item, path: [.index(i), .key("limit")])
            }
            let area: AABB
            if let a = s.area {
                guard a.min.x <= a.max.x, a.min.y <= a.max.y, a.min.z <= a.max.z else {
                    throw ctx.error("area.min must not exceed area.max on any axis", at: item["area"] ?? item, path: [.index(i), .key("area")])
                }
                area = AABB(min: a.min, max: a.max)
            } else {
                let p = s.position ?? .zero
                area = AABB(min: p, max: p)
            }
            let e = ctx.world.spawn()
            ctx.world.insert(
                Spawner(
                    prefab: s.prefab, rate: s.rate, arrivals: s.arrivals ?? .fixed, area: area, velocity: s.velocity,
                    start: s.start ?? 0, stop: s.stop, limit: s.limit),
                on: e)
            if let n = s.name { ctx.world.insert(Name(n), on: e) }
        }
    }
}
