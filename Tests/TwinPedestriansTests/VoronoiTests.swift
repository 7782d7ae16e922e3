import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// Voronoi density (Steffen & Seyfried 2010) on analytic cases: agents standing on a
/// square lattice of spacing s have cells of exactly s² — also the cells next to a wall
/// or an obstacle, which end at it — so ρ_V = 1/s² in any area, within 1e-4 relative
/// (single-precision clipping).
@Suite("Voronoi density against a regular lattice")
struct VoronoiTests {
    /// Runs 0.5 s with every agent standing (pre-movement) and returns the Voronoi
    /// density of each named area. The exit is the last 0.5 m of the outline, clear of
    /// the lattice.
    static func measure(outline: [(Double, Double)], obstacles: [[(Double, Double)]] = [], periodic: (Double, Double)? = nil,
                        agents: [(Double, Double)], areas: [(String, [(Double, Double)])]) throws -> [String: Double] {
        let obstacleJSON = obstacles.map { "{\"outline\": \(json($0))}" }.joined(separator: ", ")
        let areaJSON = areas.map { "{\"name\": \"\($0.0)\", \"outline\": \(json($0.1))}" }.joined(separator: ", ")
        let f = try SceneFixture(json: pedestrianScene(.cfsm, section: """
            {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(outline))}], "obstacles": [\(obstacleJSON)]}}],
             \(periodic.map { "\"periodic\": {\"min\": \($0.0), \"max\": \($0.1)}," } ?? "")
             "stages": [{"name": "out", "type": "exit", "area": \(json(rectangle(outline[1].0 - 0.5, 0, outline[1].0, outline[2].1)))}],
             "journeys": [{"name": "j", "stages": ["out"]}],
             "agents": [{"journey": "j", "positions": \(json(agents)), "radius": 0.15, "speed": 1, "premovement": 100}],
             "measure": {"every": 0.5, "areas": [\(areaJSON)]}}
            """))
        f.run(steps: 10)
        var out: [String: Double] = [:]
        for (name, _) in areas {
            out[name] = try #require(f.world.pluginReports.value("pedestrians.area.\(name).voronoiDensity"))
        }
        return out
    }

    static func lattice(_ x0: Double, _ x1: Double, _ z0: Double, _ z1: Double, _ s: Double,
                        skipping hole: (Double, Double, Double, Double)? = nil) -> [(Double, Double)] {
        var pts: [(Double, Double)] = []
        var z = z0 + s / 2
        while z < z1 {
            var x = x0 + s / 2
            while x < x1 {
                if let h = hole, x > h.0, x < h.2, z > h.1, z < h.3 {} else { pts.append((x, z)) }
                x += s
            }
            z += s
        }
        return pts
    }

    @Test("a corridor: cells at the walls end at the walls", arguments: [0.5, 1.0])
    func corridor(spacing s: Double) throws {
        let rho = try Self.measure(outline: rectangle(0, 0, 11, 2), agents: Self.lattice(0, 10, 0, 2, s),
                                   areas: [("wall", rectangle(4, 0, 6, 1)), ("across", rectangle(4, 0, 6, 2)), ("middle", rectangle(4, 0.5, 6, 1.5))])
        for (name, v) in rho {
            #expect(abs(v - 1 / (s * s)) <= 1e-4 / (s * s), "\(name): ρ_V = \(v) /m², lattice \(1 / (s * s))")
        }
    }

    @Test("a periodic corridor: cells across the seam, and at the walls")
    func periodicCorridor() throws {
        let rho = try Self.measure(outline: rectangle(0, 0, 27, 2), periodic: (0, 26), agents: Self.lattice(0, 26, 0, 2, 0.5),
                                   areas: [("C1", rectangle(12, 0, 14, 1)), ("C2", rectangle(0, 0.5, 2, 1.5)), ("seam", rectangle(25, 0, 26, 2))])
        for (name, v) in rho {
            #expect(abs(v - 4) <= 4e-4, "\(name): ρ_V = \(v) /m², lattice 4")
        }
    }

    /// A 1 m obstacle takes the place of one lattice site: the area around it holds 8
    /// agents on 9 m², 8 m² of it walkable, so ρ_V = 8/9 /m².
    @Test("an obstacle: cells around it end at it")
    func obstacle() throws {
        let rho = try Self.measure(outline: rectangle(0, 0, 11, 4), obstacles: [rectangle(4, 1, 5, 2)],
                                   agents: Self.lattice(0, 10, 0, 4, 1, skipping: (4, 1, 5, 2)),
                                   areas: [("around", rectangle(3, 0, 6, 3))])
        let v = try #require(rho["around"])
        #expect(abs(v - 8.0 / 9) <= 1e-4, "ρ_V = \(v) /m², expected 8/9")
    }
}
