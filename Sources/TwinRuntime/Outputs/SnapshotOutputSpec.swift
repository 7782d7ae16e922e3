import TwinRender

/// Periodic snapshots during a run (`outputs.snapshots`), written as the run goes to
/// `snapshots/<scene>-step-<N>.png|.glb` in the output directory: one at the start, then
/// every `every` seconds (rounded to whole steps).
///
/// ```json
/// "snapshots": {"every": 10, "png": true, "glb": true, "camera": "overview", "width": 960, "height": 540, "overlay": "density"}
/// ```
public struct SnapshotOutputSpec: Codable, Sendable, Hashable {
    /// Seconds between snapshots, > 0.
    public var every: Double
    /// Write a rendered PNG (default true).
    public var png: Bool
    /// Write a glTF snapshot (default false).
    public var glb: Bool
    /// Camera for the PNG: a `cameras` name, `top-down` or `three-quarter` (default: the
    /// scene's first camera, else `three-quarter`).
    public var camera: String?
    /// PNG size in pixels (default 960 × 540; each side 1…`RasterLimits.maxDimension`).
    public var width: Int
    public var height: Int
    /// `density` or `trajectories` (drawn from the run so far, sampled every
    /// `outputs.recordingInterval` s).
    public var overlay: Overlay?

    enum CodingKeys: String, CodingKey { case every, png, glb, camera, width, height, overlay }

    public init(every: Double, png: Bool = true, glb: Bool = false, camera: String? = nil, width: Int = 960,
                height: Int = 540, overlay: Overlay? = nil) {
        self.every = every; self.png = png; self.glb = glb; self.camera = camera
        self.width = width; self.height = height; self.overlay = overlay
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        every = try c.decode(Double.self, forKey: .every)
        guard every.isFinite, every > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .every, in: c, debugDescription: "expected seconds > 0, got \(every)")
        }
        png = try c.decodeIfPresent(Bool.self, forKey: .png) ?? true
        glb = try c.decodeIfPresent(Bool.self, forKey: .glb) ?? false
        camera = try c.decodeIfPresent(String.self, forKey: .camera)
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? 960
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? 540
        for (key, v) in [(CodingKeys.width, width), (.height, height)] where v < 1 || v > RasterLimits.maxDimension {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "expected 1…\(RasterLimits.maxDimension) pixels, got \(v)")
        }
        if let o = try c.decodeIfPresent(String.self, forKey: .overlay) {
            guard let overlay = Overlay(rawValue: o) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .overlay, in: c,
                    debugDescription: "expected one of \(Overlay.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(o)\"")
            }
            self.overlay = overlay
        } else {
            overlay = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(every, forKey: .every)
        try c.encode(png, forKey: .png)
        try c.encode(glb, forKey: .glb)
        try c.encodeIfPresent(camera, forKey: .camera)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encodeIfPresent(overlay?.rawValue, forKey: .overlay)
    }
}
