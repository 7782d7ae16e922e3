import TwinCore

/// Checks that every `Visual.asset` (and every non-empty `Collider.asset`, the hull or
/// mesh of a physics collider) in a scene names an asset the `assets` section declared.
///
/// Prefabs and entities are checked in the scene document, so an error points at the
/// exact `…components.Visual.asset` value (path, line, column); then the built world, so
/// a `Visual` that reached an entity another way is caught too (reported at the section).
enum VisualReferences {
    static func check(against library: AssetLibrary, section: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        func unknown(_ id: String) -> String {
            Suggestions.unknownMessage(kind: "asset", name: id, known: library.ids) + " (Visual.asset names a key of the scene's assets section)"
        }
        func checkComponents(_ components: JSONValue?, at path: [JSONPathComponent]) throws(JSONDecodingError) {
            for component in ["Visual", "Collider"] {
                guard let value = components?[component]?["asset"], let id = value.stringValue, !id.isEmpty, library[id] == nil else { continue }
                let message = Suggestions.unknownMessage(kind: "asset", name: id, known: library.ids)
                    + " (\(component).asset names a key of the scene's assets section)"
                throw JSONDecodingError(path: path + [.key("components"), .key(component), .key("asset")], location: value.location, message: message)
            }
        }
        for m in ctx.root["prefabs"]?.members ?? [] {
            try checkComponents(m.value["components"], at: [.key("prefabs"), .key(m.key)])
        }
        for (i, e) in (ctx.root["entities"]?.elements ?? []).enumerated() {
            try checkComponents(e["components"], at: [.key("entities"), .index(i)])
        }
        for prefab in ctx.scene.prefabs.keys.sorted() {
            for case let v as Visual in ctx.scene.prefabs[prefab]?.components ?? [] where library[v.asset] == nil {
                throw JSONDecodingError(path: [.key("prefabs"), .key(prefab)], location: .unknown, message: unknown(v.asset))
            }
        }
        var stray: (entity: Entity, asset: String)?
        ctx.world.query(Visual.self).forEach { e, v in
            if stray == nil, library[v.asset] == nil { stray = (e, v.asset) }
        }
        if let stray {
            let name = ctx.world.get(Name.self, of: stray.entity).map { " \"\($0.value)\"" } ?? ""
            throw ctx.error("entity\(name) has a Visual: " + unknown(stray.asset), at: section)
        }
    }
}
