import TwinMath

/// A triangle mesh ready for the rasterizer and the glTF writer, in object space
/// (metres). Front faces wind counter-clockwise seen from outside (glTF's convention).
public struct RenderMesh: Sendable {
    public var positions: [Vec3]
    /// Unit normals per vertex, or empty: the rasterizer then shades each face flat
    /// (and the glTF writer computes flat normals when exporting).
    public var normals: [Vec3]
    /// Texture coordinates per vertex (glTF convention: (0, 0) is the image's top-left),
    /// or empty.
    public var uvs: [Vec2]
    /// Colours per vertex, or empty.
    public var colors: [RGBA8]
    /// Three per triangle, indices into `positions`.
    public var indices: [UInt32]
    /// Multiplied with the vertex colours, the texture and the instance colour.
    public var baseColor: RGBA8
    /// Index into ``RenderScene/textures``; an index that is out of range renders
    /// untextured.
    public var texture: Int?
    /// Skip lighting (markers, labels).
    public var unlit: Bool

    public init(
        positions: [Vec3], normals: [Vec3] = [], uvs: [Vec2] = [], colors: [RGBA8] = [], indices: [UInt32],
        baseColor: RGBA8 = .white, texture: Int? = nil, unlit: Bool = false
    ) {
        self.positions = positions; self.normals = normals; self.uvs = uvs; self.colors = colors
        self.indices = indices; self.baseColor = baseColor; self.texture = texture; self.unlit = unlit
    }

    public var vertexCount: Int { positions.count }
    /// Whole triangles (a trailing partial triangle is ignored).
    public var triangleCount: Int { indices.count / 3 }
    public var bounds: AABB { AABB(points: positions.lazy.filter(\.isFinite)) }

    /// Per-vertex attributes are used only when their count matches `positions`.
    var hasNormals: Bool { !normals.isEmpty && normals.count == positions.count }
    var hasUVs: Bool { !uvs.isEmpty && uvs.count == positions.count }
    var hasColors: Bool { !colors.isEmpty && colors.count == positions.count }

    /// The first index that does not name a vertex, if any.
    func firstInvalidIndex() -> (position: Int, value: UInt32)? {
        let n = UInt32(clamping: positions.count)
        for (i, v) in indices.enumerated() where v >= n { return (i, v) }
        return nil
    }
}

/// An RGBA8 texture; row 0 is the top of the image.
public struct RenderTexture: Sendable {
    public enum Filter: Sendable { case nearest, bilinear }
    public enum Wrap: Sendable { case `repeat`, clamp }

    public var width: Int
    public var height: Int
    /// `width * height * 4` bytes; a texture whose size does not match renders as absent.
    public var pixels: [UInt8]
    public var filter: Filter
    public var wrap: Wrap

    public init(width: Int, height: Int, pixels: [UInt8], filter: Filter = .bilinear, wrap: Wrap = .repeat) {
        self.width = width; self.height = height; self.pixels = pixels; self.filter = filter; self.wrap = wrap
    }

    public init(image: Image, filter: Filter = .bilinear, wrap: Wrap = .repeat) {
        self.init(width: image.width, height: image.height, pixels: image.pixels, filter: filter, wrap: wrap)
    }

    var isValid: Bool {
        width > 0 && height > 0 && width <= 8192 && height <= 8192 && pixels.count == width * height * 4
    }
}
