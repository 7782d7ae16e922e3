import TwinCore

/// JSON Schema of the `pedestrians` section (for editors; the loader checks more).
enum PedestrianSchema {
    static var schema: JSONValue {
        let point = JSONValue.object([("type", .string("array")), ("items", .object([("type", .string("number"))])), ("minItems", .number(2)), ("maxItems", .number(2))])
        let points = JSONValue.object([("type", .string("array")), ("items", point)])
        let number = JSONValue.object([("type", .string("number"))])
        let string = JSONValue.object([("type", .string("string"))])
        let distribution = JSONValue.object([("type", .array([.string("number"), .string("object")]))])
        func object(_ props: [(String, JSONValue)], required: [String] = []) -> JSONValue {
            .object([("type", .string("object")), ("properties", .object(props)),
                     ("required", .array(required.map { .string($0) })), ("additionalProperties", .bool(false))])
        }
        func array(_ item: JSONValue) -> JSONValue { .object([("type", .string("array")), ("items", item)]) }
        let agentProps: [(String, JSONValue)] = [
            ("journey", string), ("level", string), ("speed", distribution), ("radius", distribution),
            ("premovement", distribution), ("prefab", string),
        ]
        return object([
            ("cell", number),
            ("levels", array(object([("name", string), ("height", number), ("geometry", .object([("type", .string("object"))]))], required: ["name", "geometry"]))),
            ("stairs", array(object([("name", string), ("from", string), ("to", string), ("bottom", points), ("top", points),
                                     ("length", number), ("upFactor", number), ("downFactor", number)], required: ["name", "from", "to", "bottom", "top"]))),
            ("stages", array(object([("name", string), ("type", .object([("enum", .array(["waypoint", "exit", "queue", "waiting"].map { .string($0) }))])),
                                     ("level", string), ("position", point), ("distance", number), ("area", points), ("slots", points),
                                     ("release", .object([("type", .array([.string("string"), .string("object")]))])), ("duration", number)],
                                    required: ["name", "type"]))),
            ("journeys", array(object([("name", string), ("stages", array(.object([("type", .array([.string("string"), .string("object")]))])))], required: ["name", "stages"]))),
            ("agents", array(object(agentProps + [("count", number), ("density", number), ("area", points), ("position", point), ("positions", points)], required: ["journey"]))),
            ("sources", array(object(agentProps + [("name", string), ("rate", number), ("arrivals", .object([("enum", .array([.string("fixed"), .string("poisson")]))])),
                                                   ("area", points), ("start", number), ("stop", number), ("limit", number)], required: ["journey", "rate", "area"]))),
            ("measure", object([("every", number),
                                ("lines", array(object([("name", string), ("points", points), ("level", string)], required: ["name", "points"]))),
                                ("areas", array(object([("name", string), ("outline", points), ("level", string)], required: ["name", "outline"])))])),
            ("periodic", object([("min", number), ("max", number)], required: ["min", "max"])),
        ], required: ["stages", "journeys"])
    }
}
