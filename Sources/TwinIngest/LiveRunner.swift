import TwinRuntime
import Foundation

/// A live twin: a simulation, its ingest hub and journal, and checkpoints, so a
/// killed process restarts where it was. `open` restores the last checkpoint (or
/// loads the scene), then `IngestHub.recover` replays the journal onto it; from
/// there, stepping takes the same messages at the same steps as a run that never
/// stopped, so both end in the same state (same state hash).
public final class LiveRunner {
    public let sim: Simulation
    public let hub: IngestHub
    public let statePath: String?
    /// Steps between checkpoints (0: only `saveCheckpoint()`).
    public var checkpointEvery: Int64

    init(sim: Simulation, hub: IngestHub, statePath: String?, checkpointEvery: Int64) {
        self.sim = sim; self.hub = hub; self.statePath = statePath; self.checkpointEvery = checkpointEvery
    }

    /// Opens a live twin: the checkpoint at `statePath` if it exists, else the scene;
    /// then the journal at `journalPath` is replayed onto it.
    public static func open(scene: String, journalPath: String, statePath: String?, checkpointEvery: Int64 = 0,
                            options: SceneLoadOptions = .init(), capacity: Int = 100_000, durable: Bool = true) throws -> LiveRunner {
        IngestPlugin.enable()
        let loader = SceneLoader()
        let sim: Simulation
        if let statePath, FileManager.default.fileExists(atPath: statePath) {
            sim = try loader.restore(try Checkpoint.read(file: statePath), workers: options.workers)
        } else {
            sim = try loader.load(file: scene, options: options)
        }
        let journal = try IngestJournal(path: journalPath, durable: durable)
        let hub = IngestHub(simulation: sim, journal: journal, capacity: capacity)
        try hub.recover(sim)
        return LiveRunner(sim: sim, hub: hub, statePath: statePath, checkpointEvery: checkpointEvery)
    }

    /// One step: due messages into the world, the step, a checkpoint when due.
    public func step() throws {
        hub.pump(sim)
        sim.step()
        if checkpointEvery > 0, sim.stepCount % checkpointEvery == 0 { try saveCheckpoint() }
    }

    /// Writes the checkpoint atomically (a kill mid-write leaves the previous one).
    public func saveCheckpoint() throws {
        guard let statePath else { return }
        try sim.checkpoint().write(to: statePath)
    }

    /// Steps on the wall clock at `speed` × real time until `shouldStop` says so
    /// (checked every step and every 10 ms while waiting).
    public func runRealTime(speed: Double, shouldStop: () -> Bool) throws {
        let start = Date().timeIntervalSince1970, startStep = sim.stepCount
        while !shouldStop() {
            let due = startStep + Int64(((Date().timeIntervalSince1970 - start) * speed / sim.dt).rounded(.down))
            if sim.stepCount < due { try step() } else { Thread.sleep(forTimeInterval: min(0.01, sim.dt / speed)) }
        }
    }
}
