import Foundation
import Testing
import TwinTesting

/// The out-of-tree plugin of `Tools/plugin-template`, built the way a component author
/// builds it: a separate package depending on TwinWorld, with its own `twin`.
@Suite("An out-of-tree plugin package")
struct PluginTemplateTests {
    @Test("the template builds as its own package, and its twin-energy runs a scene with the new system")
    func template() async throws {
        let root = packageRoot()
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("twin-plugin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for item in ["Package.swift", "Sources", "Tests", "Scenes"] {
            try FileManager.default.copyItem(atPath: root + "/Tools/plugin-template/" + item, toPath: copy + "/" + item)
        }
        // Out of the tree, the dependency names the TwinWorld checkout by its absolute path.
        let manifest = try String(contentsOfFile: copy + "/Package.swift", encoding: .utf8)
        try manifest.replacingOccurrences(of: #"path: "../..""#, with: "path: \"\(root)\"")
            .write(toFile: copy + "/Package.swift", atomically: true, encoding: .utf8)

        // Minutes of compiling: wait on a thread of its own, not on one of the few threads of
        // Swift's cooperative pool, which the server tests' handlers need meanwhile.
        let build = try await onOwnThread { try TwinProcess.run(["swift", "build", "--package-path", copy], cwd: copy, program: "/usr/bin/env") }
        try #require(build.status == 0, "swift build of the template failed:\n\(build.stdout.suffix(3000))\n\(build.stderr.suffix(3000))")
        let twinEnergy = copy + "/.build/debug/twin-energy"

        let systems = try TwinProcess.run(["systems"], cwd: copy, program: twinEnergy)
        #expect(systems.status == 0)
        #expect(systems.stdout.contains("plugin energy") && systems.stdout.contains("energy.battery-drain") && systems.stdout.contains("component Battery"))
        #expect(systems.stdout.contains("pedestrians.social-force"), "the built-in plugins stay")

        let run = try TwinProcess.run(["run", "Scenes/forklift-batteries.json", "--json", "--out", copy + "/out"], cwd: copy, program: twinEnergy)
        try #require(run.status == 0, "\(run.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let charge = (summary?["kpis"] as? [String: Any])?["meanCharge"] as? Double
        // 300 s at 0.2 %/s from a full charge: 1 − 0.002 × 300 = 0.4 (the last sample, at 300 s).
        #expect(charge.map { abs($0 - 0.4) <= 1e-9 } == true, "meanCharge \(String(describing: charge))")

        let stock = try TwinProcess.run(["validate", copy + "/Scenes/forklift-batteries.json"])
        #expect(stock.status == 1 && stock.stderr.contains("energy.battery-drain"), "the stock twin does not know the plugin: \(stock.stderr)")
    }
}

/// Runs blocking `body` on a new thread and awaits its result.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
