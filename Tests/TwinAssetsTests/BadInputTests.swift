import Foundation
import Testing
@testable import TwinAssets

@Suite("Bad input gives typed errors naming the file")
struct BadInputTests {
    @Test("A missing file")
    func missing() {
        #expect(throws: AssetImportError.missingFile(path: "/nonexistent/model.glb")) {
            try ModelImporter.importModel(at: "/nonexistent/model.glb")
        }
    }

    @Test("An unsupported extension")
    func unsupported() {
        let path = writeFile(Array("hello".utf8), named: "notes.docx", in: temporaryDirectory())
        #expect(throws: AssetImportError.unsupportedFormat(path: path, format: "docx")) { try ModelImporter.importModel(at: path) }
        #expect(throws: AssetImportError.self) { try FloorPlanImporter.importPlan(at: path) }
    }

    @Test("A zero-length file", arguments: ["empty.obj", "empty.glb", "empty.stl", "empty.dxf", "empty.png"])
    func empty(name: String) {
        let path = writeFile([], named: name, in: temporaryDirectory())
        #expect(throws: AssetImportError.emptyFile(path: path)) {
            if name.hasSuffix(".png") || name.hasSuffix(".dxf") {
                _ = try FloorPlanImporter.importPlan(at: path)
            } else {
                _ = try ModelImporter.importModel(at: path)
            }
        }
    }

    @Test("Truncated files (cut in half) in formats whose readers check lengths", .enabled(if: SharedAssets.available),
          arguments: ["gltf/Box/Box.glb", "stl/Spider_binary.stl", "ply/cube_binary.ply"])
    func truncated(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedAssets.path(file))))
        let name = URL(fileURLWithPath: file).lastPathComponent
        let path = writeFile(Array(bytes.prefix(bytes.count / 2)), named: name, in: temporaryDirectory())
        #expect(throws: AssetImportError.self) { try ModelImporter.importModel(at: path) }
    }

    @Test("Random bytes with a valid extension", arguments: ["noise.glb", "noise.stl", "noise.fbx"])
    func randomBytes(name: String) {
        var generator = SeededGenerator(state: 42)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = writeFile(bytes, named: name, in: temporaryDirectory())
        do {
            _ = try ModelImporter.importModel(at: path)
            Issue.record("random bytes imported as a model")
        } catch {
            #expect(error.path == path)
            #expect(error.description.contains(path))
        }
    }

    @Test("A texture that does not exist is a warning on the model, not an error")
    func missingTexture() throws {
        let dir = temporaryDirectory()
        _ = writeFile(Array("newmtl m\nKd 1 0 0\nmap_Kd missing.png\n".utf8), named: "t.mtl", in: dir)
        let obj = "mtllib t.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl m\nf 1 2 3\n"
        let path = writeFile(Array(obj.utf8), named: "t.obj", in: dir)
        let model = try ModelImporter.importModel(at: path)
        #expect(model.triangleCount == 1)
        #expect(model.warnings.contains { $0.contains("missing.png") && $0.contains("not found") })
        #expect(model.materials.first?.textures.first?.exists == false)
    }

    @Test("A non-positive scale is rejected")
    func badScale() throws {
        let path = writeFile(Array("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".utf8), named: "t.obj", in: temporaryDirectory())
        #expect(throws: AssetImportError.self) { try ModelImporter.importModel(at: path, options: ModelImportOptions(scale: 0)) }
    }
}
