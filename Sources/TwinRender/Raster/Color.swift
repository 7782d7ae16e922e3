/// An 8-bit sRGB colour with straight (non-premultiplied) alpha, the pixel format of
/// ``Image``, textures and overlays.
@frozen
public struct RGBA8: Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    @inlinable public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    /// From 0xRRGGBB (opaque).
    public init(rgb: UInt32) {
        self.init(UInt8((rgb >> 16) & 0xFF), UInt8((rgb >> 8) & 0xFF), UInt8(rgb & 0xFF))
    }

    /// From components in 0...1 (clamped; NaN becomes 0).
    public init(red: Float, green: Float, blue: Float, alpha: Float = 1) {
        func q(_ v: Float) -> UInt8 { v.isNaN ? 0 : UInt8(Swift.min(Swift.max(v, 0), 1) * 255 + 0.5) }
        self.init(q(red), q(green), q(blue), q(alpha))
    }

    /// Packed little-endian (r in the low byte), the kernel's colour format.
    @inlinable public var packed: UInt32 {
        UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16 | UInt32(a) << 24
    }

    @inlinable public init(packed v: UInt32) {
        self.init(UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24))
    }

    /// The colour as linear-light components 0...1 (sRGB transfer function removed),
    /// which is what glTF's `baseColorFactor` and `COLOR_0` expect.
    public var linear: SIMD4<Float> {
        SIMD4(Self.toLinear(r), Self.toLinear(g), Self.toLinear(b), Float(a) / 255)
    }

    static func toLinear(_ c: UInt8) -> Float {
        let v = Float(c) / 255
        return v <= 0.04045 ? v / 12.92 : _pow((v + 0.055) / 1.055, 2.4)
    }

    public static let white = RGBA8(255, 255, 255)
    public static let black = RGBA8(0, 0, 0)
    public static let clear = RGBA8(0, 0, 0, 0)
}
