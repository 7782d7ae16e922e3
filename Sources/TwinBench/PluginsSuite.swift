import Foundation
import TwinRuntime

/// `twin bench plugins`: what sandboxing costs. The same per-entity update —
/// `Position += Velocity × dt` over 10,000 entities — as a WebAssembly system
/// (`Assets/wasm/drift.c`, run by `wasm.system` under fuel metering) and as a Swift
/// system's query loop, in one process; `wasm_vs_swift` is the ratio of their median
/// thread-CPU times per step. Both must leave the same positions (checked).
public enum PluginsSuite: BenchmarkSuite {
    public static let name = "plugins"
    public static let summary = "a WebAssembly system against the same update as a Swift system (10,000 entities)"

    static let count = 10_000

    static func scene(module: String) -> String {
        let entities = #"[{"prefab": "mover", "count": \#(count), "scatter": {"Position": {"min": [-50, 0, -50], "max": [50, 0, 50]}, "Velocity": {"min": [-1, 0, -1], "max": [1, 0, 1]}}}]"#
        return """
            {"format": "twin-scene/1", "name": "bench-plugins", "world": {"dt": 0.05, "seed": 3},
             "prefabs": {"mover": {"components": {"Position": [0, 0, 0], "Velocity": [0, 0, 0]}}},
             "entities": \(entities),
             "systems": [{"id": "wasm.system", "params": {"module": "\(module)", "fuelPerStep": 1000000000}}]}
            """
    }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let module = FileManager.default.currentDirectoryPath + "/Assets/wasm/drift.wasm"
        guard FileManager.default.fileExists(atPath: module) else {
            throw BenchError("plugins: \(module) not found (run from the package root)")
        }
        let samples = options.quick ? 3 : 11
        func load() throws -> Simulation { try SceneLoader().load(text: scene(module: module), file: "<bench>") }

        // The answer first: 20 steps each way from the same start give the same positions.
        let wasmCheck = try load(), swiftCheck = try load()
        let dt = Float(wasmCheck.dt)
        for _ in 0..<20 {
            wasmCheck.step()
            swiftCheck.world.query(Mut<Position>.self, Velocity.self).forEach { _, p, v in p.pointee.value += v.value * dt }
        }
        if let fault = wasmCheck.world.resource(SystemFaults.self)?.faults.first {
            throw BenchError("plugins: the wasm system faulted: \(fault)")
        }
        var left: [Vec3] = [], right: [Vec3] = []
        wasmCheck.world.query(Position.self).forEach { _, p in left.append(p.value) }
        swiftCheck.world.query(Position.self).forEach { _, p in right.append(p.value) }
        let maxDifference = zip(left, right).map { max(abs($0.x - $1.x), abs($0.z - $1.z)) }.max() ?? .infinity
        guard left.count == count, right.count == count, maxDifference <= 1e-4 else {
            throw BenchError("plugins: the wasm and Swift systems disagree (\(left.count)/\(right.count) entities, max |Δ| \(maxDifference) m)")
        }

        let wasm = try load(), swift = try load()
        let query = swift.world.query(Mut<Position>.self, Velocity.self)
        let wasmTime = CPUTimer.median(samples: samples) { wasm.step() }
        let swiftTime = CPUTimer.median(samples: samples) { query.forEach { _, p, v in p.pointee.value += v.value * dt } }
        log(String(format: "  wasm step %10.3f ms   Swift %10.4f ms   ratio %.0f", wasmTime * 1e3, swiftTime * 1e3, wasmTime / swiftTime))
        return [
            BenchResult(suite: name, name: "wasm_vs_swift", metric: "median thread-CPU time per step, wasm / Swift", unit: "ratio",
                        value: wasmTime / swiftTime,
                        note: String(format: "wasm %.3f ms, Swift %.4f ms per step of %d entities", wasmTime * 1e3, swiftTime * 1e3, count)),
        ]
    }
}
