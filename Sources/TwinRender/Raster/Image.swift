/// An RGBA8 raster image, rows top to bottom, 4 bytes per pixel, no padding.
public struct Image: Hashable, Sendable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `width * height * 4` bytes: r, g, b, a per pixel.
    public internal(set) var pixels: [UInt8]

    /// An image filled with `color`. Sizes are clamped to zero or more.
    public init(width: Int, height: Int, fill color: RGBA8 = .clear) {
        self.width = max(0, width)
        self.height = max(0, height)
        var px = [UInt8](repeating: 0, count: self.width * self.height * 4)
        for i in stride(from: 0, to: px.count, by: 4) {
            px[i] = color.r; px[i + 1] = color.g; px[i + 2] = color.b; px[i + 3] = color.a
        }
        pixels = px
    }

    /// Wraps existing RGBA bytes; nil unless `pixels.count == width * height * 4`.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width >= 0, height >= 0, width.multipliedReportingOverflow(by: height).overflow == false,
            pixels.count == width * height * 4
        else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y` (0 at the top); nil outside the image.
    public subscript(x: Int, y: Int) -> RGBA8? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 4
        return RGBA8(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Counts pixels for which `predicate` holds.
    public func count(where predicate: (RGBA8) -> Bool) -> Int {
        var n = 0
        for i in stride(from: 0, to: pixels.count, by: 4)
        where predicate(RGBA8(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])) {
            n += 1
        }
        return n
    }
}
