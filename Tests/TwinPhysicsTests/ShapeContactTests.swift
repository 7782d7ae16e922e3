import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// Hulls, compounds, capsules and triangle meshes in contact: resting, stacking,
/// sliding (P3- and P5-like limits of `physics.md`), and no tunnelling.
@Suite("hull, compound and mesh contacts")
struct ShapeContactTests {
    static let dt: Float = 1.0 / 60

    static func cubeHull(_ h: Float = 0.5) throws -> ConvexHull {
        try ConvexHull(points: (0..<8).map { boxVertex(Vec3(repeating: h), $0) })
    }

    /// A hexagonal prism 1 m across and `height` tall, axis along Y.
    static func prism(height: Float) throws -> ConvexHull {
        var pts: [Vec3] = []
        for k in 0..<6 {
            let a = Float(k) * .pi / 3
            pts.append(Vec3(0.5 * _cos(a), -height / 2, 0.5 * _sin(a)))
            pts.append(Vec3(0.5 * _cos(a), height / 2, 0.5 * _sin(a)))
        }
        return try ConvexHull(points: pts)
    }

    /// A square grid of `n`×`n` quads, `size` m across, tilted by `degrees` about Z.
    static func gridMesh(size: Float, n: Int, degrees: Float = 0) throws -> TriangleMesh {
        let q = Quat(axis: Vec3(0, 0, 1), angle: degrees * .pi / 180)
        var v: [Vec3] = []
        var idx: [UInt32] = []
        for i in 0...n {
            for j in 0...n {
                v.append(q.rotate(Vec3(Float(i) / Float(n) * size - size / 2, 0, Float(j) / Float(n) * size - size / 2)))
            }
        }
        for i in 0..<n {
            for j in 0..<n {
                let a = UInt32(i * (n + 1) + j), b = a + 1, c = a + UInt32(n + 1), d = c + 1
                idx += [a, b, d, a, d, c]  // counter-clockwise seen from +Y
            }
        }
        return try TriangleMesh(vertices: v, indices: idx)
    }

