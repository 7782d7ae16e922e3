import Foundation
import Testing
import TwinTesting

@Suite("Scenes with assets and geometry, through the twin command line", .serialized)
struct AssetSceneCLITests {
    @Test("twin schema describes the assets and geometry sections and the Visual component")
    func schema() throws {
        let r = try TwinProcess.run(["schema"])
        #expect(r.status == 0, "\(r.stderr)")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let props = try #require(schema["properties"] as? [String: Any])
        let assets = try #require(props["assets"] as? [String: Any])
        let entry = try #require(assets["additionalProperties"] as? [String: Any])
        #expect((entry["required"] as? [String]) == ["file"])
        #expect(((entry["properties"] as? [String: Any])?.keys.sorted()) == ["file", "scale", "transform", "upAxis"])
        let geometry = try #require(props["geometry"] as? [String: Any])
        #expect(((geometry["properties"] as? [String: Any])?.keys.sorted())
            == ["doors", "exits", "floorPlan", "obstacles", "walkableAreas", "walls"])
        #expect(r.stdout.contains("\"Visual\""))
    }

    @Test("A model from outside the scene's tree imports through the worker; a missing one is FILE:LINE:COLUMN: PATH: reason")
    func outsideTree() throws {
        let shared = packageRoot() + "/../shared/data/assets/gltf/Duck/Duck.glb"
        guard FileManager.default.fileExists(atPath: shared) else {
            print("note: shared assets not found; skipping")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-cli-assets-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("duck.json").path
        try """
            {"assets": {"duck": {"file": "\(URL(fileURLWithPath: shared).standardizedFileURL.path)", "scale": 0.01}},
             "entities": [{"components": {"Visual": {"asset": "duck"}, "Position": [0, 0, 0]}}]}
            """.write(toFile: good, atomically: true, encoding: .utf8)
        let ok = try TwinProcess.run(["run", good, "--steps", "4", "--json", "--out", dir.appendingPathComponent("out").path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let bad = dir.appendingPathComponent("bad.json").path
        try "{\"assets\": {\n  \"duck\": {\"file\": \"../nowhere/Duck.glb\"}}}".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try TwinProcess.run(["validate", bad])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.json:2:20: $.assets.duck.file: cannot import asset \"duck\": "), "\(r.stderr)")
        #expect(r.stderr.contains("Duck.glb: file not found"), "\(r.stderr)")
    }
}
