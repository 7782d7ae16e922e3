import Foundation

/// Reads a floor plan file: `.dxf` through `DXFReader` + `DXFFloorPlanBuilder`, `.png`
/// through `PNGCodec` + `RasterFloorPlanTracer`. Runs in process: neither path uses assimp.
public enum FloorPlanImporter {
    public struct Options: Sendable, Hashable {
        /// Metres per drawing unit (DXF; nil = from `$INSUNITS`) or per pixel (PNG; nil = 0.05).
        public var scale: Double?
        public var layers: FloorPlanLayerMapping
        public var threshold: UInt8
        public var simplifyTolerance: Float

        public init(scale: Double? = nil, layers: FloorPlanLayerMapping = FloorPlanLayerMapping(), threshold: UInt8 = 128, simplifyTolerance: Float = 1.0) {
            self.scale = scale
            self.layers = layers
            self.threshold = threshold
            self.simplifyTolerance = simplifyTolerance
        }
    }

    /// Default metres per pixel for raster plans without a given scale (5 cm, a common plan resolution).
    public static let defaultMetresPerPixel = 0.05

    public static func importPlan(at path: String, options: Options = Options()) throws(AssetImportError) -> FloorPlan {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if let scale = options.scale, !(scale.isFinite && scale > 0) {
            throw .malformed(path: absolute, reason: "scale must be a positive number, got \(scale)")
        }
        switch URL(fileURLWithPath: absolute).pathExtension.lowercased() {
        case "dxf":
            let drawing = try DXFReader.read(path: absolute)
            return try DXFFloorPlanBuilder.build(
                drawing, path: absolute, options: DXFFloorPlanBuilder.Options(metresPerUnit: options.scale, layers: options.layers))
        case "png":
            let image = try PNGCodec.readRGBA8(path: absolute)
            var plan = RasterFloorPlanTracer.trace(
                image,
                options: RasterFloorPlanTracer.Options(
                    metresPerPixel: options.scale ?? defaultMetresPerPixel, threshold: options.threshold,
                    simplifyTolerance: options.simplifyTolerance))
            if options.scale == nil {
                plan.warnings.append("no scale given: assuming \(defaultMetresPerPixel) m per pixel")
            }
            return plan
        case let ext:
            try ModelImporter.checkReadableFile(absolute)
            throw .unsupportedFormat(path: absolute, format: ext.isEmpty ? "(no extension)" : "\(ext) (floor plans: .dxf or .png)")
        }
    }
}
