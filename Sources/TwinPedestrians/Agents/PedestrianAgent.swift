import TwinCore

/// The pedestrians plugin's per-agent state (beside `Walker`, `Position`, `Velocity`).
public struct PedestrianAgent: Component, DocumentedComponent, Hashable {
    public enum Activity: String, Codable, Sendable, Hashable {
        /// Waiting for its pre-movement time to pass.
        case premovement
        /// Walking towards its current stage.
        case walking
        /// Standing in a queue slot.
        case queued
        /// Standing in a waiting area.
        case waiting
    }

    /// Journey index (scene order of `journeys`).
    public var journey: Int32
    /// Position in the journey's legs.
    public var leg: Int32
    /// The stage the agent is heading for or standing at (scene order of `stages`).
    public var stage: Int32
    /// Region the agent stands in (levels first, then stairs, in scene order).
    public var region: Int32
    public var activity: Activity
    /// Simulated time the agent appeared, s.
    public var spawnTime: Double
    /// When the current wait (pre-movement or waiting area) ends, s.
    public var until: Double
    /// Where the agent stands while queued or waiting (x, z), m.
    public var spot: Vec2
    /// When a choice leg is reconsidered next, s (infinity: never).
    public var reconsiderAt: Double

    public init(journey: Int32 = 0, region: Int32 = 0, spawnTime: Double = 0) {
        self.journey = journey; leg = 0; stage = 0; self.region = region; activity = .walking
        self.spawnTime = spawnTime; until = 0; spot = .zero; reconsiderAt = .infinity
    }

    public static let summary = "Pedestrian journey state: journey, leg, current stage, region, activity, spawn time."
    public static let fieldUnits = ["spawnTime": "s", "until": "s", "spot": "m", "reconsiderAt": "s"]
}
