/// A KPI the scene asks to sample (`measurements` section).
///
/// ```json
/// {"name": "inSystem", "kind": "count", "with": ["Lifetime"], "every": 1.0}
/// {"name": "meanSpeed", "kind": "mean", "of": "Velocity", "every": 0.5}
/// {"name": "made", "kind": "sum", "of": "Spawner.spawned"}
/// {"name": "utilB", "kind": "sum", "of": "MachineStatus.busy", "entity": "B"}
/// ```
/// `entity` (a scene entity name) restricts the measurement to that one entity.
/// `of` is a component name, optionally followed by a member path (`Position.y`,
/// `Spawner.spawned`); a vector value counts as its length. `every` (s) is rounded to whole steps (default 1 s).
public struct MeasurementSpec: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case count, sum, mean, min, max
        /// A KPI a plugin publishes (`PluginReports`); not written in scenes.
        case published
    }

    public var name: String
    public var kind: Kind
    public var of: String?
    public var with: [String]?
    public var without: [String]?
    public var every: Double?
    public var entity: String?

    public init(name: String, kind: Kind, of: String? = nil, with: [String]? = nil, without: [String]? = nil, every: Double? = nil, entity: String? = nil) {
        self.name = name; self.kind = kind; self.of = of; self.with = with; self.without = without; self.every = every; self.entity = entity
    }
}
