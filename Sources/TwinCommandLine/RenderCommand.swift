import ArgumentParser
import Foundation
import TwinRender
import TwinRuntime

/// `twin render SCENE --png OUT`: a software-rasterized image of the world at a moment.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a scene's world to a PNG image (CPU rasterizer, no GPU or display needed).",
        discussion: """
            Cameras: the scene's `cameras` by name, or `three-quarter` and `top-down` fitted to the world \
            (default: the scene's first camera, else three-quarter). Overlays are built from samples taken \
            every 1/400 of the run (at least every step): `density` (time-averaged entities per m²) and \
            `trajectories` (paths of moving entities). Sizes: 1…\(RasterLimits.maxDimension) pixels per side.
            """)

    @OptionGroup var moment: SceneMoment
    @Option(help: ArgumentHelp("The .png file to write.", valueName: "OUT.png")) var png: String
    @Option(help: "Camera name (a scene camera, top-down or three-quarter).") var camera: String?
    @Option(help: ArgumentHelp("Image size in pixels.", valueName: "WxH")) var size = "1280x720"
    @Option(help: ArgumentHelp("Overlay to draw on the ground (repeatable).", valueName: "density|trajectories"))
    var overlay: [String] = []

    func validate() throws {
        _ = try Self.parseSize(size)
        _ = try overlays()
    }

    /// `WxH` → (width, height), each 1…RasterLimits.maxDimension.
    static func parseSize(_ s: String) throws -> (Int, Int) {
        let parts = s.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            throw ValidationError("--size expects WxH in pixels, e.g. 1280x720, got \"\(s)\"")
        }
        let limit = RasterLimits.maxDimension
        guard (1...limit).contains(w), (1...limit).contains(h) else {
            throw ValidationError("--size \(w)x\(h): each side must be 1…\(limit) pixels")
        }
        return (w, h)
    }

    func overlays() throws -> [Overlay] {
        try overlay.map { name in
            guard let o = Overlay(rawValue: name) else {
                throw ValidationError("--overlay must be one of \(Overlay.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
            }
            return o
        }
    }

    func run() throws {
        let (width, height) = try Self.parseSize(size)
        let overlays = try overlays()
        let sim = try moment.load()
        let steps = moment.steps(for: sim)
        var recording: WorldRecording?
        if !overlays.isEmpty {
            let interval = max(sim.dt, Double(steps) * sim.dt / 400)
            let rec = try WorldRecording(interval: interval)
            rec.sample(WorldReader(sim.world), time: sim.time)
            sim.stepObservers.append { rec.stepEnded(WorldReader($0.world), step: $0.stepCount, dt: $0.dt) }
            recording = rec
        }
        moment.advance(sim)
        recording?.sample(WorldReader(sim.world), time: sim.time)
        let snap = SnapshotBuilder.snapshot(of: WorldReader(sim.world), time: sim.time, step: sim.stepCount)
        do {
            let image = try SnapshotRenderer.image(
                snap, camera: camera, width: width, height: height, overlays: overlays, recording: recording)
            try writeFile(try PNGEncoder.default.encode(image), to: png)
        } catch { throw commandFailure("render", error) }
        if snap.skippedNonFinite > 0 {
            FileHandleOutput.standardError("twin render: left out \(snap.skippedNonFinite) entities with a non-finite transform")
        }
        print("wrote \(png): \(width)×\(height), \(snap.items.count) entities (t = \(sim.time) s, step \(sim.stepCount))")
    }
}
