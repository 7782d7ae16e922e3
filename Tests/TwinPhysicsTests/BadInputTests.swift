import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// Bad input: a clear error at creation, or at run time the body is reported and
/// removed — never NaN for the other bodies.
@Suite("physics bad input")
struct BadInputTests {
    static let cases = ["mass 0", "mass -3", "density 0", "NaN position", "infinite velocity", "flat box",
                        "negative radius", "dynamic plane", "negative friction"]

    static func descriptor(_ name: String) -> (BodyDescriptor, String) {
        var d = BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: Vec3(0, 1, 0))
        switch name {
        case "mass 0": d.mass = 0; return (d, "mass")
        case "mass -3": d.mass = -3; return (d, "mass")
        case "density 0": d.density = 0; return (d, "density")
        case "NaN position": d.position = Vec3(.nan, 0, 0); return (d, "finite")
        case "infinite velocity": d.linearVelocity = Vec3(0, .infinity, 0); return (d, "finite")
        case "flat box": d.shape = .box(halfExtents: Vec3(1, 0, 1)); return (d, "half extents")
        case "negative radius": d.shape = .sphere(radius: -1); return (d, "radius")
        case "dynamic plane": d.shape = .plane; return (d, "plane")
        default: d.material.friction = -0.1; return (d, "friction")
        }
    }

    @Test("invalid bodies are refused with a reason", arguments: cases)
    func refused(name: String) {
        let w = PhysicsWorld()
        let (d, word) = Self.descriptor(name)
        do {
            try w.createBody(d)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.message.contains(word), "\(error.message)")
        }
        #expect(w.bodyCount == 0)
    }

    @Test("a body blowing up is reported and removed; the others stay finite and keep moving")
    func runaway() throws {
        let (w, ids) = PhysicsScenes.stack(3)
        var d = BodyDescriptor(shape: .sphere(radius: 0.2), position: Vec3(5, 1, 0))
        d.linearVelocity = Vec3(1e7, 0, 0)
        let bad = try w.createBody(d)
        w.step(dt: 1.0 / 60)
        #expect(w.events.problems.map(\.body) == [bad])
        #expect(!w.isEnabled(bad))
        for _ in 0..<60 { w.step(dt: 1.0 / 60) }
        for id in ids { #expect(w.position(of: id).isFinite) }
        #expect(abs(w.position(of: ids[2]).y - 2.5) < 0.02)
    }

    @Test("boxes spawned deeply overlapping separate at the capped push-out speed, without exploding")
    func deepOverlap() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        var ids: [BodyID] = []
        for k in 0..<5 {
            ids.append(try w.createBody(BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: Vec3(Float(k) * 0.05, 0.5, 0))))
        }
        var fastest: Float = 0
        for _ in 0..<300 {
            w.step(dt: 1.0 / 60)
            for id in ids { fastest = max(fastest, w.linearVelocity(of: id).length) }
        }
        #expect(fastest < 10, "fastest \(fastest) m/s")
        for id in ids { #expect(w.position(of: id).isFinite && w.position(of: id).y > 0.3) }
        #expect(RestReport(w).deepestPenetration < 0.02)
        #expect(w.events.problems.isEmpty)
    }

    @Test("non-finite velocity and pose updates are ignored")
    func ignoredUpdates() throws {
        let w = PhysicsWorld()
        let id = try w.createBody(BodyDescriptor(shape: .sphere(radius: 0.5), position: Vec3(0, 3, 0)))
        w.setVelocity(id, linear: Vec3(.nan, 0, 0))
        w.setPose(id, position: Vec3(0, .infinity, 0), rotation: .identity)
        w.step(dt: 1.0 / 60)
        #expect(w.position(of: id).isFinite)
        #expect(w.linearVelocity(of: id).x == 0)
    }
}
