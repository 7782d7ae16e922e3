import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// RiMEA test 4 in JuPedSim 0.8's periodic form: a 26 m × 2 m corridor with periodic
/// boundaries, homogeneous densities, free speed 1.34 m/s; speed measured for 60 s after
/// a 10 s transient in the main area M (x ∈ [12, 14], z ∈ [0.5, 1.5]) and the controls
/// C1 (x ∈ [12, 14], z ∈ [0, 1]) and C2 (x ∈ [0, 2], z ∈ [0.5, 1.5]).
@Suite("RiMEA test 4: fundamental diagram")
struct FundamentalDiagramTests {
    static let densities = [0.5, 1, 2, 3, 4, 5, 6]
    /// Weidmann (1993), Kladek form, v0 = 1.34 m/s (validation table A.1).
    static func weidmann(_ rho: Double) -> Double { 1.34 * (1 - exp(-1.913 * (1 / rho - 1 / 5.4))) }

    struct Point { var rho: Double; var speed: Double; var c1: Double; var c2: Double; var maxOverlap: Double }

    /// The two forms of the corridor, both periodic along x, each with its measuring
    /// areas (x0, z0, x1, z1): the main area M first, then the controls C1 and C2.
    enum Corridor: CaseIterable, CustomTestStringConvertible {
        /// JuPedSim 0.8's reduction of RiMEA 4: 26 m × 2 m; C1 touches the wall.
        case narrow
        /// RiMEA 4's own width, 10 m (its 1000 m length made periodic at 26 m): 2 m × 2 m
        /// areas at least 2 m from the walls, C1 beside M, C2 across the seam.
        case wide

        var length: Double { 26 }
        var width: Double { self == .narrow ? 2 : 10 }
        var areas: [(Double, Double, Double, Double)] {
            switch self {
            case .narrow: return [(12, 0.5, 14, 1.5), (12, 0, 14, 1), (0, 0.5, 2, 1.5)]
            case .wide: return [(12, 4, 14, 6), (12, 2, 14, 4), (0, 4, 2, 6)]
            }
        }
        var testDescription: String { self == .narrow ? "26 × 2 m" : "26 × 10 m" }
    }

    /// The corridor scene at density `rho`: random non-overlapping placement up to 3 /m²
    /// (random packing of 0.2 m discs jams near 4.3 /m², less with the walls), a jittered
    /// lattice above. Bodies of `radius`, or the model's default when nil.
    static func scene(_ model: Model, _ c: Corridor, rho: Double, seed: Int, radius: Double? = 0.2, params: String = "{}") -> (text: String, count: Int) {
        let n = Int((rho * c.length * c.width).rounded())
        let cols = max(1, Int((Double(n) * c.length / c.width).squareRoot().rounded()))
        let rows = Int((Double(n) / Double(cols)).rounded(.up))
        var rng = RandomStream(seed: UInt64(seed))
        var pts: [(Double, Double)] = []
        for k in 0..<n {
            let i = k % cols, j = k / cols
            let dx = c.length / Double(cols), dz = c.width / Double(rows)
            let jitter = max(0, min(dx, dz) / 2 - 0.205)
            pts.append((dx * (Double(i) + 0.5) + rng.uniform(-jitter, jitter), dz * (Double(j) + 0.5) + rng.uniform(-jitter, jitter)))
        }
        let body = radius.map { "\"radius\": \($0), " } ?? ""
        let group = rho <= 3
            ? "{\"journey\": \"walk\", \"count\": \(n), \"area\": \(json(rectangle(0, 0, c.length, c.width))), \(body)\"speed\": 1.34}"
            : "{\"journey\": \"walk\", \"positions\": \(json(pts)), \(body)\"speed\": 1.34}"
        let text = pedestrianScene(model, seed: seed, params: params, section: """
            {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(rectangle(0, 0, c.length + 1, c.width)))}]}}],
             "periodic": {"min": 0, "max": \(c.length)},
             "stages": [{"name": "ahead", "type": "exit", "area": \(json(rectangle(c.length + 0.5, 0, c.length + 1, c.width)))}],
             "journeys": [{"name": "walk", "stages": ["ahead"]}],
             "agents": [\(group)]}
            """)
        return (text, n)
    }

