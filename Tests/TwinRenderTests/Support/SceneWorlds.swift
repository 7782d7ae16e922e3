import TwinRender
import TwinRuntime
import TwinTesting

/// Shipped scenes loaded and stepped for the world-export tests.
enum SceneWorlds {
    static func load(_ name: String, steps: Int = 0) throws -> SceneFixture {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/\(name).json")
        f.run(steps: steps)
        return f
    }

    static func snapshot(_ f: SceneFixture) -> WorldSnapshot {
        SnapshotBuilder.snapshot(of: WorldReader(f.world), time: f.simulation.time, step: f.simulation.stepCount)
    }
}
