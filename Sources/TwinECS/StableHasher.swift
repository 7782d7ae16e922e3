/// A deterministic 64-bit hasher (FNV-1a over bytes, with a final avalanche).
///
/// Swift's `Hasher` is seeded randomly per process, so it can never prove that two
/// runs are identical; this one gives the same value for the same input on every run.
/// Floats are hashed by bit pattern: "bit-identical" is what determinism means here.
public struct StableHasher: Sendable {
    @usableFromInline var state: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    @inlinable @inline(__always)
    public mutating func combine(_ v: UInt64) {
        var s = state
        var x = v
        for _ in 0..<8 {
            s = (s ^ (x & 0xFF)) &* 0x0000_0100_0000_01B3
            x >>= 8
        }
        state = s
    }

    public mutating func combine(_ v: UInt32) { combine(UInt64(v)) }
    public mutating func combine(_ v: Int) { combine(UInt64(bitPattern: Int64(v))) }
    public mutating func combine(_ v: Float) { combine(UInt64(v.bitPattern)) }
    public mutating func combine(_ v: Double) { combine(v.bitPattern) }
    public mutating func combine(_ v: Bool) { combine(UInt64(v ? 1 : 0)) }

    public mutating func combine(_ s: String) {
        var st = state
        for b in s.utf8 { st = (st ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        state = st
        combine(UInt64(s.utf8.count))
    }

    /// The finished hash (the state passed through a SplitMix64 finaliser).
    public var value: UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public var hexValue: String { Self.hex(value) }

    /// A hash as 16 lower-case hex digits, the form used in files and `--json`.
    public static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
