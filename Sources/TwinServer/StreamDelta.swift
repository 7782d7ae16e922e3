import Hummingbird
import Synchronization
import TwinRuntime

/// What changed in a world during one step (or, for a keyframe, all of it): the
/// transforms of moved or new entities, the entities that disappeared, new entities'
/// kinds and names, the KPIs and the external commands applied. Built once on the
/// world thread and shared by every viewer.
public final class StreamDelta: Sendable {
    /// Transform fields of a record, for change masks.
    public struct Fields: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let position = Fields(rawValue: 1)
        public static let rotation = Fields(rawValue: 2)
        public static let scale = Fields(rawValue: 4)
        public static let all: Fields = [.position, .rotation, .scale]
    }

    public struct Record: Sendable {
        public var entity: UInt64
        public var position: Vec3
        public var rotation: Quat
        public var scale: Vec3
        /// `Kind`, "" for none (subscription filters match on it).
        public var kind: String
        /// The fields written since the previous delta (all of them for an entity new
        /// to the viewer); every field above is current either way.
        public var changed: Fields = .all

        /// Position, plus rotation and scale where they differ from identity and one
        /// (what a viewer starting from defaults needs).
        var nonDefaultFields: Fields {
            var f: Fields = .position
            if rotation != .identity { f.insert(.rotation) }
            if scale != .one { f.insert(.scale) }
            return f
        }
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
    /// ``StreamFormat/json(step:time:keyframe:spawned:kpis:events:)`` of the whole delta, nil when it has nothing to say.
    public let json: String?
    /// The binary message of the whole delta per layout, encoded by the first
    /// unfiltered viewer that needs it (off the world thread) and shared.
    private let encoded = Mutex<[StreamFormat.Version: ByteBuffer]>([:])

    init(step: Int64, time: Double, keyframe: Bool, records: [Record], removed: [UInt64], spawned: [Spawned],
         kpis: [(name: String, value: Double)], events: [JSONValue]) {
        self.step = step; self.time = time; self.keyframe = keyframe
        self.records = records; self.removed = removed; self.spawned = spawned; self.kpis = kpis; self.events = events
        json = StreamFormat.json(step: step, time: time, keyframe: keyframe, spawned: spawned, kpis: kpis, events: events)
    }

    /// The whole delta's binary message in `version`'s layout.
    public func binary(_ version: StreamFormat.Version) -> ByteBuffer {
        encoded.withLock { cache in
            if let b = cache[version] { return b }
            let b = StreamFormat.binary(version, step: step, time: time, keyframe: keyframe, records: records, removed: removed)
            cache[version] = b
            return b
        }
    }

    /// Several consecutive deltas as one (a slow viewer's backlog): the latest
    /// transform per entity with the union of its change masks, entities removed in
    /// between left out. An entity removed and back within the backlog (it lost its
    /// `Position` and got it again) is not removed: it comes with every field, as the
    /// viewer must make it anew.
    static func coalesced(_ list: [StreamDelta]) -> StreamDelta? {
        guard let last = list.last else { return nil }
        if list.count == 1 { return last }
        var order: [UInt64] = []
        var ordered: Set<UInt64> = []
        var latest: [UInt64: Record] = [:]
        var removed: Set<UInt64> = []
        var removedOrder: [UInt64] = []
        var spawned: [UInt64: Spawned] = [:]
        var spawnOrder: [UInt64] = []
        var events: [JSONValue] = []
        for d in list {
            for s in d.spawned where spawned.updateValue(s, forKey: s.entity) == nil { spawnOrder.append(s.entity) }
            for var r in d.records {
                if let earlier = latest[r.entity] {
                    r.changed.formUnion(earlier.changed)
                } else if removed.remove(r.entity) != nil {
                    r.changed = .all
                }
                if ordered.insert(r.entity).inserted { order.append(r.entity) }
                latest[r.entity] = r
            }
            for e in d.removed {
                latest[e] = nil
                if spawned.removeValue(forKey: e) == nil, removed.insert(e).inserted { removedOrder.append(e) }
            }
            events += d.events
        }
        return StreamDelta(
            step: last.step, time: last.time, keyframe: list.contains { $0.keyframe },
            records: order.compactMap { latest[$0] }, removed: removedOrder.filter { removed.contains($0) },
            spawned: spawnOrder.compactMap { spawned[$0] }, kpis: last.kpis, events: events)
    }
}
