/// Generates the `twin-scene/1` JSON Schema from the catalog — components, system
/// parameters and plugin sections come from the code, so the schema cannot drift.
public enum SceneSchema {
    public static func generate(catalog: SystemCatalog = .standard) -> JSONValue {
        let world = World()
        catalog.registerComponents(in: world)
        let paramRef = JSONValue.object([("$ref", .string("#/$defs/param"))])
        func orParam(_ s: JSONValue) -> JSONValue { .object([("anyOf", .array([s, paramRef]))]) }
        let vec3 = JSONValue.object([
            ("type", .string("array")), ("items", .object([("type", .string("number"))])),
            ("minItems", .number(3)), ("maxItems", .number(3)),
        ])

        var componentProps: [(String, JSONValue)] = []
        for t in world.registry.types.sorted(by: { $0.name < $1.name }) {
            var s = t.defaultJSON.map { JSONSchemaBuilder.schema(forExample: $0, units: t.fieldUnits) } ?? .object([])
            var text = t.summary
            if let u = t.fieldUnits["value"] { text += " [\(u)]" }
            if !text.isEmpty { s.setMember("description", .string(text)) }
            componentProps.append((t.name, orParam(s)))
        }
        let components = JSONValue.object([
            ("type", .string("object")), ("properties", .object(componentProps)), ("additionalProperties", .bool(false)),
        ])

        let systemItems: [JSONValue] = catalog.systems.map { r in
            var params = JSONSchemaBuilder.schema(forExample: r.defaultParameters, units: r.parameterUnits, docs: r.parameterDocs)
            params.setMember("description", .string("Parameters of \(r.id)"))
            return .object([
                ("type", .string("object")), ("description", .string(r.summary)),
                ("properties", .object([
                    ("id", .object([("const", .string(r.id.rawValue))])),
                    ("priority", .object([("type", .string("integer"))])),
                    ("enabled", .object([("type", .string("boolean"))])),
                    ("params", params),
                ])),
                ("required", .array([.string("id")])), ("additionalProperties", .bool(false)),
            ])
        }
        let range = JSONValue.object([
            ("type", .string("object")), ("properties", .object([("min", vec3), ("max", vec3)])),
            ("required", .array([.string("min"), .string("max")])), ("additionalProperties", .bool(false)),
        ])
        let entity = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([
                ("name", .object([("type", .string("string"))])), ("prefab", .object([("type", .string("string"))])),
                ("kind", .object([("type", .string("string"))])), ("components", components),
                ("count", .object([("type", .string("integer")), ("minimum", .number(0))])),
                ("scatter", .object([("type", .string("object")), ("additionalProperties", range)])),
            ])),
            ("additionalProperties", .bool(false)),
        ])
        let prefab = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([("components", components), ("extends", .object([("type", .string("string"))]))])),
            ("additionalProperties", .bool(false)),
        ])
        let parameter = JSONValue.object([("anyOf", .array([
            .object([("type", .array([.string("number"), .string("string"), .string("boolean")]))]),
            .object([
                ("type", .string("object")),
                ("properties", .object([
                    ("default", .object([("type", .array([.string("number"), .string("string"), .string("boolean")]))])),
                    ("min", .object([("type", .string("number"))])), ("max", .object([("type", .string("number"))])),
                    ("unit", .object([("type", .string("string"))])), ("description", .object([("type", .string("string"))])),
                ])),
                ("required", .array([.string("default")])), ("additionalProperties", .bool(false)),
            ]),
        ]))])
        let measurement = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([
                ("name", .object([("type", .string("string"))])),
                ("kind", .object([("enum", .array(MeasurementSpec.Kind.allCases.filter { $0 != .published }.map { .string($0.rawValue) }))])),
                ("of", .object([("type", .string("string")), ("description", .string("Component[.member]"))])),
                ("with", .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))])),
                ("without", .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))])),
                ("every", .object([("type", .string("number")), ("exclusiveMinimum", .number(0)), ("description", .string("[s]"))])),
            ])),
            ("required", .array([.string("name"), .string("kind")])), ("additionalProperties", .bool(false)),
        ])
        let fileOrBool = JSONValue.object([("type", .array([.string("string"), .string("boolean")]))])
        let stop = JSONValue.object([("oneOf", .array([
            .object([("type", .string("object")), ("properties", .object([("noEntitiesWith", .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))]))])), ("required", .array([.string("noEntitiesWith")])), ("additionalProperties", .bool(false))]),
            .object([("type", .string("object")), ("properties", .object([("kpi", .object([("type", .string("string"))])), ("atLeast", .object([("type", .string("number"))])), ("atMost", .object([("type", .string("number"))]))])), ("required", .array([.string("kpi")])), ("additionalProperties", .bool(false))]),
        ]))])
        let worldSchema = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([
                ("dt", orParam(.object([("type", .string("number")), ("exclusiveMinimum", .number(0)), ("maximum", .number(10)), ("default", .number(1.0 / 64)), ("description", .string("Fixed timestep [s]"))]))),
                ("duration", orParam(.object([("type", .string("number")), ("minimum", .number(0)), ("default", .number(60)), ("description", .string("Run length [s]"))]))),
                ("seed", orParam(.object([("type", .string("integer")), ("minimum", .number(0)), ("default", .number(1))]))),
                ("gravity", orParam(vec3)),
                ("stopWhen", .object([("type", .string("array")), ("items", stop)])),
            ])),
            ("additionalProperties", .bool(false)),
        ])
        var props: [(String, JSONValue)] = [
            ("format", .object([("const", .string(SceneLoader.format))])),
            ("name", .object([("type", .string("string"))])),
            ("description", .object([("type", .string("string"))])),
            ("world", worldSchema),
            ("parameters", .object([("type", .string("object")), ("additionalProperties", parameter)])),
            ("prefabs", .object([("type", .string("object")), ("additionalProperties", prefab)])),
            ("entities", .object([("type", .string("array")), ("items", entity)])),
            ("systems", .object([("type", .string("array")), ("items", .object([("oneOf", .array(systemItems))]))])),
            ("measurements", .object([("type", .string("array")), ("items", measurement)])),
            ("outputs", .object([
                ("type", .string("object")),
                ("properties", .object(["kpis", "finalState", "summary", "stateHashes", "recording"].map { ($0, fileOrBool) } + [
                    ("snapshots", .object([("type", .string("object"))])),
                    ("recordingInterval", .object([("type", .string("number")), ("exclusiveMinimum", .number(0))])),
                    ("tables", .object([("type", .string("boolean")), ("description", .string("Write the tables plugins publish as <name>.csv"))])),
                ])),
                ("additionalProperties", .bool(false)),
            ])),
        ]
        for s in catalog.sections {
            var schema = s.schema
            schema.setMember("description", .string(s.summary + " (plugin \(s.plugin))"))
            props.append((s.name, schema))
        }
        return .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://twinworld.dev/schema/twin-scene-1.json")),
            ("title", .string("TwinWorld scene (twin-scene/1)")),
            ("type", .string("object")),
            ("properties", .object(props)),
            ("additionalProperties", .bool(false)),
            ("$defs", .object([("param", .object([
                ("type", .string("object")),
                ("properties", .object([("$param", .object([("type", .string("string"))]))])),
                ("required", .array([.string("$param")])), ("additionalProperties", .bool(false)),
            ]))])),
        ])
    }
}
