import Foundation
import Testing
import TwinAssets
import TwinRuntime
import TwinTesting

/// Writes `text` as `scene.json` in a fresh directory (so relative paths resolve there) and loads it.
private func loadScene(_ text: String, in directory: URL = temporaryDirectory()) throws(SceneError) -> Simulation {
    let file = directory.appendingPathComponent("scene.json").path
    _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
    return try SceneLoader().load(file: file)
}

/// The issues of a scene that must not load.
private func issues(_ text: String, in directory: URL = temporaryDirectory()) -> [SceneIssue] {
    do {
        _ = try loadScene(text, in: directory)
        return []
    } catch {
        return error.issues
    }
}

private let shippedGallery = packageRoot() + "/Assets/floorplans/Gallery.dxf"
private let shippedBox = packageRoot() + "/Assets/models/Box.glb"

@Suite("The geometry scene section")
struct GeometrySectionTests {
    @Test("Inline geometry becomes the SceneGeometry resource with the right areas and counts")
    func inline() throws {
        let sim = try loadScene("""
            {"geometry": {
              "walkableAreas": [{"outline": [[0, 0], [10, 0], [10, 8], [0, 8]], "holes": [[[4, 3], [4, 5], [6, 5], [6, 3]]]},
                                {"outline": [[20, 0], [23, 0], [23, 2]]}],
              "walls": [{"points": [[0, 0], [10, 0], [10, 8]]}],
              "obstacles": [{"outline": [[4, 3], [6, 3], [6, 5], [4, 5]]}],
              "doors": [{"points": [[10, 3], [10, 5]]}],
              "exits": [{"outline": [[10, 3], [11, 3], [11, 5], [10, 5]]}]
            }}
            """)
        let g = try #require(sim.world.resource(SceneGeometry.self))
        #expect(g.walkableAreas.count == 2)
        #expect(abs(g.walkableAreas[0].area - 76) < 1e-4)  // 10 × 8 minus a 2 × 2 hole
        #expect(abs(g.walkableArea - 79) < 1e-4)  // plus a triangle of 3 × 2 / 2
        #expect(g.walls.count == 1 && abs(g.walls[0].length - 18) < 1e-4)
        #expect(g.obstacles.count == 1 && abs(g.obstacles[0].area - 4) < 1e-4)
        #expect(g.doors.count == 1 && g.exits.count == 1 && abs(g.exits[0].area - 2) < 1e-4)
        #expect(g.bounds?.min == Vec2(0, 0) && g.bounds?.max == Vec2(23, 8))
    }

    @Test("A scene without a geometry section has no SceneGeometry resource")
    func absent() throws {
        let sim = try loadScene("{}")
        #expect(sim.world.resource(SceneGeometry.self) == nil)
    }

    @Test("floorPlan from the shipped Gallery.dxf: one walkable area with 16 holes, 16 obstacles, 2 exits, in metres")
    func galleryPlan() throws {
        let sim = try loadScene("""
            {"geometry": {"floorPlan": {"file": "\(shippedGallery)", "layers": {"jps-exits": "exit"}},
                          "doors": [{"points": [[0, 0], [1, 0]]}]}}
            """)
        let g = try #require(sim.world.resource(SceneGeometry.self))
        #expect(g.walkableAreas.count == 1)
        #expect(g.walkableAreas.first?.holes.count == 16)
        #expect(g.obstacles.count == 16)
        #expect(g.exits.count == 2)
        #expect(g.doors.count == 1, "inline items are added after the plan's")
        // The gallery is about 45 m × 30 m ($INSUNITS 6 = metres); its corridors leave a few hundred m² walkable.
        let b = try #require(g.bounds)
        #expect(abs((b.max.x - b.min.x) - 45.49) < 0.05 && abs((b.max.y - b.min.y) - 29.92) < 0.05)
        #expect(g.walkableArea > 100 && g.walkableArea < 45.5 * 30)
        // Same as importing the plan directly.
        let direct = SceneGeometry(try FloorPlanImporter.importPlan(at: shippedGallery))
        #expect(direct.walkableAreas == g.walkableAreas && direct.obstacles == g.obstacles && direct.exits == g.exits)
    }