    @Test("a cube hull dropped 1 cm onto the ground rests at 0.5 m within 1 cm, still, with 4 contact points")
    func hullRests() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        let id = try w.createBody(BodyDescriptor(shape: .hull(try Self.cubeHull()), position: Vec3(0, 0.51, 0)))
        for _ in 0..<300 { w.step(dt: Self.dt) }
        let p = w.position(of: id)
        #expect(abs(p.y - 0.5) < 0.01 && abs(p.x) < 0.01 && abs(p.z) < 0.01, "\(p)")
        #expect(w.linearVelocity(of: id).length < 0.01)
        #expect(w.contacts.first?.manifold.count == 4)
    }

    @Test("a stack of 10 hexagonal-prism hulls (0.5 m tall) stands 10 s: top drifts ≤ 1 cm, sinks ≤ 1 cm (P3's limits)")
    func hullStack() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        let prism = try Self.prism(height: 0.5)
        var ids: [BodyID] = []
        for i in 0..<10 { ids.append(try w.createBody(BodyDescriptor(shape: .hull(prism), position: Vec3(0, 0.25 + 0.5 * Float(i), 0)))) }
        guard let top = ids.last else { return }
        let start = w.position(of: top)
        for _ in 0..<600 { w.step(dt: Self.dt) }
        let end = w.position(of: top)
        let drift = ((end.x - start.x) * (end.x - start.x) + (end.z - start.z) * (end.z - start.z)).squareRoot()
        #expect(drift <= 0.01, "top drifted \(drift) m")
        #expect(abs(end.y - start.y) <= 0.01, "top height changed \(end.y - start.y) m")
    }

    @Test("hull on box, box on hull and hull on hull give 4-point face manifolds with the vertical normal")
    func manifolds() throws {
        let cube = try Self.cubeHull()
        let pairs: [(Shape, Shape)] = [
            (.hull(cube), .box(halfExtents: Vec3(repeating: 0.5))), (.box(halfExtents: Vec3(repeating: 0.5)), .hull(cube)), (.hull(cube), .hull(cube)),
        ]
        for (lower, upper) in pairs {
            let a = PlacedShape(shape: lower, position: .zero, rotation: Mat3(.identity))
            let b = PlacedShape(shape: upper, position: Vec3(0.1, 0.99, 0.05), rotation: Mat3(Quat(yaw: 0.3)))
            let m = collide(a, b, margin: 0.02, scratch: CollideScratch())
            #expect(m.count == 4, "\(lower) vs \(upper): \(m.count) points")
            #expect(abs(m.normal.y - 1) < 1e-4, "normal \(m.normal)")
            #expect(abs(m.minSeparation + 0.01) < 1e-4, "separation \(m.minSeparation)")
        }
    }

    @Test("edge-on-edge hulls: one point, separation exact to 0.1 mm")
    func edgeContact() throws {
        let cube = try Self.cubeHull()
        // A on the origin turned 45° about Z (an edge up along Z); B above turned 45° about X (an edge down along X).
        let a = PlacedShape(shape: .hull(cube), position: .zero, rotation: Mat3(Quat(axis: .unitZ, angle: .pi / 4)))
        let gap: Float = 0.003
        let b = PlacedShape(shape: .hull(cube), position: Vec3(0, 2 * 0.5 * Float(2).squareRoot() + gap, 0), rotation: Mat3(Quat(axis: .unitX, angle: .pi / 4)))
        let m = collide(a, b, margin: 0.02, scratch: CollideScratch())
        #expect(m.count == 1)
        #expect(abs(m.minSeparation - gap) < 1e-4, "\(m.minSeparation)")
        #expect(abs(m.normal.y - 1) < 1e-3)
    }

    @Test("a capsule lying on a box gets two points and rests without rolling; on a hull likewise")
    func capsuleOnBox() throws {
        for ground in [Shape.box(halfExtents: Vec3(2, 0.5, 2)), .hull(try ConvexHull(points: (0..<8).map { boxVertex(Vec3(2, 0.5, 2), $0) }))] {
            let w = PhysicsWorld()
            _ = try w.createBody(BodyDescriptor(kind: .static, shape: ground, position: Vec3(0, -0.5, 0)))
            let lying = Quat(axis: .unitZ, angle: .pi / 2)
            let id = try w.createBody(BodyDescriptor(shape: .capsule(radius: 0.2, halfHeight: 0.5), position: Vec3(0, 0.21, 0), rotation: lying))
            w.step(dt: Self.dt)
            #expect(w.contacts.contains { $0.manifold.count == 2 }, "\(ground)")
            for _ in 0..<300 { w.step(dt: Self.dt) }
            let p = w.position(of: id)
            #expect(abs(p.y - 0.2) < 0.01 && abs(p.x) < 0.01 && abs(p.z) < 0.01, "\(ground): \(p)")
        }
    }

    @Test("a sphere on a hull and a sphere at a hull's corner: exact separations")
    func sphereHull() throws {
        let cube = try Self.cubeHull()
        let hull = PlacedShape(shape: .hull(cube), position: .zero, rotation: Mat3(.identity))
        let above = PlacedShape(shape: .sphere(radius: 0.25), position: Vec3(0.1, 0.8, 0), rotation: Mat3(.identity))
        let m = collide(above, hull, margin: 0.1, scratch: CollideScratch())
        #expect(m.count == 1 && abs(m.minSeparation - 0.05) < 1e-4 && abs(m.normal.y + 1) < 1e-4, "\(m.minSeparation) \(m.normal)")
        let corner = PlacedShape(shape: .sphere(radius: 0.25), position: Vec3(0.7, 0.7, 0.7), rotation: Mat3(.identity))
        let c = collide(corner, hull, margin: 0.2, scratch: CollideScratch())
        let expected = Vec3(repeating: 0.2).length - 0.25
        #expect(c.count == 1 && abs(c.minSeparation - expected) < 1e-4, "\(c.minSeparation) vs \(expected)")
        let inside = PlacedShape(shape: .sphere(radius: 0.25), position: Vec3(0, 0.4, 0), rotation: Mat3(.identity))
        let d = collide(inside, hull, margin: 0, scratch: CollideScratch())
        #expect(d.count == 1 && abs(d.minSeparation + 0.35) < 1e-4 && abs(d.normal.y + 1) < 1e-4, "\(d.minSeparation) \(d.normal)")
    }

    @Test("an L-shaped compound rests on its bar on the ground, level within 1°")
    func compoundRests() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        let c = try CompoundShape([
            .init(shape: .box(halfExtents: Vec3(1, 0.25, 0.25))),
            .init(shape: .box(halfExtents: Vec3(0.25, 0.75, 0.25)), position: Vec3(0.75, 1, 0)),
        ])
        let id = try w.createBody(BodyDescriptor(shape: .compound(c), position: Vec3(0, 0.26, 0)))
        for _ in 0..<300 { w.step(dt: Self.dt) }
        let p = w.position(of: id), up = w.rotation(of: id).rotate(.up)
        #expect(abs(p.y - 0.25) < 0.01, "\(p)")
        #expect(up.y > _cos(Float.pi / 180), "tilted: up \(up)")
    }

    @Test("a cube on a 20° ramp of 200 mesh triangles with μ 0.6 stays: drift ≤ 1 cm in 5 s (P5)")
    func meshRampStays() throws {
        let path = try Self.rampSlide(degrees: 20, seconds: 5)
        guard let last = path.last else { Issue.record("no path"); return }
        #expect((last - path[0]).length <= 0.01, "drift \((last - path[0]).length) m")
    }

    @Test("a cube on a 40° ramp of 200 mesh triangles with μ 0.6 slides at 1.80 m/s² within 5 % (P5), across its seams")
    func meshRampSlides() throws {
        let path = try Self.rampSlide(degrees: 40, seconds: 3)
        let theta: Float = 40 * .pi / 180
        let down = Vec3(_cos(theta), _sin(theta), 0) * -1
        let s1 = path[59].dot(down), s2 = path[119].dot(down), s3 = path[179].dot(down)
        let a = s3 - 2 * s2 + s1
        let expected = 9.81 * (_sin(theta) - 0.6 * _cos(theta))
        #expect(abs(a - expected) <= 0.05 * expected, "acceleration \(a) m/s², expected \(expected)")
        // Never lifted off the ramp by a seam: distance from the ramp plane stays 0.5 m.
        let n = Quat(axis: .unitZ, angle: theta).rotate(.up)
        let heights = path.map { $0.dot(n) }
        #expect(heights.allSatisfy { abs($0 - 0.5) < 0.01 }, "height above the ramp \(heights.min() ?? 0)…\(heights.max() ?? 0)")
    }

    static func rampSlide(degrees: Float, seconds: Float) throws -> [Vec3] {
        let w = PhysicsWorld()
        var ground = BodyDescriptor(kind: .static, shape: .mesh(try gridMesh(size: 20, n: 10, degrees: degrees)))
        ground.material.friction = 0.6
        try w.createBody(ground)
        let q = Quat(axis: Vec3(0, 0, 1), angle: degrees * .pi / 180)
        var d = BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: q.rotate(Vec3(3, 0.5, 0.3)), rotation: q)
        d.material.friction = 0.6
        let box = try w.createBody(d)
        var out: [Vec3] = []
        for _ in 0..<Int(seconds * 60) {
            w.step(dt: dt)
            out.append(w.position(of: box))
        }
        return out
    }

    @Test("a box sliding at 4 m/s across a 100-triangle mesh floor slows at μg (0.3 · 9.81) within 5 %, without hopping at seams")
    func meshFloorSlide() throws {
        let w = PhysicsWorld()
        var floor = BodyDescriptor(kind: .static, shape: .mesh(try Self.gridMesh(size: 20, n: 7)))
        floor.material.friction = 0.3
        try w.createBody(floor)
        var d = BodyDescriptor(shape: .box(halfExtents: Vec3(0.25, 0.25, 0.25)), position: Vec3(-6, 0.25, 0.1))
        d.material.friction = 0.3
        d.linearVelocity = Vec3(4, 0, 0)
        let id = try w.createBody(d)
        var heights: [Float] = []
        var v: [Float] = []
        for _ in 0..<60 {
            w.step(dt: Self.dt)
            heights.append(w.position(of: id).y)
            v.append(w.linearVelocity(of: id).x)
        }
        let decel = (v[9] - v[49]) / (40 * Self.dt)
        #expect(abs(decel - 0.3 * 9.81) <= 0.05 * 0.3 * 9.81, "deceleration \(decel) m/s²")
        #expect(heights.allSatisfy { abs($0 - 0.25) < 0.005 }, "heights \(heights.min() ?? 0)…\(heights.max() ?? 0)")
        #expect(abs(w.angularVelocity(of: id).length) < 0.05, "tumbled at a seam")
    }

    @Test("spheres, capsules, boxes and hulls dropped on a mesh floor come to rest on it", arguments: ["sphere", "capsule", "box", "hull"])
    func restOnMesh(_ kind: String) throws {
        let w = PhysicsWorld()
        try w.createBody(BodyDescriptor(kind: .static, shape: .mesh(try Self.gridMesh(size: 10, n: 5))))
        let shape: Shape, rest: Float
        switch kind {
        case "sphere": shape = .sphere(radius: 0.3); rest = 0.3
        case "capsule": shape = .capsule(radius: 0.2, halfHeight: 0.4); rest = 0.6
        case "box": shape = .box(halfExtents: Vec3(repeating: 0.3)); rest = 0.3
        default: shape = .hull(try Self.prism(height: 0.6)); rest = 0.3
        }
        // Over a vertex shared by six triangles, where seams meet.
        let id = try w.createBody(BodyDescriptor(shape: shape, position: Vec3(0, rest + 0.5, 0)))
        for _ in 0..<240 { w.step(dt: Self.dt) }
        let p = w.position(of: id)
        #expect(abs(p.y - rest) < 0.01 && abs(p.x) < 0.01 && abs(p.z) < 0.01, "\(kind) at \(p)")
    }

    @Test("a 5 cm sphere at 100 m/s does not tunnel through a 1 cm static plate at 1/60 s", arguments: ["box", "hull", "mesh"])
    func noTunnel(_ wall: String) throws {
        let w = PhysicsWorld()
        w.settings.gravity = .zero
        let plate: Shape
        switch wall {
        case "box": plate = .box(halfExtents: Vec3(0.005, 1, 1))
        case "hull": plate = .hull(try ConvexHull(points: (0..<8).map { boxVertex(Vec3(0.005, 1, 1), $0) }))
        default: plate = .mesh(try TriangleMesh(vertices: [Vec3(0, -1, -1), Vec3(0, 1, -1), Vec3(0, 1, 1), Vec3(0, -1, 1)], indices: [0, 2, 1, 0, 3, 2]))
        }
        try w.createBody(BodyDescriptor(kind: .static, shape: plate, position: .zero))
        var d = BodyDescriptor(shape: .sphere(radius: 0.025), position: Vec3(-3.3, 0.1, 0))
        d.linearVelocity = Vec3(100, 0, 0)
        let id = try w.createBody(d)
        for _ in 0..<60 { w.step(dt: Self.dt) }
        #expect(w.position(of: id).x < 0, "tunnelled to \(w.position(of: id))")
    }

    @Test("a 5 cm sphere rolling at 60 m/s on a mesh floor does not pass the wall of the same mesh (the centre sweep)")
    func noTunnelInMesh() throws {
        var v: [Vec3] = [Vec3(-10, 0, -10), Vec3(-10, 0, 10), Vec3(10, 0, 10), Vec3(10, 0, -10)]
        v += [Vec3(5, 0, -10), Vec3(5, 2, -10), Vec3(5, 2, 10), Vec3(5, 0, 10)]
        // Floor facing +Y; wall at x = 5 facing −X.
        let mesh = try TriangleMesh(vertices: v, indices: [0, 1, 2, 0, 2, 3, 4, 7, 6, 4, 6, 5])
        for bullet in [false, true] {
            let w = PhysicsWorld()
            try w.createBody(BodyDescriptor(kind: .static, shape: .mesh(mesh)))
            var d = BodyDescriptor(shape: .sphere(radius: 0.025), position: Vec3(0.5, 0.025, 0.3))
            d.linearVelocity = Vec3(60, 0, 0)
            d.isBullet = bullet
            let id = try w.createBody(d)
            for _ in 0..<60 { w.step(dt: Self.dt) }
            #expect(w.position(of: id).x < 5, "bullet \(bullet): tunnelled to \(w.position(of: id))")
        }
    }

    @Test("a small box thrown at 80 m/s at a thin compound wall stays in front of it (speculative contacts)")
    func noTunnelCompound() throws {
        let w = PhysicsWorld()
        w.settings.gravity = .zero
        let wall = try CompoundShape([
            .init(shape: .box(halfExtents: Vec3(0.005, 1, 0.5)), position: Vec3(0, 0, -0.5)),
            .init(shape: .box(halfExtents: Vec3(0.005, 1, 0.5)), position: Vec3(0, 0, 0.5)),
        ])
        try w.createBody(BodyDescriptor(kind: .static, shape: .compound(wall)))
        var d = BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.02)), position: Vec3(-2, 0.1, 0.01))
        d.linearVelocity = Vec3(80, 0, 0)
        let id = try w.createBody(d)
        for _ in 0..<60 { w.step(dt: Self.dt) }
        #expect(w.position(of: id).x < 0, "tunnelled to \(w.position(of: id))")
    }

    @Test("five hulls and compounds spawned inside each other separate gently; nothing becomes NaN")
    func deepOverlap() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        let prism = try Self.prism(height: 0.5)
        let l = try CompoundShape([.init(shape: .box(halfExtents: Vec3(0.5, 0.1, 0.1))), .init(shape: .sphere(radius: 0.2), position: Vec3(0.4, 0.2, 0))])
        var ids: [BodyID] = []
        for k in 0..<5 {
            let shape: Shape = k % 2 == 0 ? .hull(prism) : .compound(l)
            ids.append(try w.createBody(BodyDescriptor(shape: shape, position: Vec3(0.02 * Float(k), 0.3 + 0.05 * Float(k), 0))))
        }
        var fastest: Float = 0
        for _ in 0..<180 {
            w.step(dt: Self.dt)
            for id in ids { fastest = max(fastest, w.linearVelocity(of: id).length) }
        }
        #expect(ids.allSatisfy { w.position(of: $0).isFinite && w.isEnabled($0) })
        #expect(fastest < 10, "separated at up to \(fastest) m/s")
        #expect(w.events.problems.isEmpty)
    }

    @Test("a hull sensor reports a ball falling through it once on entry and once on exit")
    func hullSensor() throws {
        let w = PhysicsWorld()
        let s = try w.createSensor(SensorDescriptor(shape: .hull(try Self.prism(height: 0.2)), position: Vec3(0, 2, 0)))
        try w.createBody(BodyDescriptor(shape: .sphere(radius: 0.05), position: Vec3(0.1, 3, 0)))
        var entered = 0, left = 0
        for _ in 0..<60 {
            w.step(dt: Self.dt)
            entered += w.events.sensorBegan.filter { $0.sensor == s }.count
            left += w.events.sensorEnded.filter { $0.sensor == s }.count
        }
        #expect(entered == 1 && left == 1, "entered \(entered), left \(left)")
    }

    @Test("ray casts hit hulls, compounds and meshes at the analytic distance (0.1 mm)")
    func rays() throws {
        let w = PhysicsWorld()
        let hull = try w.createBody(BodyDescriptor(kind: .static, shape: .hull(try Self.cubeHull()), position: Vec3(5, 0, 0)))
        let floor = try w.createBody(BodyDescriptor(kind: .static, shape: .mesh(try Self.gridMesh(size: 4, n: 2)), position: Vec3(0, -2, 0)))
        let c = try CompoundShape([.init(shape: .sphere(radius: 0.5), position: Vec3(0, 0, 0)), .init(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: Vec3(0, 0, 2))])
        let comp = try w.createBody(BodyDescriptor(kind: .static, shape: .compound(c), position: Vec3(0, 0, 5)))
        let h1 = w.rayCast(from: .zero, direction: .unitX, maxDistance: 100)
        #expect(h1?.body == hull && abs((h1?.distance ?? 0) - 4.5) < 1e-4 && h1?.normal.x ?? 0 < -0.999)
        let h2 = w.rayCast(from: Vec3(0.3, 0, 0), direction: -Vec3.unitY, maxDistance: 100)
        #expect(h2?.body == floor && abs((h2?.distance ?? 0) - 2) < 1e-4 && h2?.normal.y ?? 0 > 0.999)
        let h3 = w.rayCast(from: Vec3(0, 0, 10), direction: -Vec3.unitZ, maxDistance: 100)
        #expect(h3?.body == comp && abs((h3?.distance ?? 0) - 2.5) < 1e-4, "\(String(describing: h3))")
    }
}
