/// What the geometry on a layer means.
public enum FloorPlanRole: String, Sendable, Hashable, Codable, CaseIterable {
    case walls, walkable, obstacle, exit, door, ignore
}

/// Maps DXF layer names to roles.
///
/// Exact names (`layers`, case-insensitive) win; then the first `rules` entry whose
/// pattern is a case-insensitive substring of the name; then `defaultRole`. The defaults
/// understand JuPedSim's conventions (`jps-walkablearea`, `jps-obstacles`, `jps-exits`;
/// `jps-distributions`, `jps-journeys`, `jps-waypoints` and `jps-parameters` are ignored)
/// and common CAD names ("wall", "floor", "door", "exit"). Unmatched layers (e.g. "0")
/// are walls, because that is what an unannotated CAD plan mostly contains.
public struct FloorPlanLayerMapping: Sendable, Hashable, Codable {
    /// Exact layer name → role.
    public var layers: [String: FloorPlanRole]
    /// Ordered (substring, role) rules.
    public var rules: [Rule]
    /// Role of layers no rule matches.
    public var defaultRole: FloorPlanRole

    public struct Rule: Sendable, Hashable, Codable {
        public var contains: String
        public var role: FloorPlanRole

        public init(contains: String, role: FloorPlanRole) {
            self.contains = contains
            self.role = role
        }
    }

    public static let defaultRules: [Rule] = [
        Rule(contains: "distribution", role: .ignore), Rule(contains: "journey", role: .ignore),
        Rule(contains: "waypoint", role: .ignore), Rule(contains: "parameter", role: .ignore),
        Rule(contains: "defpoints", role: .ignore), Rule(contains: "dim", role: .ignore),
        Rule(contains: "text", role: .ignore), Rule(contains: "hatch", role: .ignore),
        Rule(contains: "exit", role: .exit), Rule(contains: "door", role: .door),
        Rule(contains: "obstacle", role: .obstacle), Rule(contains: "wall", role: .walls),
        Rule(contains: "walkable", role: .walkable), Rule(contains: "floor", role: .walkable),
        Rule(contains: "area", role: .walkable),
    ]

    public init(layers: [String: FloorPlanRole] = [:], rules: [Rule] = FloorPlanLayerMapping.defaultRules, defaultRole: FloorPlanRole = .walls) {
        self.layers = layers
        self.rules = rules
        self.defaultRole = defaultRole
    }

    /// The role of `layer`.
    public func role(of layer: String) -> FloorPlanRole {
        let lower = layer.lowercased()
        for (name, role) in layers where name.lowercased() == lower { return role }
        for rule in rules where !rule.contains.isEmpty && lower.contains(rule.contains.lowercased()) { return rule.role }
        return defaultRole
    }
}
