import Foundation
import Testing
import TwinRuntime
import TwinTesting
import TwinWasm
import WAT

@Suite("WebAssembly systems")
struct WasmSystemTests {
    static func positions(_ f: SceneFixture) -> [String: Vec3] {
        var out: [String: Vec3] = [:]
        for (e, name) in f.values(Name.self) { out[name.value] = f.world.get(Position.self, of: e)?.value }
        return out
    }

    @Test("a wasm system integrating positions matches x0 + n·v·dt (|error| ≤ 1e-4 m after 200 steps)")
    func drift() throws {
        let f = try SceneFixture(json: WasmModules.scene(module: try WasmModules.file(try WasmModules.drift())))
        f.run(steps: 200)
        #expect(f.world.resource(SystemFaults.self)?.faults ?? [] == [])
        for (name, p) in Self.positions(f) {
            let i = Float(name.dropFirst()) ?? -1
            #expect(abs(p.x - (i + 200 * 0.05)) <= 1e-4, "\(name): \(p)")
            #expect(abs(p.z - 200 * 0.05 * 0.5) <= 1e-4, "\(name): \(p)")
        }
    }

    @Test("the shipped example: every robot walks at the module's speed, the run is deterministic (2 workers too)")
    func wanderExample() throws {
        let file = packageRoot() + "/Scenes/wasm-wander.json"
        let a = try SceneFixture(file: file)
        let hashes = a.hashes(steps: 100)
        #expect(a.world.resource(SystemFaults.self)?.faults ?? [] == [])
        let speeds = a.values(Velocity.self).map { ($0.1.value.x * $0.1.value.x + $0.1.value.z * $0.1.value.z).squareRoot() }
        #expect(speeds.count == 200)
        #expect(speeds.allSatisfy { abs($0 - 1.2) <= 1e-4 }, "speeds \(speeds.prefix(5))")
        // The module turns robots back beyond |x|, |z| = 20 m, so none gets far past it.
        #expect(a.values(Position.self).allSatisfy { abs($0.1.value.x) < 21 && abs($0.1.value.z) < 21 })
        #expect(try SceneFixture(file: file).hashes(steps: 100) == hashes)
        #expect(try SceneFixture(file: file, options: SceneLoadOptions(workers: 2)).hashes(steps: 100) == hashes)
        #expect(try SceneFixture(file: file, options: SceneLoadOptions(seed: 12)).hashes(steps: 100).last != hashes.last)
    }

    @Test("the example rebuilt from its C source with clang --target=wasm32 behaves identically")
    func exampleFromSource() throws {
        let root = packageRoot()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wander-\(UUID().uuidString).wasm").path
        let clang = Process()
        clang.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        clang.arguments = ["clang", "--target=wasm32", "-nostdlib", "-O2", "-Wl,--no-entry", "-o", out, root + "/Assets/wasm/wander.c"]
        try clang.run()
        clang.waitUntilExit()
        try #require(clang.terminationStatus == 0, "clang (from the Swift toolchain, or Debian's clang + lld) must build Assets/wasm/wander.c")
        let text = try String(contentsOfFile: root + "/Scenes/wasm-wander.json", encoding: .utf8)
        let shipped = try SceneFixture(json: text.replacingOccurrences(of: "../Assets/wasm/wander.wasm", with: root + "/Assets/wasm/wander.wasm"))
        let rebuilt = try SceneFixture(json: text.replacingOccurrences(of: "../Assets/wasm/wander.wasm", with: out))
        #expect(shipped.hashes(steps: 100) == rebuilt.hashes(steps: 100))
    }

