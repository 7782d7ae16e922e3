import Hummingbird
import TwinRuntime

/// `TWD2`: the updates of `TWD1` in about a quarter of the bytes.
///
/// Why a second layout: with 10,000 entities moving every step, `TWD1`'s fixed
/// 48-byte records are 480 kB per viewer per step, and 200 viewers at 20 Hz push
/// ~1 GB/s over loopback — CPU that the world thread needs. Most moving entities
/// only translate, so a record carries only the fields whose ECS change tick moved
/// (a change mask); positions are integers on a grid of `quantum` metres (2⁻¹⁰ m
/// unless the message's positions span more than 2²⁴ grid steps on an axis), which
/// bounds the position error by quantum / 2 (0.49 mm); rotations are signed 16-bit
/// fractions (error ≤ 1/65534 per component); entity ids are sorted and sent as
/// LEB128 differences, one byte for consecutive ids. A translating entity costs
/// 11 bytes instead of 48. Still one shared encoding per step for every
/// unfiltered viewer, so nothing is per viewer state.
///
/// ```
/// 0  "TWD2"            4 bytes
/// 4  flags   u32       bit 0: keyframe (drop entities not listed)
/// 8  step    f64
/// 16 time    f64       s
/// 24 count   u32       records
/// 28 removed u32       removed ids after the records
/// 32 origin  f64×3     m, the grid's corner
/// 56 quantum f32       m, the grid step: a power of two ≥ 2⁻¹⁰
/// 60 records, each:
///    mask     u8       bit 0 position, bit 1 rotation, bit 2 scale follow; bit 3 raw floats
///    id       LEB128   entity id minus the previous record's (ascending; the first minus 0)
///    position u24×3    origin + quantum × n, per axis      (bit 0, not bit 3)
///             f32×3    m                                   (bit 0 and bit 3)
///    rotation i16×4    x, y, z, w = n / 32767              (bit 1, not bit 3)
///             f32×4                                        (bit 1 and bit 3)
///    scale    f32×3                                        (bit 2)
/// then the removed ids: LEB128 differences, ascending (the first minus 0)
/// ```
/// A field left out keeps the value the viewer has; an entity the viewer does not
/// have yet starts at identity rotation and unit scale. Keyframe records carry the
/// position and only a rotation or scale that differs from those defaults; delta
/// records carry what changed, and every field for an entity new to the viewer.
/// Bit 3 marks a record with a field that cannot be quantised (a non-finite
/// coordinate, a rotation component outside −1…1): its fields follow as `f32`.
extension StreamFormat {
    public static let compactMagic: [UInt8] = Array("TWD2".utf8)
    public static let compactHeaderSize = 60
    /// The finest position grid step, m: 2⁻¹⁰ (a position error of at most 0.49 mm).
    public static let finestQuantum = 1.0 / 1024
    /// Grid steps an axis may span: a position is 24 bits per axis.
    static let gridSteps = Double((1 << 24) - 1)

