/// The parts of a DXF drawing that floor plans use, in drawing units (2D; Z is ignored).
public struct DXFDrawing: Sendable, Hashable {
    /// `$INSUNITS` from the HEADER section (nil when absent; 0 = unitless).
    public var insertionUnits: Int?
    /// Layer names from TABLES/LAYER, in file order.
    public var layers: [String]
    /// Block definitions by name (BLOCKS section).
    public var blocks: [String: DXFBlock]
    /// Entities of the ENTITIES section (model and paper space).
    public var entities: [DXFEntity]
    /// Entities that were skipped (unsupported type → count), for diagnostics.
    public var skipped: [String: Int]

    public init(insertionUnits: Int?, layers: [String], blocks: [String: DXFBlock], entities: [DXFEntity], skipped: [String: Int]) {
        self.insertionUnits = insertionUnits
        self.layers = layers
        self.blocks = blocks
        self.entities = entities
        self.skipped = skipped
    }

    /// Metres per drawing unit for an `$INSUNITS` code, nil for unitless or unknown codes.
    public static func metres(perUnit code: Int) -> Double? {
        switch code {
        case 1: 0.0254  // inches
        case 2: 0.3048  // feet
        case 3: 1609.344  // miles
        case 4: 0.001  // millimetres
        case 5: 0.01  // centimetres
        case 6: 1  // metres
        case 7: 1000  // kilometres
        case 8: 2.54e-8  // microinches
        case 9: 2.54e-5  // mils
        case 10: 0.9144  // yards
        case 11: 1e-10  // ångström
        case 12: 1e-9  // nanometres
        case 13: 1e-6  // micrometres
        case 14: 0.1  // decimetres
        case 15: 10  // decametres
        case 16: 100  // hectometres
        default: nil
        }
    }
}

/// A BLOCK definition: entities relative to `basePoint`.
public struct DXFBlock: Sendable, Hashable {
    public var name: String
    public var basePoint: SIMD2<Double>
    public var entities: [DXFEntity]
}

/// One polyline vertex; `bulge` = tan(θ/4) of the arc to the next vertex (0 = straight,
/// positive = counter-clockwise).
public struct DXFVertex: Sendable, Hashable {
    public var point: SIMD2<Double>
    public var bulge: Double
}

/// A supported DXF entity.
public struct DXFEntity: Sendable, Hashable {
    public enum Shape: Sendable, Hashable {
        case line(SIMD2<Double>, SIMD2<Double>)
        /// LWPOLYLINE or POLYLINE/VERTEX/SEQEND.
        case polyline([DXFVertex], closed: Bool)
        case circle(center: SIMD2<Double>, radius: Double)
        /// Angles in degrees, counter-clockwise from start to end.
        case arc(center: SIMD2<Double>, radius: Double, startDegrees: Double, endDegrees: Double)
        /// INSERT of a block: scale, then rotate (degrees), then translate.
        case insert(block: String, position: SIMD2<Double>, scale: SIMD2<Double>, rotationDegrees: Double)
    }

    public var layer: String
    public var shape: Shape
    /// True when the entity's extrusion direction is (0, 0, −1): its OCS x axis is mirrored.
    public var mirrored: Bool
    /// 1-based line of the entity's `0` group in the file.
    public var line: Int
}
