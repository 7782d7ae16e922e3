import CRaster
import Dispatch

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
    /// Threads deflating an unfiltered image's slices (see ``encode(_:)``); the file is
    /// byte-identical for every value.
    public var threads: Int

    public init(zlibLevel: Int, filters: Filters, threads: Int = 2) {
        self.zlibLevel = zlibLevel; self.filters = filters; self.threads = threads
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
        if filters == .none { return try encodeSlices(image) }
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

    /// Unfiltered images: rows in fixed slices (``cr_png_slice_rows``, a function of the
    /// width only), each deflated independently on up to `threads` threads and
    /// concatenated into one zlib stream — the same bytes for any thread count.
    private func encodeSlices(_ image: Image) throws -> [UInt8] {
        let w = UInt32(image.width), h = image.height
        let sliceRows = Int(cr_png_slice_rows(w))
        let slices = (h + sliceRows - 1) / sliceRows
        let bound = cr_png_slice_bound(w, UInt32(sliceRows))
        let level = Int32(zlibLevel)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bound * slices)
        defer { buffer.deallocate() }
        let sizes = UnsafeMutableBufferPointer<Int>.allocate(capacity: slices)
        let adlers = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: slices)
        let codes = UnsafeMutableBufferPointer<Int32>.allocate(capacity: slices)
        defer { sizes.deallocate(); adlers.deallocate(); codes.deallocate() }
        image.pixels.withUnsafeBufferPointer { px in
            let base = px.baseAddress
            let one: (Int) -> Void = { k in
                let first = k * sliceRows, rows = Swift.min(sliceRows, h - first)
                var written = 0
                var adler: UInt32 = 0
                codes[k] = cr_png_deflate_slice(
                    base.map { $0 + first * image.width * 4 }, w, UInt32(rows), image.width * 4, level,
                    k == slices - 1 ? 1 : 0, buffer + k * bound, bound, &written, &adler)
                sizes[k] = written
                adlers[k] = adler
            }
            let workers = Swift.max(1, Swift.min(threads, slices))
            if workers == 1 {
                for k in 0..<slices { one(k) }
            } else {
                // Each worker deflates the next slice not taken yet: disjoint output ranges.
                nonisolated(unsafe) let body = one
                let next = WorkCounter()
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    while true {
                        let k = next.take()
                        guard k < slices else { return }
                        body(k)
                    }
                }
            }
        }
        for k in 0..<slices where codes[k] != CR_OK { throw RenderError.png("deflate returned code \(codes[k])") }
        // Concatenate the slices in order and combine their checksums.
        var total = 0
        var adler = adlers[0]
        for k in 0..<slices {
            if k > 0 {
                (buffer + total).update(from: buffer + k * bound, count: sizes[k])
                let rows = Swift.min(sliceRows, h - k * sliceRows)
                adler = cr_adler32_combine(adler, adlers[k], (image.width * 4 + 1) * rows)
            }
            total += sizes[k]
        }
        let capacity = cr_png_frame_bytes(total)
        var rc: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            rc = cr_png_frame(w, UInt32(h), level, buffer, total, adler, buf.baseAddress, capacity)
            count = rc == CR_OK ? capacity : 0
        }
        guard rc == CR_OK else { throw RenderError.png("framing returned code \(rc)") }
        return out
    }
}
