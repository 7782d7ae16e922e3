import Foundation
internal import CPNG

/// Reads and writes PNG files with libpng's *simplified* API (`png_image_*`).
///
/// The classic libpng API reports errors with `longjmp`, which must never cross Swift
/// frames (a corrupt file would abort the process); the simplified API catches its own
/// `longjmp` inside libpng and returns 0 with a message, so every corrupt PNG becomes an
/// `AssetImportError`. Inputs of any bit depth and colour type (grey, grey+alpha, RGB,
/// RGBA, palette, with or without tRNS) are converted by libpng to the requested layout.
///
/// Size limits are checked from the header **before** any pixel memory is allocated.
public enum PNGCodec {
    /// Limits on what a decode may allocate.
    public struct Limits: Sendable, Hashable {
        /// Largest accepted width or height, in pixels.
        public var maximumDimension: Int
        /// Largest accepted decoded size, in bytes (width × height × channels × bytes per channel).
        public var maximumDecodedBytes: Int

        /// 16384 × 16384 pixels and 256 MiB decoded: larger than any texture or scanned plan
        /// we expect, small enough that a hostile header cannot exhaust memory.
        public static let `default` = Limits(maximumDimension: 16384, maximumDecodedBytes: 256 << 20)

        public init(maximumDimension: Int, maximumDecodedBytes: Int) {
            self.maximumDimension = maximumDimension
            self.maximumDecodedBytes = maximumDecodedBytes
        }
    }

    /// What the PNG header says.
    public struct Header: Sendable, Hashable {
        public var width: Int
        public var height: Int
        public var bitDepth: Int
        /// PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
        public var colorType: Int
    }

    /// Channel layouts that can be written.
    public enum OutputFormat: Sendable, Hashable {
        case rgba8, rgb8, grey8

        var channels: Int {
            switch self {
            case .rgba8: 4
            case .rgb8: 3
            case .grey8: 1
            }
        }

        var pngFormat: UInt32 {
            switch self {
            case .rgba8: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
            case .rgb8: UInt32(PNG_FORMAT_FLAG_COLOR)
            case .grey8: 0
            }
        }
    }

    private static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// Parses the IHDR chunk without libpng (used to reject absurd sizes first).
    public static func header(of bytes: [UInt8], path: String = "<memory>") throws(AssetImportError) -> Header {
        guard !bytes.isEmpty else { throw .emptyFile(path: path) }
        guard bytes.count >= 33 else { throw .malformed(path: path, reason: "PNG: truncated before the end of the header (\(bytes.count) bytes)") }
        guard Array(bytes[0..<8]) == signature else { throw .malformed(path: path, reason: "PNG: bad signature (not a PNG file)") }
        guard Array(bytes[12..<16]) == Array("IHDR".utf8) else { throw .malformed(path: path, reason: "PNG: first chunk is not IHDR") }
        func be32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        return Header(width: be32(16), height: be32(20), bitDepth: Int(bytes[24]), colorType: Int(bytes[25]))
    }

    /// Decodes a PNG file to 8-bit RGBA.
    public static func readRGBA8(path: String, limits: Limits = .default) throws(AssetImportError) -> RGBAImage {
        let bytes = try readFile(path, limits: limits)
        return try decodeRGBA8(bytes, path: path, limits: limits)
    }

    /// Decodes PNG bytes to 8-bit RGBA (16-bit files are reduced to 8 bits, palettes expanded).
    public static func decodeRGBA8(_ bytes: [UInt8], path: String = "<memory>", limits: Limits = .default) throws(AssetImportError) -> RGBAImage {
        let (width, height, pixels): (Int, Int, [UInt8]) = try decode(
            bytes, path: path, limits: limits, format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), channels: 4)
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// Decodes a PNG file to 16-bit linear, premultiplied RGBA.
    public static func readRGBA16(path: String, limits: Limits = .default) throws(AssetImportError) -> RGBA16Image {
        let bytes = try readFile(path, limits: limits)
        return try decodeRGBA16(bytes, path: path, limits: limits)
    }

