/// A seeded, splittable pseudo-random stream (xoshiro256**, seeded through SplitMix64).
///
/// Determinism is the point: the same seed gives the same sequence on every run and
/// platform. `derived(_:)` gives an independent child stream named by a string
/// (e.g. a system id), so adding a system never shifts another system's numbers.
public struct RandomStream: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        s0 = Self.splitMix(&sm); s1 = Self.splitMix(&sm); s2 = Self.splitMix(&sm); s3 = Self.splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @usableFromInline static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A child stream whose seed mixes this stream's seed material with `name`.
    /// Does not advance `self`.
    public func derived(_ name: String) -> RandomStream {
        // FNV-1a over the name, mixed with the parent's state through SplitMix64.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        var x = s0 ^ Self.rotl(s1, 13) ^ Self.rotl(s2, 29) ^ Self.rotl(s3, 47) ^ h
        return RandomStream(seed: Self.splitMix(&x))
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inlinable public mutating func unitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func unitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }
    @inlinable public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * unitFloat() }
    @inlinable public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unitDouble() }

    /// Exponential with the given rate (1/mean), in the rate's time unit.
    public mutating func exponential(rate: Double) -> Double { -_log(1 - unitDouble()) / rate }

    /// Standard normal by Box–Muller (one value per call; simple and deterministic).
    public mutating func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        let u1 = 1 - unitDouble(), u2 = unitDouble()
        return mean + standardDeviation * _sqrt(-2 * _log(u1)) * _cosD(2 * Double.pi * u2)
    }
}
