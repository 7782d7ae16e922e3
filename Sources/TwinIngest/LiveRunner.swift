import TwinRuntime
import Foundation

/// A live twin: a simulation, its ingest hub and journal, and checkpoints, so a
/// killed process restarts where it was. `open` replays the journal's messages at the
/// steps they were taken at (up to the last checkpoint, together with the recorded
/// commands it lists; then past it), so stepping on takes the same messages at the
/// same steps as a run that never stopped, and both end in the same state (same
/// state hash). A checkpoint names the journal and lists no live-data command, so it
/// stays small however long the twin runs.
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
        let journal = try IngestJournal(path: journalPath, durable: durable)
        var hub: IngestHub?
        func liveHub(_ sim: Simulation) throws -> IngestHub {
            let h = IngestHub(simulation: sim, journal: journal, capacity: capacity)
            try h.recover(sim)
            hub = h
            return h
        }
        let sim: Simulation
        if let statePath, FileManager.default.fileExists(atPath: statePath) {
            let checkpoint = try Checkpoint.read(file: statePath)
            if let named = checkpoint.journal, named != Self.absolute(journalPath) {
                throw CheckpointError(file: statePath, message: "the state was saved with the ingest journal \(named), not \(Self.absolute(journalPath))")
            }
            // The live hub replays its own journal into the restore, its commands staying journaled.
            sim = try loader.restore(checkpoint, workers: options.workers, journal: { _, sim in
                let h = try liveHub(sim)
                return { h.pump($0, replaying: true) }
            })
            // A state that listed its live commands (saved before they were journaled):
            // the journal's messages up to it are in the world already.
            if checkpoint.journal == nil { sim.journalFrom = sim.stepCount }
        } else {
            sim = try loader.load(file: scene, options: options)
        }
        return LiveRunner(sim: sim, hub: try hub ?? liveHub(sim), statePath: statePath, checkpointEvery: checkpointEvery)
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

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