    /// Plan position (x, z) and speed of every agent.
    static func agents(_ f: SceneFixture) -> [(x: Double, z: Double, v: Double)] {
        f.values(PedestrianAgent.self).compactMap { e, _ in
            guard let p = f.world.get(Position.self, of: e), let v = f.world.get(Velocity.self, of: e) else { return nil }
            return (Double(p.value.x), Double(p.value.z), Double((v.value.x * v.value.x + v.value.z * v.value.z).squareRoot()))
        }
    }

    /// The largest overlap of two bodies as a fraction of `contact`, the centre distance at
    /// which they touch, across the periodic seam too (pairs found by a sweep along x).
    static func maxOverlap(_ a: [(x: Double, z: Double, v: Double)], period: Double, contact: Double) -> Double {
        let s = a.sorted { $0.x < $1.x }
        var worst = 0.0
        for i in s.indices {
            var k = 1
            while k < s.count {
                let j = (i + k) % s.count
                var dx = s[j].x - s[i].x
                if dx < 0 { dx += period }
                if dx >= contact { break }
                let d = (dx * dx + (s[j].z - s[i].z) * (s[j].z - s[i].z)).squareRoot()
                worst = max(worst, (contact - d) / contact)
                k += 1
            }
        }
        return worst
    }

    /// Runs one density for 70 s and returns the mean speeds in M, C1 and C2 over the last
    /// 60 s (sampled every 0.25 s) and the largest overlap (sampled every 2 s). `ownBody`:
    /// the scene gives no radius, so agents get the model's default body.
    static func run(_ model: Model, _ c: Corridor, rho: Double, seed: Int, ownBody: Bool = false, params: String = "{}") throws -> Point {
        let (text, n) = scene(model, c, rho: rho, seed: seed, radius: ownBody ? nil : 0.2, params: params)
        // Only the speed model runs with its own body here: discs of ℓ = 0.3 m.
        let contact = ownBody ? 0.3 : model.contactDistance
        let f = try SceneFixture(json: text)
        var sums = [0.0, 0.0, 0.0], counts = [0, 0, 0]
        var overlap = 0.0
        let every = Int((0.25 / model.dt).rounded())
        let total = Int((70 / model.dt).rounded()), transient = Int((10 / model.dt).rounded())
        for step in 1...total {
            f.run(steps: 1)
            guard step > transient, step % every == 0 else { continue }
            let agents = Self.agents(f)
            #expect(agents.count == n, "agents lost: \(agents.count) of \(n)")
            for (k, a) in c.areas.enumerated() {
                for p in agents where p.x >= a.0 && p.x <= a.2 && p.z >= a.1 && p.z <= a.3 { sums[k] += p.v; counts[k] += 1 }
            }
            if step % (every * 8) == 0 {
                overlap = max(overlap, maxOverlap(agents, period: c.length, contact: contact))
            }
        }
        let mean = (0..<3).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : .nan }
        return Point(rho: rho, speed: mean[0], c1: mean[1], c2: mean[2], maxOverlap: overlap)
    }

    /// (a) main and control areas agree within 10 % (homogeneity); (b) speed does not
    /// rise with density by more than 0.05 m/s; (c) within ±20 % of Weidmann at
    /// ρ = 0.5, 1, 2 /m²; (d) flow ρ·v peaks between 1 and 3 /m² at 1.0–2.0 (m·s)⁻¹;
    /// (e) overlaps ≤ 10 % of the diameter at ρ ≤ 4 (reported above). Agents have the
    /// RiMEA default radius 0.2 m (the centrifugal model: its ellipses, 2·a_min = 0.36 m
    /// long at rest).
    @Test("speed–density and flow–density against Weidmann", arguments: Model.allCases, 1...5)
    func diagram(model: Model, seed: Int) throws {
        try Self.verify(model, .narrow, seed: seed)
    }

    /// The same checks in RiMEA's own 10 m width, away from the walls.
    @Test("speed–density and flow–density against Weidmann, 10 m wide", arguments: Model.allCases, 1...5)
    func wideDiagram(model: Model, seed: Int) throws {
        try Self.verify(model, .wide, seed: seed)
    }

    /// The speed model with its own body: the scene gives no radius, so agents are discs
    /// of the paper's length ℓ = 0.3 m (Tordeux, Chraibi & Seyfried 2015; JuPedSim 0.8's
    /// recommended circles of radius 0.15 m), the plugin's default for this model.
    @Test("speed model with its own body (ℓ = 0.3 m) against Weidmann", arguments: Corridor.allCases, 1...5)
    func speedModelOwnBody(corridor: Corridor, seed: Int) throws {
        try Self.verify(.cfsm, corridor, seed: seed, ownBody: true)
    }

    /// The force model's calibrated term (`socialTerm` "calibrated": our fit of A/m, B and λ to
    /// Weidmann in the 2 m corridor, seeds 1–2) in RiMEA's own 10 m width, which it was not
    /// fitted to: every check asserted, no known gap. One seed (seeds 1–5 were measured, all
    /// pass; README). In the 2 m corridor it misses on seeds it was not fitted to (the wall
    /// lane, see `knownGap`), so the tests above keep the 2000 defaults.
    @Test("force model's calibrated term against Weidmann, 10 m wide (not fitted there)", arguments: [3])
    func calibratedWideDiagram(seed: Int) throws {
        try Self.verify(.sfm, .wide, seed: seed, params: "{\"socialTerm\": \"calibrated\"}")
    }

    /// `params` other than the defaults: the checks are all asserted, none a known gap.
    static func verify(_ model: Model, _ c: Corridor, seed: Int, ownBody: Bool = false, params: String = "{}") throws {
        var points: [Point] = []
        for rho in densities { points.append(try run(model, c, rho: rho, seed: seed, ownBody: ownBody, params: params)) }
        let strict = params != "{}"
        func knownGap(_ model: Model, _ check: Check, rho: Double, _ c: Corridor, ownBody: Bool) -> Bool {
            !strict && Self.knownGap(model, check, rho: rho, c, ownBody: ownBody)
        }
        let table = points.map { String(format: "ρ %.1f: v %.3f (C1 %.3f, C2 %.3f) overlap %.0f%%", $0.rho, $0.speed, $0.c1, $0.c2, 100 * $0.maxOverlap) }
        for p in points where p.rho <= 4 {
            check(p.maxOverlap <= 0.1, knownGap: knownGap(model, .overlap, rho: p.rho, c, ownBody: ownBody), "overlap at ρ = \(p.rho): \(table)")
        }
        for k in 1..<points.count {
            #expect(points[k].speed <= points[k - 1].speed + 0.05, "speed rises with density: \(table)")
        }
        for p in points where p.speed > 0.05 {
            let ok = abs(p.c1 - p.speed) <= 0.1 * p.speed && abs(p.c2 - p.speed) <= 0.1 * p.speed
            check(ok, knownGap: knownGap(model, .homogeneity, rho: p.rho, c, ownBody: ownBody), "homogeneity at ρ = \(p.rho): \(table)")
        }
        for p in points where p.rho <= 2 {
            let w = weidmann(p.rho)
            check(abs(p.speed - w) <= 0.2 * w, knownGap: knownGap(model, .weidmann, rho: p.rho, c, ownBody: ownBody),
                  "ρ = \(p.rho): v = \(p.speed) vs Weidmann \(w): \(table)")
        }
        let peak = points.max { $0.rho * $0.speed < $1.rho * $1.speed }
        let peakOK = peak.map { $0.rho >= 1 && $0.rho <= 3 && $0.rho * $0.speed >= 1 && $0.rho * $0.speed <= 2 } == true
        check(peakOK, knownGap: knownGap(model, .peak, rho: 0, c, ownBody: ownBody), "flow peak ρ = \(peak?.rho ?? 0), J_s = \(peak.map { $0.rho * $0.speed } ?? 0): \(table)")
    }

    enum Check { case overlap, homogeneity, weidmann, peak }

    /// The checks the models do not meet yet (issue 5), measured over seeds 1–5. They stay
    /// known issues so that a fix shows up as a pass; every other check must pass.
    /// - Speed model: the crowd sorts itself into 3 lanes in the 2 m corridor (about
    ///   0.7 m apart, whatever the push range tried), so at 2 /m² each lane has a 0.76 m
    ///   headway and walks (0.76 − ℓ)/T ≈ 0.36–0.44 m/s (Weidmann 0.61 ± 20 %); at 1 /m² the
    ///   lanes are nearly free (1.22–1.34 m/s, band up to 1.27) and the lane at the wall is
    ///   slower than the middle (homogeneity). JuPedSim's CollisionFreeSpeedModel and
    ///   AnticipationVelocityModel on the same corridor (2 m, r = 0.2 m, v0 = 1.34 m/s)
    ///   give 0.35–0.42 and 0.33–0.39 m/s at 2 /m².
    /// - Force model (Helbing, Farkas & Vicsek 2000): its 0.08 m repulsion range cannot slow
    ///   a homogeneous crowd, so it walks at v0 up to 4 /m² and the flow peaks at 6 /m²
    ///   (JuPedSim's SocialForceModel: 1.34 m/s at 2 /m² too). Its published
    ///   velocity-dependent terms (`socialTerm`) miss the band at 2 /m² too, so the test
    ///   keeps the 2000 term: elliptical specification I (Helbing & Molnár 1995)
    ///   0.99–1.04 m/s in the 2 m corridor and 0.80–0.84 in the 10 m one, with overlaps of
    ///   10–12 % at 2–4 /m²; specification II (Johansson, Helbing & Shukla 2007) 1.26–1.27
    ///   in both (1.16 with neighbours out to 8 m). The respect mechanism (`respectFactor`,
    ///   Parisi, Gilman & Moldovan 2009: desired velocity zero while another body touches
    ///   the disc of radius f·r centred f·r ahead) turns v(ρ) into a step from v0 to 0:
    ///   identical walkers either find room to walk at v0 or stand for good. f = 1.5 puts
    ///   2 /m² inside the band (0.47–0.59 m/s in 2 m, 0.54–0.66 in 10 m) but leaves 1 /m² at
    ///   1.25–1.34 (above 1.27 in 8 of 10 runs), the wall lane 20–25 % slower at 2 /m² in
    ///   2 m, and 3 /m² at rest; f = 1.75 gives 0.94–1.00 at 1 /m² in 2 m but freezes 2 /m²;
    ///   f = 0.25 (the area inside the contact distance) changes nothing. Our calibration
    ///   (`socialTerm` "calibrated": circular, A/m = 0.55 m/s², B = 1 m, λ = 0, braking capped
    ///   at the drive; fitted on this 2 m corridor, seeds 1–2, where it passes every check)
    ///   passes every check in the 10 m corridor, seeds 1–5 (1.22, 1.04–1.05, 0.69,
    ///   0.31–0.32 m/s at 0.5–3 /m²; test `calibratedWideDiagram`), but in the 2 m corridor on
    ///   seeds 3–5 the wall lane differs from the middle by 12–18 % at 2–3 /m² (2 seeds) and
    ///   seed 3 walks 0.729 m/s at 2 /m² (band ≤ 0.727); and it clogs the bottleneck
    ///   (J_s(1 m) ≈ 0.24 /(m·s)). So these tests keep the 2000 model.
    /// - Generalized centrifugal force model (Chraibi et al. 2010, the paper's parameters):
    ///   within the band at 0.5 and 1 /m² (1.23–1.28 and 0.92–0.94 m/s in M), 0.35–0.38 m/s at
    ///   2 /m² (band 0.49–0.73): the bodies' length a = a_min + τ_a·v leaves three lanes the
    ///   same headways as the speed model's. Flow peaks at 1 /m² with 0.93 /(m·s) (band
    ///   1.0–2.0), and the wall lanes (C1) walk up to 13 % slower than M at ρ ≥ 1. Its
    ///   repulsion comes only from what lies ahead of the walking direction, so walkers
    ///   side by side can close in unopposed: overlaps up to 29 % of the 0.36 m body length at
    ///   1–4 /m² in some seeds.
    ///   JuPedSim's GeneralizedCentrifugalForceModel (its defaults, b_max = 0.4 m) on the
    ///   same corridor: 0.08–0.09 m/s at 1 /m², 0.02 at 2 /m².
    /// - RiMEA's 10 m width changes no verdict at 2 /m²: the crowd still walks in lanes,
    ///   about 0.6 m apart, with the limiting neighbour straight ahead for ~90 % of the
    ///   walkers (no staggering). Speed model 0.39–0.44 m/s at 2 /m², 0.84–0.99 at 1 /m²
    ///   (inside the band but in seed 4), flow peak 0.84–0.99 /(m·s); the areas differ by
    ///   more than 10 % at 5 /m² (v ≈ 0.08 m/s) and now and then at 1–4 /m². Force model v0
    ///   up to 4 /m². Centrifugal model 1.21–1.23, 0.84–0.87 (below 0.846 in seeds 1 and 4)
    ///   and 0.31–0.33 m/s at 0.5, 1, 2 /m², flow peak 0.84–0.87 /(m·s), overlaps of 11–65 %
    ///   of its body length at every ρ ≤ 4 in some seed. JuPedSim 1.4.2 in a 10 m corridor:
    ///   CollisionFreeSpeedModel 0.36–0.37 m/s at 2 /m², SocialForceModel 1.34.
    static func knownGap(_ model: Model, _ check: Check, rho: Double, _ c: Corridor, ownBody: Bool = false) -> Bool {
        if ownBody { return ownBodyGap(check, rho: rho, c) }
        switch (model, check, c) {
        case (.cfsm, .overlap, _), (.sfm, .overlap, _): return false
        case (.cfsm, .homogeneity, .narrow): return rho >= 1 && rho <= 3
        case (.cfsm, .homogeneity, .wide): return rho >= 1 && rho <= 5
        case (.cfsm, .weidmann, _), (.sfm, .weidmann, _): return rho >= 1
        case (.cfsm, .peak, .narrow): return false
        case (.cfsm, .peak, .wide): return true
        case (.sfm, .homogeneity, _): return false
        case (.sfm, .peak, _): return true
        case (.gcfm, .overlap, .narrow): return rho >= 1
        case (.gcfm, .overlap, .wide): return true
        case (.gcfm, .homogeneity, .narrow): return rho >= 1
        case (.gcfm, .homogeneity, .wide): return false
        case (.gcfm, .weidmann, .narrow): return rho >= 2
        case (.gcfm, .weidmann, .wide): return rho >= 1
        case (.gcfm, .peak, _): return true
        }
    }

    /// The speed model with its own body (ℓ = 0.3 m), seeds 1–5: 0.55–0.70 m/s at 2 /m²
    /// in the 10 m corridor (inside the band in every seed), 0.71–0.78 in the 2 m one (above
    /// it in 2 seeds); 1.22–1.34 m/s at 1 /m² (above 1.27 in 2 seeds wide, 3 narrow); single
    /// 2 m × 2 m areas differ by more than 10 % now and then (at the wall of the 2 m corridor
    /// at 1–3 and 6 /m²).
    static func ownBodyGap(_ check: Check, rho: Double, _ c: Corridor) -> Bool {
        switch (check, c) {
        case (.overlap, _), (.peak, _): return false
        case (.weidmann, .narrow): return rho >= 1
        case (.weidmann, .wide): return rho == 1
        case (.homogeneity, .narrow): return (rho >= 1 && rho <= 3) || rho == 6
        case (.homogeneity, .wide): return rho >= 2 && rho <= 4
        }
    }

    static func check(_ ok: Bool, knownGap: Bool, _ message: String) {
        if knownGap {
            withKnownIssue("fundamental diagram outside the validation band (issue 5)", isIntermittent: true) {
                #expect(ok, "\(message)")
            }
        } else {
            #expect(ok, "\(message)")
        }
    }
}
