import Foundation
import Testing
@testable import TwinAssets

@Suite("Binary model serialisation and the import cache", .enabled(if: SharedAssets.available))
struct ImportCacheTests {
    @Test("Serialisation round-trips real models exactly", arguments: [
        "gltf/Duck/Duck.glb", "gltf/CesiumMilkTruck/CesiumMilkTruck.glb", "obj/spider/spider.obj",
        "fbx/spider.fbx", "dae/teapot_instancenodes.DAE", "obj/cube_with_vertexcolors.obj",
    ])
    func roundTrip(file: String) throws {
        let model = try ModelImporter.importModel(at: SharedAssets.path(file))
        let decoded = try ModelSerializer.decode(ModelSerializer.encode(model), path: "x")
        #expect(decoded == model)
    }

    @Test("Truncated or altered serialised models are errors, never crashes")
    func corruptSerialisation() throws {
        let bytes = ModelSerializer.encode(try ModelImporter.importModel(at: SharedAssets.path("gltf/Box/Box.glb")))
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: AssetImportError.self) { try ModelSerializer.decode(Array(bytes.prefix(cut)), path: "x") }
        }
        var generator = SeededGenerator(state: 7)
        for _ in 0..<200 {
            var mutated = bytes
            let index = Int.random(in: 0..<mutated.count, using: &generator)
            mutated[index] = UInt8.random(in: 0...255, using: &generator)
            _ = try? ModelSerializer.decode(mutated, path: "x")  // an error or a valid model; must not trap
        }
    }

    @Test("The second import is a cache hit; a changed file or other options miss; a corrupt entry is rebuilt")
    func cache() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = ImportCache(directory: dir.appendingPathComponent("cache"))
        let source = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedAssets.path("obj/box.obj"))))
        let path = writeFile(source, named: "box.obj", in: dir)
        var imports = 0
        let importer: (String, ModelImportOptions) throws(AssetImportError) -> ImportedModel = { path, options throws(AssetImportError) in
            imports += 1
            return try ModelImporter.importModel(at: path, options: options)
        }
        let first = try cache.model(at: path, importer: importer)
        #expect(!first.hit)
        let second = try cache.model(at: path, importer: importer)
        #expect(second.hit)
        #expect(second.model == first.model)
        #expect(imports == 1)

        let scaled = try cache.model(at: path, options: ModelImportOptions(scale: 2), importer: importer)
        #expect(!scaled.hit)

        // Change the file: a new key.
        _ = writeFile(source + Array("\n# edited\n".utf8), named: "box.obj", in: dir)
        #expect(try !cache.model(at: path, importer: importer).hit)

        // Corrupt every entry: ignored and rebuilt.
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path)
        for entry in entries { _ = writeFile([1, 2, 3], named: entry, in: cache.directory) }
        let rebuilt = try cache.model(at: path, importer: importer)
        #expect(!rebuilt.hit)
        #expect(rebuilt.model.triangleCount == 12)
        #expect(try cache.model(at: path, importer: importer).hit)
    }

    @Test("The default cache directory honours TWIN_CACHE_DIR, then XDG_CACHE_HOME")
    func defaultDirectory() {
        #expect(ImportCache.defaultDirectory(environment: ["TWIN_CACHE_DIR": "/tmp/tc"]).path == "/tmp/tc")
        #expect(ImportCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/tmp/x"]).path == "/tmp/x/twinworld/imports")
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func sha256() {
        var empty = SHA256()
        #expect(empty.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update("abc")
        #expect(abc.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var long = SHA256()
        long.update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        #expect(long.finalizeHex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var split = SHA256()
        split.update("abcdbcdecdefdefgefghfghighijhijk")
        split.update("ijkljklmklmnlmnomnopnopq")
        #expect(split.finalizeHex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
