import TwinRuntime

/// Runs a scene for tests: load from JSON text or a file, step, and observe after
/// each step (gz-sim's TestFixture; Bevy's "how to test systems").
///
/// ```swift
/// let f = try SceneFixture(json: sceneText)
/// f.run(steps: 64) { sim in #expect(sim.world.aliveCount <= 10) }
/// ```
public final class SceneFixture {
    public let simulation: Simulation

    public init(json: String, options: SceneLoadOptions = .init(), catalog: SystemCatalog = .standard) throws {
        simulation = try SceneLoader(catalog: catalog).load(text: json, file: "<test>", options: options)
    }

    public init(file: String, options: SceneLoadOptions = .init(), catalog: SystemCatalog = .standard) throws {
        simulation = try SceneLoader(catalog: catalog).load(file: file, options: options)
    }

    public var world: World { simulation.world }

    /// Steps `steps` times.
    public func run(steps: Int) {
        for _ in 0..<steps { simulation.step() }
    }

    /// Steps `steps` times, calling `afterStep` after each.
    public func run(steps: Int, afterStep: (Simulation) throws -> Void) rethrows {
        for _ in 0..<steps {
            simulation.step()
            try afterStep(simulation)
        }
    }

    /// The state hash after each of `steps` steps.
    public func hashes(steps: Int) -> [UInt64] {
        var out: [UInt64] = []
        run(steps: steps) { out.append($0.world.stateHash()) }
        return out
    }

    /// All live entities having component `C`, with its value, in slot order.
    public func values<C: Component>(_ type: C.Type) -> [(Entity, C)] {
        world.entities.compactMap { e in world.get(type, of: e).map { (e, $0) } }
    }
}

/// The package's root directory, from a source file's `#filePath`
/// (…/Tests/X/File.swift or …/Sources/X/File.swift).
public func packageRoot(filePath: String = #filePath) -> String {
    var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
    if let i = parts.lastIndex(where: { $0 == "Tests" || $0 == "Sources" }) { parts.removeSubrange(i...) }
    return parts.joined(separator: "/")
}
