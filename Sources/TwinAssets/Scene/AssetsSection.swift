import Foundation
import TwinCore

/// The scene's `assets` section: model files by id, imported when the scene loads.
///
/// ```json
/// "assets": {
///   "crate": {"file": "../Assets/models/Box.glb", "scale": 0.5, "upAxis": "z",
///             "transform": {"translation": [0, 0.25, 0], "rotation": [0, 0, 0, 1], "scale": [1, 1, 1]}}
/// }
/// ```
///
/// - `file`: path relative to the scene file (any format assimp reads);
/// - `scale`: metres per file unit on top of the file's own unit (default 1; e.g. 0.001
///   for an STL drawn in millimetres);
/// - `upAxis`: overrides the file's up axis (`x`, `y`, `z`, `-x`, `-y`, `-z`);
/// - `transform`: the model's placement in its entity's frame (translation in metres,
///   rotation as a unit quaternion `[x, y, z, w]`, unitless scale).
///
/// Imports go through the content-addressed `ImportCache` (`$TWIN_CACHE_DIR`), and
/// through the crash-isolated worker for files that are not the scene author's own (see
/// `AssetImportRoute`). The result is the `AssetLibrary` resource. A file that is
/// missing, unsupported or fails to import is a scene error at `assets.<id>.file`; an
/// entity or prefab whose `Visual.asset` names an undeclared id is a scene error at that
/// component (checked here, also for scenes without an `assets` section).
enum AssetsSection {
    struct Entry: Decodable {
        var file: String
        var scale: Float?
        var upAxis: String?
        var transform: TransformSpec?
    }

    struct TransformSpec: Decodable {
        var translation: Vec3?
        var rotation: Quat?
        var scale: Vec3?
    }

    static var schema: JSONValue {
        let transform = JSONSchemaBuilder.schema(forExample: .object([
            ("translation", .array([.number(0), .number(0), .number(0)])),
            ("rotation", .array([.number(0), .number(0), .number(0), .number(1)])),
            ("scale", .array([.number(1), .number(1), .number(1)])),
        ]), units: ["translation": "m"], docs: ["rotation": "unit quaternion [x, y, z, w]", "scale": "unitless"])
        let entry = JSONValue.object([
            ("type", .string("object")),
            ("properties", .object([
                ("file", .object([("type", .string("string")), ("description", .string("model file, relative to the scene file"))])),
                ("scale", .object([
                    ("type", .string("number")), ("exclusiveMinimum", .number(0)), ("default", .number(1)),
                    ("description", .string("metres per file unit, on top of the file's own unit")),
                ])),
                ("upAxis", .object([
                    ("enum", .array(UpAxis.allCases.map { .string($0.rawValue) })),
                    ("description", .string("overrides the file's up axis")),
                ])),
                ("transform", transform),
            ])),
            ("required", .array([.string("file")])), ("additionalProperties", .bool(false)),
        ])
        return .object([("type", .string("object")), ("additionalProperties", entry)])
    }

    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        guard let members = json.members else {
            throw ctx.error("expected an object of assets by id, found \(json.kindDescription)", at: json)
        }
        let cache = ImportCache(directory: ImportCache.defaultDirectory())
        let sceneDirectory = ScenePaths.sceneDirectory(ctx.scene)
        var library = AssetLibrary()
        for m in members {
            let id = m.key
            let entry = try JSONValueDecoder(basePath: ctx.path + [.key(id)]).decode(Entry.self, from: m.value)
            func fail(_ key: String, _ message: String) -> JSONDecodingError {
                ctx.error(message, at: m.value[key] ?? m.value, path: [.key(id), .key(key)])
            }
            var options = ModelImportOptions(scale: entry.scale ?? 1)
            guard options.scale.isFinite, options.scale > 0 else { throw fail("scale", "scale must be a positive number of metres per file unit") }
            if let axis = entry.upAxis {
                guard let parsed = UpAxis(rawValue: axis.lowercased()) else {
                    throw fail("upAxis", Suggestions.unknownMessage(kind: "up axis", name: axis, known: UpAxis.allCases.map(\.rawValue)))
                }
                options.upAxis = parsed
            }
            let transform = try placement(entry.transform, fail: fail)
            let file = ScenePaths.resolve(entry.file, in: ctx.scene)
            let route = AssetImportRoute.choose(for: file, sceneDirectory: sceneDirectory)
            do throws(AssetImportError) {
                let (model, hit) = try cache.model(at: file, options: options) { (path, options) throws(AssetImportError) in
                    try route.importModel(at: path, options: options)
                }
                library.add(AssetLibrary.Asset(id: id, model: model, transform: transform, route: route, cacheHit: hit))
            } catch {
                throw fail("file", "cannot import asset \"\(id)\": \(error.description)")
            }
        }
        ctx.world.setResource(library)
        ctx.world.setResource(library.triangles)
        try VisualReferences.check(against: library, section: json, ctx)
    }

    /// The entry's transform; the rotation must be a non-zero quaternion (it is normalised).
    static func placement(_ spec: TransformSpec?, fail: (String, String) -> JSONDecodingError) throws(JSONDecodingError) -> Transform {
        guard let spec else { return .identity }
        var rotation = Quat.identity
        if let q = spec.rotation {
            let norm = (q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w).squareRoot()
            guard norm > 1e-6, norm.isFinite else { throw fail("transform", "transform.rotation must be a non-zero quaternion [x, y, z, w]") }
            rotation = q.normalized()
        }
        return Transform(translation: spec.translation ?? .zero, rotation: rotation, scale: spec.scale ?? .one)
    }
}
