import Foundation
import Testing
@testable import TwinAssets

/// Expected counts come from the files themselves (glTF accessors, OBJ `f` lines, PLY/OFF
/// headers, COLLADA `<triangles count>`/`<vcount>`, STL facet counts, FBX PolygonVertexIndex),
/// never from our own output.
@Suite("3D model import through assimp", .enabled(if: SharedAssets.available))
struct ModelImporterTests {
    func load(_ relative: String, _ options: ModelImportOptions = ModelImportOptions()) throws -> ImportedModel {
        try ModelImporter.importModel(at: SharedAssets.path(relative), options: options)
    }

    func expectBounds(_ model: ImportedModel, min: SIMD3<Float>, max: SIMD3<Float>, tolerance: Float = 1e-3) throws {
        let b = try #require(model.bounds)
        #expect(maxDifference(b.min, min) < tolerance, "min \(b.min) vs \(min)")
        #expect(maxDifference(b.max, max) < tolerance, "max \(b.max) vs \(max)")
    }

    @Test("Box.glb has 1 mesh of 12 triangles, 1 material and a unit cube around the origin")
    func boxGLB() throws {
        let m = try load("gltf/Box/Box.glb")
        #expect(m.meshes.count == 1)
        #expect(m.triangleCount == 12)
        #expect(m.vertexCount == 24)  // POSITION accessor count
        #expect(m.materials.count == 1)
        #expect(m.materials[0].name == "Red")
        try expectBounds(m, min: SIMD3(repeating: -0.5), max: SIMD3(repeating: 0.5))
        #expect(m.warnings.isEmpty)
    }

    @Test("Duck.glb has 4212 triangles, an embedded PNG texture, and bounds from its node transforms")
    func duckGLB() throws {
        let m = try load("gltf/Duck/Duck.glb")
        #expect(m.triangleCount == 4212)
        #expect(m.vertexCount == 2399)
        #expect(m.embeddedTextures.count == 1)
        #expect(m.embeddedTextures.first?.formatHint == "png")
        #expect(m.embeddedTextures.first?.data.starts(with: [137, 80, 78, 71]) == true)
        #expect(m.materials.first?.textures.first?.source == .embedded(0))
        // POSITION min/max times the root's 0.01 scale, computed from the file's accessors.
        try expectBounds(m, min: SIMD3(-0.692985, 0.0992937, -0.613282), max: SIMD3(0.961799, 1.6397, 0.539252))
    }

    @Test("BoxTextured.gltf resolves its external texture next to the file")
    func boxTexturedGLTF() throws {
        let m = try load("gltf/BoxTextured/BoxTextured.gltf")
        #expect(m.triangleCount == 12)
        let texture = try #require(m.materials.first?.textures.first)
        #expect(texture.source == .file(SharedAssets.path("gltf/BoxTextured/CesiumLogoFlat.png")))
        #expect(texture.exists)
        #expect(m.textureCount == 1)
    }

