/// A triangle mesh with per-vertex attributes, in the mesh's local frame (metres, Y up).
///
/// Attribute arrays are either empty (absent in the file) or exactly as long as
/// `positions`. Only the first UV channel and the first colour set are kept:
/// that is what the renderer and the glTF writer use.
public struct ModelMesh: Sendable, Hashable {
    public var name: String
    /// Vertex positions in metres.
    public var positions: [SIMD3<Float>]
    /// Unit normals; generated (smooth) when the file has none.
    public var normals: [SIMD3<Float>]
    /// First texture-coordinate channel, glTF convention (origin top-left).
    public var uvs: [SIMD2<Float>]
    /// First vertex-colour set, linear RGBA in 0…1.
    public var colors: [SIMD4<Float>]
    /// Three indices into `positions` per triangle.
    public var indices: [UInt32]
    /// Index into `ImportedModel.materials`.
    public var materialIndex: Int

    public init(
        name: String, positions: [SIMD3<Float>], normals: [SIMD3<Float>], uvs: [SIMD2<Float>],
        colors: [SIMD4<Float>], indices: [UInt32], materialIndex: Int
    ) {
        self.name = name
        self.positions = positions
        self.normals = normals
        self.uvs = uvs
        self.colors = colors
        self.indices = indices
        self.materialIndex = materialIndex
    }

    /// Number of triangles (`indices.count / 3`).
    public var triangleCount: Int { indices.count / 3 }
}
