import TwinCore

/// The scene's `geometry` section: ground-plane geometry inline, from a floor plan, or
/// both (the plan's first, then the inline items). The result is the `SceneGeometry`
/// resource (metres, `[x, z]` on the ground plane).
///
/// ```json
/// "geometry": {
///   "floorPlan": {"file": "../Assets/floorplans/Gallery.dxf", "scale": 1, "layers": {"jps-obstacles": "walls"}},
///   "walkableAreas": [{"outline": [[0, 0], [10, 0], [10, 8], [0, 8]], "holes": []}],
///   "walls": [{"points": [[0, 0], [10, 0]]}], "obstacles": [], "doors": [], "exits": []
/// }
/// ```
///
/// The inline members have the shape `twin import PLAN --floor-plan --out FILE` writes,
/// so the contents of such a fragment's `geometry` object can be pasted in. `floorPlan`
/// runs the floor-plan importers (our own DXF reader and PNG tracer; no assimp, so always
/// in process): `file` relative to the scene file (`.dxf` or `.png`); `scale` in metres
/// per drawing unit (DXF; default from `$INSUNITS`) or per pixel (PNG; default 0.05);
/// `threshold` 0…255, the luma below which PNG pixels are solid (default 128); `layers`
/// maps DXF layer names to roles (`walls`, `walkable`, `obstacle`, `exit`, `door`,
/// `ignore`) over the defaults of `FloorPlanLayerMapping`.
enum GeometrySection {
    struct FloorPlanSpec: Decodable {
        var file: String
        var scale: Double?
        var threshold: Int?
        var layers: [String: String]?
    }

    struct Spec: Decodable {
        var inline: SceneGeometry
        var floorPlan: FloorPlanSpec?

        enum CodingKeys: String, CodingKey { case floorPlan }

        init(from decoder: any Decoder) throws {
            inline = try SceneGeometry(from: decoder)
            floorPlan = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(FloorPlanSpec.self, forKey: .floorPlan)
        }
    }

    static var schema: JSONValue {
        func array(_ items: JSONValue, min: Int) -> JSONValue {
            .object([("type", .string("array")), ("items", items), ("minItems", .number(Double(min)))])
        }
        let point = JSONValue.object([
            ("type", .string("array")), ("items", .object([("type", .string("number"))])),
            ("minItems", .number(2)), ("maxItems", .number(2)), ("description", .string("[x, z] in metres")),
        ])
        let ring = array(point, min: 3)
        let polygon = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([("outline", ring), ("holes", array(ring, min: 0))])),
            ("required", .array([.string("outline")])), ("additionalProperties", .bool(false)),
        ])
        let polyline = JSONValue.object([
            ("type", .string("object")), ("properties", .object([("points", array(point, min: 2))])),
            ("required", .array([.string("points")])), ("additionalProperties", .bool(false)),
        ])
        let floorPlan = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([
                ("file", .object([("type", .string("string")), ("description", .string(".dxf or .png, relative to the scene file"))])),
                ("scale", .object([
                    ("type", .string("number")), ("exclusiveMinimum", .number(0)),
                    ("description", .string("metres per drawing unit (DXF, default from $INSUNITS) or per pixel (PNG, default 0.05)")),
                ])),
                ("threshold", .object([
                    ("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(255)), ("default", .number(128)),
                    ("description", .string("PNG: luma below which pixels are solid")),
                ])),
                ("layers", .object([
                    ("type", .string("object")),
                    ("additionalProperties", .object([("enum", .array(FloorPlanRole.allCases.map { .string($0.rawValue) }))])),
                    ("description", .string("DXF layer name → role")),
                ])),
            ])),
            ("required", .array([.string("file")])), ("additionalProperties", .bool(false)),
        ])
        return .object([
            ("type", .string("object")),
            ("properties", .object([
                ("floorPlan", floorPlan),
                ("walkableAreas", array(polygon, min: 0)), ("walls", array(polyline, min: 0)),
                ("obstacles", array(polygon, min: 0)), ("doors", array(polyline, min: 0)), ("exits", array(polygon, min: 0)),
            ])),
            ("additionalProperties", .bool(false)),
        ])
    }

    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        let spec = try ctx.decoder.decode(Spec.self, from: json)
        var geometry = SceneGeometry()
        if let plan = spec.floorPlan {
            geometry = SceneGeometry(try importPlan(plan, json: json["floorPlan"] ?? json, ctx))
        }
        try checkHoles(spec.inline, json: json, ctx)
        geometry.append(contentsOf: spec.inline)
        ctx.world.setResource(geometry)
    }

    static func importPlan(_ spec: FloorPlanSpec, json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) -> FloorPlan {
        func fail(_ key: String, _ message: String, at value: JSONValue? = nil) -> JSONDecodingError {
            ctx.error(message, at: value ?? json[key] ?? json, path: [.key("floorPlan"), .key(key)])
        }
        var options = FloorPlanImporter.Options(scale: spec.scale)
        if let scale = spec.scale, !(scale.isFinite && scale > 0) {
            throw fail("scale", "scale must be a positive number of metres per drawing unit or pixel, got \(scale)")
        }
        if let threshold = spec.threshold {
            guard (0...255).contains(threshold) else { throw fail("threshold", "threshold must be in 0…255, got \(threshold)") }
            options.threshold = UInt8(threshold)
        }
        for (layer, role) in (spec.layers ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let parsed = FloorPlanRole(rawValue: role) else {
                throw ctx.error(
                    Suggestions.unknownMessage(kind: "layer role", name: role, known: FloorPlanRole.allCases.map(\.rawValue)),
                    at: json["layers"]?[layer] ?? json, path: [.key("floorPlan"), .key("layers"), .key(layer)])
            }
            options.layers.layers[layer] = parsed
        }
        do throws(AssetImportError) {
            return try FloorPlanImporter.importPlan(at: ScenePaths.resolve(spec.file, in: ctx.scene), options: options)
        } catch {
            throw fail("file", "cannot import the floor plan: \(error.description)")
        }
    }

    /// Holes need 3 points like outlines (`Polygon` decoding checks only the outline).
    static func checkHoles(_ g: SceneGeometry, json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        for (key, polygons) in [("walkableAreas", g.walkableAreas), ("obstacles", g.obstacles), ("exits", g.exits)] {
            for (i, p) in polygons.enumerated() {
                for (j, hole) in p.holes.enumerated() where hole.count < 3 {
                    let path: [JSONPathComponent] = [.key(key), .index(i), .key("holes"), .index(j)]
                    throw ctx.error("a hole needs at least 3 points, got \(hole.count)", at: json.value(at: path) ?? json, path: path)
                }
            }
        }
    }
}
