/// A 3D model converted from a file into plain Swift values.
///
/// Units and axes: every position, node translation and bound is in **metres**,
/// right-handed, **Y up** (the glTF convention), whatever the source file used —
/// the importer bakes the unit scale and the up-axis rotation into the vertices
/// and node transforms (see `ModelImporter`). Texture coordinates follow glTF
/// (origin at the top-left of the image, v pointing down).
///
/// The node tree is stored flat: `nodes[0]` is the root, and every node lists the
/// indices of its children, which always come after it (pre-order). Meshes are
/// referenced by index from nodes; a mesh may be used by several nodes (instancing).
public struct ImportedModel: Sendable, Hashable {
    /// The file that was imported (absolute path as given to the importer).
    public var sourcePath: String
    /// Nodes in pre-order; `nodes[0]` is the root when the model is not empty.
    public var nodes: [ModelNode]
    /// Triangle meshes (points and lines are dropped on import with a warning).
    public var meshes: [ModelMesh]
    /// Materials, indexed by `ModelMesh.materialIndex`.
    public var materials: [ModelMaterial]
    /// Textures stored inside the file (e.g. in a `.glb`), indexed by `TextureSource.embedded`.
    public var embeddedTextures: [EmbeddedTexture]
    /// World-space bounds of every mesh instance in the node tree, in metres; `nil` when there is no geometry.
    public var bounds: AxisAlignedBox?
    /// What the file said about itself and what the importer did with it.
    public var metadata: ModelMetadata
    /// Non-fatal problems (missing textures, dropped point clouds, …), in the order found.
    public var warnings: [String]

    public init(
        sourcePath: String, nodes: [ModelNode], meshes: [ModelMesh], materials: [ModelMaterial],
        embeddedTextures: [EmbeddedTexture], bounds: AxisAlignedBox?, metadata: ModelMetadata,
        warnings: [String]
    ) {
        self.sourcePath = sourcePath
        self.nodes = nodes
        self.meshes = meshes
        self.materials = materials
        self.embeddedTextures = embeddedTextures
        self.bounds = bounds
        self.metadata = metadata
        self.warnings = warnings
    }

    /// Total triangle count over all meshes (each mesh counted once, not per instance).
    public var triangleCount: Int {
        meshes.reduce(0) { $0 + $1.triangleCount }
    }

    /// Total vertex count over all meshes (each mesh counted once).
    public var vertexCount: Int {
        meshes.reduce(0) { $0 + $1.positions.count }
    }

    /// Number of distinct textures: embedded ones plus distinct external files referenced by materials.
    public var textureCount: Int {
        var files = Set<String>()
        for material in materials {
            for texture in material.textures {
                if case .file(let path) = texture.source { files.insert(path) }
            }
        }
        return embeddedTextures.count + files.count
    }

    /// World transform of every node (parent · local), indexed like `nodes`.
    public func worldTransforms() -> [Matrix4x4] {
        var world = [Matrix4x4](repeating: .identity, count: nodes.count)
        guard !nodes.isEmpty else { return world }
        world[0] = nodes[0].transform
        // Pre-order guarantees parents are visited before their children.
        for index in nodes.indices {
            for child in nodes[index].children where child > index && child < nodes.count {
                world[child] = world[index] * nodes[child].transform
            }
        }
        return world
    }
}
