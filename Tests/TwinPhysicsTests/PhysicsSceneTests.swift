import Testing
import TwinCore
import TwinMath
import TwinRuntime
import TwinTesting
@testable import TwinPhysics

/// The `physics` plugin inside a scene: example scenes, interop with conveyors and
/// kinematic vehicles, determinism with 2 workers, and bad scene input.
@Suite("physics plugin in scenes")
struct PhysicsSceneTests {
    static func scene(_ name: String) -> String { packageRoot() + "/Scenes/" + name }

    @Test("chute-conveyor: parcels slide onto the belt, ride it at belt speed and are counted by the sensor")
    func chuteConveyor() throws {
        let f = try SceneFixture(file: Self.scene("chute-conveyor.json"))
        var beltSpeeds: [Float] = []
        f.run(steps: 40 * 60) { sim in
            sim.world.query(Position.self, Velocity.self, RigidBody.self).forEach { _, p, v, _ in
                if p.value.y > 1.0 && p.value.y < 1.3 && p.value.x > 1 && p.value.x < 4.5 { beltSpeeds.append(v.value.x) }
            }
        }
        let sensors = f.values(PhysicsSensor.self)
        let counted = sensors.first?.1.entered ?? 0
        // 0.5 parcels/s for 40 s, the first takes a few seconds to arrive: about 16.
        #expect(counted >= 10 && counted <= 20, "counted \(counted)")
        let mean = beltSpeeds.reduce(0, +) / Float(max(1, beltSpeeds.count))
        #expect(abs(mean - 1.0) < 0.1, "parcels on the belt move at \(mean) m/s, belt 1 m/s")
    }

    @Test("stack-vehicle: the kinematic vehicle knocks the wall over; every body stays finite")
    func stackVehicle() throws {
        let f = try SceneFixture(file: Self.scene("stack-vehicle.json"))
        f.run(steps: 60)
        let before = f.values(RigidBody.self).filter { $0.1.kind == "dynamic" }.count
        #expect(before == 15)
        #expect(f.values(RigidBody.self).allSatisfy { !$0.1.isAwake || $0.1.kind != "dynamic" }, "the wall should fall asleep before the hit")
        f.run(steps: 8 * 60)
        let heights = f.values(Position.self).filter { f.world.has(Steered.self, $0.0) }.map(\.1.value)
        #expect(heights.allSatisfy { $0.isFinite })
        #expect((heights.map(\.y).max() ?? 9) < 2.0, "the top row (2.7 m) should have fallen: \(heights.map(\.y))")
        #expect(heights.contains { $0.x > 1 }, "boxes should be pushed along the vehicle's path")
    }

    @Test("a pile scene gives the same state hash at every step with 1 and 2 workers")
    func workers() throws {
        var boxes: [String] = []
        for i in 0..<200 {
            let x = Float(i % 10) * 0.75 - 3.4 + 0.05 * PhysicsScenes.jitter(i, 1)
            let z = Float((i / 10) % 5) * 0.75 - 1.5
            let y = 0.75 + Float(i / 50) * 0.75
            boxes.append("""
                {"components": {"Position": [\(x), \(y), \(z)], "Rotation": [0, \(0.1 * PhysicsScenes.jitter(i, 3)), 0, 1],
                 "RigidBody": {}, "Collider": {"shape": "box", "halfExtents": [0.25, 0.25, 0.25]}}}
                """)
        }
        let text = """
            {"format": "twin-scene/1", "world": {"dt": 0.016666666666666666, "duration": 10},
             "systems": [{"id": "physics.rigid-body"}],
             "entities": [{"components": {"RigidBody": {"kind": "static"}, "Collider": {"shape": "plane"}}}, \(boxes.joined(separator: ","))]}
            """
        let one = try SceneFixture(json: text, options: .init(workers: 1)).hashes(steps: 90)
        let two = try SceneFixture(json: text, options: .init(workers: 2)).hashes(steps: 90)
        #expect(one == two)
        #expect(Set(one).count > 80)
    }

    @Test("bad bodies in a scene are reported as events and left out; the rest simulates")
    func badBodies() throws {
        let text = """
            {"format": "twin-scene/1", "world": {"dt": 0.016666666666666666, "duration": 10},
             "systems": [{"id": "physics.rigid-body"}],
             "entities": [
               {"name": "ok", "components": {"Position": [0, 5, 0], "RigidBody": {}, "Collider": {"shape": "sphere", "radius": 0.2}}},
               {"name": "zero", "components": {"Position": [1, 5, 0], "RigidBody": {}, "Collider": {"shape": "sphere", "radius": 0}}},
               {"name": "heavy", "components": {"Position": [3, 5, 0], "RigidBody": {"mass": -2}, "Collider": {}}},
               {"name": "moving plane", "components": {"RigidBody": {"kind": "dynamic"}, "Collider": {"shape": "plane"}}}
             ]}
            """
        let f = try SceneFixture(json: text)
        var reader = EventReader<PhysicsProblemEvent>()
        f.run(steps: 1)
        let problems = reader.read(f.world).map(\.reason)
        // An unknown collider shape is a load-time error now (ColliderSceneTests.badFields).
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.contains("radius") } && problems.contains { $0.contains("mass") })
        f.run(steps: 59)
        let ys = f.values(Position.self).map(\.1.value.y)
        #expect(ys.contains { $0 < 0.5 }, "the valid sphere falls freely from 5 m (no ground): \(ys)")
    }

    @Test("physics parameters out of range are scene errors naming the parameter")
    func badParameters() {
        let text = """
            {"format": "twin-scene/1", "world": {"dt": 0.016666666666666666, "duration": 1},
             "systems": [{"id": "physics.rigid-body", "params": {"substeps": 0}}]}
            """
        #expect(throws: (any Error).self) { _ = try SceneFixture(json: text) }
        do { _ = try SceneFixture(json: text) } catch { #expect("\(error)".contains("substeps")) }
    }
}