    static func compact(step: Int64, time: Double, keyframe: Bool, records: [StreamDelta.Record], removed: [UInt64]) -> ByteBuffer {
        var fields: [StreamDelta.Fields] = []
        fields.reserveCapacity(records.count)
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for r in records {
            let f = keyframe ? r.nonDefaultFields : r.changed
            fields.append(f)
            let p = SIMD3<Double>(Double(r.position.x), Double(r.position.y), Double(r.position.z))
            if f.contains(.position) && p.x.isFinite && p.y.isFinite && p.z.isFinite {
                lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p)
            }
        }
        let (origin, quantum) = grid(lo: lo, hi: hi)
        var w = ByteWriter(capacity: compactHeaderSize + records.count * 12 + removed.count * 2)
        w.bytes += compactMagic
        w.u32(keyframe ? 1 : 0)
        w.u64(Double(step).bitPattern)
        w.u64(time.bitPattern)
        w.u32(UInt32(truncatingIfNeeded: records.count))
        w.u32(UInt32(truncatingIfNeeded: removed.count))
        for v in [origin.x, origin.y, origin.z] { w.u64(v.bitPattern) }
        w.u32(Float(quantum).bitPattern)
        var previous: UInt64 = 0
        for i in records.indices.sorted(by: { records[$0].entity < records[$1].entity }) {
            let r = records[i], f = fields[i]
            let raw = !isQuantisable(r, f)
            w.bytes.append(f.rawValue | (raw ? rawFloats : 0))
            w.leb128(r.entity &- previous)
            previous = r.entity
            let p = r.position, q = r.rotation, s = r.scale
            if f.contains(.position) && raw {
                w.f32(p.x); w.f32(p.y); w.f32(p.z)
            } else if f.contains(.position) {
                w.u24(cell(p.x, origin.x, quantum)); w.u24(cell(p.y, origin.y, quantum)); w.u24(cell(p.z, origin.z, quantum))
            }
            if f.contains(.rotation) && raw {
                w.f32(q.x); w.f32(q.y); w.f32(q.z); w.f32(q.w)
            } else if f.contains(.rotation) {
                w.snorm16(q.x); w.snorm16(q.y); w.snorm16(q.z); w.snorm16(q.w)
            }
            if f.contains(.scale) { w.f32(s.x); w.f32(s.y); w.f32(s.z) }
        }
        previous = 0
        for e in removed.sorted() {
            w.leb128(e &- previous)
            previous = e
        }
        return ByteBuffer(bytes: w.bytes)
    }

    /// Mask bit 3.
    static let rawFloats: UInt8 = 8

    /// `v`'s grid cell (a finite `v` inside the grid's span: see ``grid(lo:hi:)``).
    @inline(__always) private static func cell(_ v: Float, _ origin: Double, _ quantum: Double) -> UInt32 {
        UInt32(min(max(0, ((Double(v) - origin) / quantum).rounded()), gridSteps))
    }

    /// The grid for positions in `lo…hi`: the finest power-of-two step that spans them in 24 bits.
    static func grid(lo: SIMD3<Double>, hi: SIMD3<Double>) -> (origin: SIMD3<Double>, quantum: Double) {
        guard lo.x <= hi.x && lo.y <= hi.y && lo.z <= hi.z else { return (.zero, finestQuantum) }
        let extent = (hi - lo).max()
        var q = finestQuantum
        // Finite Float coordinates span less than 2¹²⁹ m, so this stops by 2¹⁰⁵.
        while extent / q > gridSteps && q < 0x1p120 { q *= 2 }
        return (lo, q)
    }

    private static func isQuantisable(_ r: StreamDelta.Record, _ f: StreamDelta.Fields) -> Bool {
        if f.contains(.position) && !(r.position.x.isFinite && r.position.y.isFinite && r.position.z.isFinite) { return false }
        let q = r.rotation
        return !f.contains(.rotation) || (abs(q.x) <= 1 && abs(q.y) <= 1 && abs(q.z) <= 1 && abs(q.w) <= 1)
    }
}

/// Little-endian bytes for the compact layout.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v)); bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }
    mutating func u24(_ v: UInt32) {
        u16(UInt16(truncatingIfNeeded: v)); bytes.append(UInt8(truncatingIfNeeded: v >> 16))
    }
    mutating func u32(_ v: UInt32) { u16(UInt16(truncatingIfNeeded: v)); u16(UInt16(truncatingIfNeeded: v >> 16)) }
    mutating func u64(_ v: UInt64) { u32(UInt32(truncatingIfNeeded: v)); u32(UInt32(truncatingIfNeeded: v >> 32)) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    /// A value in −1…1 as n / 32767 (error ≤ 1/65534: the product is exact in `Double`, not in `Float`).
    mutating func snorm16(_ v: Float) { u16(UInt16(bitPattern: Int16((Double(v) * 32767).rounded()))) }

    /// Unsigned LEB128: seven bits a byte, low first, high bit set on all but the last.
    mutating func leb128(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}
