import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// Convex hulls and compounds: construction, and mass properties against analytic
/// results (relative tolerance 1e-4: float sums over a few tetrahedra).
@Suite("hull and compound mass properties")
struct HullMassTests {
    static func corners(_ h: Vec3, at c: Vec3 = .zero) -> [Vec3] { (0..<8).map { c + boxVertex(h, $0) } }

    static func close(_ a: Float, _ b: Float, _ rel: Float = 1e-4) -> Bool { abs(a - b) <= rel * max(abs(b), 1e-6) }

    @Test("a hull of a 2×1×0.5 m box's corners (plus interior points) has its volume, 6 faces and the box's inertia")
    func boxHull() throws {
        let h = Vec3(1, 0.5, 0.25)
        let pts = Self.corners(h, at: Vec3(3, -2, 1)) + [Vec3(3, -2, 1), Vec3(3.2, -1.9, 1.1)]
        let hull = try ConvexHull(points: pts)
        #expect(hull.vertexCount == 8 && hull.faceCount == 6 && hull.edges.count == 12, "\(hull)")
        #expect(Self.close(hull.volume, 1))
        let expected = Shape.box(halfExtents: h).unitInertia
        let got = hull.unitInertia
        #expect(Self.close(got.x, expected.x) && Self.close(got.y, expected.y) && Self.close(got.z, expected.z), "\(got) vs \(expected)")
        #expect((hull.frame.centre - Vec3(3, -2, 1)).length < 1e-5)
    }

