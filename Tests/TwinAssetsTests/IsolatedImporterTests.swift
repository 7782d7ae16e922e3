import Foundation
import Testing
@testable import TwinAssets

/// These need the `twin` executable built next to the test bundle
/// (`swift build --product twin` with the same scratch path); without it they are skipped with a note.
@Suite("Isolated import in a child process")
struct IsolatedImporterTests {
    static let twin = builtTwinExecutable()

    @Test("The worker's result equals an in-process import", .enabled(if: SharedAssets.available))
    func sameResult() throws {
        guard let twin = Self.twin else {
            print("note: twin executable not built next to the tests; skipping isolated import checks")
            return
        }
        let importer = IsolatedImporter(executable: twin, timeLimit: 60)
        let path = SharedAssets.path("gltf/Duck/Duck.glb")
        let isolated = try importer.importModel(at: path)
        let inProcess = try ModelImporter.importModel(at: path)
        #expect(isolated == inProcess)
    }

    @Test("Typed errors come back unchanged from the worker")
    func typedErrors() throws {
        guard let twin = Self.twin else {
            print("note: twin executable not built; skipping")
            return
        }
        let importer = IsolatedImporter(executable: twin, timeLimit: 60)
        let path = writeFile(Array("definitely not a glb".utf8), named: "bad.glb", in: temporaryDirectory())
        #expect(throws: AssetImportError.self) { try importer.importModel(at: path) }
        #expect(throws: AssetImportError.missingFile(path: "/nonexistent/x.obj")) { try importer.importModel(at: "/nonexistent/x.obj") }
    }

    @Test("A worker killed by a signal is .importerCrashed; one that hangs is .timedOut")
    func crashAndTimeout() throws {
        // Stand-in workers: shell scripts that die by SIGSEGV or sleep, to test the parent's handling.
        let dir = temporaryDirectory()
        let path = writeFile(Array("v 0 0 0\n".utf8), named: "m.obj", in: dir)
        let crasher = writeFile(Array("#!/bin/sh\nkill -SEGV $$\n".utf8), named: "crash.sh", in: dir)
        let sleeper = writeFile(Array("#!/bin/sh\nexec sleep 30\n".utf8), named: "sleep.sh", in: dir)
        let garbage = writeFile(Array("#!/bin/sh\nexit 0\n".utf8), named: "garbage.sh", in: dir)
        for script in [crasher, sleeper, garbage] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        }
        #expect(throws: AssetImportError.importerCrashed(path: path, signal: SIGSEGV)) {
            try IsolatedImporter(executable: URL(fileURLWithPath: crasher)).importModel(at: path)
        }
        #expect(throws: AssetImportError.timedOut(path: path, seconds: 0.5)) {
            try IsolatedImporter(executable: URL(fileURLWithPath: sleeper), timeLimit: 0.5).importModel(at: path)
        }
        #expect(throws: AssetImportError.self) {
            try IsolatedImporter(executable: URL(fileURLWithPath: garbage)).importModel(at: path)
        }
        #expect(throws: AssetImportError.self) {
            try IsolatedImporter(executable: URL(fileURLWithPath: "/nonexistent/twin")).importModel(at: path)
        }
    }
}
