import TwinCore

/// Creates prefab instances for every `Spawner` entity.
///
/// Arrivals at times inside the step are placed exactly: an instance that arrives at
/// t with velocity v starts at `p − v·(t − stepStart)`, so after this step's
/// integration it stands where it would have been at the step's end. Positions are
/// uniform in the spawner's area, from this system's own random stream.
///
/// Spawning pauses while the world holds `world.maxEntities` (arrivals due then are
/// dropped, not queued).
///
/// - Reads/Writes: Spawner. Writes: Position, Velocity (new instances). Emits: Spawned.
public final class SpawnerSystem: PreUpdateSystem {
    public static let id: SystemID = "core.spawner"
    public static let summary = "Spawns prefab instances from Spawner entities at fixed or Poisson arrival times."
    public static let writes = ["Spawner", "Position", "Velocity"]
    public static let emits = ["Spawned"]
    public static let defaultPriority = SystemPriority.spawning

    /// Highest accepted rate, 1/s; higher rates are a scene error (they would stall a step).
    public static let maxRate = 1e6
    /// At most this many instances per spawner per step, whatever the rate and dt.
    public static let maxPerStep = 65_536

    var random: RandomStream
    let prefabs: [String: Prefab]
    let maxEntities: Int
    let spawners: Query<Mut<Spawner>>

    public init(parameters: NoParameters, setup: inout SystemSetup) {
        random = setup.random
        prefabs = setup.scene.prefabs
        maxEntities = setup.scene.settings.maxEntities
        spawners = setup.world.query(Mut<Spawner>.self)
    }

    public func preUpdate(_ step: StepInfo, world: World) {
        let end = step.endTime, start = step.time
        var pending = 0
        spawners.forEach { source, sp in
            guard let prefab = prefabs[sp.pointee.prefab], sp.pointee.rate > 0 else { return }
            var made = 0
            while sp.pointee.nextArrival < end, made < Self.maxPerStep {
                made += 1
                let t = sp.pointee.nextArrival
                if let stop = sp.pointee.stop, t >= stop { sp.pointee.nextArrival = .infinity; break }
                if let limit = sp.pointee.limit, sp.pointee.spawned >= limit { sp.pointee.nextArrival = .infinity; break }
                if world.aliveCount + pending < maxEntities {
                    spawn(prefab, from: sp.pointee, at: t, stepStart: start, world: world)
                    world.send(Spawned(spawner: source, time: t))
                    sp.pointee.spawned += 1
                    pending += 1
                }
                let gap = sp.pointee.arrivals == .fixed ? 1 / sp.pointee.rate : random.exponential(rate: sp.pointee.rate)
                // A gap too small to advance the clock would never leave this loop.
                sp.pointee.nextArrival = t + gap > t ? t + gap : t.nextUp
            }
        }
    }

    private func spawn(_ prefab: Prefab, from sp: Spawner, at t: Double, stepStart: Double, world: World) {
        let a = sp.area
        let p = Vec3(random.uniform(a.min.x, a.max.x), random.uniform(a.min.y, a.max.y), random.uniform(a.min.z, a.max.z))
        let v = sp.velocity ?? prefab.components.lazy.compactMap { $0 as? Velocity }.first?.value ?? .zero
        let lead = Float(t - stepStart)
        let e = world.commands.spawn(world)
        world.commands.run { w in
            prefab.instantiate(on: e, in: w)
            w.insert(Position(p - v * lead), on: e)
            if sp.velocity != nil { w.insert(Velocity(v), on: e) }
        }
    }
}

/// A spawner created an instance at `time` (s).
public struct Spawned: Sendable, Hashable {
    public let spawner: Entity
    public let time: Double
}
