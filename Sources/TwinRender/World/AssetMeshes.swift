import TwinAssets
import TwinMath

/// Converts an imported model into render meshes once, so every entity showing the asset
/// shares them: each node's meshes with the node's world transform baked into the
/// vertices, then the asset's placement (`AssetLibrary.Asset.transform`), so the meshes
/// are in the entity's frame (metres, Y up), coloured by their material's base
/// colour (linear → sRGB). Meshes with invalid indices or no triangles are left out.
/// Textures are not carried over yet (the base colour factor is).
public enum AssetMeshes {
    public static func meshes(of asset: AssetLibrary.Asset) -> [RenderMesh] {
        meshes(of: asset.model, placement: asset.transform)
    }

    public static func meshes(of model: ImportedModel, placement: Transform = .identity) -> [RenderMesh] {
        let world = model.worldTransforms()
        var out: [RenderMesh] = []
        for (n, node) in model.nodes.enumerated() {
            let m = n < world.count ? world[n] : .identity
            for index in node.meshIndices where index >= 0 && index < model.meshes.count {
                let src = model.meshes[index]
                guard src.triangleCount > 0 else { continue }
                let count = UInt32(clamping: src.positions.count)
                guard !src.indices.contains(where: { $0 >= count }) else { continue }
                var mesh = RenderMesh(
                    positions: src.positions.map { let p = m.transformPoint($0); return placement.apply(Vec3(p.x, p.y, p.z)) },
                    indices: src.indices)
                if src.normals.count == src.positions.count {
                    mesh.normals = src.normals.map {
                        let d = m.transformDirection($0)
                        let s = placement.scale
                        return placement.rotation.rotate(Vec3(d.x / s.x, d.y / s.y, d.z / s.z)).normalized()
                    }
                }
                if src.uvs.count == src.positions.count { mesh.uvs = src.uvs.map { Vec2($0.x, $0.y) } }
                if src.colors.count == src.positions.count { mesh.colors = src.colors.map(srgb) }
                if src.materialIndex >= 0, src.materialIndex < model.materials.count {
                    mesh.baseColor = srgb(model.materials[src.materialIndex].baseColor)
                }
                out.append(mesh)
            }
        }
        return out
    }

    /// Linear RGBA 0…1 → sRGB RGBA8.
    static func srgb(_ c: SIMD4<Float>) -> RGBA8 {
        func encode(_ v: Float) -> Float {
            let x = v.isFinite ? min(max(v, 0), 1) : 0
            return x <= 0.0031308 ? x * 12.92 : 1.055 * _pow(x, 1 / 2.4) - 0.055
        }
        return RGBA8(red: encode(c.x), green: encode(c.y), blue: encode(c.z), alpha: c.w.isFinite ? c.w : 1)
    }
}
