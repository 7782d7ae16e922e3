/// What an entity looks like: an asset id from the scene's `assets` section, drawn at the
/// entity's `Position`/`Rotation`/`Scale` (after the asset's own transform). Entities
/// without `Visual` are drawn by `Kind` (renderers fall back to a box).
///
/// ```json
/// "Visual": {"asset": "crate", "tint": [1, 0.5, 0.5]}
/// ```
///
/// The asset id is checked when the scene loads: an id the `assets` section does not
/// declare is a scene error at the component's JSON path.
public struct Visual: Component, DocumentedComponent, Hashable {
    /// Key of the scene's `assets` section.
    public var asset: String
    /// Linear RGB factors multiplied onto the asset's base colour, each in 0…1 (unitless);
    /// nil draws the asset's own colours.
    public var tint: Vec3?

    public init(asset: String, tint: Vec3? = nil) { self.asset = asset; self.tint = tint }

    public static let summary = "The asset (an id of the scene's assets section) drawn for the entity, with an optional RGB tint."
    public static let fieldUnits = ["tint": "linear RGB factors 0…1"]

    enum CodingKeys: String, CodingKey { case asset, tint }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        asset = try c.decode(String.self, forKey: .asset)
        tint = try c.decodeIfPresent(Vec3.self, forKey: .tint)
        if asset.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .asset, in: c, debugDescription: "the asset id must not be empty")
        }
        if let t = tint, !([t.x, t.y, t.z].allSatisfy { $0 >= 0 && $0 <= 1 }) {
            throw DecodingError.dataCorruptedError(
                forKey: .tint, in: c, debugDescription: "tint components must be in 0…1, got [\(t.x), \(t.y), \(t.z)]")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(asset, forKey: .asset)
        try c.encodeIfPresent(tint, forKey: .tint)
    }

    public func hashState(into h: inout StableHasher) {
        h.combine(asset)
        h.combine(tint ?? Vec3(-1, -1, -1))
    }
}
