import Hummingbird
import TwinRuntime

/// What changed in a world during one step (or, for a keyframe, all of it): the
/// transforms of moved or new entities, the entities that disappeared, new entities'
/// kinds and names, the KPIs and the external commands applied. Built once on the
/// world thread and shared by every viewer.
public final class StreamDelta: Sendable {
    public struct Record: Sendable {
        public var entity: UInt64
        public var position: Vec3
        public var rotation: Quat
        public var scale: Vec3
        /// `Kind`, "" for none (subscription filters match on it).
        public var kind: String
    }

    public struct Spawned: Sendable {
        public var entity: UInt64
        public var kind: String
        public var name: String?
    }

    public let step: Int64
    public let time: Double
    /// A keyframe lists every streamed entity; a viewer drops what it does not list.
    public let keyframe: Bool
    public let records: [Record]
    public let removed: [UInt64]
    public let spawned: [Spawned]
    public let kpis: [(name: String, value: Double)]
    /// Applied or rejected external commands, as JSON events.
    public let events: [JSONValue]
    /// ``StreamFormat/binary(_:)`` of the whole delta, encoded once for unfiltered viewers.
    public let binary: ByteBuffer
    /// ``StreamFormat/json(_:)`` of the whole delta, nil when it has nothing to say.
    public let json: String?

    init(step: Int64, time: Double, keyframe: Bool, records: [Record], removed: [UInt64], spawned: [Spawned],
         kpis: [(name: String, value: Double)], events: [JSONValue]) {
        self.step = step; self.time = time; self.keyframe = keyframe
        self.records = records; self.removed = removed; self.spawned = spawned; self.kpis = kpis; self.events = events
        binary = StreamFormat.binary(step: step, time: time, keyframe: keyframe, records: records, removed: removed)
        json = StreamFormat.json(step: step, time: time, keyframe: keyframe, spawned: spawned, kpis: kpis, events: events)
    }

    /// Several consecutive deltas as one (a slow viewer's backlog): the latest
    /// transform per entity, entities removed in between left out.
    static func coalesced(_ list: [StreamDelta]) -> StreamDelta? {
        guard let last = list.last else { return nil }
        if list.count == 1 { return last }
        var order: [UInt64] = []
        var latest: [UInt64: Record] = [:]
        var removed: [UInt64] = []
        var spawned: [UInt64: Spawned] = [:]
        var spawnOrder: [UInt64] = []
        var events: [JSONValue] = []
        for d in list {
            for s in d.spawned where spawned.updateValue(s, forKey: s.entity) == nil { spawnOrder.append(s.entity) }
            for r in d.records {
                if latest.updateValue(r, forKey: r.entity) == nil { order.append(r.entity) }
            }
            for e in d.removed {
                latest[e] = nil
                if spawned.removeValue(forKey: e) == nil { removed.append(e) }
            }
            events += d.events
        }
        return StreamDelta(
            step: last.step, time: last.time, keyframe: list.contains { $0.keyframe },
            records: order.compactMap { latest[$0] }, removed: removed,
            spawned: spawnOrder.compactMap { spawned[$0] }, kpis: last.kpis, events: events)
    }
}

/// The stream's wire format (documented in README, "Streams").
///
/// Binary message, little-endian, 32-byte header then fixed 48-byte records (so a
/// browser can view them as `Float32Array`s):
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
/// JSON text message: `{"type":"delta","step":…,"time":…,"keyframe":…,"spawned":[{"id","kind","name"}],
/// "kpis":{…},"events":[…]}` — sent before the binary message of the same step.
public enum StreamFormat {
    public static let magic: [UInt8] = Array("TWD1".utf8)
    public static let headerSize = 32
    public static let recordSize = 48

    static func binary(step: Int64, time: Double, keyframe: Bool, records: [StreamDelta.Record], removed: [UInt64]) -> ByteBuffer {
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
