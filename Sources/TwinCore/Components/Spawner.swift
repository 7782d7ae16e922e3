/// An entity that creates instances of a prefab over time (`core.spawner`).
///
/// Scenes write spawners in the `spawners` section; this component holds the same
/// settings plus the spawner's running state, so snapshots and forks resume exactly.
public struct Spawner: Component, DocumentedComponent, Hashable {
    public enum Arrivals: String, Codable, Sendable, Hashable {
        /// Evenly spaced, one every 1/rate seconds.
        case fixed
        /// A Poisson process: exponential gaps with mean 1/rate seconds.
        case poisson
    }

    /// Prefab to instantiate (a key of the scene's `prefabs`).
    public var prefab: String
    /// Mean arrivals per second.
    public var rate: Double
    public var arrivals: Arrivals
    /// New instances appear uniformly at random in this box (a point when min == max).
    public var area: AABB
    /// Velocity given to each instance (overrides the prefab's), m/s; nil keeps the prefab's.
    public var velocity: Vec3?
    /// Simulated time at which spawning starts and stops, s.
    public var start: Double
    public var stop: Double?
    /// Total instances after which the spawner stops; nil for no limit.
    public var limit: Int?

    // Running state.
    /// Simulated time of the next arrival, s.
    public var nextArrival: Double
    public var spawned: Int

    public init(
        prefab: String, rate: Double, arrivals: Arrivals = .fixed, area: AABB, velocity: Vec3? = nil,
        start: Double = 0, stop: Double? = nil, limit: Int? = nil
    ) {
        self.prefab = prefab; self.rate = rate; self.arrivals = arrivals; self.area = area
        self.velocity = velocity; self.start = start; self.stop = stop; self.limit = limit
        self.nextArrival = start; self.spawned = 0
    }

    public static let summary = "Creates prefab instances at a fixed or Poisson rate inside an area."
    public static let fieldUnits = ["rate": "1/s", "start": "s", "stop": "s", "nextArrival": "s", "velocity": "m/s", "area": "m"]

    public func hashState(into h: inout StableHasher) {
        h.combine(prefab); h.combine(rate); h.combine(arrivals.rawValue)
        h.combine(area.min); h.combine(area.max)
        h.combine(velocity ?? Vec3(.nan, .nan, .nan))
        h.combine(start); h.combine(stop ?? -1); h.combine(limit ?? -1)
        h.combine(nextArrival); h.combine(spawned)
    }
}
