import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// P3 (resting stacks), P4 (pile at rest) and P5 (friction on a slope) of `physics.md`.
@Suite("P3/P4/P5 stacks, pile, slope")
struct StackPileSlopeTests {
    @Test("a stack at rest for 10 s at 1/60 s: 10 boxes drift ≤ 1 cm and sink ≤ 1 cm; 20 boxes ≤ 5 cm and ≤ 2 cm",
          arguments: [(10, Float(0.01), Float(0.01)), (20, Float(0.05), Float(0.02))])
    func stack(count: Int, maxDrift: Float, maxSink: Float) {
        let (w, ids) = PhysicsScenes.stack(count)
        guard let top = ids.last else { Issue.record("no bodies"); return }
        let start = w.position(of: top)
        for _ in 0..<600 { w.step(dt: 1.0 / 60) }
        let end = w.position(of: top)
        let drift = ((end.x - start.x) * (end.x - start.x) + (end.z - start.z) * (end.z - start.z)).squareRoot()
        #expect(drift <= maxDrift, "top box drifted \(drift) m")
        #expect(abs(end.y - start.y) <= maxSink, "top box height changed \(end.y - start.y) m")
    }

    @Test("a pile of 1,000 boxes comes to rest by P4's criterion after 30 s")
    func pile1000() {
        let (w, _) = PhysicsScenes.pile(1000)
        for _ in 0..<1800 { w.step(dt: 1.0 / 60) }
        let r = RestReport(w)
        #expect(r.meetsCriterion, "\(r)")
        #expect(r.lowest > 0.2, "a box fell through the ground: \(r)")
    }

    static func slope(degrees: Float, seconds: Float) -> [Vec3] {
        let theta = degrees * .pi / 180
        let q = Quat(axis: Vec3(0, 0, 1), angle: theta)
        let w = PhysicsWorld()
        var ground = BodyDescriptor(kind: .static, shape: .plane, rotation: q)
        ground.material.friction = 0.6
        _ = try? w.createBody(ground)
        let n = q.rotate(.up)
        var d = BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: n * 0.5, rotation: q)
        d.material.friction = 0.6
        guard let box = try? w.createBody(d) else { return [] }
        var out: [Vec3] = []
        for _ in 0..<Int(seconds * 60) {
            w.step(dt: 1.0 / 60)
            out.append(w.position(of: box))
        }
        return out
    }

    @Test("a cube on a 20° slope with μ 0.6 stays: drift ≤ 1 cm in 5 s")
    func slopeStays() {
        let path = Self.slope(degrees: 20, seconds: 5)
        guard let first = path.first, let last = path.last else { Issue.record("no path"); return }
        let start = Quat(axis: Vec3(0, 0, 1), angle: 20 * .pi / 180).rotate(.up) * 0.5
        #expect((last - start).length <= 0.01, "drift \((last - start).length) m")
        #expect((first - start).length <= 0.01)
    }

    @Test("a cube on a 40° slope with μ 0.6 slides at g(sin θ − μ cos θ) = 1.80 m/s² within 5 %")
    func slopeSlides() {
        let path = Self.slope(degrees: 40, seconds: 3)
        let theta: Float = 40 * .pi / 180
        let down = Vec3(_cos(theta), _sin(theta), 0) * -1  // along the slope, downhill
        // s(t) = s0 + v0 t + a t²/2: fit a from the positions at 1, 2 and 3 s.
        let s1 = path[59].dot(down), s2 = path[119].dot(down), s3 = path[179].dot(down)
        let a = (s3 - 2 * s2 + s1) / 1.0
        let expected = 9.81 * (_sin(theta) - 0.6 * _cos(theta))
        #expect(abs(a - expected) <= 0.05 * expected, "acceleration \(a) m/s², expected \(expected)")
    }
}

