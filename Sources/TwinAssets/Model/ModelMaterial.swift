/// A material reduced to what a metallic-roughness renderer needs.
///
/// Formats without PBR parameters (OBJ, STL, Phong FBX) get their diffuse colour as
/// `baseColor` and the glTF defaults for the rest (metallic 0 here, because Phong
/// materials are dielectrics; roughness 1).
public struct ModelMaterial: Sendable, Hashable {
    public var name: String
    /// Linear RGBA base colour, 0…1.
    public var baseColor: SIMD4<Float>
    /// 0 (dielectric) … 1 (metal).
    public var metallic: Float
    /// 0 (mirror) … 1 (fully rough).
    public var roughness: Float
    /// Texture references, resolved against the model file's directory.
    public var textures: [TextureReference]

    public init(name: String, baseColor: SIMD4<Float>, metallic: Float, roughness: Float, textures: [TextureReference]) {
        self.name = name
        self.baseColor = baseColor
        self.metallic = metallic
        self.roughness = roughness
        self.textures = textures
    }
}
