import Foundation
import TwinRender

/// The render outputs of one run: periodic snapshots (`outputs.snapshots`) and the
/// animated recording (`outputs.recording`, or `twin run --record`). Attach before the
/// run (observes every step), ``finish()`` after it.
///
/// A snapshot that cannot be written does not stop the run: the error is kept and
/// reported by ``finish()``, and later snapshots are still attempted.
public final class RenderOutputs {
    public let directory: String
    let spec: SnapshotOutputSpec?
    let recordingPath: String?
    /// Samples for the recording and for overlays; nil when neither needs one.
    public let recording: WorldRecording?
    public private(set) var written: [String] = []
    public private(set) var errors: [String] = []
    private var everySteps: Int64 = 1

    /// - Parameters:
    ///   - recordTo: where to write the recording (overrides `outputs.recording`, which is
    ///     relative to `directory`).
    /// - Throws: ``RenderOutputError`` for an unknown snapshot camera.
    public init(simulation sim: Simulation, directory: String, recordTo: String? = nil) throws(RenderOutputError) {
        self.directory = directory
        spec = sim.scene.outputs.snapshots
        recordingPath = recordTo ?? sim.scene.outputs.recording.map { (directory as NSString).appendingPathComponent($0) }
        let needsSamples = recordingPath != nil || spec?.overlay != nil
        recording = needsSamples ? try? WorldRecording(interval: sim.scene.outputs.recordingInterval) : nil
        if let s = spec {
            everySteps = max(1, Int64((s.every / sim.dt).rounded()))
            let snap = SnapshotBuilder.snapshot(of: WorldReader(sim.world))
            do { _ = try snap.camera(named: s.camera, aspect: 1) } catch {
                throw RenderOutputError(message: "outputs.snapshots.camera: \(error)")
            }
        }
    }

    /// Whether there is anything to do.
    public var isActive: Bool { spec != nil || recording != nil }

    /// Takes the step-0 sample and snapshot and observes every later step.
    public func attach(to sim: Simulation) {
        guard isActive else { return }
        observe(sim)
        sim.stepObservers.append { [weak self] in self?.observe($0) }
    }

    private func observe(_ sim: Simulation) {
        let reader = WorldReader(sim.world)
        recording?.stepEnded(reader, step: sim.stepCount, dt: sim.dt)
        guard let s = spec, sim.stepCount % everySteps == 0 else { return }
        let snap = SnapshotBuilder.snapshot(of: reader, time: sim.time, step: sim.stepCount)
        let base = (directory as NSString).appendingPathComponent(
            "snapshots/\(Self.safeName(sim.scene.name))-step-\(String(format: "%06lld", sim.stepCount))")
        if s.png {
            write(base + ".png") {
                try PNGEncoder.default.encode(try SnapshotRenderer.image(
                    snap, camera: s.camera, width: s.width, height: s.height, overlays: s.overlay.map { [$0] } ?? [],
                    recording: recording))
            }
        }
        if s.glb { write(base + ".glb") { try SnapshotExporter.glb(snap, aspect: Float(s.width) / Float(s.height)) } }
    }

    /// Writes the recording, if any. Returns every file written during the run.
    @discardableResult
    public func finish(_ sim: Simulation) -> [String] {
        if let path = recordingPath, let rec = recording {
            // The final state is always in the recording, even between sample times.
            rec.sample(WorldReader(sim.world), time: sim.time)
            let scene = SnapshotBuilder.snapshot(of: WorldReader(sim.world), time: sim.time, step: sim.stepCount)
            write(path) { try RecordingExporter.document(rec, scene: scene).glb() }
        }
        return written
    }

    private func write(_ path: String, _ bytes: () throws -> [UInt8]) {
        do {
            let data = try bytes()
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(data).write(to: URL(fileURLWithPath: path), options: .atomic)
            written.append(path)
        } catch {
            if errors.count < 20 { errors.append("\(path): \(error)") }
        }
    }

    static func safeName(_ s: String) -> String {
        let cleaned = String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return cleaned.isEmpty ? "scene" : cleaned
    }
}

/// A render output that cannot be set up (reported before the run starts).
public struct RenderOutputError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