    @Test("a tetrahedron (0, e1, e2, e3): volume 1/6, centroid (¼, ¼, ¼), principal moments m/16, m/16, m/10")
    func tetrahedron() throws {
        let hull = try ConvexHull(points: [.zero, Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)])
        #expect(Self.close(hull.volume, 1.0 / 6))
        #expect((hull.frame.centre - Vec3(repeating: 0.25)).length < 1e-5)
        let m = [hull.unitInertia.x, hull.unitInertia.y, hull.unitInertia.z].sorted()
        #expect(Self.close(m[0], 1.0 / 16) && Self.close(m[1], 1.0 / 16) && Self.close(m[2], 0.1), "\(m)")
        // The largest moment's axis is the (1, 1, 1) diagonal.
        let k = [hull.unitInertia.x, hull.unitInertia.y, hull.unitInertia.z].firstIndex { Self.close($0, 0.1) } ?? 0
        let axis = hull.frame.rotation.rotate(k == 0 ? .unitX : (k == 1 ? .unitY : .unitZ))
        #expect(abs(abs(axis.dot(Vec3(1, 1, 1).normalized())) - 1) < 1e-4, "axis \(axis)")
        #expect(hull.faceCount == 4)
    }

    @Test("500 points on a sphere of 1 m become ≤ 64 vertices holding ≥ 85 % of the ball's volume")
    func simplified() throws {
        var pts: [Vec3] = []
        for k in 0..<500 {
            let y = 1 - 2 * (Float(k) + 0.5) / 500, r = (1 - y * y).squareRoot(), phi = Float(k) * 2.399963
            pts.append(Vec3(r * _cos(phi), y, r * _sin(phi)))
        }
        let hull = try ConvexHull(points: pts)
        #expect(hull.vertexCount <= ConvexHull.maxVertices)
        let ball = 4 / 3 * Float.pi
        #expect(hull.volume <= ball && hull.volume >= 0.85 * ball, "volume \(hull.volume)")
        // Every kept vertex is an input point (back in the input frame: on the unit sphere).
        #expect(hull.vertices.allSatisfy { abs((hull.frame.rotation.rotate($0) + hull.frame.centre).length - 1) < 1e-3 })
    }

    @Test("degenerate hulls are refused, naming why", arguments: [
        ("plane", [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 0, 1), Vec3(1, 0, 1), Vec3(0.5, 0, 0.3)]),
        ("line", [Vec3(0, 0, 0), Vec3(1, 1, 1), Vec3(2, 2, 2), Vec3(3, 3, 3)]),
        ("at least 4", [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0)]),
        ("not finite", [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, .nan, 1)]),
        ("coincide", [Vec3(1, 2, 3), Vec3(1, 2, 3), Vec3(1, 2, 3), Vec3(1, 2, 3)]),
    ])
    func degenerate(word: String, points: [Vec3]) {
        do {
            let h = try ConvexHull(points: points)
            Issue.record("accepted \(h)")
        } catch {
            #expect(error.message.contains(word), "\(error.message)")
        }
        #expect(Collider.hullProblem(points)?.contains(word) == true, "the scene check agrees")
    }

    @Test("two unit cubes side by side weigh and turn like one 2×1×1 box")
    func twoCubes() throws {
        let c = try CompoundShape([
            .init(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: Vec3(-0.5, 0, 0)),
            .init(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: Vec3(0.5, 0, 0)),
        ])
        let expected = Shape.box(halfExtents: Vec3(1, 0.5, 0.5)).unitInertia
        #expect(Self.close(c.volume, 2))
        #expect(Self.close(c.unitInertia.x, expected.x) && Self.close(c.unitInertia.y, expected.y) && Self.close(c.unitInertia.z, expected.z),
                "\(c.unitInertia) vs \(expected)")
        #expect(c.frame.centre.length < 1e-6)
    }

    @Test("an L-shape of two boxes: volume, centre and principal moments by the parallel-axis theorem")
    func lShape() throws {
        // Bar 2 × 0.5 × 0.5 at the origin; upright 0.5 × 1.5 × 0.5 centred (0.75, 1, 0).
        let h1 = Vec3(1, 0.25, 0.25), c1 = Vec3.zero, h2 = Vec3(0.25, 0.75, 0.25), c2 = Vec3(0.75, 1, 0)
        let c = try CompoundShape([.init(shape: .box(halfExtents: h1), position: c1), .init(shape: .box(halfExtents: h2), position: c2)])
        let v1: Float = 8 * h1.x * h1.y * h1.z, v2: Float = 8 * h2.x * h2.y * h2.z
        let g = (c1 * v1 + c2 * v2) / (v1 + v2)
        #expect(Self.close(c.volume, v1 + v2))
        #expect((c.frame.centre - g).length < 1e-5)
        // Inertia (unit density) about g: box terms plus m(d² δ − d dᵀ).
        func box(_ h: Vec3, _ v: Float) -> Vec3 { Vec3(h.y * h.y + h.z * h.z, h.x * h.x + h.z * h.z, h.x * h.x + h.y * h.y) * (v / 3) }
        let d1 = c1 - g, d2 = c2 - g
        let b1 = box(h1, v1), b2 = box(h2, v2)
        let ixx = b1.x + b2.x + v1 * (d1.y * d1.y + d1.z * d1.z) + v2 * (d2.y * d2.y + d2.z * d2.z)
        let iyy = b1.y + b2.y + v1 * (d1.x * d1.x + d1.z * d1.z) + v2 * (d2.x * d2.x + d2.z * d2.z)
        let izz = b1.z + b2.z + v1 * (d1.x * d1.x + d1.y * d1.y) + v2 * (d2.x * d2.x + d2.y * d2.y)
        let ixy = -(v1 * d1.x * d1.y + v2 * d2.x * d2.y)
        // z is principal (no z offsets); the x–y block's eigenvalues in closed form.
        let mean = (ixx + iyy) / 2, radius = (((ixx - iyy) / 2) * ((ixx - iyy) / 2) + ixy * ixy).squareRoot()
        let expected = [mean - radius, mean + radius, izz].sorted()
        let got = [c.unitInertia.x, c.unitInertia.y, c.unitInertia.z].map { $0 * c.volume }.sorted()
        for k in 0..<3 { #expect(Self.close(got[k], expected[k], 1e-3), "moment \(k): \(got[k]) vs \(expected[k])") }
    }

    @Test("compound children must be convex and finite", arguments: ["plane", "nested", "NaN", "empty"])
    func badCompound(_ name: String) throws {
        let box = CompoundShape.Child(shape: .box(halfExtents: Vec3(repeating: 0.5)))
        var parts: [CompoundShape.Child]
        switch name {
        case "plane": parts = [box, .init(shape: .plane)]
        case "nested": parts = [.init(shape: .compound(try CompoundShape([box])))]
        case "NaN": parts = [.init(shape: .sphere(radius: 1), position: Vec3(.nan, 0, 0))]
        default: parts = []
        }
        #expect(throws: PhysicsError.self) { try CompoundShape(parts) }
    }

    @Test("a body with a hull reports its origin, not its centre of mass, and turns about the centre")
    func originVersusCentre() throws {
        let w = PhysicsWorld()
        w.settings.gravity = .zero
        let hull = try ConvexHull(points: Self.corners(Vec3(repeating: 0.5), at: Vec3(2, 0, 0)))
        var d = BodyDescriptor(shape: .hull(hull), position: Vec3(1, 1, 1))
        d.angularVelocity = Vec3(0, 1, 0)
        let id = try w.createBody(d)
        #expect((w.position(of: id) - Vec3(1, 1, 1)).length < 1e-6)
        #expect((w.centreOfMass(of: id) - Vec3(3, 1, 1)).length < 1e-5)
        for _ in 0..<60 { w.step(dt: 1.0 / 60) }
        // A full second at 1 rad/s about the centre (3, 1, 1): the origin swings around it.
        #expect((w.centreOfMass(of: id) - Vec3(3, 1, 1)).length < 1e-4)
        let expected = Vec3(3, 1, 1) + Quat(axis: .up, angle: 1).rotate(Vec3(-2, 0, 0))
        #expect((w.position(of: id) - expected).length < 1e-3, "\(w.position(of: id)) vs \(expected)")
    }
}
