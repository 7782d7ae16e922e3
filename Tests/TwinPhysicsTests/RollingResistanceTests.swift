import Testing
import TwinMath
@testable import TwinPhysics

/// Rolling resistance (optional in the issue). Model: the contact resists the bodies'
/// relative rotation about its tangents with a torque of at most μr · N · R (R the rolling
/// radius, a sphere's radius). A solid ball rolling without slipping on level ground then
/// decelerates at a = μr g / (1 + I/(m R²)) = μr g / 1.4, so from speed v it rolls
/// d = 1.4 v² / (2 μr g) — the v²/(2 μr g) with the rotational energy counted.
@Suite("rolling resistance")
struct RollingResistanceTests {
    static func roll(_ mu: Float, seconds: Float) -> (distance: Float, speed: Float) {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        var d = BodyDescriptor(shape: .sphere(radius: 0.1), position: Vec3(0, 0.1, 0))
        d.material = Material(friction: 0.6, restitution: 0, rollingResistance: mu)
        d.linearVelocity = Vec3(2, 0, 0)
        d.angularVelocity = Vec3(0, 0, -20)  // rolling: ω = v / R
        guard let ball = try? w.createBody(d) else { return (0, 0) }
        for _ in 0..<Int(seconds * 60) { w.step(dt: 1.0 / 60) }
        return (w.position(of: ball).x, w.linearVelocity(of: ball).length)
    }

    @Test("a ball rolling at 2 m/s with μr = 0.05 stops after 1.4 v²/(2 μr g) = 5.708 m (within 2 %)")
    func rollsToRest() {
        let (distance, speed) = Self.roll(0.05, seconds: 10)
        let analytic: Float = 1.4 * 4 / (2 * 0.05 * 9.81)
        #expect(abs(distance - analytic) <= 0.02 * analytic, "rolled \(distance) m, analytic \(analytic) m")
        #expect(speed < 0.01)
    }

    @Test("without rolling resistance the ball keeps its speed for 5 s (within 1 %)")
    func rollsOn() {
        let (distance, speed) = Self.roll(0, seconds: 5)
        #expect(abs(speed - 2) <= 0.02, "speed \(speed) m/s")
        #expect(distance > 9.8)
    }

    @Test("a negative rolling resistance is refused, naming the field")
    func negative() {
        var d = BodyDescriptor(shape: .sphere(radius: 0.1))
        d.material.rollingResistance = -0.1
        #expect(throws: PhysicsError.self) { try PhysicsWorld().createBody(d) }
        do {
            try PhysicsWorld().createBody(d)
        } catch {
            #expect("\(error)".contains("rollingResistance"))
        }
    }
}
