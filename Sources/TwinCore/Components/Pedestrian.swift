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
