/// What a model file said about itself, and the conversion the importer applied.
public struct ModelMetadata: Sendable, Hashable {
    /// Short format name, e.g. "glTF 2.0 (binary)", "Wavefront OBJ", from assimp's importer description
    /// when available, else the lower-cased file extension.
    public var sourceFormat: String
    /// The file's own unit in metres (0.01 for a centimetre FBX); 1 when the file does not say.
    public var fileUnitInMetres: Float
    /// The scale actually applied: `fileUnitInMetres × ModelImportOptions.scale`.
    public var appliedScale: Float
    /// The file's up axis before conversion (`.y` when the file does not say).
    public var sourceUpAxis: UpAxis

    public init(sourceFormat: String, fileUnitInMetres: Float, appliedScale: Float, sourceUpAxis: UpAxis) {
        self.sourceFormat = sourceFormat
        self.fileUnitInMetres = fileUnitInMetres
        self.appliedScale = appliedScale
        self.sourceUpAxis = sourceUpAxis
    }
}

/// An up axis of a source file; the scene is always +Y up.
public enum UpAxis: String, Sendable, Hashable, CaseIterable, Codable {
    case x, y, z
    case negativeX = "-x", negativeY = "-y", negativeZ = "-z"

    /// Rotation taking this up axis to +Y (right-handed, proper rotations only).
    public var rotationToYUp: Matrix4x4 {
        switch self {
        case .y: return .identity
        // Z up → Y up: rotate −90° about X: (x, y, z) → (x, z, −y).
        case .z: return Matrix4x4(elements: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 1])
        // −Z up → Y up: rotate +90° about X: (x, y, z) → (x, −z, y).
        case .negativeZ: return Matrix4x4(elements: [1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1])
        // X up → Y up: rotate +90° about Z: (x, y, z) → (−y, x, z).
        case .x: return Matrix4x4(elements: [0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        // −X up → Y up: rotate −90° about Z: (x, y, z) → (y, −x, z).
        case .negativeX: return Matrix4x4(elements: [0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        // −Y up → Y up: rotate 180° about X.
        case .negativeY: return Matrix4x4(elements: [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1])
        }
    }
}
