import Foundation
import Testing
@testable import TwinAssets

/// Seeded mutations of the shared assets: truncations, byte flips, random bytes.
/// Every case must end in a typed error or a valid result — never a trap.
@Suite("Fuzzing the importers with mutated shared assets", .enabled(if: SharedAssets.available))
struct FuzzTests {
    static func mutations(of bytes: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SeededGenerator(state: seed)
        var out: [[UInt8]] = []
        for i in 0..<count {
            var m = bytes
            switch i % 3 {
            case 0:
                m = Array(m.prefix(Int.random(in: 0..<max(1, m.count), using: &generator)))
            case 1:
                for _ in 0..<Int.random(in: 1...8, using: &generator) where !m.isEmpty {
                    m[Int.random(in: 0..<m.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
            default:
                // Keep the first bytes (signature/header) and randomise a window after them.
                let start = min(m.count, Int.random(in: 0...64, using: &generator))
                let end = min(m.count, start + Int.random(in: 1...256, using: &generator))
                for j in start..<end { m[j] = UInt8.random(in: 0...255, using: &generator) }
            }
            out.append(m)
        }
        return out
    }

    @Test("PNG decoder: 300 mutated copies of small PNGs")
    func png() throws {
        let sources = [
            try PNGCodec.encode(RGBAImage(width: 16, height: 9, fill: SIMD4(10, 20, 30, 255)), as: .rgb8),
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedAssets.path("gltf/BoxTextured/CesiumLogoFlat.png")))),
            PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 1]], extra: [PNGBuilder.chunk("PLTE", [0, 0, 0, 255, 255, 255])]),
        ]
        var errors = 0, valid = 0
        for (index, source) in sources.enumerated() {
            for bytes in Self.mutations(of: source, count: 100, seed: UInt64(index + 1)) {
                do {
                    let image = try PNGCodec.decodeRGBA8(bytes, path: "fuzz.png")
                    #expect(image.pixels.count == image.width * image.height * 4)
                    valid += 1
                } catch {
                    errors += 1
                }
            }
        }
        #expect(errors + valid == 300)
        #expect(errors > 0)
    }

    @Test("DXF reader and plan builder: 300 mutated copies of the JuPedSim plans")
    func dxf() throws {
        var count = 0
        for (index, file) in ["floorplan/ISO-Bottleneck.dxf", "floorplan/Gallery.dxf"].enumerated() {
            let source = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedAssets.path(file))))
            for bytes in Self.mutations(of: source, count: 150, seed: UInt64(100 + index)) {
                count += 1
                guard let drawing = try? DXFReader.parse(bytes, path: "fuzz.dxf") else { continue }
                if let plan = try? DXFFloorPlanBuilder.build(drawing, path: "fuzz.dxf") {
                    for area in plan.walkableAreas { #expect(area.outline.count >= 3) }
                }
            }
        }
        #expect(count == 300)
    }

    @Test("assimp formats through the isolated worker: mutated glb/obj/stl/ply/fbx/dae files")
    func assimpIsolated() throws {
        guard let twin = builtTwinExecutable() else {
            print("note: twin executable not built next to the tests; skipping the isolated assimp fuzz")
            return
        }
        let importer = IsolatedImporter(executable: twin, timeLimit: 20, memoryLimitBytes: 4 << 30)
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["gltf/Box/Box.glb", "obj/box.obj", "stl/triangle.stl", "ply/cube_binary.ply", "fbx/phong_cube.fbx", "dae/cube_triangulate.dae"]
        var outcomes: [String: Int] = [:]
        for (index, file) in files.enumerated() {
            let source = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedAssets.path(file))))
            let name = URL(fileURLWithPath: file).lastPathComponent
            for (k, bytes) in Self.mutations(of: source, count: 6, seed: UInt64(200 + index)).enumerated() {
                let path = writeFile(bytes, named: "\(k)-\(name)", in: dir)
                do {
                    let model = try importer.importModel(at: path)
                    for mesh in model.meshes { #expect(mesh.indices.allSatisfy { Int($0) < mesh.positions.count }) }
                    outcomes["valid", default: 0] += 1
                } catch {
                    #expect(error.path == path)
                    outcomes[error.kind, default: 0] += 1
                }
            }
        }
        print("isolated fuzz outcomes:", outcomes.sorted { $0.key < $1.key })
    }
}