    @Test("floorPlan from a raster plan (office.png, 3047 × 1717 px at 0.0506424 m/px): traced obstacles in metres",
          .enabled(if: SharedAssets.available))
    func rasterPlan() throws {
        let sim = try loadScene("""
            {"geometry": {"floorPlan": {"file": "\(SharedAssets.path("floorplan/office.png"))", "scale": 0.0506424}}}
            """)
        let g = try #require(sim.world.resource(SceneGeometry.self))
        #expect(g.obstacles.count > 10, "walls and furniture are dark pixels")
        let b = try #require(g.bounds)
        // Obstacles stay inside the image, whose extent the scale fixes: 154.3 m × 87.0 m.
        #expect(b.min.x >= -0.06 && b.max.x <= 3047 * 0.0506424 + 0.06)
        #expect(b.max.y - b.min.y <= 1717 * 0.0506424 + 0.06)
        #expect(b.max.x - b.min.x > 100, "the plan spans most of the image width")
    }

    @Test("The fragment `twin import --floor-plan --out` writes can be pasted in as the section")
    func pastedFragment() throws {
        let plan = try FloorPlanImporter.importPlan(at: shippedGallery)
        let fragment = String(decoding: FloorPlanFragment.jsonData(FloorPlanFragment.sceneFragment(plan)), as: UTF8.self)
        // The fragment is {"geometry": {…}}: exactly a scene with that section.
        let sim = try loadScene(fragment)
        let g = try #require(sim.world.resource(SceneGeometry.self))
        let direct = SceneGeometry(plan)
        #expect(g.walkableAreas.count == direct.walkableAreas.count && g.walls.count == direct.walls.count)
        #expect(g.obstacles.count == direct.obstacles.count && g.exits.count == direct.exits.count)
        #expect(abs(g.walkableArea - direct.walkableArea) < 0.05, "the fragment rounds to millimetres")
    }

    @Test("Bad geometry: each problem is a scene issue with JSON path, line and reason")
    func badInput() throws {
        let dir = temporaryDirectory()
        let cases: [(String, String, Int, String)] = [
            // (scene, expected path, expected line, text in the message)
            ("{\n\"geometry\": {\"floorPlan\": {\"file\": \"nowhere.dxf\"}}}", "$.geometry.floorPlan.file", 2, "file not found"),
            ("{\n\"geometry\": {\"floorPlan\": {\"file\": \"\(shippedBox)\"}}}", "$.geometry.floorPlan.file", 2, "unsupported format"),
            ("{\"geometry\": {\n\"exits\": \"x\"}}", "$.geometry.exits", 2, "expected an array"),
            ("{\"geometry\": {\"floorPlan\": {\"file\": \"\(shippedGallery)\",\n\"layers\": {\"jps-exits\": \"exitt\"}}}}",
             "$.geometry.floorPlan.layers.jps-exits", 2, "unknown layer role \"exitt\" (did you mean \"exit\"?)"),
            ("{\"geometry\": {\"floorPlan\": {\"file\": \"\(shippedGallery)\",\n\"scale\": -1}}}", "$.geometry.floorPlan.scale", 2, "positive"),
            ("{\"geometry\": {\"floorPlan\": {\"file\": \"\(shippedGallery)\",\n\"threshold\": 300}}}", "$.geometry.floorPlan.threshold", 2, "0…255"),
            ("{\"geometry\": {\n\"walls\": [{\"points\": [[0, 0]]}]}}", "$.geometry.walls[0].points", 2, "at least 2 points"),
            ("{\"geometry\": {\"walkableAreas\": [{\"outline\": [[0, 0], [1, 0], [1, 1]],\n\"holes\": [[[0, 0], [1, 1]]]}]}}",
             "$.geometry.walkableAreas[0].holes[0]", 2, "at least 3 points"),
            ("{\"geometry\": {\n\"wals\": []}}", "$.geometry.wals", 2, "did you mean \"walls\"?"),
        ]
        for (text, path, line, message) in cases {
            let found = issues(text, in: dir)
            #expect(found.count == 1, "\(text)")
            guard let issue = found.first else { continue }
            #expect(issue.path.jsonPath == path, "\(text)")
            #expect(issue.location.line == line, "\(issue)")
            #expect(issue.message.contains(message), "\(issue)")
        }
    }
}

