import CRaster

/// Encodes an ``Image`` as an 8-bit RGBA PNG through libpng, with the zlib level and the
/// row filters under control (libpng's `setjmp` stays inside the C++ kernel).
///
/// The default is ``fast`` (zlib level 1, no row filters): snapshots are latency-bound —
/// a dashboard waits for them — and on a 1920×1080 render it is several times faster
/// than ``compact`` for files about a third larger (measured figures in the README,
/// "Rendering"). Use ``compact`` for images that are stored or sent over slow links.
public struct PNGEncoder: Hashable, Sendable {
    /// Row filters (PNG filter types) libpng may choose from, per row.
    public struct Filters: OptionSet, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let none = Filters(rawValue: 0x08)
        public static let sub = Filters(rawValue: 0x10)
        public static let up = Filters(rawValue: 0x20)
        public static let average = Filters(rawValue: 0x40)
        public static let paeth = Filters(rawValue: 0x80)
        /// All five: libpng picks per row by the minimum-sum heuristic ("adaptive").
        public static let adaptive: Filters = [.none, .sub, .up, .average, .paeth]
    }

    /// zlib compression level, 0 (store) ... 9 (smallest).
    public var zlibLevel: Int
    public var filters: Filters

    public init(zlibLevel: Int, filters: Filters) {
        self.zlibLevel = zlibLevel; self.filters = filters
    }

    /// zlib level 1, no filters: the lowest latency (the default, see the type's notes).
    public static let fast = PNGEncoder(zlibLevel: 1, filters: .none)
    /// zlib level 6, adaptive filters: libpng's usual trade-off, smallest files.
    public static let compact = PNGEncoder(zlibLevel: 6, filters: .adaptive)
    public static let `default` = fast

    /// The PNG file bytes of `image`.
    /// - Throws: ``RenderError/invalidSize(width:height:)`` for an empty image,
    ///   ``RenderError/invalidOption(_:)`` for a level outside 0...9, ``RenderError/png(_:)``
    ///   when libpng fails.
    public func encode(_ image: Image) throws -> [UInt8] {
        guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height * 4 else {
            throw RenderError.invalidSize(width: image.width, height: image.height)
        }
        guard (0...9).contains(zlibLevel) else {
            throw RenderError.invalidOption("zlib level \(zlibLevel) is outside 0...9")
        }
        let w = UInt32(image.width), h = UInt32(image.height)
        let capacity = cr_png_bound(w, h)
        var written = 0
        var rc: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            image.pixels.withUnsafeBufferPointer { px in
                rc = cr_png_encode(
                    px.baseAddress, w, h, image.width * 4, Int32(zlibLevel), filters.rawValue, buf.baseAddress,
                    capacity, &written)
            }
            count = rc == CR_OK ? written : (rc == CR_ERR_PNG ? Swift.min(256, capacity) : 0)
        }
        guard rc == CR_OK else {
            if rc == CR_ERR_PNG {
                let msg = String(decoding: out.prefix { $0 != 0 }, as: UTF8.self)
                throw RenderError.png(msg.isEmpty ? "libpng error" : msg)
            }
            throw RenderError.png("encoder returned code \(rc)")
        }
        return out
    }
}
