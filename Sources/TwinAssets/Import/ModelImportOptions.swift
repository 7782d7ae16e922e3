/// Options for importing a 3D model.
///
/// Part of the import cache key: two imports with different options are cached separately.
public struct ModelImportOptions: Sendable, Hashable, Codable {
    /// Extra uniform scale multiplied onto the file's own unit (metres per file unit after
    /// the file's unit is applied). Use it for files that do not declare a unit, e.g. an
    /// STL drawn in millimetres: `scale: 0.001`. Default 1.
    public var scale: Float
    /// Overrides the file's up axis (FBX `UpAxis` metadata, otherwise +Y). `nil` = trust the file.
    public var upAxis: UpAxis?

    public init(scale: Float = 1, upAxis: UpAxis? = nil) {
        self.scale = scale
        self.upAxis = upAxis
    }
}
