import Foundation
import Testing
import TwinRuntime
import TwinTesting

/// A `set` of one field of a `SettableFieldsComponent` skips encode/merge/decode; it
/// must be indistinguishable from that JSON path: the same values accepted, the same
/// stored result, the same refusals, nothing changed by a refusal.
@Suite("external commands: fields set directly")
struct DirectSetTests {
    static let scene = """
    {"world": {"dt": 0.0625, "seed": 3}, "systems": [],
     "entities": [{"name": "m", "components": {"MachineControl": {"release": 4}, "Position": [1, 2, 3],
                   "Velocity": [0, 0, 1], "Acceleration": [0, -9.81, 0], "Lifetime": {"remaining": 9}}}]}
    """

    static let probes: [String] = [
        "0", "1", "-1", "2.5", "-7.25", "1e300", "-1e300", "3.4028234663852886e38", "3.5e38", "9.2e18", "9223372036854775808",
        "-9223372036854775808", "1e-320", "true", "false", "\"7\"", "null", "{}",
        "[1, 2, 3]", "[0.1, -0.2, 1e30]", "[1, 2]", "[1, 2, 3, 4]", "[1, \"a\", 3]", "[1e39, 0, 0]", "[true, 0, 0]",
    ]

    /// Component name → the member paths its setter covers.
    static let fields: [(component: String, path: [String])] = [
        ("MachineControl", ["release"]), ("MachineControl", ["forcedDown"]), ("MachineControl", ["closed"]),
        ("Position", []), ("Velocity", []), ("Acceleration", []), ("Lifetime", ["remaining"]),
    ]

    @Test("every probe value: the same result and the same refusals as decoding", arguments: fields.indices)
    func sameAsDecoding(field: Int) throws {
        let (component, path) = Self.fields[field]
        let f = try SceneFixture(json: Self.scene)
        let e = try #require(f.simulation.entity(.name("m")))
        let type = try #require(f.world.registry.type(named: component))
        #expect(type.fieldSetter(at: path) != nil, "\(component) \(path) has no direct setter")
        for text in Self.probes {
            let leaf = try JSONParser.parse(Array(text.utf8))
            let value = path.reversed().reduce(leaf) { inner, key in .object([(key, inner)]) }
            let before = try #require(f.world.encodeComponent(named: component, of: e))
            let expected = try? type.decode(before.merging(value), decoder: JSONValueDecoder())
            let logged = f.simulation.commandLog.count
            f.simulation.commandQueue.enqueue(.set(entity: .name("m"), component: component, value: value))
            f.run(steps: 1)
            let applied = try #require(f.simulation.commandLog.last)
            #expect(f.simulation.commandLog.count == logged + 1)
            let after = try #require(f.world.encodeComponent(named: component, of: e))
            if let expected {
                let want = try JSONValueEncoder().encode(expected)
                #expect(applied.rejection == nil, "\(component) \(path) = \(text): refused (\(applied.rejection ?? "")) but decoding accepts it")
                #expect(JSONWriter.string(after) == JSONWriter.string(want), "\(component) \(path) = \(text)")
            } else {
                #expect(applied.rejection != nil, "\(component) \(path) = \(text): accepted, but decoding refuses it")
                #expect(JSONWriter.string(after) == JSONWriter.string(before), "\(component) \(path) = \(text): a refusal changed the value")
            }
        }
    }

    @Test("a field without a setter, and a component the entity lacks, still take the JSON path")
    func fallbacks() throws {
        let f = try SceneFixture(json: Self.scene)
        let type = try #require(f.world.registry.type(named: "MachineControl"))
        #expect(type.fieldSetter(at: ["speed"]) == nil)
        #expect(type.fieldSetter(at: []) == nil)
        f.simulation.commandQueue.enqueue(.set(entity: .name("m"), component: "MachineControl",
                                               value: .object([("speed", .number(2))])))
        f.simulation.commandQueue.enqueue(.set(entity: .name("m"), component: "MachineControl",
                                               value: .object([("closed", .bool(true)), ("release", .number(9))])))
        f.simulation.commandQueue.enqueue(.remove(entity: .name("m"), component: "Lifetime"))
        f.simulation.commandQueue.enqueue(.set(entity: .name("m"), component: "Lifetime",
                                               value: .object([("remaining", .number(5))])))
        f.run(steps: 1)
        let e = try #require(f.simulation.entity(.name("m")))
        #expect(f.simulation.commandLog.map { $0.rejection == nil } == [false, true, true, true])
        #expect(f.simulation.commandLog[0].rejection?.contains("speed") == true)
        #expect(f.world.get(MachineControl.self, of: e) == MachineControl(forcedDown: false, closed: true, release: 9))
        #expect(f.world.get(Lifetime.self, of: e)?.remaining == 5)
    }
}
