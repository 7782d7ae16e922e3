/// A plugin: one function that registers components, systems and the scene sections
/// it reads (Bevy's "a plugin configures the app"). Registration is static.
public protocol TwinPlugin {
    /// Short name (`core`, `pedestrians`).
    static var name: String { get }
    static func register(in catalog: inout SystemCatalog)
}

/// A system built for one world: the instance and the phases it takes part in.
public struct BuiltSystem {
    public let instance: AnyObject
    public let commands: ((StepInfo, World) -> Void)?
    public let preUpdate: ((StepInfo, World) -> Void)?
    public let update: ((StepInfo, World) -> Void)?
    public let postUpdate: ((StepInfo, WorldReader) -> Void)?
}

/// Everything the catalog knows about one system type.
public struct SystemRegistration: @unchecked Sendable {
    public let id: SystemID
    public let plugin: String
    public let summary: String
    public let reads: [String]
    public let writes: [String]
    public let emits: [String]
    public let defaultPriority: SystemPriority
    public let phases: [Phase]
    /// Runs when a scene has no `systems` list.
    public let isDefault: Bool
    public let defaultParameters: JSONValue
    public let parameterUnits: [String: String]
    public let parameterDocs: [String: String]
    let make: (JSONValue?, [JSONPathComponent], inout SystemSetup) throws -> BuiltSystem

    /// Decodes `params` (scene values over defaults, strictly) and builds the system.
    public func build(params: JSONValue?, path: [JSONPathComponent], setup: inout SystemSetup) throws -> BuiltSystem {
        try make(params, path, &setup)
    }
}

/// A top-level scene section owned by a plugin (e.g. `spawners`).
public struct SceneSectionRegistration: @unchecked Sendable {
    public let name: String
    public let plugin: String
    public let summary: String
    /// JSON Schema of the section, for `twin schema`.
    public let schema: JSONValue
    /// When set, `apply` also runs for scenes that omit the section, with this value
    /// (e.g. `{}`, so the section can check references to it from other sections).
    public let valueWhenAbsent: JSONValue?
    /// Applies the section to a freshly built world. Errors name the JSON path.
    public let apply: (JSONValue, SceneSectionContext) throws(JSONDecodingError) -> Void
}

/// What a section handler may use.
public struct SceneSectionContext {
    public let world: World
    public let scene: SceneContext
    public let path: [JSONPathComponent]
    public let decoder: JSONValueDecoder
    /// The whole scene document (parameters substituted), so a section can point at the
    /// exact place in other sections that refers to it (e.g. an entity's component).
    public let root: JSONValue

    public init(world: World, scene: SceneContext, path: [JSONPathComponent], root: JSONValue = .null) {
        self.world = world; self.scene = scene; self.path = path; self.root = root
        decoder = JSONValueDecoder(basePath: path)
    }

    public func error(_ message: String, at value: JSONValue, path extra: [JSONPathComponent] = []) -> JSONDecodingError {
        JSONDecodingError(path: path + extra, location: value.location, message: message)
    }
}

/// The registry of plugins, systems, components and scene sections that scenes can
/// name. `SystemCatalog.standard` (in TwinRuntime) lists every built-in plugin.
public struct SystemCatalog: @unchecked Sendable {
    public private(set) var plugins: [String] = []
    public private(set) var systems: [SystemRegistration] = []
    public private(set) var components: [any Component.Type] = []
    /// The plugin that registered each of `components` (same order).
    public private(set) var componentPlugins: [String] = []
    public private(set) var sections: [SceneSectionRegistration] = []
    /// Registration clashes (two systems with one id, two types with one component
    /// name, a malformed id). A catalog with problems refuses to load scenes.
    public private(set) var problems: [String] = []
    private var currentPlugin = ""

    public init() {}

    public mutating func add<P: TwinPlugin>(_ plugin: P.Type) {
        if plugins.contains(P.name) { problems.append("plugin \"\(P.name)\" is registered twice"); return }
        plugins.append(P.name)
        currentPlugin = P.name
        P.register(in: &self)
        currentPlugin = ""
    }

