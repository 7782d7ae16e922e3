import TwinCore
import TwinMath

/// Turns a ``WorldSnapshot`` into a ``RenderScene`` (the same meshes and instances the
/// glTF export writes, plus a ground grid under the world) and renders images of it.
public enum SnapshotRenderer {
    /// The snapshot's meshes, one instance per item and mesh (tinted by `Visual.tint`),
    /// the scene geometry, and a ground grid fitted to the bounds.
    public static func scene(_ snap: WorldSnapshot) -> RenderScene {
        var scene = RenderScene()
        scene.textures = snap.textures
        for m in snap.meshes { scene.addMesh(m) }
        scene.instances.reserveCapacity(snap.items.count)
        // The snapshot's bounds (``WorldSnapshot/bounds``), gathered on the way with each
        // item's matrix computed once.
        let meshBounds = snap.meshes.map(\.bounds)
        var bounds = AABB.empty
        for item in snap.items {
            let matrix = item.transform.matrix
            let color = item.tint.map { RGBA8(red: $0.x, green: $0.y, blue: $0.z) } ?? .white
            for m in snap.appearances[item.appearance].meshes {
                scene.instances.append(RenderInstance(mesh: m, matrix: matrix, color: color))
                bounds = bounds.union(meshBounds[m].transformed(by: matrix))
            }
        }
        for g in snap.geometry {
            let m = scene.addMesh(g.mesh)
            scene.addInstance(mesh: m, transform: .identity)
            bounds = bounds.union(g.mesh.bounds)
        }
        scene.grid = GroundGrid.fitted(to: bounds)
        return scene
    }

    /// Renders the snapshot (with optional overlays) through camera `camera` (a scene
    /// camera name, `top-down`, `three-quarter`; nil: the scene's first camera or
    /// `three-quarter`). Imported assets may be open meshes, so back faces are drawn
    /// when the snapshot has any.
    /// - Throws: ``SnapshotError`` for an unknown camera, ``RenderError`` for a bad size
    ///   (limits in ``RasterLimits``) or a scene beyond the limits.
    public static func image(
        _ snap: WorldSnapshot, camera: String? = nil, width: Int, height: Int, overlays: [Overlay] = [],
        recording: WorldRecording? = nil, options: RenderOptions = RenderOptions()
    ) throws -> Image {
        guard width >= 1, height >= 1, width <= RasterLimits.maxDimension, height <= RasterLimits.maxDimension else {
            throw RenderError.invalidSize(width: width, height: height)
        }
        var scene = scene(snap)
        for o in overlays { OverlayBuilder.add(o, to: &scene, snapshot: snap, recording: recording) }
        let cam = try snap.camera(named: camera, aspect: Float(width) / Float(height))
        var opts = options
        if snap.appearances.contains(where: { $0.name.hasPrefix("asset:") }) { opts.backfaceCulling = false }
        return try Rasterizer.render(scene, camera: cam, width: width, height: height, options: opts)
    }
}
