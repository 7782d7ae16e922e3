/// What a material uses a texture for.
public enum TextureRole: UInt8, Sendable, Hashable, CaseIterable {
    case baseColor = 0
    case normal = 1
    case metallicRoughness = 2
    case emissive = 3
    case occlusion = 4
}

/// Where a texture's pixels live.
public enum TextureSource: Sendable, Hashable {
    /// An image file; the path is absolute (resolved relative to the model file, `\` read as `/`).
    case file(String)
    /// An image stored in the model file: index into `ImportedModel.embeddedTextures`.
    case embedded(Int)
}

/// One texture slot of a material.
public struct TextureReference: Sendable, Hashable {
    public var role: TextureRole
    public var source: TextureSource
    /// Whether the image exists (a file on disk, or an embedded texture in range) at import time.
    /// A missing texture is a warning on the model, never an import failure.
    public var exists: Bool

    public init(role: TextureRole, source: TextureSource, exists: Bool) {
        self.role = role
        self.source = source
        self.exists = exists
    }
}