    public mutating func register<S: TwinSystem>(_ type: S.Type, isDefault: Bool = false) {
        guard S.id.isWellFormed else {
            problems.append("system id \"\(S.id)\" of \(S.self) is not of the form domain.name in lower kebab case")
            return
        }
        if let other = systems.first(where: { $0.id == S.id }) {
            problems.append("system id \"\(S.id)\" is registered by plugins \"\(other.plugin)\" and \"\(currentPlugin)\"")
            return
        }
        var phases: [Phase] = []
        if S.self is any CommandsSystem.Type { phases.append(.commands) }
        if S.self is any PreUpdateSystem.Type { phases.append(.preUpdate) }
        if S.self is any UpdateSystem.Type { phases.append(.update) }
        if S.self is any PostUpdateSystem.Type { phases.append(.postUpdate) }
        let defaults = (try? JSONValueEncoder().encode(S.Parameters())) ?? JSONValue(.object([]))
        systems.append(SystemRegistration(
            id: S.id, plugin: currentPlugin, summary: S.summary, reads: S.reads, writes: S.writes, emits: S.emits,
            defaultPriority: S.defaultPriority, phases: phases, isDefault: isDefault,
            defaultParameters: defaults, parameterUnits: S.Parameters.units, parameterDocs: S.Parameters.documentation,
            make: { json, path, setup in
                let p = try ParameterDecoding.decode(S.Parameters.self, from: json, path: path + [.key("params")])
                let s = try S(parameters: p, setup: &setup)
                return BuiltSystem(
                    instance: s,
                    commands: (s as? any CommandsSystem).map { c in { c.commands($0, world: $1) } },
                    preUpdate: (s as? any PreUpdateSystem).map { c in { c.preUpdate($0, world: $1) } },
                    update: (s as? any UpdateSystem).map { c in { c.update($0, world: $1) } },
                    postUpdate: (s as? any PostUpdateSystem).map { c in { c.postUpdate($0, world: $1) } })
            }))
    }

    public mutating func register<C: Component>(component type: C.Type) {
        if let other = components.first(where: { $0.componentName == C.componentName }) {
            if other != type {
                problems.append("component name \"\(C.componentName)\" is claimed by \(String(reflecting: other)) and \(String(reflecting: type))")
            }
            return
        }
        components.append(type)
        componentPlugins.append(currentPlugin)
    }

    /// Registers a top-level scene section. With `valueWhenAbsent`, `apply` also runs
    /// (with that value) for scenes without the section.
    public mutating func register(
        section name: String, summary: String, schema: JSONValue, valueWhenAbsent: JSONValue? = nil,
        apply: @escaping (JSONValue, SceneSectionContext) throws(JSONDecodingError) -> Void
    ) {
        if sections.contains(where: { $0.name == name }) || Self.builtInSections.contains(name) {
            problems.append("scene section \"\(name)\" is claimed twice (plugin \"\(currentPlugin)\")")
            return
        }
        sections.append(SceneSectionRegistration(
            name: name, plugin: currentPlugin, summary: summary, schema: schema, valueWhenAbsent: valueWhenAbsent, apply: apply))
    }

    /// Sections the scene loader itself reads.
    public static let builtInSections = [
        "format", "name", "description", "world", "parameters", "prefabs", "entities", "systems", "measurements", "outputs",
    ]

    public func system(_ id: String) -> SystemRegistration? { systems.first { $0.id.rawValue == id } }
    public func section(_ name: String) -> SceneSectionRegistration? { sections.first { $0.name == name } }

    /// Registers every catalogued component type in `world` (in catalog order).
    public func registerComponents(in world: World) {
        for c in components { registerOpened(c, world) }
    }

    private func registerOpened<C: Component>(_ type: C.Type, _ world: World) {
        _ = try? world.registry.register(type)
    }
}
