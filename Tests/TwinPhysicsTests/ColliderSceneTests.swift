import Testing
import TwinCore
import TwinMath
import TwinRuntime
import TwinTesting
@testable import TwinPhysics

/// Hull, mesh and compound colliders in scenes: the example scene, inline shapes, and a
/// scene error at the field for every bad value of the new fields.
@Suite("hull, mesh and compound colliders in scenes")
struct ColliderSceneTests {
    @Test("hull-on-mesh: asset hulls, point hulls and compounds land on the mesh floor, slide off the ramp and sleep")
    func example() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/hull-on-mesh.json")
        var reader = EventReader<PhysicsProblemEvent>()
        f.run(steps: 12 * 60)
        #expect(reader.read(f.world).isEmpty)
        let bodies = f.values(Position.self).filter { f.world.has(Steered.self, $0.0) }.map(\.1.value)
        #expect(bodies.count == 9)
        // Everything is on the floor (y = 0) or the ramp (≤ 1.5 m), none below it.
        #expect(bodies.allSatisfy { $0.y > 0.05 && $0.y < 1.6 }, "\(bodies)")
        #expect(f.values(RigidBody.self).filter { $0.1.kind == "dynamic" }.allSatisfy { !$0.1.isAwake }, "all asleep after 12 s")
    }

    static func scene(_ collider: String, kind: String = "dynamic") -> String {
        """
        {"format": "twin-scene/1", "world": {"dt": 0.016666666666666666, "duration": 5},
         "systems": [{"id": "physics.rigid-body"}],
         "entities": [
           {"components": {"RigidBody": {"kind": "static"}, "Collider": {"shape": "plane"}}},
           {"name": "it", "components": {"Position": [0, 1, 0], "RigidBody": {"kind": "\(kind)"}, "Collider": \(collider)}}]}
        """
    }

    @Test("an inline hull and a compound fall and rest on the ground at their analytic heights (1 cm)")
    func inline() throws {
        let cases: [(String, Float)] = [
            (#"{"shape": "hull", "points": [[-0.5, -0.3, -0.5], [0.5, -0.3, -0.5], [0, -0.3, 0.5], [0, 0.6, 0]]}"#, 0.3),
            (#"{"shape": "compound", "children": [{"shape": "box", "halfExtents": [0.5, 0.1, 0.5]}, {"shape": "sphere", "radius": 0.2, "position": [0, 0.3, 0]}]}"#, 0.1),
        ]
        for (collider, rest) in cases {
            let f = try SceneFixture(json: Self.scene(collider))
            f.run(steps: 180)
            let y = f.values(Position.self).compactMap { f.world.has(Steered.self, $0.0) ? $0.1.value.y : nil }
            #expect(y.count == 1 && abs((y.first ?? 0) - rest) < 0.01, "\(collider): \(y)")
        }
    }

    @Test("bad collider fields are scene errors naming the field", arguments: [
        (#"{"shape": "cone"}"#, "cone"),
        (#"{"shape": "hull"}"#, "points"),
        (#"{"shape": "hull", "points": [[0, 0, 0], [1, 0, 0], [0, 0, 1], [1, 0, 1]]}"#, "plane"),
        (#"{"shape": "hull", "points": [[0, 0, 0], [1, 0, 0], [0, 1, 0]]}"#, "at least 4"),
        (#"{"shape": "hull", "points": [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], "asset": "crate"}"#, "either"),
        (#"{"shape": "hull", "points": "many"}"#, "points"),
        (#"{"shape": "mesh"}"#, "asset"),
        (#"{"shape": "compound"}"#, "children"),
        (#"{"shape": "compound", "children": [{"shape": "plane"}]}"#, "plane"),
        (#"{"shape": "compound", "children": [{"shape": "box", "rotation": [0, 0, 0, 0]}]}"#, "quaternion"),
        (#"{"shape": "compound", "children": [{"shape": "hull", "points": [[0, 0, 0]]}]}"#, "at least 4"),
    ])
    func badFields(collider: String, word: String) {
        do {
            _ = try SceneFixture(json: Self.scene(collider))
            Issue.record("accepted \(collider)")
        } catch {
            let text = "\(error)"
            #expect(text.contains(word) && text.contains("Collider"), "\(text)")
        }
    }

    @Test("a hull or mesh naming an asset the scene does not declare is a scene error at Collider.asset")
    func missingAsset() {
        for (collider, kind) in [(#"{"shape": "hull", "asset": "nothing"}"#, "dynamic"), (#"{"shape": "mesh", "asset": "nothing"}"#, "static")] {
            do {
                _ = try SceneFixture(json: Self.scene(collider, kind: kind))
                Issue.record("accepted \(collider)")
            } catch {
                let text = "\(error)"
                #expect(text.contains("nothing") && text.contains("Collider") && text.contains("asset"), "\(text)")
            }
        }
    }

    @Test("the example scene gives the same state hash at every step with 1 and 2 workers")
    func workers() throws {
        let file = packageRoot() + "/Scenes/hull-on-mesh.json"
        let one = try SceneFixture(file: file, options: .init(workers: 1)).hashes(steps: 240)
        let two = try SceneFixture(file: file, options: .init(workers: 2)).hashes(steps: 240)
        #expect(one == two)
        #expect(Set(one).count > 150, "the bodies move (and then sleep)")
    }

    @Test("a dynamic mesh collider is refused at run time with the reason")
    func dynamicMesh() throws {
        let text = """
            {"format": "twin-scene/1", "world": {"dt": 0.016666666666666666, "duration": 5},
             "assets": {"floor": {"file": "\(packageRoot())/Assets/models/ramp-floor.obj"}},
             "systems": [{"id": "physics.rigid-body"}],
             "entities": [{"components": {"Position": [0, 1, 0], "RigidBody": {}, "Collider": {"shape": "mesh", "asset": "floor"}}}]}
            """
        let f = try SceneFixture(json: text)
        var reader = EventReader<PhysicsProblemEvent>()
        f.run(steps: 1)
        #expect(reader.read(f.world).first?.reason.contains("static") == true)
    }
}
