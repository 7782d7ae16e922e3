import Testing
import TwinRender
import TwinRuntime
import TwinTesting

/// Renders of shipped scenes against golden images (tolerance: see ``Goldens``), and the
/// `cameras` section.
@Suite("Renders of shipped scenes")
struct WorldRenderTests {
    @Test("warehouse-arrivals after 10 s, default three-quarter view")
    func warehouseGolden() throws {
        let f = try SceneWorlds.load("warehouse-arrivals", steps: 640)
        let image = try SnapshotRenderer.image(SceneWorlds.snapshot(f), width: 320, height: 180)
        try Goldens.check(image, named: "warehouse-arrivals-10s")
    }

    @Test("drone-swarm after 2 s, top-down with density and trajectories")
    func droneOverlaysGolden() throws {
        let f = try SceneWorlds.load("drone-swarm")
        let rec = try WorldRecording(interval: 0.25)
        rec.sample(WorldReader(f.world), time: 0)
        f.run(steps: 128) { rec.stepEnded(WorldReader($0.world), step: $0.stepCount, dt: $0.dt) }
        let image = try SnapshotRenderer.image(
            SceneWorlds.snapshot(f), camera: "top-down", width: 240, height: 240, overlays: [.density, .trajectories],
            recording: rec)
        try Goldens.check(image, named: "drone-swarm-overlays-2s")
    }

    @Test("the default views fit a long thin world and its ground: the image border is background",
          arguments: ["three-quarter", "top-down"])
    func longWorldFits(camera: String) throws {
        // warehouse-arrivals: a 24 m belt between two machines, about 1 m wide.
        let f = try SceneWorlds.load("warehouse-arrivals", steps: 640)
        let (w, h) = (320, 180)
        let image = try SnapshotRenderer.image(SceneWorlds.snapshot(f), camera: camera, width: w, height: h)
        let sky = RenderScene().background
        var border: [(Int, Int)] = []
        for x in 0..<w { border += [(x, 0), (x, h - 1)] }
        for y in 0..<h { border += [(0, y), (w - 1, y)] }
        let touching = border.filter { image[$0.0, $0.1] != sky }
        #expect(touching.isEmpty, "\(touching.count) border pixels are not background, first \(touching.prefix(3))")
    }

    static let cameraScene = """
        {"format": "twin-scene/1", "world": {"dt": 0.015625},
         "entities": [{"name": "m", "kind": "machine", "components": {"Position": [0, 0, 0]}}],
         "cameras": {"front": {"position": [0, 2, 10], "target": [0, 0.5, 0], "fovY": 40},
                     "plan": {"position": [0, 20, 0], "target": [0, 0, 0], "up": [0, 0, -1], "orthographic": 8}}}
        """

    @Test("scene cameras: by name, first by default, unknown names listed")
    func sceneCameras() throws {
        let f = try SceneFixture(json: Self.cameraScene)
        let snap = SnapshotBuilder.snapshot(of: WorldReader(f.world))
        #expect(snap.cameras.map(\.name) == ["front", "plan"])
        #expect(try snap.camera(named: nil, aspect: 1).eye == Vec3(0, 2, 10))
        #expect(try snap.camera(named: "plan", aspect: 1).projection == .orthographic(height: 8))
        #expect(throws: SnapshotError.unknownCamera("nope", known: ["front", "plan", "top-down", "three-quarter"])) {
            try snap.camera(named: "nope", aspect: 1)
        }
        let image = try SnapshotRenderer.image(snap, camera: "front", width: 64, height: 48)
        #expect(image.count { $0 == RGBA8(rgb: 0xDCE6F0) } < 64 * 48)
    }

    @Test("cameras section errors name the camera and the problem", arguments: [
        (#""position": [0, 1, 0], "target": [0, 1, 0]"#, "at its target"),
        (#""position": [0, 5, 0], "target": [0, 0, 0]"#, "parallel"),
        (#""position": [0, 1, 5], "target": [0, 0, 0], "fovY": 0"#, "fovY"),
        (#""position": [0, 1, 5], "target": [0, 0, 0], "fovY": 40, "orthographic": 3"#, "not both"),
    ])
    func cameraErrors(body: String, message: String) throws {
        let text = #"{"format": "twin-scene/1", "cameras": {"bad": {"# + body + "}}}"
        do {
            _ = try SceneLoader().load(text: text)
            Issue.record("expected an error for \(body)")
        } catch {
            let d = error.issues.map(\.description).joined(separator: "\n")
            #expect(d.contains("cameras") && d.contains("bad") && d.contains(message), "\(d)")
        }
    }
}
