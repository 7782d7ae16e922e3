import Foundation
import Testing
import TwinAssets
import TwinRender
import TwinRuntime
import TwinTesting

/// World → snapshot → `.glb`, read back and compared with the world.
@Suite("World snapshots as glTF")
struct WorldExportTests {
    @Test("warehouse-arrivals: one node per entity with extras, transforms equal to the world's")
    func warehouseNodes() throws {
        let f = try SceneWorlds.load("warehouse-arrivals", steps: 640)
        let snap = SceneWorlds.snapshot(f)
        let positions = f.values(Position.self)
        #expect(snap.items.count == positions.count && positions.count > 2)
        let bytes = try SnapshotExporter.glb(snap)
        #expect(glbSpecViolations(bytes) == [])
        let r = try GLBReader(bytes)
        let meshNodes = r.array("nodes").filter { $0["mesh"] != nil }
        #expect(meshNodes.count == positions.count)
        var byID: [UInt64: [String: Any]] = [:]
        for n in meshNodes {
            let extras = try #require(n["extras"] as? [String: Any])
            let id = try #require(extras["entity"] as? Int)
            byID[UInt64(id)] = n
        }
        for (e, p) in positions {
            let node = try #require(byID[e.id], "no node for entity \(e)")
            let t = node["translation"] as? [Double] ?? [0, 0, 0]
            #expect(abs(t[0] - Double(p.value.x)) < 1e-5 && abs(t[1] - Double(p.value.y)) < 1e-5 && abs(t[2] - Double(p.value.z)) < 1e-5)
            let extras = try #require(node["extras"] as? [String: Any])
            #expect(extras["kind"] as? String == f.world.get(Kind.self, of: e)?.value)
            let components = try #require(extras["components"] as? [String: Any])
            #expect(components["Position"] != nil)
        }
        let dock = try #require(meshNodes.first { $0["name"] as? String == "dock" })
        #expect((dock["extras"] as? [String: Any])?["name"] as? String == "dock")
        // Cameras: no `cameras` section, so the two defaults.
        #expect(Set(r.array("cameras").compactMap { $0["name"] as? String }) == ["three-quarter", "top-down"])
    }

