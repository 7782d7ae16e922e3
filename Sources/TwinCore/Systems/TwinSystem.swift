/// A system: behaviour that runs every step in one or more phases.
///
/// Adopt `TwinSystem` plus the phase protocols you need (`CommandsSystem`,
/// `PreUpdateSystem`, `UpdateSystem`, `PostUpdateSystem`); the runner calls only
/// those. Built-in systems use exactly this API — nothing more is available to them
/// than to a third-party plugin.
///
/// Document each system with its parameters (unit, default), what it reads, writes
/// and emits; `reads`/`writes`/`emits` list component or event names and feed
/// `twin systems` and the plugin catalogue.
public protocol TwinSystem: AnyObject {
    associatedtype Parameters: SystemParameters = NoParameters
    /// Stable id, `domain.name`.
    static var id: SystemID { get }
    static var defaultPriority: SystemPriority { get }
    /// One line: what the system does.
    static var summary: String { get }
    static var reads: [String] { get }
    static var writes: [String] { get }
    static var emits: [String] { get }
    /// Builds the system for one world. Throwing here is a scene error at the
    /// system's entry (say what is wrong with the world or parameters).
    init(parameters: Parameters, setup: inout SystemSetup) throws
}

extension TwinSystem {
    public static var defaultPriority: SystemPriority { .default }
    public static var reads: [String] { [] }
    public static var writes: [String] { [] }
    public static var emits: [String] { [] }
}

public protocol CommandsSystem: TwinSystem {
    func commands(_ step: StepInfo, world: World)
}

public protocol PreUpdateSystem: TwinSystem {
    func preUpdate(_ step: StepInfo, world: World)
}

public protocol UpdateSystem: TwinSystem {
    func update(_ step: StepInfo, world: World)
}

/// Read-only observers: they get a `WorldReader`, so they are safe for snapshots and
/// may later run in parallel.
public protocol PostUpdateSystem: TwinSystem {
    func postUpdate(_ step: StepInfo, world: WorldReader)
}

/// Systems that can be reset to their initial state (e.g. after a fork).
public protocol ResettableSystem: TwinSystem {
    func reset(world: World)
}

/// A system's parameters: `Codable` with a default for every field (`init()`).
///
/// A scene's `params` object is laid over the encoded defaults, then decoded
/// strictly, so a scene sets only what it changes and an unknown key is an error
/// listing the known ones. Plain synthesized `Codable` is enough.
public protocol SystemParameters: Codable, Sendable {
    init()
    /// SI unit per parameter name, for docs and the schema.
    static var units: [String: String] { get }
    /// One-line description per parameter name.
    static var documentation: [String: String] { get }
    /// Checks ranges after decoding; throw `ParameterError` naming the member.
    func validate() throws(ParameterError)
}

extension SystemParameters {
    public static var units: [String: String] { [:] }
    public static var documentation: [String: String] { [:] }
    public func validate() throws(ParameterError) {}
}

/// A parameter outside its allowed range.
public struct ParameterError: Error, Hashable, Sendable {
    public var member: String
    public var message: String
    public init(_ member: String, _ message: String) { self.member = member; self.message = message }
}

/// For systems without parameters.
public struct NoParameters: SystemParameters, Hashable {
    public init() {}
}

/// What a system may use while it is being built.
public struct SystemSetup {
    public let world: World
    /// This system's own random stream, derived from the world seed and the system's
    /// id and position in the scene: adding a system never changes another's numbers.
    public var random: RandomStream
    /// Everything the scene declared that a system may need (prefabs, world settings).
    public let scene: SceneContext
    public let executor: ParallelExecutor

    public init(world: World, random: RandomStream, scene: SceneContext, executor: ParallelExecutor) {
        self.world = world; self.random = random; self.scene = scene; self.executor = executor
    }
}

/// Read-only access to a world, for post-update systems and outputs.
public struct WorldReader {
    @usableFromInline let world: World
    public init(_ world: World) { self.world = world }

    @inlinable
    public func query<each C: Component>(_ terms: repeat (each C).Type) -> Query<repeat each C> {
        world.query(repeat each terms)
    }
    public func get<C: Component>(_ type: C.Type, of e: Entity) -> C? { world.get(type, of: e) }
    public func has<C: Component>(_ type: C.Type, _ e: Entity) -> Bool { world.has(type, e) }
    public func isAlive(_ e: Entity) -> Bool { world.isAlive(e) }
    public func resource<R>(_ type: R.Type) -> R? { world.resource(type) }
    public var entities: [Entity] { world.entities }
    public func entities(with: [ComponentID], without: [ComponentID] = []) -> [Entity] { world.entities(with: with, without: without) }
    public func count(with: [ComponentID], without: [ComponentID] = []) -> Int { world.count(with: with, without: without) }
    public var aliveCount: Int { world.aliveCount }
    public var registry: ComponentRegistry { world.registry }
    public var changeTick: UInt32 { world.changeTick }
    /// Entities whose `C` was inserted or written after `tick` (see `World.changed`).
    public func changed<C: Component>(_ type: C.Type, since tick: UInt32) -> [Entity] { world.changed(type, since: tick) }
    /// Despawns and component removals after `tick`, in order.
    public func removals(since tick: UInt32) -> ArraySlice<Removal> { world.removals(since: tick) }
    public func encodeComponents(of e: Entity) -> [(name: String, value: JSONValue)] { world.encodeComponents(of: e) }
    public func encodeComponent(named name: String, of e: Entity) -> JSONValue? { world.encodeComponent(named: name, of: e) }
    public func stateHash() -> UInt64 { world.stateHash() }
    public func read<E>(_ reader: inout EventReader<E>) -> ArraySlice<E> { reader.read(world) }
}
