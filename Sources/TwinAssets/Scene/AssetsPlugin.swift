import TwinCore

/// The `assets` plugin: the `Visual` component and the `assets` and `geometry` scene
/// sections, which import models and floor plans when a scene loads and store them as
/// the `AssetLibrary` and `SceneGeometry` resources.
public enum AssetsPlugin: TwinPlugin {
    public static let name = "assets"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: Visual.self)
        catalog.register(
            section: "assets",
            summary: "Model files by id (file relative to the scene, scale, upAxis, transform), imported through the cache; entities name one in Visual.asset.",
            schema: AssetsSection.schema, valueWhenAbsent: .object([]), apply: AssetsSection.apply)
        catalog.register(
            section: "geometry",
            summary: "Ground-plane geometry in metres: walkableAreas, walls, obstacles, doors, exits inline and/or from a floorPlan (.dxf or .png).",
            schema: GeometrySection.schema, apply: GeometrySection.apply)
    }
}