    @Test("drone-swarm above the instancing threshold: instanced accessors equal the world's transforms")
    func droneInstances() throws {
        let f = try SceneWorlds.load("drone-swarm", steps: 64)
        let snap = SceneWorlds.snapshot(f)
        let doc = try SnapshotExporter.document(snap, instancingThreshold: 100)
        let bytes = try doc.glb()
        #expect(glbSpecViolations(bytes) == [])
        let r = try GLBReader(bytes)
        #expect((r.json["extensionsUsed"] as? [String]) == ["EXT_mesh_gpu_instancing"])
        let node = try #require(r.array("nodes").first { $0["extensions"] != nil })
        let ext = try #require((node["extensions"] as? [String: Any])?["EXT_mesh_gpu_instancing"] as? [String: Any])
        let attrs = try #require(ext["attributes"] as? [String: Int])
        let ids = try #require((node["extras"] as? [String: Any])?["entityIds"] as? [Int])
        #expect(ids.count == 400)
        let t = try r.read(accessor: try #require(attrs["TRANSLATION"])).values
        let q = try r.read(accessor: try #require(attrs["ROTATION"])).values
        let s = try r.read(accessor: try #require(attrs["SCALE"])).values
        for (i, id) in ids.enumerated() {
            let e = Entity(id: UInt64(id))
            let p = try #require(f.world.get(Position.self, of: e)).value
            let rot = try #require(f.world.get(Rotation.self, of: e)).value.normalized()
            #expect(abs(t[i * 3] - Double(p.x)) < 1e-4 && abs(t[i * 3 + 1] - Double(p.y)) < 1e-4 && abs(t[i * 3 + 2] - Double(p.z)) < 1e-4)
            let dot = q[i * 4] * Double(rot.x) + q[i * 4 + 1] * Double(rot.y) + q[i * 4 + 2] * Double(rot.z) + q[i * 4 + 3] * Double(rot.w)
            #expect(abs(abs(dot) - 1) < 1e-4)
            #expect(abs(s[i * 3] - 0.5) < 1e-6 && abs(s[i * 3 + 1] - 0.15) < 1e-6)
        }
    }

    @Test("round trip through assimp: nodes and triangles match the snapshot")
    func assimpRoundTrip() throws {
        let f = try SceneWorlds.load("warehouse-arrivals", steps: 640)
        let snap = SceneWorlds.snapshot(f)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twinrender-roundtrip-\(getpid()).glb").path
        try Data(try SnapshotExporter.glb(snap)).write(to: URL(fileURLWithPath: path))
        let model = try ModelImporter.importModel(at: path)
        let expected = snap.items.reduce(0) { sum, item in
            sum + snap.appearances[item.appearance].meshes.reduce(0) { $0 + snap.meshes[$1].triangleCount }
        }
        var drawn = 0, withMesh = 0
        for node in model.nodes where !node.meshIndices.isEmpty {
            withMesh += 1
            drawn += node.meshIndices.reduce(0) { $0 + model.meshes[$1].triangleCount }
        }
        #expect(withMesh == snap.items.count)
        #expect(drawn == expected)
    }

    @Test("gallery-plan: Visual entities carry the imported Khronos Box (12 triangles each), geometry becomes meshes")
    func importedAssetInScene() throws {
        let f = try SceneWorlds.load("gallery-plan", steps: 320)
        let snap = SceneWorlds.snapshot(f)
        let visuals = f.values(Visual.self)
        #expect(visuals.count >= 3)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twinrender-gallery-\(getpid()).glb").path
        let bytes = try SnapshotExporter.glb(snap)
        #expect(glbSpecViolations(bytes) == [])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = try GLBReader(bytes)
        let nodes = r.array("nodes")
        // Every Visual entity's node draws the Box: 12 triangles, as Box.glb itself has.
        let model = try ModelImporter.importModel(at: path)
        for (e, _) in visuals {
            let node = try #require(nodes.firstIndex { (($0["extras"] as? [String: Any])?["entity"] as? Int).map(UInt64.init) == e.id })
            let meshes = model.nodes.first { $0.name == nodes[node]["name"] as? String }?.meshIndices ?? []
            #expect(meshes.reduce(0) { $0 + model.meshes[$1].triangleCount } == 12, "entity \(e)")
        }
        // The floor plan's walkable area and walls are meshes too.
        #expect(r.array("meshes").count > 2)
    }

    @Test("a Khronos sample (Duck, 4212 triangles) imported by a scene's assets section exports intact",
          .enabled(if: FileManager.default.fileExists(atPath: packageRoot() + "/../shared/data/assets/gltf/Duck/Duck.glb")))
    func khronosDuck() throws {
        let duck = packageRoot() + "/../shared/data/assets/gltf/Duck/Duck.glb"
        let f = try SceneFixture(json: """
            {"assets": {"duck": {"file": "\(duck)"}},
             "entities": [{"name": "d", "components": {"Position": [1, 0, 2], "Visual": {"asset": "duck"}}}]}
            """)
        let bytes = try SnapshotExporter.glb(SceneWorlds.snapshot(f))
        #expect(glbSpecViolations(bytes) == [])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twinrender-duck-\(getpid()).glb").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let model = try ModelImporter.importModel(at: path)
        #expect(model.triangleCount == 4212)
    }

    @Test("the Duck's base-colour texture goes into the snapshot, the .glb and the render",
          .enabled(if: FileManager.default.fileExists(atPath: packageRoot() + "/../shared/data/assets/gltf/Duck/Duck.glb")))
    func khronosDuckTexture() throws {
        let duck = packageRoot() + "/../shared/data/assets/gltf/Duck/Duck.glb"
        let f = try SceneFixture(json: """
            {"assets": {"duck": {"file": "\(duck)"}},
             "entities": [{"name": "d", "components": {"Position": [0, 0, 0], "Visual": {"asset": "duck"}}}]}
            """)
        let snap = SceneWorlds.snapshot(f)
        // Duck.glb embeds one PNG texture (DuckCM.png, 512 × 512) for its one material.
        #expect(snap.textures.count == 1)
        #expect(snap.textures.first.map { [$0.width, $0.height] } == [512, 512])
        #expect(snap.meshes.contains { $0.texture == 0 })
        let bytes = try SnapshotExporter.glb(snap)
        #expect(glbSpecViolations(bytes) == [])
        let r = try GLBReader(bytes)
        #expect(r.array("images").count == 1)
        #expect(r.array("textures").count == 1)
        let materials = r.array("materials")
        #expect(materials.contains { (($0["pbrMetallicRoughness"] as? [String: Any])?["baseColorTexture"]) != nil })
        // The render samples the texture: the duck shows more than its base colour's
        // shades of one hue (the texture has yellow, orange and dark eye/beak texels).
        let image = try SnapshotRenderer.image(snap, width: 160, height: 120)
        var colours = Set<UInt32>()
        for y in 0..<120 { for x in 0..<160 { if let p = image[x, y] { colours.insert(UInt32(p.r) << 16 | UInt32(p.g) << 8 | UInt32(p.b)) } } }
        let untextured = try SnapshotRenderer.image(
            { var s = snap; s.textures = []; for i in s.meshes.indices { s.meshes[i].texture = nil }; return s }(),
            width: 160, height: 120)
        var plain = Set<UInt32>()
        for y in 0..<120 { for x in 0..<160 { if let p = untextured[x, y] { plain.insert(UInt32(p.r) << 16 | UInt32(p.g) << 8 | UInt32(p.b)) } } }
        #expect(image.pixels != untextured.pixels)
        #expect(colours.count > plain.count)
    }

    @Test("pygltflib and gltfpack accept a shipped scene's snapshot",
          .enabled(if: ValidatorTests.pygltflibAvailable && ValidatorTests.which("gltfpack") != nil, "pygltflib or gltfpack missing"))
    func validators() throws {
        let f = try SceneWorlds.load("warehouse-arrivals", steps: 640)
        let snap = SceneWorlds.snapshot(f)
        let path = try ValidatorTests.write(try SnapshotExporter.glb(snap), "scene-snapshot")
        let script = """
            import sys, pygltflib
            g = pygltflib.GLTF2().load_binary(sys.argv[1])
            assert len(g.binary_blob()) == g.buffers[0].byteLength
            print(len([n for n in g.nodes if n.mesh is not None]))
            """
        let py = try ValidatorTests.run(try #require(ValidatorTests.which("python3")), ["-c", script, path])
        #expect(py.status == 0, "\(py.output)")
        #expect(py.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(snap.items.count))
        let pack = try ValidatorTests.run(
            try #require(ValidatorTests.which("gltfpack")), ["-i", path, "-o", path + ".packed.glb", "-v"])
        #expect(pack.status == 0 && !pack.output.lowercased().contains("error"), "\(pack.output)")
    }

    @Test("non-finite transforms are left out and counted, never written")
    func nonFinite() throws {
        let f = try SceneWorlds.load("fountain")
        let e = f.world.spawn()
        f.world.insert(Position(Vec3(.nan, 0, 0)), on: e)
        f.world.insert(Kind("part"), on: e)
        let snap = SceneWorlds.snapshot(f)
        #expect(snap.skippedNonFinite == 1)
        #expect(glbSpecViolations(try SnapshotExporter.glb(snap)) == [])
        _ = try SnapshotRenderer.image(snap, width: 32, height: 24)
    }
}
