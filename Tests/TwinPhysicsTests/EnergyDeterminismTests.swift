import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// P6 (energy) and P7 (determinism) of `physics.md`.
@Suite("P6/P7 energy and determinism")
struct EnergyDeterminismTests {
    @Test("an elastic frictionless ball bouncing for 20 s returns to its release height (1 m) within 1 % every time")
    func elasticBall() {
        let w = PhysicsWorld()
        var g = BodyDescriptor(kind: .static, shape: .plane)
        g.material = Material(friction: 0, restitution: 0)
        _ = try? w.createBody(g)
        var d = BodyDescriptor(shape: .sphere(radius: 0.1), position: Vec3(0, 1.1, 0))
        d.material = Material(friction: 0, restitution: 1)
        guard let ball = try? w.createBody(d) else { Issue.record("no ball"); return }
        var heights: [Float] = [], velocities: [Float] = []
        for _ in 0..<1200 {
            w.step(dt: 1.0 / 60)
            heights.append(w.position(of: ball).y)
            velocities.append(w.linearVelocity(of: ball).y)
        }
        let apexes = FreeFallAndBounceTests.apexes(heights, velocities, radius: 0.1)
        // e = 1: every apex is the release height; 20 s hold 22 rebounds of 0.9 s. The
        // last entry is where the ball was rising when the run ended, not an apex.
        let complete = apexes.dropLast()
        #expect(complete.count >= 20, "apexes \(apexes)")
        #expect(complete.allSatisfy { abs($0 - 1) <= 0.01 }, "apexes \(apexes)")
    }

    /// A closed 4 m box of six planes with 100 elastic spheres given deterministic
    /// velocities; gravity on, so energy is kinetic plus potential.
    @Test("a closed box of 100 elastic spheres: total energy never rises more than 1 % above the start")
    func elasticGas() {
        let w = PhysicsWorld()
        let walls: [(Vec3, Quat)] = [
            (Vec3(0, 0, 0), .identity), (Vec3(0, 4, 0), Quat(axis: .unitX, angle: .pi)),
            (Vec3(-2, 0, 0), Quat(axis: .unitZ, angle: -.pi / 2)), (Vec3(2, 0, 0), Quat(axis: .unitZ, angle: .pi / 2)),
            (Vec3(0, 0, -2), Quat(axis: .unitX, angle: .pi / 2)), (Vec3(0, 0, 2), Quat(axis: .unitX, angle: -.pi / 2)),
        ]
        for (p, q) in walls {
            var d = BodyDescriptor(kind: .static, shape: .plane, position: p, rotation: q)
            d.material = Material(friction: 0, restitution: 1)
            _ = try? w.createBody(d)
        }
        for i in 0..<100 {
            let p = Vec3(Float(i % 5) * 0.7 - 1.4, 0.5 + Float(i / 25) * 0.8, Float((i / 5) % 5) * 0.7 - 1.4)
            var d = BodyDescriptor(shape: .sphere(radius: 0.15), position: p)
            d.material = Material(friction: 0, restitution: 1)
            d.linearVelocity = Vec3(PhysicsScenes.jitter(i, 1), PhysicsScenes.jitter(i, 2), PhysicsScenes.jitter(i, 3)) * 3
            d.allowSleep = false
            _ = try? w.createBody(d)
        }
        let start = w.totalEnergy()
        var peak = start
        for _ in 0..<600 {
            w.step(dt: 1.0 / 60)
            peak = max(peak, w.totalEnergy())
        }
        #expect(peak <= start * 1.01, "energy rose from \(start) J to \(peak) J")
        #expect(w.events.problems.isEmpty)
    }

    static func hashes(_ world: PhysicsWorld, workers: Int, steps: Int) -> [UInt64] {
        let executor = ParallelExecutor(workers: workers)
        var out: [UInt64] = []
        for _ in 0..<steps {
            world.step(dt: 1.0 / 60, executor: executor)
            var h = StableHasher()
            world.hashState(into: &h)
            out.append(h.value)
        }
        return out
    }

    @Test("the 1,000 pile and the 20 stack give the same state hash at every step with 1 and 2 workers, and when rerun")
    func determinism() {
        let pile1 = Self.hashes(PhysicsScenes.pile(1000).0, workers: 1, steps: 150)
        let pile2 = Self.hashes(PhysicsScenes.pile(1000).0, workers: 2, steps: 150)
        let pile1b = Self.hashes(PhysicsScenes.pile(1000).0, workers: 1, steps: 150)
        #expect(pile1 == pile2)
        #expect(pile1 == pile1b)
        let stack1 = Self.hashes(PhysicsScenes.stack(20).0, workers: 1, steps: 120)
        let stack2 = Self.hashes(PhysicsScenes.stack(20).0, workers: 2, steps: 120)
        #expect(stack1 == stack2)
        #expect(Set(pile1).count > 100, "the state must change from step to step")
    }
}
