import TwinRender

/// A PNG of one run's final world through the software rasterizer, for the
/// report's "Renders" section: what a configuration looks like, not just its numbers.
public enum ConfigurationRender {
    public static func png(_ run: PlannedRun, scene: PreparedScene, duration: Double?, width: Int = 960, height: Int = 540) throws -> [UInt8] {
        let options = SceneLoadOptions(
            seed: run.seed, parameterOverrides: Dictionary(run.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { _, b in b }))
        let sim = try SceneLoader().load(bytes: scene.bytes, file: scene.file, options: options)
        _ = sim.run(RunLimits(duration: duration))
        let snap = SnapshotBuilder.snapshot(of: WorldReader(sim.world), time: sim.time, step: sim.stepCount)
        return try PNGEncoder.default.encode(try SnapshotRenderer.image(snap, width: width, height: height))
    }
}