@Suite("The assets scene section and the Visual component")
struct AssetsSectionTests {
    @Test("Assets import (relative to the scene file) into the AssetLibrary with their transform; Visual names one")
    func library() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shippedBox, toPath: dir.appendingPathComponent("models/Box.glb").path)
        let sim = try loadScene("""
            {"assets": {"crate": {"file": "models/Box.glb", "scale": 2, "upAxis": "z",
                                  "transform": {"translation": [0, 1, 0], "rotation": [0, 0, 0, 2], "scale": [1, 2, 1]}}},
             "entities": [{"name": "a", "components": {"Visual": {"asset": "crate", "tint": [1, 0.5, 0]}}}]}
            """, in: dir)
        let library = try #require(sim.world.resource(AssetLibrary.self))
        #expect(library.ids == ["crate"])
        let crate = try #require(library["crate"])
        #expect(crate.model.triangleCount == 12)  // Box.glb has 12 triangles
        #expect(crate.model == (try ModelImporter.importModel(
            at: dir.appendingPathComponent("models/Box.glb").path, options: ModelImportOptions(scale: 2, upAxis: .z))))
        #expect(crate.transform.translation == Vec3(0, 1, 0) && crate.transform.scale == Vec3(1, 2, 1))
        #expect(crate.transform.rotation == .identity, "the rotation is normalised")
        #expect(crate.route == .inProcess, "a file under the scene's directory is the author's own")
        let visuals = sim.world.entities.compactMap { sim.world.get(Visual.self, of: $0) }
        #expect(visuals.map(\.asset) == ["crate"] && visuals.first?.tint == Vec3(1, 0.5, 0))
    }

    @Test("Import routes: the author's own files in process, everything else in the worker when one is known")
    func routes() throws {
        let project = temporaryDirectory()
        let scenes = project.appendingPathComponent("Scenes"), assets = project.appendingPathComponent("Assets/models")
        let elsewhere = temporaryDirectory()
        for d in [scenes, assets] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        let worker = URL(fileURLWithPath: "/opt/twin")
        let outside = elsewhere.appendingPathComponent("m.glb").path
        _ = writeFile(Array("glTF".utf8), named: "m.glb", in: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: scenes.appendingPathComponent("link.glb").path, withDestinationPath: outside)
        func route(_ file: String, worker: URL? = worker) -> AssetImportRoute {
            AssetImportRoute.choose(for: file, sceneDirectory: scenes.path, worker: worker)
        }
        #expect(route(scenes.appendingPathComponent("sub/m.glb").path) == .inProcess)
        #expect(route(assets.appendingPathComponent("m.glb").path) == .inProcess)
        #expect(route(scenes.appendingPathComponent("../Assets/models/m.glb").path) == .inProcess)
        #expect(route(outside) == .isolated(executable: worker))
        #expect(route(project.appendingPathComponent("Other/m.glb").path) == .isolated(executable: worker))
        #expect(route(scenes.appendingPathComponent("link.glb").path) == .isolated(executable: worker), "links pointing out count as outside")
        #expect(route(scenes.path + "-sibling/m.glb") == .isolated(executable: worker), "a name prefix is not a parent directory")
        #expect(route(outside, worker: nil) == .inProcess, "without a twin executable, imports run in process")
        #expect(AssetImportRoute.currentTwinExecutable == nil, "the test runner is not the twin CLI")
    }

    @Test("The isolated route imports the same model as the in-process one", .enabled(if: SharedAssets.available))
    func isolatedRoute() throws {
        guard let twin = builtTwinExecutable() else {
            print("note: twin executable not built next to the tests; skipping")
            return
        }
        let path = SharedAssets.path("gltf/Duck/Duck.glb")
        let options = ModelImportOptions(scale: 0.01)
        #expect(try AssetImportRoute.isolated(executable: twin).importModel(at: path, options: options)
            == AssetImportRoute.inProcess.importModel(at: path, options: options))
    }

    @Test("Bad assets and unknown Visual assets are scene issues with JSON path, line and reason")
    func badInput() throws {
        let dir = temporaryDirectory()
        _ = writeFile(Array("not a model at all".utf8), named: "junk.glb", in: dir)
        _ = writeFile(Array("hello".utf8), named: "notes.txt", in: dir)
        let box = "{\"file\": \"\(shippedBox)\"}"
        let cases: [(String, String, Int, String)] = [
            ("{\"assets\": {\n\"a\": {\"file\": \"missing.glb\"}}}", "$.assets.a.file", 2, "missing.glb: file not found"),
            ("{\"assets\": {\n\"a\": {\"file\": \"notes.txt\"}}}", "$.assets.a.file", 2, "unsupported format 'txt'"),
            ("{\"assets\": {\n\"a\": {\"file\": \"junk.glb\"}}}", "$.assets.a.file", 2, "malformed"),
            ("{\"assets\": {\"a\": {\"file\": \"junk.glb\",\n\"upAxis\": \"up\"}}}", "$.assets.a.upAxis", 2, "unknown up axis"),
            ("{\"assets\": {\"a\": {\"file\": \"junk.glb\",\n\"scale\": 0}}}", "$.assets.a.scale", 2, "positive"),
            ("{\"assets\": {\"a\": {\n\"fil\": \"junk.glb\"}}}", "$.assets.a", 1, "missing required member \"file\""),
            ("{\"assets\": \n[]}", "$.assets", 2, "expected an object of assets by id"),
            ("{\"assets\": {\"box\": \(box)},\n\"entities\": [{\"components\": {\"Visual\": {\"asset\": \"bx\"}}}]}",
             "$.entities[0].components.Visual.asset", 2, "unknown asset \"bx\" (did you mean \"box\"?); known: box"),
            ("{\"assets\": {\"box\": \(box)},\n\"prefabs\": {\"p\": {\"components\": {\"Visual\": {\"asset\": \"ghost\"}}}}}",
             "$.prefabs.p.components.Visual.asset", 2, "unknown asset \"ghost\""),
            ("{\n\"entities\": [{\"components\": {\"Visual\": {\"asset\": \"box\"}}}]}",
             "$.entities[0].components.Visual.asset", 2, "unknown asset \"box\"; none are defined"),
            ("{\"assets\": {\"box\": \(box)},\n\"entities\": [{\"components\": {\"Visual\": {\"asset\": \"box\", \"tint\": [2, 0, 0]}}}]}",
             "$.entities[0].components.Visual.tint", 2, "0…1"),
        ]
        for (text, path, line, message) in cases {
            let found = issues(text, in: dir)
            #expect(found.count == 1, "\(text): \(found)")
            guard let issue = found.first else { continue }
            #expect(issue.path.jsonPath == path, "\(text)")
            #expect(issue.location.line == line, "\(issue)")
            #expect(issue.message.contains(message), "\(issue)")
            #expect(issue.file.hasSuffix("scene.json"))
        }
    }
}

