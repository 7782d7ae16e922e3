import TwinCore

/// Samples the transforms of a running world at a fixed interval, for an animated glTF
/// (``RecordingExporter``) and for trajectory and density overlays.
///
/// Memory grows with what moves, not with what stands still: every sample asks the ECS
/// which entities had `Position` or `Rotation` written since the previous sample
/// (change ticks) and stores a keyframe only for those. An entity that stands still
/// keeps the one keyframe it had when it appeared; when it starts moving again, a
/// keyframe repeating its last value at the previous sample time is inserted, so linear
/// interpolation never drifts through a pause. Appearance and departure (despawn) times
/// are kept per entity and become scale steps in the export. `Scale`, `Kind` and
/// `Visual` are read once, when the entity first appears.
public final class WorldRecording {
    /// One entity's keyframes.
    public struct Track: Sendable {
        public var entity: Entity
        public var kind: String?
        public var name: String?
        /// `Visual.asset`, if any.
        public var asset: String?
        public var scale: Vec3
        /// Simulated time of the sample where the entity was first seen, s.
        public var appeared: Double
        /// Simulated time of the first sample after it was despawned, s.
        public var departed: Double?
        /// Keyframe times, s; strictly increasing.
        public var times: [Double] = []
        public var translations: [Vec3] = []
        /// Empty for entities without a `Rotation` component.
        public var rotations: [Quat] = []
        var hasRotation: Bool
        var lastSample: Int
    }

    /// Seconds between samples (rounded to whole steps by ``stepEnded(_:step:dt:)``).
    public let interval: Double
    /// Time of every sample taken, s.
    public private(set) var sampleTimes: [Double] = []
    public private(set) var tracks: [Track] = []
    private var trackOf: [Entity: Int] = [:]
    private var lastTick: UInt32 = 0

    /// - Throws: ``RecordingError/invalidInterval(_:)`` unless `interval` is finite and > 0.
    public init(interval: Double) throws(RecordingError) {
        guard interval.isFinite, interval > 0 else { throw .invalidInterval(interval) }
        self.interval = interval
    }

    /// Stored keyframes over all tracks (the recording's memory is about 28 bytes each).
    public var keyframeCount: Int { tracks.reduce(0) { $0 + $1.times.count } }

    /// Samples when `step` (steps completed) is a multiple of the interval in steps.
    public func stepEnded(_ world: WorldReader, step: Int64, dt: Double) {
        let every = Int64(max(1, (interval / dt).rounded()))
        if step % every == 0 { sample(world, time: Double(step) * dt) }
    }

    /// Takes a sample now, at simulated time `time` (s; must exceed the previous one,
    /// else the call is ignored).
    public func sample(_ world: WorldReader, time: Double) {
        guard time.isFinite, sampleTimes.last.map({ time > $0 }) ?? true else { return }
        let k = sampleTimes.count
        sampleTimes.append(time)
        let changed: [Entity]
        if k == 0 {
            changed = world.query(Position.self).entities.sorted()
        } else {
            for r in world.removals(since: lastTick) where r.component == nil {
                if let t = trackOf[r.entity], tracks[t].departed == nil { tracks[t].departed = time }
            }
            var set = world.changed(Position.self, since: lastTick)
            let rotated = world.changed(Rotation.self, since: lastTick)
            if !rotated.isEmpty { set = Array(Set(set + rotated)).sorted() }
            changed = set
        }
        for e in changed where world.isAlive(e) {
            guard let p = world.get(Position.self, of: e)?.value else { continue }
            let r = world.get(Rotation.self, of: e)?.value
            if let t = trackOf[e] {
                append(&tracks[t], sample: k, time: time, p, r)
            } else {
                var track = Track(
                    entity: e, kind: world.get(Kind.self, of: e)?.value, name: world.get(Name.self, of: e)?.value,
                    asset: world.get(Visual.self, of: e)?.asset, scale: world.get(Scale.self, of: e)?.value ?? .one,
                    appeared: time, hasRotation: r != nil, lastSample: k)
                append(&track, sample: k, time: time, p, r)
                trackOf[e] = tracks.count
                tracks.append(track)
            }
        }
        lastTick = world.changeTick
    }

    private func append(_ t: inout Track, sample k: Int, time: Double, _ p: Vec3, _ r: Quat?) {
        if !t.times.isEmpty, t.lastSample < k - 1, let lp = t.translations.last {
            // Hold the last value until the previous sample: the entity stood still.
            t.times.append(sampleTimes[k - 1])
            t.translations.append(lp)
            if t.hasRotation { t.rotations.append(t.rotations.last ?? .identity) }
        }
        if t.times.last.map({ time > $0 }) ?? true {
            t.times.append(time)
            t.translations.append(p)
            if t.hasRotation { t.rotations.append(r ?? .identity) }
        }
        t.lastSample = k
    }

    /// Ground-plane (x, z) positions of a track at each keyframe.
    func groundPath(_ t: Track) -> [Vec2] { t.translations.map { Vec2($0.x, $0.z) } }
}

/// Why a recording could not be made.
public enum RecordingError: Error, Equatable, CustomStringConvertible {
    case invalidInterval(Double)
    case nothingRecorded

    public var description: String {
        switch self {
        case .invalidInterval(let v): return "recording interval must be a finite number of seconds > 0, got \(v)"
        case .nothingRecorded: return "the recording has no samples"
        }
    }
}
