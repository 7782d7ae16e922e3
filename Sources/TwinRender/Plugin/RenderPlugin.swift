import TwinCore

/// The `render` plugin: the scene's `cameras` section (see ``SceneCameras``), read by
/// snapshots, recordings and `twin render`.
public enum RenderPlugin: TwinPlugin {
    public static let name = "render"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(
            section: "cameras",
            summary: "Named cameras for renders and glTF exports: position, target (m), fovY (deg) or orthographic height (m).",
            schema: SceneCameras.schema, apply: SceneCameras.apply)
    }
}