    @Test("CesiumMilkTruck.glb keeps its node hierarchy with 4 primitives and 2856 triangles")
    func milkTruck() throws {
        let m = try load("gltf/CesiumMilkTruck/CesiumMilkTruck.glb")
        #expect(m.meshes.count == 4)
        #expect(m.triangleCount == 2856)
        #expect(m.nodes.count >= 6)
        #expect(m.nodes.contains { $0.name == "Yup2Zup" })
        for (index, node) in m.nodes.enumerated() { #expect(node.children.allSatisfy { $0 > index }) }
    }

    @Test("OBJ: box.obj has 6 quads → 12 triangles; spider.obj 1368 triangles in 19 groups, textures found via backslash paths")
    func obj() throws {
        let box = try load("obj/box.obj")
        #expect(box.triangleCount == 12)
        try expectBounds(box, min: SIMD3(repeating: -0.5), max: SIMD3(repeating: 0.5))
        let spider = try load("obj/spider/spider.obj")
        #expect(spider.triangleCount == 1368)
        #expect(spider.meshes.count == 19)
        // spider.mtl defines 5 textured materials, but no face uses `Brusttex`: 4 remain.
        #expect(spider.materials.count == 4)
        #expect(spider.textureCount == 4)
        // spider.mtl uses `.\name.jpg`: backslashes are read as separators.
        #expect(spider.materials.flatMap { $0.textures }.allSatisfy { $0.exists })
        #expect(spider.warnings.isEmpty)
    }

    @Test("OBJ vertex colours are kept")
    func objVertexColours() throws {
        let m = try load("obj/cube_with_vertexcolors.obj")
        #expect(m.triangleCount == 12)
        #expect(m.meshes[0].colors.count == m.meshes[0].positions.count)
    }

    @Test("An OBJ point cloud imports with a warning and no triangles")
    func pointCloud() throws {
        let m = try load("obj/point_cloud.obj")
        #expect(m.triangleCount == 0)
        #expect(m.warnings.contains { $0.contains("point") })
    }

    @Test("FBX: cubes_with_names.fbx is in centimetres (UnitScaleFactor 1) → 420 triangles scaled by 0.01")
    func fbxUnits() throws {
        let m = try load("fbx/cubes_with_names.fbx")
        #expect(m.meshes.count == 4)
        #expect(m.triangleCount == 12 + 12 + 12 + 384)
        #expect(m.metadata.fileUnitInMetres == 0.01)
        #expect(m.metadata.sourceUpAxis == .y)
        let scaled = try load("fbx/cubes_with_names.fbx", ModelImportOptions(scale: 2))
        let a = try #require(m.bounds), b = try #require(scaled.bounds)
        #expect(maxDifference(b.size, a.size * 2) < 1e-4)
    }

    @Test("FBX textures with absolute Windows paths that do not exist are warnings, not errors")
    func fbxMissingTextures() throws {
        let m = try load("fbx/spider.fbx")
        #expect(m.triangleCount == 1368)
        #expect(m.warnings.contains { $0.contains("not found") })
        #expect(m.materials.flatMap { $0.textures }.contains { !$0.exists })
    }

    @Test("Binary FBX imports (phong_cube: 12 triangles, Phong diffuse as base colour)")
    func fbxBinary() throws {
        let m = try load("fbx/phong_cube.fbx")
        #expect(m.triangleCount == 12)
        #expect(m.materials.count == 1)
    }

    @Test("COLLADA: cube_triangulate.dae is ±50 cm → a 1 m cube; duck.dae has 4212 triangles; Z-up teapot is converted")
    func collada() throws {
        let cube = try load("dae/cube_triangulate.dae")
        #expect(cube.triangleCount == 12)
        try expectBounds(cube, min: SIMD3(repeating: -0.5), max: SIMD3(repeating: 0.5))
        let duck = try load("dae/duck/duck.dae")
        #expect(duck.triangleCount == 4212)
        #expect(duck.materials.first?.textures.first?.exists == true)
        let teapot = try load("dae/teapot_instancenodes.DAE")
        #expect(teapot.meshes.count == 1)
        #expect(teapot.triangleCount == 1024)
        // instance_node reuses the mesh: more than one node draws mesh 0.
        #expect(teapot.nodes.filter { $0.meshIndices.contains(0) }.count >= 2)
    }

    @Test("STL ASCII and binary: the spider has 1368 facets in both")
    func stl() throws {
        let ascii = try load("stl/Spider_ascii.stl")
        let binary = try load("stl/Spider_binary.stl")
        #expect(ascii.triangleCount == 1368)
        #expect(binary.triangleCount == 1368)
        try expectBounds(binary, min: ascii.bounds?.min ?? .zero, max: ascii.bounds?.max ?? .zero, tolerance: 1e-3)
        let triangle = try load("stl/triangle.stl")
        #expect(triangle.triangleCount == 1)
        #expect(triangle.meshes[0].normals.count == 3)
    }

    @Test("An explicit up-axis override turns a Z-up file's +Z into +Y")
    func upAxisOverride() throws {
        let m = try load("stl/triangle.stl", ModelImportOptions(upAxis: .z))
        // triangle.stl lies in the z = 0 plane, x and y in −1…1.
        try expectBounds(m, min: SIMD3(-1, 0, -1), max: SIMD3(1, 0, 1))
        #expect(maxDifference(m.meshes[0].normals[0], SIMD3(0, 1, 0)) < 1e-5)
    }

    @Test("PLY ASCII and binary cubes: 6 quads → 12 triangles in the unit cube")
    func ply() throws {
        for file in ["ply/cube.ply", "ply/cube_binary.ply"] {
            let m = try load(file)
            #expect(m.triangleCount == 12)
            try expectBounds(m, min: .zero, max: SIMD3(repeating: 1))
        }
    }

    @Test("OFF (own fixture): a unit cube of 6 quads → 12 triangles")
    func off() throws {
        let dir = temporaryDirectory()
        let text = """
            OFF
            8 6 12
            0 0 0
            1 0 0
            1 1 0
            0 1 0
            0 0 1
            1 0 1
            1 1 1
            0 1 1
            4 0 3 2 1
            4 4 5 6 7
            4 0 1 5 4
            4 2 3 7 6
            4 1 2 6 5
            4 0 4 7 3

            """
        let path = writeFile(Array(text.utf8), named: "cube.off", in: dir)
        let m = try ModelImporter.importModel(at: path)
        #expect(m.triangleCount == 12)
        try expectBounds(m, min: .zero, max: SIMD3(repeating: 1))
    }

    @Test("DXF through assimp: PinkEggFromLW has 288 quad 3DFACEs → 576 triangles; lineTest drops its LINE")
    func dxfThroughAssimp() throws {
        let egg = try load("dxf/PinkEggFromLW.dxf")
        #expect(egg.triangleCount == 576)
        let lines = try load("dxf/lineTest.dxf")
        #expect(lines.triangleCount == 3)  // one quad + one triangle 3DFACE
        #expect(lines.warnings.contains { $0.contains("line") })
    }

    /// A 3DS file built here chunk by chunk (the shared data has none): one object,
    /// 8 vertices of a 1 × 1 × 2 box, 12 triangular faces.
    static func threeDSBox() -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func f32(_ v: Float) -> [UInt8] { u32(Int(v.bitPattern)) }
        func chunk(_ id: Int, _ body: [UInt8]) -> [UInt8] { u16(id) + u32(body.count + 6) + body }
        let corners: [(Float, Float, Float)] = [
            (0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 2), (1, 0, 2), (1, 1, 2), (0, 1, 2),
        ]
        let quads = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [2, 3, 7, 6], [1, 2, 6, 5], [0, 4, 7, 3]]
        var faces: [UInt8] = u16(12)
        for q in quads {
            faces += u16(q[0]) + u16(q[1]) + u16(q[2]) + u16(0)
            faces += u16(q[0]) + u16(q[2]) + u16(q[3]) + u16(0)
        }
        let vertices = u16(8) + corners.flatMap { f32($0.0) + f32($0.1) + f32($0.2) }
        let mesh = chunk(0x4100, chunk(0x4110, vertices) + chunk(0x4120, faces))
        let object = chunk(0x4000, Array("box".utf8) + [0] + mesh)
        return chunk(0x4D4D, chunk(0x0002, u32(3)) + chunk(0x3D3D, object))
    }

    @Test("3DS (own fixture, built chunk by chunk): a 1 × 1 × 2 box → 12 triangles")
    func threeDS() throws {
        let path = writeFile(Self.threeDSBox(), named: "box.3ds", in: temporaryDirectory())
        let m = try ModelImporter.importModel(at: path)
        #expect(m.triangleCount == 12)
        let b = try #require(m.bounds)
        let extents = [b.max.x - b.min.x, b.max.y - b.min.y, b.max.z - b.min.z].sorted()
        #expect(extents.count == 3 && abs(extents[0] - 1) < 1e-5 && abs(extents[1] - 1) < 1e-5 && abs(extents[2] - 2) < 1e-5,
                "extents \(extents)")
        #expect(ModelImporter.isSupported(extension: "3ds"))
        #expect(!ModelImporter.isSupported(extension: "docx"))
    }

    @Test("The JSON report has the documented keys and counts")
    func report() throws {
        let r = ModelReport.report(try load("gltf/Box/Box.glb"))
        #expect(r["triangles"] as? Int == 12)
        #expect(r["meshes"] as? Int == 1)
        let bounds = try #require(r["bounds"] as? [String: [Double]])
        #expect(bounds["min"] == [-0.5, -0.5, -0.5])
        for key in ["file", "format", "nodes", "vertices", "materials", "textures", "warnings"] { #expect(r[key] != nil) }
    }
}
