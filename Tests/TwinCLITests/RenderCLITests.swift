import Foundation
import Testing
import TwinTesting

/// `twin export`, `twin render`, `twin run --record` and snapshot outputs, end to end.
@Suite("twin export / render / run --record", .serialized)
struct RenderCLITests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-render-cli-\(getpid())").path

    func isGLB(_ path: String) -> Bool {
        guard let d = FileManager.default.contents(atPath: path), d.count > 12 else { return false }
        return Array(d.prefix(4)) == Array("glTF".utf8)
    }

    func isPNG(_ path: String) -> Bool {
        guard let d = FileManager.default.contents(atPath: path), d.count > 8 else { return false }
        return Array(d.prefix(4)) == [0x89, 0x50, 0x4E, 0x47]
    }

    @Test("export and render a shipped scene")
    func exportAndRender() throws {
        let glb = dir + "/w.glb", png = dir + "/w.png"
        let e = try TwinProcess.run(["export", "Scenes/warehouse-arrivals.json", "--glb", glb, "--at-step", "320", "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(isGLB(glb))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        #expect(obj["step"] as? Int == 320)
        let r = try TwinProcess.run([
            "render", "Scenes/drone-swarm.json", "--png", png, "--size", "160x90", "--at-time", "0.5",
            "--overlay", "trajectories", "--camera", "top-down",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(isPNG(png))
    }

    @Test("twin run --record and outputs.snapshots write an animated .glb and periodic files")
    func recordAndSnapshots() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let scene = dir + "/snap.json"
        try """
            {"format": "twin-scene/1", "name": "snap", "world": {"dt": 0.015625},
             "entities": [{"prefab": "p", "count": 5, "scatter": {"Position": {"min": [0, 0, 0], "max": [5, 0, 5]}}}],
             "prefabs": {"p": {"components": {"Kind": "pedestrian", "Velocity": [0.5, 0, 0]}}},
             "outputs": {"snapshots": {"every": 0.5, "png": true, "glb": true, "width": 64, "height": 48, "overlay": "density"},
                         "recording": true, "recordingInterval": 0.125}}
            """.write(toFile: scene, atomically: true, encoding: .utf8)
        let out = dir + "/snap-out"
        let r = try TwinProcess.run(["run", scene, "--steps", "64", "--out", out, "--record", dir + "/extra.glb"])
        #expect(r.status == 0, "\(r.stderr)")
        for step in ["000000", "000032", "000064"] {
            #expect(isPNG(out + "/snapshots/snap-step-\(step).png"), "step \(step)")
            #expect(isGLB(out + "/snapshots/snap-step-\(step).glb"), "step \(step)")
        }
        #expect(isGLB(dir + "/extra.glb"))
        #expect(r.stdout.contains("extra.glb"))
    }

    @Test("bad input: clear errors, non-zero exit, never a signal", arguments: [
        ["render", "Scenes/fountain.json", "--png", "/tmp/x.png", "--size", "0x0"],
        ["render", "Scenes/fountain.json", "--png", "/tmp/x.png", "--size", "100000x100000"],
        ["render", "Scenes/fountain.json", "--png", "/tmp/x.png", "--size", "wide"],
        ["render", "Scenes/fountain.json", "--png", "/tmp/x.png", "--camera", "nope"],
        ["render", "Scenes/fountain.json", "--png", "/tmp/x.png", "--overlay", "smoke"],
        ["export", "Scenes/fountain.json", "--glb", "/tmp/x.glb", "--at-step", "1", "--at-time", "1"],
        ["export", "Scenes/fountain.json", "--glb", "/tmp/x.glb", "--at-time", "-1"],
        ["export", "Scenes/missing.json", "--glb", "/tmp/x.glb"],
        ["export", "Scenes/fountain.json", "--glb", "/proc/no/such/dir/x.glb"],
    ])
    func badInput(args: [String]) throws {
        let r = try TwinProcess.run(args)
        #expect(r.status != 0 && !r.signalled, "\(args): \(r.status) \(r.stderr)")
        #expect(!r.stderr.isEmpty)
    }

    @Test("a camera at its target and an overflowing transform are handled")
    func badScenes() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let atTarget = dir + "/cam.json"
        try #"{"format": "twin-scene/1", "cameras": {"c": {"position": [1, 1, 1], "target": [1, 1, 1]}}}"#
            .write(toFile: atTarget, atomically: true, encoding: .utf8)
        let r = try TwinProcess.run(["render", atTarget, "--png", dir + "/cam.png"])
        #expect(r.status == 1 && r.stderr.contains("at its target"), "\(r.stderr)")
        let huge = dir + "/huge.json"
        try #"{"format": "twin-scene/1", "entities": [{"name": "far", "components": {"Position": [1e39, 0, 0]}}, {"name": "near", "components": {"Position": [0, 0, 0]}}]}"#
            .write(toFile: huge, atomically: true, encoding: .utf8)
        for args in [["render", huge, "--png", dir + "/huge.png", "--size", "64x48"], ["export", huge, "--glb", dir + "/huge.glb"]] {
            let h = try TwinProcess.run(args)
            #expect(!h.signalled && (h.status == 0 || h.status == 1), "\(h.stderr)")
        }
    }
}
