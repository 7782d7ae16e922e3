import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// P1 and P2 of `physics.md`: free fall and restitution against analytic values.
@Suite("P1/P2 free fall and bounces")
struct FreeFallAndBounceTests {
    static let g: Float = 9.81

    /// Heights of the sphere's centre after each step.
    static func drop(radius: Float, height: Float, dt: Float, steps: Int, ground: Bool, restitution: Float = 0,
                     friction: Float = 0.6) -> (heights: [Float], velocities: [Float]) {
        let w = PhysicsWorld()
        if ground {
            var d = BodyDescriptor(kind: .static, shape: .plane)
            d.material.friction = friction
            _ = try? w.createBody(d)
        }
        var d = BodyDescriptor(shape: .sphere(radius: radius), position: Vec3(0, height + radius, 0))
        d.material = Material(friction: friction, restitution: restitution)
        guard let ball = try? w.createBody(d) else { return ([], []) }
        var hs: [Float] = [], vs: [Float] = []
        for _ in 0..<steps {
            w.step(dt: dt)
            hs.append(w.position(of: ball).y)
            vs.append(w.linearVelocity(of: ball).y)
        }
        return (hs, vs)
    }

    @Test("free fall crosses the ground height within one step of sqrt(2h/g)", arguments: [Float(1) / 60, Float(1) / 240])
    func crossingTime(dt: Float) {
        let (hs, _) = Self.drop(radius: 0.25, height: 10, dt: dt, steps: Int(2 / dt), ground: false)
        var prevT: Float = 0, prevB: Float = 10, crossing: Float?
        for (k, y) in hs.enumerated() {
            let t = Float(k + 1) * dt, b = y - 0.25
            if b <= 0 { crossing = prevT + (t - prevT) * prevB / (prevB - b); break }
            prevT = t; prevB = b
        }
        let analytic: Float = (2 * 10 / Self.g).squareRoot()  // 1.42784 s
        #expect(abs((crossing ?? 0) - analytic) <= dt, "crossing at \(crossing ?? -1) s")
    }

    /// The integrator is semi-implicit Euler on each of the 8 substeps: after N substeps
    /// of h the drop is g h² N(N+1)/2 (4.91522 m after 1 s at 1/60 s, 4.90755 at 1/240 s).
    @Test("drop after 1 s matches substepped semi-implicit Euler to 1e-4 m", arguments: [Float(1) / 60, Float(1) / 240])
    func dropAfterOneSecond(dt: Float) {
        let steps = Int((1 / dt).rounded())
        let (hs, _) = Self.drop(radius: 0.25, height: 10, dt: dt, steps: steps, ground: false)
        let substeps = PhysicsSettings().substeps
        let n = Double(steps * substeps), h = Double(dt) / Double(substeps)
        let expected = 9.81 * h * h * n * (n + 1) / 2
        let drop = Double(10.25 - (hs.last ?? 0))
        #expect(abs(drop - expected) <= 1e-4, "drop \(drop) m, expected \(expected) m")
        #expect(abs(drop - 4.905) < 0.03)
    }

    @Test("first ground contact within one step of the analytic time; resting penetration ≤ 5 mm", arguments: [Float(1) / 60, Float(1) / 240])
    func groundContact(dt: Float) {
        let steps = Int(3.5 / dt)
        let (hs, vs) = Self.drop(radius: 0.25, height: 10, dt: dt, steps: steps, ground: true)
        var prev: Float = 0, impact: Float?
        for (k, v) in vs.enumerated() {
            if v - prev > -0.5 * Self.g * dt { impact = Float(k + 1) * dt; break }
            prev = v
        }
        let analytic: Float = (2 * 10 / Self.g).squareRoot()
        #expect(abs((impact ?? 0) - analytic) <= dt, "impact at \(impact ?? -1) s")
        let penetration = 0.25 - (hs.last ?? 0)
        #expect(penetration <= 0.005, "resting penetration \(penetration) m")
        #expect(penetration >= -0.001, "floating \(-penetration) m above the ground")
    }

    /// Apexes of the lowest point after each rebound (velocity turning from down to up).
    static func apexes(_ hs: [Float], _ vs: [Float], radius: Float) -> [Float] {
        var out: [Float] = [], current: Float?, prevV: Float = 0
        for (y, v) in zip(hs, vs) {
            if prevV < 0 && v > 0 {
                if let c = current, c > 0.001 { out.append(c) }
                current = y - radius
            } else if let c = current {
                current = max(c, y - radius)
            }
            prevV = v
        }
        if let c = current, c > 0.001 { out.append(c) }
        return out
    }

    @Test("restitution 0.5: rebound apexes 0.25 and 0.0625 m within 10 % (1/240 s) and 20 % (1/60 s)",
          arguments: [(Float(1) / 240, Float(0.10)), (Float(1) / 60, Float(0.20))])
    func restitution(dt: Float, tolerance: Float) {
        let (hs, vs) = Self.drop(radius: 0.1, height: 1, dt: dt, steps: Int(3 / dt), ground: true, restitution: 0.5)
        let apex = Self.apexes(hs, vs, radius: 0.1)
        #expect(apex.count >= 2, "apexes \(apex)")
        for (k, expected) in [Float(0.25), 0.0625].enumerated() where k < apex.count {
            #expect(abs(apex[k] - expected) <= tolerance * expected, "apex \(k + 1): \(apex[k]) m vs \(expected) m")
        }
    }
}
