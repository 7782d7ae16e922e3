/// A colour map from a value in 0...1 to a colour, as a 256-entry lookup table for the
/// kernel. Defined by evenly spaced key colours with linear interpolation between them.
public struct ColorMap: Hashable, Sendable {
    public var keys: [RGBA8]

    public init(keys: [RGBA8]) { self.keys = keys.isEmpty ? [.black, .white] : keys }

    /// Perceptually ordered dark blue → green → yellow (keys sampled from the viridis map).
    public static let viridis = ColorMap(keys: [
        RGBA8(rgb: 0x440154), RGBA8(rgb: 0x482878), RGBA8(rgb: 0x3E4A89), RGBA8(rgb: 0x31688E),
        RGBA8(rgb: 0x26828E), RGBA8(rgb: 0x1F9E89), RGBA8(rgb: 0x35B779), RGBA8(rgb: 0x6DCD59),
        RGBA8(rgb: 0xB4DE2C), RGBA8(rgb: 0xFDE725),
    ])

    /// Transparent-to-red-to-yellow, for densities over a ground plan: empty cells fade out.
    public static let heat = ColorMap(keys: [
        RGBA8(255, 255, 178, 0), RGBA8(254, 204, 92, 160), RGBA8(253, 141, 60, 210), RGBA8(240, 59, 32, 235),
        RGBA8(189, 0, 38, 255),
    ])

    /// The colour at `t` in 0...1 (clamped).
    public func color(at t: Float) -> RGBA8 {
        let t = t.isNaN ? 0 : Swift.min(Swift.max(t, 0), 1)
        let x = t * Float(keys.count - 1)
        let i = Swift.min(Int(x), keys.count - 2 < 0 ? 0 : keys.count - 2)
        guard keys.count > 1 else { return keys[0] }
        let f = x - Float(i)
        let a = keys[i], b = keys[i + 1]
        func mix(_ p: UInt8, _ q: UInt8) -> UInt8 { UInt8((Float(p) + (Float(q) - Float(p)) * f).rounded()) }
        return RGBA8(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b), mix(a.a, b.a))
    }

    /// 256 packed colours for the kernel.
    var lookupTable: [UInt32] { (0..<256).map { color(at: Float($0) / 255).packed } }
}
