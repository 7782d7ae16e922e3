/// One node of an imported model's scene graph.
public struct ModelNode: Sendable, Hashable {
    /// The node's name in the file (may be empty).
    public var name: String
    /// Transform relative to the parent node, in metres, Y up.
    public var transform: Matrix4x4
    /// Indices into `ImportedModel.meshes` drawn at this node.
    public var meshIndices: [Int]
    /// Indices into `ImportedModel.nodes`; always greater than this node's own index.
    public var children: [Int]

    public init(name: String, transform: Matrix4x4, meshIndices: [Int], children: [Int]) {
        self.name = name
        self.transform = transform
        self.meshIndices = meshIndices
        self.children = children
    }
}
