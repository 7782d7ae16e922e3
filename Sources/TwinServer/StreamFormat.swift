import Hummingbird
import TwinRuntime

/// The stream's wire formats (documented in README, "Streams"). A viewer picks the
/// binary layout with `format=1|2` (query or `subscribe` message); the JSON text
/// message is the same for both.
///
/// JSON text message: `{"type":"delta","step":…,"time":…,"keyframe":…,"spawned":[{"id","kind","name"}],
/// "kpis":{…},"events":[…]}` — sent before the binary message of the same step.
public enum StreamFormat {
    /// Binary layouts. `TWD1` stays the default so clients written against it keep working.
    public enum Version: Int, Sendable, CaseIterable {
        /// ``StreamFormat/full(step:time:keyframe:records:removed:)``: fixed 48-byte records.
        case full = 1
        /// ``StreamFormat/compact(step:time:keyframe:records:removed:)``: change masks, quantised positions.
        case compact = 2
    }

    static func binary(_ version: Version, step: Int64, time: Double, keyframe: Bool,
                       records: [StreamDelta.Record], removed: [UInt64]) -> ByteBuffer {
        switch version {
        case .full: full(step: step, time: time, keyframe: keyframe, records: records, removed: removed)
        case .compact: compact(step: step, time: time, keyframe: keyframe, records: records, removed: removed)
        }
    }

    public static let magic: [UInt8] = Array("TWD1".utf8)
    public static let headerSize = 32
    public static let recordSize = 48

    /// `TWD1`, little-endian, 32-byte header then fixed 48-byte records (so a browser
    /// can view them as `Float32Array`s); every record carries every transform field:
    /// ```
    /// 0  "TWD1"            4 bytes
    /// 4  flags   u32       bit 0: keyframe (drop entities not listed)
    /// 8  step    f64
    /// 16 time    f64       s
    /// 24 count   u32       records
    /// 28 removed u32       entity ids after the records
    /// 32 records: index u32, generation u32, position f32×3 (m), rotation f32×4 (x,y,z,w), scale f32×3
    ///    removed: index u32, generation u32
    /// ```
    static func full(step: Int64, time: Double, keyframe: Bool, records: [StreamDelta.Record], removed: [UInt64]) -> ByteBuffer {
        var b = ByteBufferAllocator().buffer(capacity: headerSize + records.count * recordSize + removed.count * 8)
        b.writeBytes(magic)
        b.writeInteger(UInt32(keyframe ? 1 : 0), endianness: .little)
        b.writeInteger(Double(step).bitPattern, endianness: .little)
        b.writeInteger(time.bitPattern, endianness: .little)
        b.writeInteger(UInt32(records.count), endianness: .little)
        b.writeInteger(UInt32(removed.count), endianness: .little)
        for r in records {
            b.writeInteger(UInt32(truncatingIfNeeded: r.entity), endianness: .little)
            b.writeInteger(UInt32(truncatingIfNeeded: r.entity >> 32), endianness: .little)
            write(r.position.x, r.position.y, r.position.z, into: &b)
            write(r.rotation.x, r.rotation.y, r.rotation.z, into: &b)
            b.writeInteger(r.rotation.w.bitPattern, endianness: .little)
            write(r.scale.x, r.scale.y, r.scale.z, into: &b)
        }
        for e in removed {
            b.writeInteger(UInt32(truncatingIfNeeded: e), endianness: .little)
            b.writeInteger(UInt32(truncatingIfNeeded: e >> 32), endianness: .little)
        }
        return b
    }

    private static func write(_ x: Float, _ y: Float, _ z: Float, into b: inout ByteBuffer) {
        b.writeMultipleIntegers(x.bitPattern, y.bitPattern, z.bitPattern, endianness: .little)
    }

    static func json(step: Int64, time: Double, keyframe: Bool, spawned: [StreamDelta.Spawned],
                     kpis: [(name: String, value: Double)], events: [JSONValue]) -> String? {
        guard keyframe || !spawned.isEmpty || !kpis.isEmpty || !events.isEmpty else { return nil }
        return JSONWriter.string(jsonValue(step: step, time: time, keyframe: keyframe, spawned: spawned, kpis: kpis, events: events))
    }

    static func jsonValue(step: Int64, time: Double, keyframe: Bool, spawned: [StreamDelta.Spawned],
                          kpis: [(name: String, value: Double)], events: [JSONValue]) -> JSONValue {
        .object([
            ("type", .string("delta")), ("step", .number(Double(step))), ("time", .number(time)), ("keyframe", .bool(keyframe)),
            ("spawned", .array(spawned.map { s in
                .object([("id", .number(Double(s.entity))), ("kind", .string(s.kind)), ("name", s.name.map { .string($0) } ?? .null)])
            })),
            ("kpis", .object(kpis.map { ($0.name, $0.value.isFinite ? .number($0.value) : .null) })),
            ("events", .array(events)),
        ])
    }
}
