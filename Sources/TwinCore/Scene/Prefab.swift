/// A named template of components, decoded once, instantiated many times.
public struct Prefab: @unchecked Sendable {
    public let name: String
    /// Decoded components in component-name order.
    public let components: [any Component]
    /// The same components as JSON (after defaults), for merging entity overrides.
    public let json: [String: JSONValue]

    public init(name: String, components: [any Component], json: [String: JSONValue]) {
        self.name = name; self.components = components; self.json = json
    }

    /// Inserts every component on `entity`.
    public func instantiate(on entity: Entity, in world: World) {
        for c in components { world.insertAny(c, on: entity) }
    }
}

extension World {
    /// Inserts a component given as an existential (opens it to its concrete type).
    @discardableResult
    public func insertAny(_ component: any Component, on e: Entity) -> Bool {
        insert(component, on: e)
    }
}

/// What the scene declared, for systems and section handlers.
public final class SceneContext: @unchecked Sendable {
    public let file: String
    public let settings: WorldSettings
    public private(set) var prefabs: [String: Prefab] = [:]

    /// Reads a file named in the scene, relative to the scene file's directory (or
    /// absolute): the runtime supplies it, so plugins read files without doing I/O
    /// themselves (the core does none). Nil when the file cannot be read.
    public let readFile: @Sendable (String) -> [UInt8]?

    public init(file: String, settings: WorldSettings, readFile: @escaping @Sendable (String) -> [UInt8]? = { _ in nil }) {
        self.file = file; self.settings = settings; self.readFile = readFile
    }

    /// `name` resolved against the scene file's directory (unchanged when absolute).
    public func resolve(_ name: String) -> String {
        guard !name.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return name }
        return String(file[..<slash]) + "/" + name
    }

    public func addPrefab(_ p: Prefab) { prefabs[p.name] = p }
}