@Suite("Scenes/gallery-plan.json")
struct GalleryPlanSceneTests {
    @Test("loads with its floor plan and model, runs, and is deterministic")
    func runs() throws {
        let file = packageRoot() + "/Scenes/gallery-plan.json"
        let fixture = try SceneFixture(file: file)
        let world = fixture.world
        let geometry = try #require(world.resource(SceneGeometry.self))
        #expect(geometry.walkableAreas.count == 1 && geometry.walkableAreas.first?.holes.count == 16 && geometry.exits.count == 2)
        let library = try #require(world.resource(AssetLibrary.self))
        #expect(library["box"]?.model.triangleCount == 12)
        fixture.run(steps: 640)  // 10 s
        let visitors = fixture.values(Visual.self).filter { e, _ in world.get(Kind.self, of: e)?.value == "pedestrian" }
        #expect(visitors.count >= 2, "the entrance spawner has let visitors in")
        #expect(fixture.values(Visual.self).allSatisfy { library[$0.1.asset] != nil })
        // Visitors walk the corridor: they stay inside the walkable area.
        for (e, _) in visitors {
            let p = try #require(world.get(Position.self, of: e)).value
            #expect(geometry.walkableAreas[0].contains(Vec2(p.x, p.z)), "visitor at \(p) left the walkable area")
        }
        let again = try SceneFixture(file: file)
        again.run(steps: 640)
        #expect(again.world.stateHash() == world.stateHash())
    }
}
