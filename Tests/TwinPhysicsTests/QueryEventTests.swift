import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// Ray casts, overlaps, sensors, hit events and conveyor surfaces against hand-computed values.
@Suite("queries, sensors and events")
struct QueryEventTests {
    @Test("ray casts hit the nearest surface at the analytic distance (1e-4 m) with its normal")
    func rays() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        let sphere = try w.createBody(BodyDescriptor(kind: .static, shape: .sphere(radius: 1), position: Vec3(0, 5, 0)))
        let box = try w.createBody(BodyDescriptor(kind: .static, shape: .box(halfExtents: Vec3(1, 2, 3)), position: Vec3(10, 2, 0),
                                                  rotation: Quat(yaw: .pi / 2)))
        let capsule = try w.createBody(BodyDescriptor(kind: .static, shape: .capsule(radius: 0.5, halfHeight: 1), position: Vec3(-10, 3, 0)))
        let down = try #require(w.rayCast(from: Vec3(0, 10, 0), direction: Vec3(0, -1, 0), maxDistance: 100))
        #expect(down.body == sphere && abs(down.distance - 4) < 1e-4 && (down.normal - Vec3(0, 1, 0)).length < 1e-4)
        let ground = try #require(w.rayCast(from: Vec3(3, 10, 0), direction: Vec3(0, -2, 0), maxDistance: 100))
        #expect(ground.body == BodyID(0) && abs(ground.distance - 10) < 1e-4)
        // The box is turned 90°: its 3 m half extent now lies along X.
        let side = try #require(w.rayCast(from: Vec3(0, 2, 0), direction: Vec3(1, 0, 0), maxDistance: 100))
        #expect(side.body == box && abs(side.distance - 7) < 1e-4 && (side.normal - Vec3(-1, 0, 0)).length < 1e-4)
        let cap = try #require(w.rayCast(from: Vec3(-10, 10, 0), direction: Vec3(0, -1, 0), maxDistance: 100))
        #expect(cap.body == capsule && abs(cap.distance - 5.5) < 1e-4)
        #expect(w.rayCast(from: Vec3(0, 10, 0), direction: Vec3(0, 1, 0), maxDistance: 100) == nil)
        #expect(w.rayCast(from: Vec3(0, 10, 0), direction: Vec3(0, -1, 0), maxDistance: 3.9) == nil)
    }

    @Test("a sensor reports each falling ball once on entry and once on exit; overlap finds bodies inside")
    func sensor() throws {
        let w = PhysicsWorld()
        let s = try w.createSensor(SensorDescriptor(shape: .box(halfExtents: Vec3(2, 0.5, 2)), position: Vec3(0, 5, 0)))
        var balls: [BodyID] = []
        for k in 0..<3 { balls.append(try w.createBody(BodyDescriptor(shape: .sphere(radius: 0.1), position: Vec3(Float(k) - 1, 8, 0)))) }
        var began: [BodyID] = [], ended: [BodyID] = []
        var insideAtSomePoint = false
        for _ in 0..<120 {
            w.step(dt: 1.0 / 60)
            began += w.events.sensorBegan.map(\.body)
            ended += w.events.sensorEnded.map(\.body)
            if w.bodies(inSensor: s).count == 3 { insideAtSomePoint = true }
        }
        #expect(began == balls && ended == balls)
        #expect(insideAtSomePoint)
        #expect(w.overlap(.box(halfExtents: Vec3(5, 100, 5)), position: .zero) == balls)
        #expect(throws: PhysicsError.self) { try w.createSensor(SensorDescriptor(shape: .plane)) }
    }

    @Test("a hit event carries the approach speed and an impulse m·v·(1 + e) within 10 %")
    func hit() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        var d = BodyDescriptor(shape: .sphere(radius: 0.1), position: Vec3(0, 1.1, 0))
        d.mass = 2
        d.material.restitution = 0.5
        _ = try w.createBody(d)
        var hits: [ContactHit] = []
        for _ in 0..<240 {
            w.step(dt: 1.0 / 240)
            hits += w.events.hits
        }
        let first = try #require(hits.first)
        let v: Float = (2 * 9.81 * 1).squareRoot()
        #expect(abs(first.approachSpeed - v) < 0.05 * v, "speed \(first.approachSpeed)")
        #expect(abs(first.impulse - 2 * v * 1.5) < 0.1 * 2 * v * 1.5, "impulse \(first.impulse)")
    }

    @Test("a box on a conveyor surface reaches the belt speed; on a stopped belt it stays")
    func conveyor() throws {
        for speed: Float in [0, 1.2] {
            let w = PhysicsWorld()
            var belt = BodyDescriptor(kind: .static, shape: .box(halfExtents: Vec3(20, 0.1, 1)), position: Vec3(0, -0.1, 0))
            belt.surfaceVelocity = Vec3(speed, 0, 0)
            _ = try w.createBody(belt)
            let box = try w.createBody(BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.2)), position: Vec3(0, 0.2, 0)))
            for _ in 0..<120 { w.step(dt: 1.0 / 60) }
            #expect(abs(w.linearVelocity(of: box).x - speed) < 0.01, "speed \(w.linearVelocity(of: box).x) on a \(speed) m/s belt")
            #expect(abs(w.linearVelocity(of: box).z) < 0.01)
        }
    }

    @Test("a kinematic body pushes a dynamic box out of its way and is not pushed back")
    func kinematicPush() throws {
        let w = PhysicsWorld()
        PhysicsScenes.addGround(w)
        let pusher = try w.createBody(BodyDescriptor(kind: .kinematic, shape: .box(halfExtents: Vec3(0.5, 0.5, 0.5)), position: Vec3(-2, 0.5, 0)))
        w.setVelocity(pusher, linear: Vec3(1, 0, 0))
        let box = try w.createBody(BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.25)), position: Vec3(0, 0.25, 0)))
        for _ in 0..<180 { w.step(dt: 1.0 / 60) }
        #expect(abs(w.position(of: pusher).x - 1) < 1e-3)
        #expect(w.position(of: box).x > w.position(of: pusher).x + 0.7, "box at \(w.position(of: box).x)")
    }
}
