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
            let speed = try Self.meanSpeed(model, n: n, seed: seed)
            let spacing = 26 / Double(n)
            let expected: Double
            switch model {
            case .cfsm: expected = min(1.34, spacing - 0.4)
            case .sfm: expected = 1.34
            case .gcfm: expected = Self.centrifugalSteadySpeed(spacing: spacing, v0: 1.34)
            }
            #expect(abs(speed - expected) <= 0.02 * expected + 0.005, "N = \(n): v = \(speed) m/s, analytic \(expected)")
        }
    }

    /// The force model with Johansson, Helbing & Shukla's (2007) elliptical specification II
    /// and its published parameters, walkers within 4.25 m interacting (no multiple of the
    /// spacings near that range): at equal speeds y = 0, so every walker k places ahead
    /// pushes back with A'·e^{−kh/B'} and every one behind forward with λ times that:
    /// v = v0 − τ·A'·(1 − λ)·Σ_k e^{−kh/B'} = 1.324, 1.303, 1.282, 1.260 m/s at h = 2, 1,
    /// 0.67, 0.5 m; within 1 % (+ 0.002 m/s) over the last 30 s of 60. (Specification I has
    /// no such state: a walker within another's step vΔt = 2.7 m ahead of it sits on the
    /// degenerate axis of that one's ellipse, where the slightest sideways offset turns
    /// into a push of several m/s² sideways; it walks 1.25–1.32 m/s in this corridor.)
    @Test("force model's elliptical specification II in single file against its analytic steady state", arguments: 1...5)
    func ellipticalSingleFile(seed: Int) throws {
        for n in [13, 26, 39, 52] {
            let speed = try Self.meanSpeed(.sfm, n: n, seed: seed, params: "{\"socialTerm\": \"ellipticalII\", \"neighbourRange\": 4.25}")
            let h = 26 / Double(n)
            let push = stride(from: h, to: 4.25, by: h).reduce(0.0) { $0 + 0.04 * (1 - 0.06) * exp(-$1 / 3.22) }
            let expected = 1.34 - 0.5 * push
            #expect(abs(speed - expected) <= 0.01 * expected + 0.002, "N = \(n): v = \(speed) m/s, analytic \(expected)")
        }
    }

    /// The force model with Parisi, Gilman & Moldovan's (2009) respect mechanism, f = 1.5:
    /// a walker's drive is off while the one ahead touches its respect disc (radius
    /// R = f·r = 0.3 m, centred R ahead), i.e. while the spacing is at most 2R + r = 0.8 m.
    /// Evenly spaced walkers then either all walk at v0 (spacing 2 and 1 m: the isotropic
    /// pushes cancel, as without it) or all stand (0.67 and 0.5 m: nobody's area is ever
    /// free, so nobody restarts): v = 1.34, 1.34, 0, 0 m/s; within 2 % (+ 0.005 m/s).
    @Test("force model's respect mechanism in single file: free at v0 or standing", arguments: 1...5)
    func respectSingleFile(seed: Int) throws {
        for n in [13, 26, 39, 52] {
            let speed = try Self.meanSpeed(.sfm, n: n, seed: seed, params: "{\"respectFactor\": 1.5}")
            let expected = 26 / Double(n) > 0.8 ? 1.34 : 0
            #expect(abs(speed - expected) <= 0.02 * expected + 0.005, "N = \(n): v = \(speed) m/s, analytic \(expected)")
        }
    }

    /// The force model's calibrated term (`socialTerm` "calibrated": A/m = 0.55 m/s²,
    /// B = 1 m, λ = 0), walkers within 4.25 m interacting, on a floor field of 0.125 m
    /// cells so that grid nodes lie on the centreline (with 0.2 m cells the interpolated
    /// field direction at z = 0.25 m tilts off the corridor axis, and the anisotropy weight
    /// (1 + cos φ)/2 made every push 4.4 % weaker, in every seed and spacing). Nothing
    /// pushes from behind, each
    /// walker k places ahead pushes back with (A/m)·e^{−(kh − 2r)/B}, and the push is capped
    /// at the drive, so v = max(0, v0 − τ·(A/m)·Σ_k e^{−(kh − 2r)/B}) = 1.277, 1.106, 0.915,
    /// 0.719 m/s at h = 2, 1, 0.67, 0.5 m; with A/m = 5 m/s² the uncapped push would walk
    /// the file backwards at h = 1, 0.67 and 0.5 m (v0 − τ·5·Σ = −0.79, −2.52, −4.30 m/s):
    /// 0.77 m/s forward at h = 2, standing below. Within 1 % (+ 0.002 m/s) over the last 30 s of 60.
    @Test("force model's calibrated term in single file against its analytic steady state, braking capped at the drive", arguments: 1...5)
    func calibratedSingleFile(seed: Int) throws {
        for strength in [0.55, 5] {
            for n in [13, 26, 39, 52] {
                let params = "{\"socialTerm\": \"calibrated\", \"calibratedStrength\": \(strength), \"neighbourRange\": 4.25}"
                let speed = try Self.meanSpeed(.sfm, n: n, seed: seed, params: params, cell: 0.125)
                let h = 26 / Double(n)
                let push = stride(from: h, to: 4.25, by: h).reduce(0.0) { $0 + strength * exp(-($1 - 0.4) / 1) }
                let expected = max(0, 1.34 - 0.5 * push)
                #expect(abs(speed - expected) <= 0.01 * expected + 0.002, "A/m = \(strength), N = \(n): v = \(speed) m/s, analytic \(expected)")
            }
        }
    }

    /// Mean speed along the corridor over the last 30 s of 60 of `n` walkers started
    /// evenly spaced with ±0.1 m of jitter.
    static func meanSpeed(_ model: Model, n: Int, seed: Int, params: String = "{}", cell: Double = 0.2) throws -> Double {
        var rng = RandomStream(seed: UInt64(seed))
        let spacing = 26 / Double(n)
        let positions = (0..<n).map { (spacing * (Double($0) + 0.5) + rng.uniform(-0.1, 0.1), 0.25) }
        let f = try SceneFixture(json: pedestrianScene(model, seed: seed, params: params, section: """
                {"cell": \(cell), "levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(rectangle(0, 0, 27, 0.5)))}]}}],
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
        return sum / Double(max(1, count))
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
