import TwinCore

/// The `pedestrians` scene section as written (decoded strictly; see the README).
struct PedestriansSpec: Codable {
    /// Floor-field grid spacing, m (0.05…1, default 0.2).
    var cell: Float?
    var levels: [LevelSpec]?
    var stairs: [StairSpec]?
    var stages: [StageSpec]
    var journeys: [JourneySpec]
    var agents: [GroupSpec]?
    var sources: [SourceSpec]?
    var measure: MeasureSpec?
    var periodic: PeriodicSpec?
}

struct LevelSpec: Codable {
    var name: String
    /// Floor height, m (world Y).
    var height: Float?
    /// Walkable areas, walls, obstacles of this level (the `geometry` section's form).
    var geometry: SceneGeometry
}

struct StairSpec: Codable {
    var name: String
    var from: String
    var to: String
    /// Bottom edge on level `from` and top edge on level `to`, [[x, z], [x, z]].
    var bottom: [Vec2]
    var top: [Vec2]
    /// Walking length along the slope, m (default: from run and rise).
    var length: Float?
    /// Speed along the slope relative to free speed, going up / down.
    var upFactor: Float?
    var downFactor: Float?
}

struct StageSpec: Codable {
    var name: String
    /// waypoint, exit, queue, waiting.
    var type: String
    var level: String?
    var position: Vec2?
    var distance: Float?
    var area: [Vec2]?
    var slots: [Vec2]?
    /// `"manual"` or `{"every": s}`.
    var release: JSONValue?
    var duration: Double?
}

struct JourneySpec: Codable {
    var name: String
    /// Stage names, or `{"oneOf": [names], "choose": rule, "weights": [...], "reconsider": s}`.
    var stages: [JSONValue]
}

struct ChoiceSpec: Codable {
    var oneOf: [String]
    var choose: ChoiceRule?
    var weights: [Double]?
    var reconsider: Double?
}

/// Agents placed at the start.
struct GroupSpec: Codable {
    var journey: String
    var count: Int?
    /// Persons per m² of the area (instead of `count`).
    var density: Double?
    var area: [Vec2]?
    var position: Vec2?
    var positions: [Vec2]?
    var level: String?
    var speed: JSONValue?
    var radius: JSONValue?
    var premovement: JSONValue?
    var prefab: String?
}

/// Agents arriving over time.
struct SourceSpec: Codable {
    var name: String?
    var journey: String
    /// Arrivals per second.
    var rate: Double
    var arrivals: Spawner.Arrivals?
    var area: [Vec2]
    var level: String?
    var start: Double?
    var stop: Double?
    var limit: Int?
    var speed: JSONValue?
    var radius: JSONValue?
    var premovement: JSONValue?
    var prefab: String?
}

struct MeasureSpec: Codable {
    /// Sampling interval for lines, areas and KPIs, s (default 0.5).
    var every: Double?
    var lines: [LineSpec]?
    var areas: [AreaSpec]?
}

struct LineSpec: Codable {
    var name: String
    var points: [Vec2]
    var level: String?
}

struct AreaSpec: Codable {
    var name: String
    var outline: [Vec2]
    var level: String?
}

/// Periodic boundary along x: agents leaving at `max` re-enter at `min`.
struct PeriodicSpec: Codable {
    var min: Float
    var max: Float
}
