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
/// - generalized centrifugal force model (Chraibi et al. 2010, the paper's parameters): only
///   the walker ahead acts, at the same speed, so `(v0 − v)/τ = (η·v0)²/d` with the gap
///   between ellipses `d = L/N − 2·(a_min + τ_a·v)` (and its near-contact interpolation),
///   solved by bisection: 1.34 (the next walker 2 m away, at the range), 0.520,
///   0.219, 0.065 m/s; within 2 % (+ 0.005 m/s).
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
            let expected: Double
            switch model {
            case .cfsm: expected = min(1.34, spacing - 0.4)
            case .sfm: expected = 1.34
            case .gcfm: expected = Self.centrifugalSteadySpeed(spacing: spacing, v0: 1.34)
            }
            #expect(abs(speed - expected) <= 0.02 * expected + 0.005, "N = \(n): v = \(speed) m/s, analytic \(expected)")
        }
    }

    /// The generalized centrifugal force model's speed for evenly spaced walkers in
    /// single file (paper parameters τ = 0.5 s, η = 0.28, a_min = 0.18 m, τ_a = 0.53 s,
    /// r_ε = 0.1 m, f_m = 3; neighbours within 2 m between centres).
    static func centrifugalSteadySpeed(spacing h: Double, v0: Double) -> Double {
        let tau = 0.5, eta = 0.28, aMin = 0.18, tauA = 0.53, eps = 0.1, fm = 3.0
        func inverse(_ d: Double) -> Double {
            if d >= eps { return 1 / d }
            if d <= 0 { return fm / eps }
            let t = d / eps
            return (fm * (2 * t * t * t - 3 * t * t + 1) + (-2 * t * t * t + 3 * t * t) - (t * t * t - t * t)) / eps
        }
        func excess(_ v: Double) -> Double {
            var push = 0.0
            var k = 1.0
            while k * h < 2 {
                // The fall to zero over the last r_ε before the 2 m range.
                let t = max(0, (k * h - (2 - eps)) / eps)
                push += eta * eta * v0 * v0 * inverse(k * h - 2 * (aMin + tauA * v)) * (1 - t * t * (3 - 2 * t))
                k += 1
            }
            return (v0 - v) / tau - push
        }
        var lo = 0.0, hi = v0
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if excess(mid) > 0 { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
