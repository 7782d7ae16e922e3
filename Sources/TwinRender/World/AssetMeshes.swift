import TwinAssets
import TwinMath

/// Converts an imported model into render meshes once, so every entity showing the asset
/// shares them: each node's meshes with the node's world transform baked into the
/// vertices, then the asset's placement (`AssetLibrary.Asset.transform`), so the meshes
/// are in the entity's frame (metres, Y up), coloured by their material's base
/// colour (linear → sRGB). Meshes with invalid indices or no triangles are left out.
/// Base-colour textures come along with ``meshesAndTextures(of:)`` (PNG files, embedded
/// PNGs and embedded raw texels; other image formats keep the base colour only).
public enum AssetMeshes {
    public static func meshes(of asset: AssetLibrary.Asset) -> [RenderMesh] {
        meshes(of: asset.model, placement: asset.transform)
    }

    /// The asset's meshes and its base-colour textures; a mesh's `texture` indexes the
    /// returned textures.
    public static func meshesAndTextures(of asset: AssetLibrary.Asset) -> (meshes: [RenderMesh], textures: [RenderTexture]) {
        let (textures, byMaterial) = baseColorTextures(of: asset.model)
        var meshes = meshes(of: asset.model, placement: asset.transform, materialTextures: byMaterial)
        for i in meshes.indices where meshes[i].texture != nil && !meshes[i].hasUVs { meshes[i].texture = nil }
        return (meshes, textures)
    }

    /// Each material's base-colour texture, decoded once: the textures, and per material
    /// the index of its texture (nil: none, missing or in a format not decoded here).
    static func baseColorTextures(of model: ImportedModel) -> ([RenderTexture], [Int?]) {
        var textures: [RenderTexture] = []
        var bySource: [TextureSource: Int] = [:]
        var byMaterial: [Int?] = []
        for material in model.materials {
            guard let ref = material.textures.first(where: { $0.role == .baseColor && $0.exists }) else {
                byMaterial.append(nil)
                continue
            }
            if let known = bySource[ref.source] {
                byMaterial.append(known)
                continue
            }
            guard let image = decode(ref.source, in: model) else {
                byMaterial.append(nil)
                continue
            }
            textures.append(RenderTexture(width: image.width, height: image.height, pixels: image.pixels))
            bySource[ref.source] = textures.count - 1
            byMaterial.append(textures.count - 1)
        }
        return (textures, byMaterial)
    }

    /// RGBA8 pixels of a texture source, or nil when it cannot be read here.
    static func decode(_ source: TextureSource, in model: ImportedModel) -> RGBAImage? {
        switch source {
        case .file(let path):
            guard path.lowercased().hasSuffix(".png") else { return nil }
            return try? PNGCodec.readRGBA8(path: path)
        case .embedded(let i):
            guard i >= 0, i < model.embeddedTextures.count else { return nil }
            let t = model.embeddedTextures[i]
            switch t.formatHint.lowercased() {
            case "png": return try? PNGCodec.decodeRGBA8(t.data, path: t.name.isEmpty ? "<embedded \(i)>" : t.name)
            case "rgba8":
                guard t.width > 0, t.height > 0, t.data.count == t.width * t.height * 4 else { return nil }
                return RGBAImage(width: t.width, height: t.height, pixels: t.data)
            default: return nil
            }
        }
    }

    public static func meshes(of model: ImportedModel, placement: Transform = .identity) -> [RenderMesh] {
        meshes(of: model, placement: placement, materialTextures: [])
    }

    static func meshes(of model: ImportedModel, placement: Transform, materialTextures: [Int?]) -> [RenderMesh] {
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
                    if src.materialIndex < materialTextures.count { mesh.texture = materialTextures[src.materialIndex] }
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