    /// Decodes PNG bytes to 16-bit linear, premultiplied RGBA (8-bit files are widened and linearised).
    public static func decodeRGBA16(_ bytes: [UInt8], path: String = "<memory>", limits: Limits = .default) throws(AssetImportError) -> RGBA16Image {
        let (width, height, pixels): (Int, Int, [UInt16]) = try decode(
            bytes, path: path, limits: limits,
            format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_LINEAR), channels: 4)
        return RGBA16Image(width: width, height: height, pixels: pixels)
    }

    private static func readFile(_ path: String, limits: Limits) throws(AssetImportError) -> [UInt8] {
        try ModelImporter.checkReadableFile(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, reason: "cannot read file") }
        // A compressed file is never larger than its decoded pixels plus a little overhead.
        guard data.count <= limits.maximumDecodedBytes + (1 << 20) else {
            throw .tooLarge(path: path, reason: "PNG file is \(data.count) bytes, limit \(limits.maximumDecodedBytes)")
        }
        return [UInt8](data)
    }

    private static func decode<Element: FixedWidthInteger>(
        _ bytes: [UInt8], path: String, limits: Limits, format: UInt32, channels: Int
    ) throws(AssetImportError) -> (Int, Int, [Element]) {
        let header = try header(of: bytes, path: path)
        try check(width: header.width, height: header.height, bytesPerPixel: channels * MemoryLayout<Element>.size, limits: limits, path: path)

        // libpng keeps a pointer to the input between begin_read and finish_read, so both
        // calls happen inside one `withUnsafeBytes` scope.
        let bytesPerPixel = channels * MemoryLayout<Element>.size
        let result: Result<(Int, Int, [Element]), AssetImportError> = bytes.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            defer { png_image_free(&image) }
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                return .failure(.malformed(path: path, reason: "PNG: \(message(of: &image))"))
            }
            let width = Int(image.width)
            let height = Int(image.height)
            do throws(AssetImportError) {
                try check(width: width, height: height, bytesPerPixel: bytesPerPixel, limits: limits, path: path)
            } catch {
                return .failure(error)
            }
            image.format = format
            var pixels = [Element](repeating: 0, count: width * height * channels)
            let finished = pixels.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
            }
            guard finished != 0 else {
                return .failure(.malformed(path: path, reason: "PNG: \(message(of: &image))"))
            }
            return .success((width, height, pixels))
        }
        return try result.get()
    }

    private static func check(width: Int, height: Int, bytesPerPixel: Int, limits: Limits, path: String) throws(AssetImportError) {
        guard width > 0, height > 0 else { throw .malformed(path: path, reason: "PNG: invalid size \(width)×\(height)") }
        guard width <= limits.maximumDimension, height <= limits.maximumDimension else {
            throw .tooLarge(path: path, reason: "PNG is \(width)×\(height) pixels, limit \(limits.maximumDimension)×\(limits.maximumDimension)")
        }
        let (decoded, overflow) = (width * height).multipliedReportingOverflow(by: bytesPerPixel)
        guard !overflow, decoded <= limits.maximumDecodedBytes else {
            throw .tooLarge(path: path, reason: "PNG would decode to \(width)×\(height)×\(bytesPerPixel) bytes, limit \(limits.maximumDecodedBytes)")
        }
    }

    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error" : text
    }

    // MARK: writing

    /// Encodes an image as PNG in the given layout (alpha dropped for RGB; Rec. 709 luma for grey).
    public static func encode(_ image: RGBAImage, as format: OutputFormat = .rgba8) throws(AssetImportError) -> [UInt8] {
        let path = "<memory>"
        guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height * 4 else {
            throw .malformed(path: path, reason: "PNG: cannot encode a \(image.width)×\(image.height) image")
        }
        let buffer = convert(image, to: format)
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = format.pngFormat
        // Worst case of zlib "stored" blocks plus a filter byte per row and chunk overhead.
        var capacity = buffer.count + buffer.count / 64 + image.height + 4096
        for _ in 0..<2 {
            var output = [UInt8](repeating: 0, count: capacity)
            var size = capacity
            let ok = output.withUnsafeMutableBytes { out in
                buffer.withUnsafeBytes { input in
                    png_image_write_to_memory(&png, out.baseAddress, &size, 0, input.baseAddress, 0, nil)
                }
            }
            if ok != 0 {
                png_image_free(&png)
                output.removeLast(output.count - size)
                return output
            }
            if size > capacity {
                capacity = size  // Buffer too small: libpng told us the size needed.
                continue
            }
            let reason = message(of: &png)
            png_image_free(&png)
            throw .malformed(path: path, reason: "PNG: \(reason)")
        }
        png_image_free(&png)
        throw .io(path: path, reason: "PNG: output buffer estimate too small")
    }

    /// Encodes and writes a PNG file (atomically).
    public static func write(_ image: RGBAImage, to path: String, as format: OutputFormat = .rgba8) throws(AssetImportError) {
        let bytes = try encode(image, as: format)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func convert(_ image: RGBAImage, to format: OutputFormat) -> [UInt8] {
        let count = image.width * image.height
        switch format {
        case .rgba8:
            return image.pixels
        case .rgb8:
            var out = [UInt8](repeating: 0, count: count * 3)
            image.pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<count {
                        dst[3 * i] = src[4 * i]
                        dst[3 * i + 1] = src[4 * i + 1]
                        dst[3 * i + 2] = src[4 * i + 2]
                    }
                }
            }
            return out
        case .grey8:
            var out = [UInt8](repeating: 0, count: count)
            image.pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<count {
                        // Rec. 709 luma weights ×65536: 13933 + 46871 + 4732 = 65536.
                        let y = 13933 * UInt32(src[4 * i]) + 46871 * UInt32(src[4 * i + 1]) + 4732 * UInt32(src[4 * i + 2])
                        dst[i] = UInt8((y + 32768) >> 16)
                    }
                }
            }
            return out
        }
    }
}
