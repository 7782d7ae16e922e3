/// A walking agent of the `pedestrians` plugin, as other plugins see it.
///
/// Shared here (not in `TwinPedestrians`) so that sibling plugins can read and write
/// agents without importing each other: vehicles yield to walkers on a crossing,
/// machines release queued walkers, live data moves one. The agent's place is its
/// `Position` (ground plane X–Z, Y is the level's height) and its motion its
/// `Velocity`.
public struct Walker: Component, DocumentedComponent, Hashable {
    /// Body radius, m.
    public var radius: Float
    /// Free walking speed the agent wants, m/s.
    public var desiredSpeed: Float

    public init(radius: Float = 0.2, desiredSpeed: Float = 1.34) {
        self.radius = radius
        self.desiredSpeed = desiredSpeed
    }

    public static let summary = "A walking agent (pedestrians plugin): body radius and desired speed."
    public static let fieldUnits = ["radius": "m", "desiredSpeed": "m/s"]

    public func hashState(into h: inout StableHasher) {
        h.combine(radius)
        h.combine(desiredSpeed)
    }
}

/// A stage of the pedestrians plugin (waypoint, queue, waiting area, exit) as other
/// plugins see it. A machine lets the head of a queue go by raising
/// `pendingReleases`; live data closes an exit with `open = false`.
public struct WalkerStage: Component, DocumentedComponent, Hashable {
    /// Stage type: `waypoint`, `exit`, `queue` or `waiting`.
    public var type: String
    /// Agents standing in the queue or waiting area now.
    public var waiting: Int
    /// Releases requested by other systems, consumed by the pedestrians plugin.
    public var pendingReleases: Int
    /// Agents that have passed this stage so far.
    public var passed: Int
    /// A closed stage lets nobody pass (a closed exit holds its agents; choices skip it).
    public var open: Bool

    public init(type: String, waiting: Int = 0, pendingReleases: Int = 0, passed: Int = 0, open: Bool = true) {
        self.type = type; self.waiting = waiting; self.pendingReleases = pendingReleases; self.passed = passed; self.open = open
    }

    public static let summary = "A pedestrian stage: agents waiting, releases requested by other systems, agents passed, open or closed."
}
