import Foundation
import TwinRuntime
import TwinTesting
import WAT

/// Small WebAssembly modules written in the text format for the tests, and scenes
/// that run them.
enum WasmModules {
    /// A module with the manifest at 1024, the names "Position" at 2048 and "Velocity"
    /// at 2056, `pages` of memory, and `body` as `twin_update(time, dt)`.
    static func module(manifest: String, body: String, pages: Int = 8, extraImports: String = "") throws -> [UInt8] {
        let escaped = manifest.replacingOccurrences(of: "\"", with: "\\\"")
        return try wat2wasm("""
            (module
              (import "twin" "component" (func $component (param i32 i32) (result i32)))
              (import "twin" "count" (func $count (result i32)))
              (import "twin" "read" (func $read (param i32 i32 i32) (result i32)))
              (import "twin" "write" (func $write (param i32 i32 i32) (result i32)))
              (import "twin" "param" (func $param (param i32 i32) (result f64)))
              (import "twin" "emit" (func $emit (param i32 i32 f64)))
              \(extraImports)
              (memory (export "memory") \(pages))
              (data (i32.const 1024) "\(escaped)\\00")
              (data (i32.const 2048) "PositionVelocity")
              (func (export "twin_manifest") (result i32) (i32.const 1024))
              (func (export "twin_update") (param $t f64) (param $dt f64)
                (local $n i32) (local $i i32) (local $p i32) (local $v i32) (local $f i32)
                \(body))
            )
            """)
    }

    /// `Position += Velocity × dt` for every entity, the core integrator's work.
    static let driftBody = """
        (local.set $p (call $component (i32.const 2048) (i32.const 8)))
        (local.set $v (call $component (i32.const 2056) (i32.const 8)))
        (local.set $f (i32.mul (call $count) (i32.const 3)))
        (drop (call $read (local.get $p) (i32.const 65536) (local.get $f)))
        (drop (call $read (local.get $v) (i32.const 262144) (local.get $f)))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $f)))
          (f32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 2)))
            (f32.add (f32.load (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 2))))
                     (f32.mul (f32.load (i32.add (i32.const 262144) (i32.shl (local.get $i) (i32.const 2))))
                              (f32.demote_f64 (local.get $dt)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (drop (call $write (local.get $p) (i32.const 65536) (local.get $f)))
        """

    static let driftManifest = #"{"name": "drift", "reads": ["Velocity"], "writes": ["Position"]}"#

    static func drift() throws -> [UInt8] { try module(manifest: driftManifest, body: driftBody) }

    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func file(_ bytes: [UInt8], name: String = "module.wasm") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-wasm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A scene with `count` entities moving at (1, 0, 0.5) m/s from a line on x, the wasm
    /// system first, then `also` systems.
    static func scene(module path: String, params: String = "", count: Int = 10, also: [String] = []) -> String {
        let entities = (0..<count).map { i in
            #"{"name": "e\#(i)", "components": {"Position": [\#(i), 0, 0], "Velocity": [1, 0, 0.5]}}"#
        }.joined(separator: ",\n")
        let systems = ([#"{"id": "wasm.system", "params": {"module": "\#(path)"\#(params.isEmpty ? "" : ", " + params)}}"#]
            + also.map { #"{"id": "\#($0)"}"# }).joined(separator: ", ")
        return """
            {"format": "twin-scene/1", "name": "wasm-test", "world": {"dt": 0.05, "duration": 10, "seed": 5},
             "entities": [\(entities)], "systems": [\(systems)]}
            """
    }
}
