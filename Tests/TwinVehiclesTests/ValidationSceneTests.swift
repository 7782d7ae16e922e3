import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting
@testable import TwinVehicles

/// The shipped validation scenes, run end to end through the scene loader and the ECS.
@Suite("Validation scenes (Scenes/validation)")
struct ValidationSceneTests {
    @Test("sugiyama-ring.json: stop-and-go over 500–600 s as in V6 (v_min < 0.3, sd ≥ 2, v_max 8.47 ± 0.8, v_mean 2.40 ± 0.3), no overlap")
    func ring() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/validation/sugiyama-ring.json")
        var speeds: [Float] = []
        var minGap = Float.infinity
        f.run(steps: 6000) { sim in
            let t = Double(sim.stepCount) * 0.1
            let vs = f.values(Vehicle.self).map(\.1)
            if t > 500 { speeds += vs.map(\.speed) }
            let sorted = vs.map(\.position).sorted()
            for k in sorted.indices.dropFirst() { minGap = min(minGap, sorted[k] - 5 - sorted[k - 1]) }
            if let first = sorted.first, let last = sorted.last { minGap = min(minGap, first + 230 - 5 - last) }
        }
        let mean = speeds.reduce(0.0) { $0 + Double($1) } / Double(speeds.count)
        let sd = (speeds.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(speeds.count)).squareRoot()
        #expect((speeds.min() ?? 1) < 0.3)
        #expect(sd >= 2, "sd \(sd)")
        #expect(abs(Double(speeds.max() ?? 0) - 8.47) <= 0.8)
        #expect(abs(mean - 2.40) <= 0.3, "mean \(mean)")
        #expect(minGap > 0, "min gap \(minGap)")
    }

    @Test("saturation-flow.json: 13–17 stop-line passages per 33 s green+yellow over cycles 10–19, none on red")
    func saturation() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/validation/saturation-flow.json")
        var reader = EventReader<DetectorPassage>()
        var passes: [String: [Double]] = [:]
        f.run(steps: 13_200) { sim in
            for p in reader.read(sim.world) { passes[p.detector, default: []].append(p.time) }
        }
        #expect(passes.count == 4)
        for (id, ts) in passes.sorted(by: { $0.key < $1.key }) {
            let offset: Double = id == "stopN" || id == "stopS" ? 0 : 33
            var counts: [Int] = []
            for c in 10..<20 {
                let g0 = 66 * Double(c) + offset
                counts.append(ts.filter { $0 >= g0 && $0 < g0 + 33 }.count)
            }
            let mean = Double(counts.reduce(0, +)) / Double(counts.count)
            #expect(mean >= 13 && mean <= 17, "\(id): \(counts)")
            let red = ts.filter { $0 >= 660 && (($0 - offset).truncatingRemainder(dividingBy: 66) + 66).truncatingRemainder(dividingBy: 66) >= 33 }
            #expect(red.isEmpty, "\(id) on red: \(red.prefix(5))")
        }
    }
}
