/// An image stored inside a model file, kept as bytes.
///
/// Compressed images (PNG, JPEG, …) keep the file's bytes with `width == 0` and
/// `height == 0`, and `formatHint` is the extension assimp reports ("png", "jpg").
/// Uncompressed texels become RGBA8 bytes with `formatHint == "rgba8"` and the size set.
public struct EmbeddedTexture: Sendable, Hashable {
    public var formatHint: String
    public var width: Int
    public var height: Int
    public var data: [UInt8]
    /// The texture's original file name, if the file recorded one.
    public var name: String

    public init(formatHint: String, width: Int, height: Int, data: [UInt8], name: String) {
        self.formatHint = formatHint
        self.width = width
        self.height = height
        self.data = data
        self.name = name
    }
}
