/// An 8-bit-per-channel RGBA image, rows top to bottom, no padding (sRGB-encoded values
/// as stored in the PNG; alpha is straight, not premultiplied).
public struct RGBAImage: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// `width × height × 4` bytes: R, G, B, A per pixel.
    public var pixels: [UInt8]

    /// Creates an image; `pixels` must hold `width × height × 4` bytes (otherwise it is resized, filled with 0).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = max(0, width)
        self.height = max(0, height)
        let count = self.width * self.height * 4
        if pixels.count == count {
            self.pixels = pixels
        } else {
            var fixed = pixels
            if fixed.count > count { fixed.removeLast(fixed.count - count) } else { fixed += [UInt8](repeating: 0, count: count - fixed.count) }
            self.pixels = fixed
        }
    }

    /// A blank image filled with one colour.
    public init(width: Int, height: Int, fill: SIMD4<UInt8> = SIMD4(0, 0, 0, 0)) {
        let w = max(0, width), h = max(0, height)
        var pixels = [UInt8](repeating: 0, count: w * h * 4)
        for i in stride(from: 0, to: pixels.count, by: 4) {
            pixels[i] = fill.x
            pixels[i + 1] = fill.y
            pixels[i + 2] = fill.z
            pixels[i + 3] = fill.w
        }
        self.init(width: w, height: h, pixels: pixels)
    }

    /// The pixel at (x, y), or nil outside the image.
    public func pixel(x: Int, y: Int) -> SIMD4<UInt8>? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 4
        return SIMD4(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }
}

/// A 16-bit-per-channel RGBA image as libpng's simplified API delivers it: **linear** light
/// (gamma-decoded) with **premultiplied** alpha, rows top to bottom. Use it when the extra
/// precision matters (height maps, 16-bit scans); `RGBAImage` for everything else.
public struct RGBA16Image: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// `width × height × 4` values: R, G, B, A per pixel.
    public var pixels: [UInt16]

    public init(width: Int, height: Int, pixels: [UInt16]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
