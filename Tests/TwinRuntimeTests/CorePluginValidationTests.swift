import Foundation
import Testing
import TwinRuntime
import TwinTesting

@Suite("core plugin against analytic results")
struct CorePluginValidationTests {
    /// Semi-implicit Euler under constant acceleration a, from x0 with v0:
    /// after n steps, v_n = v0 + n·a·dt exactly and x_n = x0 + n·dt·v0 + a·dt²·n(n+1)/2.
    /// The analytic trajectory differs by a·dt·t/2, which is the scheme's known O(dt) error.
    @Test("projectile: the discrete closed form to float precision, the analytic parabola within a·dt·t/2")
    func projectile() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.015625},
         "entities": [{"name": "ball", "components": {"Position": [0, 10, 0], "Velocity": [3, 12, 0], "Acceleration": [0, -9.81, 0]}}]}
        """)
        let steps = 128
        f.run(steps: steps)
        let (_, p) = try #require(f.values(Position.self).first)
        let n = Double(steps), dt = 0.015625, t = n * dt
        let discreteY = 10 + n * dt * 12 + (-9.81) * dt * dt * n * (n + 1) / 2
        #expect(Double(p.value.y).isApproximatelyEqual(to: discreteY, absolute: 2e-4))
        #expect(Double(p.value.x).isApproximatelyEqual(to: 3 * t, absolute: 1e-4))
        let analyticY = 10 + 12 * t - 9.81 * t * t / 2
        #expect(abs(Double(p.value.y) - analyticY) <= 9.81 * dt * t / 2 + 1e-3)
        let (_, v) = try #require(f.values(Velocity.self).first)
        #expect(Double(v.value.y).isApproximatelyEqual(to: 12 - 9.81 * t, absolute: 1e-4))
    }

    @Test("damping: speed decays as (1 − c·dt)^n")
    func damping() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.0625}, "systems": [{"id": "core.integrate", "params": {"damping": 0.5}}],
         "entities": [{"components": {"Position": [0, 0, 0], "Velocity": [2, 0, 0]}}]}
        """)
        f.run(steps: 32)
        let (_, v) = try #require(f.values(Velocity.self).first)
        let expected = 2 * pow(1 - 0.5 * 0.0625, 32.0)
        #expect(Double(v.value.x).isApproximatelyEqual(to: expected, relative: 1e-5))
    }

    @Test("spin: a quarter turn about +Y after t = (π/2)/ω, within 1e-3 rad")
    func spin() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.001953125},
         "entities": [{"components": {"Rotation": [0, 0, 0, 1], "AngularVelocity": [0, 0.5, 0]}}]}
        """)
        let steps = Int((Double.pi / 2 / 0.5 / 0.001953125).rounded())
        f.run(steps: steps)
        let (_, r) = try #require(f.values(Rotation.self).first)
        #expect(r.value.rotate(.unitX).isApproximatelyEqual(to: Vec3(0, 0, -1), absolute: 2e-3))
    }

    @Test("lifetime: despawned in the step its time runs out, not before")
    func lifetime() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.25}, "entities": [{"components": {"Lifetime": {"remaining": 1.0}}}]}
        """)
        f.run(steps: 3)
        #expect(f.world.aliveCount == 1)
        f.run(steps: 1)
        #expect(f.world.aliveCount == 0)
    }

    @Test("fixed-rate spawner: exactly ⌈T·rate⌉ arrivals in [0, T), evenly spaced")
    func fixedRate() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.015625}, "prefabs": {"p": {"components": {"Kind": "part"}}},
         "spawners": [{"prefab": "p", "rate": 3, "velocity": [1, 0, 0]}]}
        """)
        var times: [Double] = []
        var reader = EventReader<Spawned>()
        f.run(steps: 640) { sim in times += reader.read(sim.world).map(\.time) }
        #expect(times.count == 30)
        for (i, t) in times.enumerated() { #expect(t.isApproximatelyEqual(to: Double(i) / 3, absolute: 1e-9)) }
        // Exact placement inside a step: the first arrival at t = 0 has moved 10 s × 1 m/s.
        let xs = f.values(Position.self).map { Double($0.1.value.x) }.sorted()
        #expect(xs.last.map { $0.isApproximatelyEqual(to: 10, absolute: 1e-3) } == true)
        // The arrival at t = 1/3 s (inside step 21) stands at 10 − 1/3 m.
        #expect(xs.contains { $0.isApproximatelyEqual(to: 10 - 1.0 / 3, absolute: 1e-3) })
    }

    @Test("Poisson spawner: count over 2,000 s within 4σ of λT; exponential gaps (mean and CV within 5%)")
    func poisson() throws {
        let f = try SceneFixture(json: """
        {"world": {"dt": 0.125}, "prefabs": {"p": {"components": {"Lifetime": {"remaining": 0.1}}}},
         "spawners": [{"prefab": "p", "rate": 2, "arrivals": "poisson"}]}
        """)
        var times: [Double] = []
        var reader = EventReader<Spawned>()
        f.run(steps: 16000) { sim in times += reader.read(sim.world).map(\.time) }
        let lambdaT = 2.0 * 2000
        #expect(abs(Double(times.count) - lambdaT) < 4 * lambdaT.squareRoot())
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(mean - 0.5) < 0.025)
        #expect(abs(sd / mean - 1) < 0.05, "an exponential distribution has coefficient of variation 1")
    }

    @Test("spawners stop at world.maxEntities and drop arrivals meanwhile")
    func entityCap() throws {
        let f = try SceneFixture(json: """
        {"world": {"maxEntities": 25}, "prefabs": {"p": {"components": {"Lifetime": {"remaining": 1}}}},
         "spawners": [{"name": "s", "prefab": "p", "rate": 64}]}
        """)
        var peak = 0
        f.run(steps: 64 * 3) { sim in peak = max(peak, sim.world.aliveCount) }
        #expect(peak == 25)
        #expect(issues("""
        {"world": {"maxEntities": 10}, "entities": [{"count": 8}, {"count": 3}]}
        """).first?.path.jsonPath == "$.entities[1].count")
    }

    @Test("spawner limit and stop time are honoured")
    func limits() throws {
        let f = try SceneFixture(json: """
        {"prefabs": {"p": {"components": {"Kind": "x"}}},
         "spawners": [{"prefab": "p", "rate": 100, "limit": 7}, {"prefab": "p", "rate": 10, "start": 1, "stop": 2}]}
        """)
        f.run(steps: 64 * 5)
        #expect(f.values(Kind.self).count == 7 + 10)
    }
}
