import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// RiMEA test 4's "line movement": the periodic 26 m corridor narrowed to 0.5 m, so that
/// discs of radius 0.2 m walk in single file; N = 13, 26, 39, 52 agents (0.5–2 /m),
/// v0 = 1.34 m/s, started evenly spaced with ±0.1 m of jitter. Mean speed over the last
/// 30 s of 60 against each model's analytic steady state of evenly spaced walkers:
/// - speed model (Tordeux et al. 2015): v = min(v0, (L/N − ℓ)/T), ℓ = 0.4 m, T = 1 s —
///   1.34, 0.60, 0.267 and 0.10 m/s; within 2 % (+ 0.005 m/s). (It holds to 1e-6: the
///   2-D diagram's gap comes from how the crowd forms lanes, not from the speed function.)
/// - force model (Helbing, Farkas & Vicsek 2000, isotropic): the pushes of the walkers in
///   front and behind cancel, so v = v0 while no bodies touch (spacing ≥ 0.5 m); within 2 %.
@Suite("RiMEA test 4: single file")
struct SingleFileTests {
    @Test("single-file speed against the model's analytic steady state", arguments: Model.allCases, 1...5)
    func singleFile(model: Model, seed: Int) throws {
        for n in [13, 26, 39, 52] {
            var rng = RandomStream(seed: UInt64(seed))
            let spacing = 26 / Double(n)
            let positions = (0..<n).map { (spacing * (Double($0) + 0.5) + rng.uniform(-0.1, 0.1), 0.25) }
            let f = try SceneFixture(json: pedestrianScene(model, seed: seed, section: """
                {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(rectangle(0, 0, 27, 0.5)))}]}}],
                 "periodic": {"min": 0, "max": 26},
                 "stages": [{"name": "ahead", "type": "exit", "area": \(json(rectangle(26.5, 0, 27, 0.5)))}],
                 "journeys": [{"name": "walk", "stages": ["ahead"]}],
                 "agents": [{"journey": "walk", "positions": \(json(positions)), "radius": 0.2, "speed": 1.34}]}
                """))
            f.run(steps: Int((30 / model.dt).rounded()))
            var sum = 0.0, count = 0
            for _ in 0..<Int((30 / model.dt).rounded()) {
                f.run(steps: 1)
                for (e, _) in f.values(PedestrianAgent.self) {
                    guard let v = f.world.get(Velocity.self, of: e) else { continue }
                    sum += Double(v.value.x); count += 1
                }
            }
            #expect(count == n * Int((30 / model.dt).rounded()), "agents lost at N = \(n)")
            let speed = sum / Double(max(1, count))
            let expected = model == .cfsm ? min(1.34, spacing - 0.4) : 1.34
            #expect(abs(speed - expected) <= 0.02 * expected + 0.005, "N = \(n): v = \(speed) m/s, analytic \(expected)")
        }
    }
}
