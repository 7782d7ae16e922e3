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

    /// Runs one density: agents on a jittered lattice, returns the mean speeds per area.
    static func run(_ model: Model, rho: Double, seed: Int) throws -> Point {
        let n = Int((rho * 52).rounded())
        let cols = max(1, Int((Double(n) * 13).squareRoot().rounded()))  // ≈ 26/2 aspect
        let rows = Int((Double(n) / Double(cols)).rounded(.up))
        var rng = RandomStream(seed: UInt64(seed))
        var pts: [(Double, Double)] = []
        for k in 0..<n {
            let i = k % cols, j = k / cols
            let dx = 26 / Double(cols), dz = 2 / Double(rows)
            let jitter = max(0, min(dx, dz) / 2 - 0.205)
            pts.append((dx * (Double(i) + 0.5) + rng.uniform(-jitter, jitter), dz * (Double(j) + 0.5) + rng.uniform(-jitter, jitter)))
        }
        // Random non-overlapping placement up to 3 /m² (random packing of 0.2 m discs jams
        // near 4.3 /m², less with the walls), the jittered lattice above.
        let group = rho <= 3
            ? "{\"journey\": \"walk\", \"count\": \(n), \"area\": \(json(rectangle(0, 0, 26, 2))), \"radius\": 0.2, \"speed\": 1.34}"
            : "{\"journey\": \"walk\", \"positions\": \(json(pts)), \"radius\": 0.2, \"speed\": 1.34}"
        let f = try SceneFixture(json: pedestrianScene(model, seed: seed, section: """
            {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(rectangle(0, 0, 27, 2)))}]}}],
             "periodic": {"min": 0, "max": 26},
             "stages": [{"name": "ahead", "type": "exit", "area": \(json(rectangle(26.5, 0, 27, 2)))}],
             "journeys": [{"name": "walk", "stages": ["ahead"]}],
             "agents": [\(group)]}
            """))
        let areas: [(Double, Double, Double, Double)] = [(12, 0.5, 14, 1.5), (12, 0, 14, 1), (0, 0.5, 2, 1.5)]
        var sums = [0.0, 0.0, 0.0], counts = [0, 0, 0]
        var maxOverlap = 0.0
        let every = Int((0.25 / model.dt).rounded())
        let total = Int((70 / model.dt).rounded()), transient = Int((10 / model.dt).rounded())
        for step in 1...total {
            f.run(steps: 1)
            guard step > transient, step % every == 0 else { continue }
            let agents = f.values(PedestrianAgent.self).compactMap { e, _ -> (Double, Double, Double)? in
                guard let p = f.world.get(Position.self, of: e), let v = f.world.get(Velocity.self, of: e) else { return nil }
                return (Double(p.value.x), Double(p.value.z), Double((v.value.x * v.value.x + v.value.z * v.value.z).squareRoot()))
            }
            #expect(agents.count == n, "agents lost: \(agents.count) of \(n)")
            for (k, a) in areas.enumerated() {
                for p in agents where p.0 >= a.0 && p.0 <= a.2 && p.1 >= a.1 && p.1 <= a.3 { sums[k] += p.2; counts[k] += 1 }
            }
            if step % (every * 8) == 0 {
                for i in agents.indices {
                    for j in agents.indices where j > i {
                        var dx = abs(agents[i].0 - agents[j].0)
                        if dx > 13 { dx = 26 - dx }
                        let d = (dx * dx + pow(agents[i].1 - agents[j].1, 2)).squareRoot()
                        maxOverlap = max(maxOverlap, (model.contactDistance - d) / model.contactDistance)
                    }
                }
            }
        }
        let mean = (0..<3).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : .nan }
        return Point(rho: rho, speed: mean[0], c1: mean[1], c2: mean[2], maxOverlap: maxOverlap)
    }

    /// (a) main and control areas agree within 10 % (homogeneity); (b) speed does not
    /// rise with density by more than 0.05 m/s; (c) within ±20 % of Weidmann at
    /// ρ = 0.5, 1, 2 /m²; (d) flow ρ·v peaks between 1 and 3 /m² at 1.0–2.0 (m·s)⁻¹;
    /// (e) overlaps ≤ 10 % of the diameter at ρ ≤ 4 (reported above). Agents have the
    /// RiMEA default radius 0.2 m (the centrifugal model: its ellipses, 2·a_min = 0.36 m
    /// long at rest).
    @Test("speed–density and flow–density against Weidmann", arguments: Model.allCases, 1...5)
    func diagram(model: Model, seed: Int) throws {
        var points: [Point] = []
        for rho in Self.densities { points.append(try Self.run(model, rho: rho, seed: seed)) }
        let table = points.map { String(format: "ρ %.1f: v %.3f (C1 %.3f, C2 %.3f) overlap %.0f%%", $0.rho, $0.speed, $0.c1, $0.c2, 100 * $0.maxOverlap) }
        for p in points where p.rho <= 4 {
            Self.check(p.maxOverlap <= 0.1, knownGap: Self.knownGap(model, .overlap, rho: p.rho), "overlap at ρ = \(p.rho): \(table)")
        }
        for k in 1..<points.count {
            #expect(points[k].speed <= points[k - 1].speed + 0.05, "speed rises with density: \(table)")
        }
        for p in points where p.speed > 0.05 {
            let ok = abs(p.c1 - p.speed) <= 0.1 * p.speed && abs(p.c2 - p.speed) <= 0.1 * p.speed
            Self.check(ok, knownGap: Self.knownGap(model, .homogeneity, rho: p.rho), "homogeneity at ρ = \(p.rho): \(table)")
        }
        for p in points where p.rho <= 2 {
            let w = Self.weidmann(p.rho)
            Self.check(abs(p.speed - w) <= 0.2 * w, knownGap: Self.knownGap(model, .weidmann, rho: p.rho),
                       "ρ = \(p.rho): v = \(p.speed) vs Weidmann \(w): \(table)")
        }
        let peak = points.max { $0.rho * $0.speed < $1.rho * $1.speed }
        let peakOK = peak.map { $0.rho >= 1 && $0.rho <= 3 && $0.rho * $0.speed >= 1 && $0.rho * $0.speed <= 2 } == true
        Self.check(peakOK, knownGap: Self.knownGap(model, .peak, rho: 0), "flow peak ρ = \(peak?.rho ?? 0), J_s = \(peak.map { $0.rho * $0.speed } ?? 0): \(table)")
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
    ///   (JuPedSim's SocialForceModel: 1.34 m/s at 2 /m² too).
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
    static func knownGap(_ model: Model, _ check: Check, rho: Double) -> Bool {
        switch (model, check) {
        case (.cfsm, .overlap), (.sfm, .overlap): return false
        case (.cfsm, .homogeneity): return rho >= 1 && rho <= 3
        case (.cfsm, .weidmann), (.sfm, .weidmann): return rho >= 1
        case (.cfsm, .peak): return false
        case (.sfm, .homogeneity): return false
        case (.sfm, .peak): return true
        case (.gcfm, .overlap): return rho >= 1
        case (.gcfm, .homogeneity): return rho >= 1
        case (.gcfm, .weidmann): return rho >= 2
        case (.gcfm, .peak): return true
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