    @Test("events a module emits reach the world with entity, code and value")
    func events() throws {
        let body = "(call $emit (i32.const 1) (i32.const 7) (f64.const 2.5))"
        let bytes = try WasmModules.module(manifest: WasmModules.driftManifest, body: body)
        let f = try SceneFixture(json: WasmModules.scene(module: try WasmModules.file(bytes), count: 3))
        var reader = EventReader<WasmEvent>()
        f.run(steps: 2)
        let events = Array(reader.read(f.world))
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.code == 7 && $0.value == 2.5 && f.world.get(Name.self, of: $0.entity)?.value == "e1" })
    }

    // MARK: Limits: the system is disabled with a reason, the world runs on.

    /// Runs `body` as the module with core.integrate after it; returns the faults and
    /// whether the entities kept moving.
    static func runFaulty(_ body: String, manifest: String = WasmModules.driftManifest, params: String = "") throws -> (faults: [SystemFaults.Fault], moved: Bool) {
        let bytes = try WasmModules.module(manifest: manifest, body: body)
        let f = try SceneFixture(json: WasmModules.scene(module: try WasmModules.file(bytes), params: params, also: ["core.integrate"]))
        f.run(steps: 20)
        let p = positions(f)["e0"] ?? .zero
        return (f.world.resource(SystemFaults.self)?.faults ?? [], abs(p.x - 1) < 1e-3 && p.x > 0.9)
    }

    @Test("an endless loop runs out of fuel: disabled at the first step, the world runs on")
    func fuel() throws {
        let r = try Self.runFaulty("(loop $forever (br $forever))", params: #""fuelPerStep": 100000"#)
        #expect(r.faults.count == 1)
        #expect(r.faults.first?.step == 0)
        #expect(r.faults.first?.message.contains("fuel") == true, "\(r.faults)")
        #expect(r.moved)
    }

    @Test("a trap disables the system with the trap as the reason")
    func trap() throws {
        let r = try Self.runFaulty("(unreachable)")
        #expect(r.faults.count == 1)
        #expect(r.faults.first?.message.lowercased().contains("unreachable") == true, "\(r.faults)")
        #expect(r.moved)
    }

    @Test("memory growing past memoryLimit disables the system")
    func memory() throws {
        let r = try Self.runFaulty("(drop (memory.grow (i32.const 100)))", params: #""memoryLimit": 1048576"#)
        #expect(r.faults.count == 1)
        #expect(r.faults.first?.message.contains("memoryLimit") == true, "\(r.faults)")
        #expect(r.moved)
    }

    @Test("writing a component not in \"writes\", a NaN, or outside memory disables the system and changes nothing")
    func hostRules() throws {
        let readOnly = #"{"name": "ro", "reads": ["Position", "Velocity"]}"#
        let undeclared = try Self.runFaulty("""
            (drop (call $write (call $component (i32.const 2048) (i32.const 8)) (i32.const 65536) (i32.mul (call $count) (i32.const 3))))
            """, manifest: readOnly)
        #expect(undeclared.faults.first?.message.contains("not in the manifest's \"writes\"") == true, "\(undeclared.faults)")
        let nan = try Self.runFaulty("""
            (local.set $p (call $component (i32.const 2048) (i32.const 8)))
            (local.set $f (i32.mul (call $count) (i32.const 3)))
            (drop (call $read (local.get $p) (i32.const 65536) (local.get $f)))
            (f32.store (i32.const 65536) (f32.const nan))
            (drop (call $write (local.get $p) (i32.const 65536) (local.get $f)))
            """)
        #expect(nan.faults.first?.message.contains("not finite") == true, "\(nan.faults)")
        #expect(nan.moved, "the NaN must not reach the world")
        let outside = try Self.runFaulty("""
            (drop (call $read (call $component (i32.const 2048) (i32.const 8)) (i32.const 524200) (i32.const 1000)))
            """)
        #expect(outside.faults.first?.message.contains("outside the module's memory") == true, "\(outside.faults)")
        #expect(outside.moved)
    }

    // MARK: Load errors: clear messages, no crash.

    static func loadError(_ bytes: [UInt8], params: String = "") throws -> String {
        do {
            _ = try SceneFixture(json: WasmModules.scene(module: try WasmModules.file(bytes), params: params))
            return ""
        } catch let e as SceneError {
            return e.issues.map(\.description).joined(separator: "\n")
        }
    }

    @Test("bad modules are scene errors at systems[0]: not wasm, foreign imports, missing exports, bad manifests, unknown parameters")
    func loadErrors() throws {
        let notWasm = try Self.loadError(Array("hello, world".utf8))
        #expect(notWasm.contains("systems[0]") && notWasm.contains("not a valid WebAssembly module"), "\(notWasm)")

        let wasi = try Self.loadError(try WasmModules.module(
            manifest: WasmModules.driftManifest, body: "",
            extraImports: #"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#))
        #expect(wasi.contains("wasi_snapshot_preview1.fd_write") && wasi.contains("twin.component"), "\(wasi)")

        let noUpdate = try Self.loadError(try wat2wasm(#"(module (memory (export "memory") 1) (func (export "twin_manifest") (result i32) (i32.const 0)))"#))
        #expect(noUpdate.contains("twin_update"), "\(noUpdate)")

        let typo = try Self.loadError(try WasmModules.module(manifest: #"{"name": "x", "reads": ["Positon"]}"#, body: ""))
        #expect(typo.contains("Positon") && typo.contains("Position"), "\(typo)")

        let notJSON = try Self.loadError(try WasmModules.module(manifest: "{name: x", body: ""))
        #expect(notJSON.contains("manifest is not JSON"), "\(notJSON)")

        let unknownParam = try Self.loadError(try WasmModules.drift(), params: #""parameters": {"sped": 1}"#)
        #expect(unknownParam.contains("sped"), "\(unknownParam)")

        let missing = try Self.loadError([], params: "")
        #expect(missing.contains("not a valid WebAssembly module") || missing.contains("cannot read"), "\(missing)")
    }
}
