import TwinCore

/// The scene's imported models by asset id: a world resource
/// (`world.resource(AssetLibrary.self)`) written by the `assets` section and read by
/// renderers and exporters to draw entities' `Visual`s.
public struct AssetLibrary: Sendable {
    /// One entry of the `assets` section, imported.
    public struct Asset: Sendable, Hashable {
        /// The key in the `assets` section (what `Visual.asset` names).
        public var id: String
        /// The converted model: metres, Y up, the entry's import `scale` and `upAxis` applied.
        public var model: ImportedModel
        /// Placement of the model in its entity's frame (translation in metres, rotation,
        /// unitless scale), applied before the entity's `Position`, `Rotation` and `Scale`.
        public var transform: Transform
        /// How the file was imported (in process or in the crash-isolated worker).
        public var route: AssetImportRoute
        /// Whether the converted model came from the import cache.
        public var cacheHit: Bool

        public init(id: String, model: ImportedModel, transform: Transform, route: AssetImportRoute, cacheHit: Bool) {
            self.id = id; self.model = model; self.transform = transform; self.route = route; self.cacheHit = cacheHit
        }
    }

    /// Assets by id.
    public private(set) var assets: [String: Asset] = [:]

    public init() {}

    public subscript(id: String) -> Asset? { assets[id] }

    /// Every asset id, sorted (a stable order for renderers and messages).
    public var ids: [String] { assets.keys.sorted() }

    public mutating func add(_ asset: Asset) { assets[asset.id] = asset }
}
