import Foundation
import Testing
import TwinRender

/// Independent glTF readers run on our files. A missing tool skips its test with the
/// reason printed; install them with `apt-get install -y gltfpack libtinygltf-dev` and
/// `pip install pygltflib`.
@Suite("External glTF validators")
struct ValidatorTests {
    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func run(_ exe: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("twinrender-\(name)-\(getpid()).glb")
        try Data(bytes).write(to: url)
        return url.path
    }

    static let pygltflibAvailable: Bool = {
        guard let py = which("python3"), let r = try? run(py, ["-c", "import pygltflib"]) else { return false }
        return r.status == 0
    }()

    static let tinygltfAvailable = FileManager.default.fileExists(atPath: "/usr/include/tiny_gltf.h") && which("g++") != nil

    @Test("pygltflib loads our files with the expected counts",
          .enabled(if: pygltflibAvailable, "pygltflib missing: pip install pygltflib"))
    func pygltflib() throws {
        let path = try Self.write(try TestDocuments.mixed().bytes, "pygltflib")
        let script = """
            import sys, pygltflib
            g = pygltflib.GLTF2().load_binary(sys.argv[1])
            assert g.asset.version == "2.0"
            blob = g.binary_blob()
            assert len(blob) == g.buffers[0].byteLength, (len(blob), g.buffers[0].byteLength)
            for v in g.bufferViews: assert v.byteOffset + v.byteLength <= len(blob)
            print(len(g.nodes), len(g.meshes), len(g.animations), len(g.cameras))
            """
        let r = try Self.run(try #require(Self.which("python3")), ["-c", script, path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.trimmingCharacters(in: .whitespacesAndNewlines) == "12 5 1 2")
    }

    @Test("gltfpack reads and re-packs our core-glTF output",
          .enabled(if: which("gltfpack") != nil, "gltfpack missing: apt-get install -y gltfpack"))
    func gltfpack() throws {
        // gltfpack refuses EXT_mesh_gpu_instancing, so it gets the plain-node variant.
        let path = try Self.write(try TestDocuments.plain(), "gltfpack")
        let out = path.replacingOccurrences(of: ".glb", with: "-packed.glb")
        let r = try Self.run(try #require(Self.which("gltfpack")), ["-i", path, "-o", out, "-v"])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.lowercased().contains("error"), "\(r.output)")
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test("tinygltf loads our files without errors or warnings",
          .enabled(if: tinygltfAvailable, "tinygltf missing: apt-get install -y libtinygltf-dev (and g++)"))
    func tinygltf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twinrender-tinygltf")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("check.cpp"), exe = dir.appendingPathComponent("check")
        let program = """
            #include <tiny_gltf.h>
            #include <cstdio>
            int main(int argc, char **argv) {
                tinygltf::TinyGLTF loader;
                tinygltf::Model model;
                std::string err, warn;
                bool ok = loader.LoadBinaryFromFile(&model, &err, &warn, argv[1]);
                if (!warn.empty()) std::printf("warning: %s\\n", warn.c_str());
                if (!ok) { std::printf("error: %s\\n", err.c_str()); return 1; }
                std::printf("%zu %zu %zu\\n", model.nodes.size(), model.meshes.size(), model.animations.size());
                return warn.empty() ? 0 : 3;
            }
            """
        try program.write(to: source, atomically: true, encoding: .utf8)
        let build = try Self.run(try #require(Self.which("g++")), ["-std=c++17", source.path, "-o", exe.path, "-ltinygltf"])
        try #require(build.status == 0, "could not build the tinygltf loader: \(build.output)")
        // A scene snapshot and a run recording too: counts read back from our own writer.
        let fixture = try SceneWorlds.load("warehouse-arrivals", steps: 320)
        let snapshot = try SnapshotExporter.glb(SceneWorlds.snapshot(fixture))
        let (recorded, recording) = try RecordingTests.record("fountain", steps: 64, every: 4)
        let animated = try RecordingExporter.document(recording, scene: SceneWorlds.snapshot(recorded)).glb()
        func counts(_ bytes: [UInt8]) throws -> String {
            let r = try GLBReader(bytes)
            return "\(r.array("nodes").count) \(r.array("meshes").count) \(r.array("animations").count)"
        }
        for (name, bytes, expected) in [("mixed", try TestDocuments.mixed().bytes, "12 5 1"),
                                        ("plain", try TestDocuments.plain(), "51 5 1"),
                                        ("scene", snapshot, try counts(snapshot)),
                                        ("recording", animated, try counts(animated))] {
            let r = try Self.run(exe.path, [try Self.write(bytes, "tinygltf-\(name)")])
            #expect(r.status == 0, "\(name): \(r.output)")
            #expect(r.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "\(name)")
        }
    }
}
