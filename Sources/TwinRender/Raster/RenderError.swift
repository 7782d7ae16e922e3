/// Why a render or an encode was refused. Every case names the offending value; none of
/// them leaves anything allocated.
public enum RenderError: Error, Equatable, CustomStringConvertible {
    /// Width or height outside 1...``RasterLimits/maxDimension``.
    case invalidSize(width: Int, height: Int)
    /// Supersampling outside 1...``RasterLimits/maxSupersampling``, or a band height that
    /// is not positive.
    case invalidOption(String)
    /// The camera's eye, target or up is not finite, or eye == target.
    case invalidCamera
    /// The instanced triangle or vertex total exceeds the limit.
    case tooManyTriangles(count: Int, limit: Int)
    case tooManyVertices(count: Int, limit: Int)
    /// An instance names a mesh that does not exist.
    case unknownMesh(instance: Int, mesh: Int)
    /// A mesh index names a vertex that does not exist.
    case indexOutOfRange(mesh: Int, position: Int, index: UInt32, vertexCount: Int)
    /// A heatmap whose `values.count` is not `rows * columns`.
    case invalidHeatmap(String)
    /// The C kernel returned an error code (a bug if it ever happens: inputs are checked).
    case kernel(stage: String, code: Int32)
    /// libpng failed.
    case png(String)

    public var description: String {
        switch self {
        case .invalidSize(let w, let h):
            return "image size \(w)×\(h) is outside 1...\(RasterLimits.maxDimension) pixels per side"
        case .invalidOption(let s): return "invalid render option: \(s)"
        case .invalidCamera: return "camera eye, target and up must be finite and eye must differ from target"
        case .tooManyTriangles(let n, let l): return "\(n) instanced triangles exceed the limit of \(l)"
        case .tooManyVertices(let n, let l): return "\(n) instanced vertices exceed the limit of \(l)"
        case .unknownMesh(let i, let m): return "instance \(i) names mesh \(m), which does not exist"
        case .indexOutOfRange(let m, let p, let i, let n):
            return "mesh \(m): index \(i) at position \(p) is out of range (the mesh has \(n) vertices)"
        case .invalidHeatmap(let s): return "invalid heatmap: \(s)"
        case .kernel(let stage, let code): return "raster kernel failed in \(stage) with code \(code)"
        case .png(let s): return "PNG encoding failed: \(s)"
        }
    }
}

/// The rasterizer's stated limits. Memory for one render is about
/// `width × height × 4` bytes of output, 36 bytes per instanced vertex and 4 per
/// instanced triangle, plus one band of supersampled colour and depth per thread
/// (`width × ssaa × bandRows × ssaa × 8` bytes): bounded by these limits, never by
/// what a request asks for.
public enum RasterLimits {
    /// Maximum width and height of an image, pixels.
    public static let maxDimension = 8192
    /// Maximum supersampling factor per axis (4 → 16 samples per pixel).
    public static let maxSupersampling = 4
    /// Maximum rows per band × supersampling.
    public static let maxBandSampleRows = 1024
    /// Maximum instanced triangles per frame (Σ over instances of the mesh's triangles).
    public static let maxTriangles = 16_000_000
    /// Longest per-band triangle list (Σ over triangles of the bands each touches; 8
    /// bytes each). Beyond it, bands scan the whole triangle list instead.
    public static let maxBinnedTriangles = 32_000_000
    /// Maximum instanced vertices per frame (workspace: 32 bytes each → 512 MB).
    public static let maxVertices = 16_000_000
}
