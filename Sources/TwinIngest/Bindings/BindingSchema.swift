import TwinRuntime
/// JSON Schema of the `bindings` section, for `twin schema` and editors.
enum BindingSchema {
    static func string(_ description: String) -> JSONValue {
        .object([("type", .string("string")), ("description", .string(description))])
    }

    static func number(_ description: String, minimum: Double? = nil) -> JSONValue {
        .object([("type", .string("number")), ("description", .string(description))] + (minimum.map { [("minimum", JSONValue.number($0))] } ?? []))
    }

    static func oneOf(_ values: [String], _ description: String) -> JSONValue {
        .object([("enum", .array(values.map { .string($0) })), ("description", .string(description))])
    }

    static func object(_ props: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        .object([("type", .string("object")), ("properties", .object(props)), ("additionalProperties", .bool(false))]
            + (required.isEmpty ? [] : [("required", JSONValue.array(required.map { .string($0) }))]))
    }

    static var position: JSONValue {
        object([
            ("frame", oneOf(["plan", "gps"], "plan: floor-plan x/y (+height) in `unit`; gps: WGS84 lat/lon (°) and height (m)")),
            ("x", string("member holding plan x")), ("y", string("member holding plan y")), ("height", string("member holding the height")),
            ("lat", string("member holding latitude, °")), ("lon", string("member holding longitude, °")),
            ("reference", .object([("type", .string("array")), ("items", .object([("type", .string("number"))])), ("minItems", .number(3)), ("maxItems", .number(3)),
                                   ("description", .string("gps: [lat °, lon °, height m] at the world origin"))])),
            ("unit", string("plan: length unit of x/y/height (default m)")),
            ("rotation", number("site x/east axis from world X, counter-clockwise from above, °")),
            ("origin", .object([("type", .string("array")), ("items", .object([("type", .string("number"))])), ("description", .string("where the site's reference point lies in the world, m"))])),
        ])
    }

    static var field: JSONValue {
        object([
            ("from", string("member path (a.b), $topic[N], or $one")),
            ("position", position),
            ("to", string("Component or Component.member")),
            ("unit", oneOf(Units.known, "unit of the reported value; converted to SI")),
            ("scale", number("multiplies the SI value")), ("offset", number("added after scaling")),
            ("min", number("smallest accepted value (after conversion)")), ("max", number("largest accepted value (after conversion)")),
            ("enum", .object([("type", .string("object")), ("description", .string("reported value → value to set; others are refused"))])),
        ], required: ["to"])
    }

    static var binding: JSONValue {
        object([
            ("name", string("unique binding name")),
            ("source", oneOf(Binding.sources, "which source's messages (default: any)")),
            ("topic", string("MQTT-style filter: + one level, # the rest")),
            ("table", string("schema.table of a PostgreSQL change stream")),
            ("id", string("member path or $topic[N] holding the external id")),
            ("entity", object([
                ("prefix", string("entity name = prefix + id")),
                ("lookup", .object([("type", .string("object")), ("description", .string("external id → entity name"))])),
                ("create", string("prefab to spawn when an id is first seen")),
            ])),
            ("time", string("member holding the source timestamp (Unix s or ISO 8601)")),
            ("timeUnit", oneOf(["s", "ms"], "unit of numeric timestamps")),
            ("semantics", oneOf(Binding.Semantics.allCases.map(\.rawValue), "latest | interpolate | count | event")),
            ("total", .object([("type", .string("boolean")), ("description", .string("count: set the running total instead of the step's count"))])),
            ("prefab", string("event: prefab each event spawns")),
            ("late", oneOf(Binding.LatePolicy.allCases.map(\.rawValue), "older-than-newest messages: drop, apply, reorder (within window)")),
            ("window", number("reorder window, s", minimum: 0)),
            ("maxFuture", number("refuse timestamps this far ahead of the receiving clock, s (default 300)", minimum: 0)),
            ("maxGap", number("interpolate: longest ramp, s (default 60)", minimum: 0)),
            ("reported", .object([("type", .string("boolean")), ("description", .string("keep reported values in LiveReported (default true)"))])),
            ("fields", .object([("type", .string("array")), ("items", field)])),
        ], required: ["name", "id", "fields"])
    }

    static var schema: JSONValue {
        .object([("type", .string("array")), ("items", binding)])
    }
}
