import Testing
import TwinRuntime
import TwinTesting

/// Loads `text` and returns its issues (empty if it loaded).
func issues(_ text: String, options: SceneLoadOptions = .init()) -> [SceneIssue] {
    do {
        _ = try SceneLoader().load(text: text, file: "s.json", options: options)
        return []
    } catch {
        return error.issues
    }
}

@Suite("Scene errors name file, line, JSON path and what was expected")
struct SceneErrorTests {
    @Test("unknown system: lists the known ids with a did-you-mean")
    func unknownSystem() {
        let found = issues("""
        {"world": {"dt": 0.05},
         "systems": [{"id": "core.integrat"}]}
        """)
        #expect(found.count == 1)
        let i = found[0]
        #expect(i.path.jsonPath == "$.systems[0].id")
        #expect(i.location.line == 2)
        #expect(i.message.contains("unknown system \"core.integrat\""))
        #expect(i.message.contains("did you mean \"core.integrate\""))
        #expect(i.message.contains("core.lifetime"))
        #expect(i.description.hasPrefix("s.json:2:"))
    }

    @Test("unknown component")
    func unknownComponent() {
        let found = issues("""
        {"entities": [
          {"components": {"Position": [0, 0, 0],
                          "Velocty": [1, 0, 0]}}]}
        """)
        #expect(found.count == 1)
        #expect(found.first?.path.jsonPath == "$.entities[0].components.Velocty")
        #expect(found.first?.location == SourceLocation(line: 3, column: 19))
        #expect(found.first?.message.contains("did you mean \"Velocity\"") == true)
    }

    @Test("wrong type")
    func wrongType() {
        let found = issues("""
        {"world": {"dt": "fast"}}
        """)
        #expect(found.count == 1)
        #expect(found.first?.path.jsonPath == "$.world.dt")
        #expect(found.first?.location == SourceLocation(line: 1, column: 18))
        #expect(found.first?.message == "expected a number, found a string")
    }

    @Test("missing field")
    func missingField() {
        let found = issues("""
        {"prefabs": {"p": {"components": {"Kind": "x"}}},
         "spawners": [{"prefab": "p"}]}
        """)
        #expect(found.count == 1)
        #expect(found.first?.path.jsonPath == "$.spawners[0]")
        #expect(found.first?.location.line == 2)
        #expect(found.first?.message == "missing required member \"rate\"")
    }

    @Test("bad $param: unknown name, out-of-range override, wrong kind")
    func badParam() {
        let unknown = issues("""
        {"parameters": {"speed": {"default": 1, "min": 0, "max": 2}},
         "entities": [{"components": {"Velocity": [{"$param": "sped"}, 0, 0]}}]}
        """)
        #expect(unknown.count == 1)
        #expect(unknown.first?.path.jsonPath == "$.entities[0].components.Velocity[0].$param")
        #expect(unknown.first?.location == SourceLocation(line: 2, column: 55))
        #expect(unknown.first?.message.contains("did you mean \"speed\"") == true)

        let scene = """
        {"parameters": {"speed": {"default": 1, "min": 0, "max": 2, "unit": "m/s"}},
         "entities": [{"components": {"Velocity": [{"$param": "speed"}, 0, 0]}}]}
        """
        #expect(issues(scene).isEmpty)
        let high = issues(scene, options: .init(parameterOverrides: ["speed": .number(5)]))
        #expect(high.first?.message.contains("5 is above the maximum 2 m/s") == true)
        let kind = issues(scene, options: .init(parameterOverrides: ["speed": .string("fast")]))
        #expect(kind.first?.message.contains("expected a number") == true)
        let other = issues(scene, options: .init(parameterOverrides: ["sped": .number(1)]))
        #expect(other.first?.message.contains("unknown parameter \"sped\"") == true)
    }

    @Test("malformed JSON")
    func malformed() {
        let found = issues("{\"world\": {\"dt\": 0.05,}\n}")
        #expect(found.count == 1)
        #expect(found.first?.location == SourceLocation(line: 1, column: 23))
        #expect(found.first?.message.hasPrefix("malformed JSON: expected a member name") == true)
    }

    @Test("unknown section, system parameter and member")
    func unknownKeys() {
        let found = issues("""
        {"sytems": [],
         "systems": [{"id": "core.integrate", "params": {"dampng": 1}}],
         "world": {"dt": 0.05, "sead": 1}}
        """)
        let messages = found.map(\.description)
        #expect(found.count == 3, "\(messages)")
        #expect(messages.contains { $0.contains("$.sytems") && $0.contains("did you mean \"systems\"") })
        #expect(messages.contains { $0.contains("$.systems[0].params.dampng") && $0.contains("known: damping") })
        #expect(messages.contains { $0.contains("$.world.sead") && $0.contains("did you mean \"seed\"") })
    }

    @Test("parameter validation in systems and spawners points at the member")
    func ranges() {
        let found = issues("""
        {"systems": [{"id": "core.integrate", "params": {"damping": -1}}]}
        """)
        #expect(found.first?.path.jsonPath == "$.systems[0].params.damping")
        #expect(found.first?.message.contains("damping must be ≥ 0") == true)
        let dt = issues("{\"world\": {\"dt\": 0}}")
        #expect(dt.first?.message.contains("dt must be in (0, 10]") == true)
    }

    @Test("several errors in one file are all reported")
    func many() {
        let found = issues("""
        {"entities": [{"components": {"Nope": 1}}, {"prefab": "ghost"}, {"components": {"Position": [1, 2]}}]}
        """)
        #expect(found.count == 3)
        #expect(found.map(\.path.jsonPath) == ["$.entities[0].components.Nope", "$.entities[1].prefab", "$.entities[2].components.Position"])
    }

    @Test("duplicate entity names are rejected")
    func duplicateNames() {
        let found = issues("""
        {"entities": [{"name": "a"}, {"name": "a"}]}
        """)
        #expect(found.first?.message.contains("already used by $.entities[0]") == true)
    }
}

@Suite("Fuzzed scenes give errors, never crashes")
struct SceneFuzzTests {
    @Test("hundreds of truncated and mutated copies of the shipped scenes load or fail cleanly")
    func fuzz() throws {
        let root = packageRoot() + "/Scenes/"
        var r = RandomStream(seed: 2026)
        var failures = 0, loads = 0
        for name in ["warehouse-arrivals.json", "drone-swarm.json", "fountain.json"] {
            let text = try String(contentsOfFile: root + name, encoding: .utf8)
            let bytes = Array(text.utf8)
            for k in 0..<150 {
                var b = bytes
                switch k % 5 {
                case 0: b = Array(b.prefix(Int(r.next() % UInt64(b.count))))
                case 1:
                    for _ in 0..<4 { b[Int(r.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: r.next()) }
                case 2:
                    let i = Int(r.next() % UInt64(b.count))
                    b.insert(contentsOf: Array(["[", "{", "\"", "-", "1e999", "null", ",", "}"][Int(r.next() % 8)].utf8), at: i)
                case 3:
                    let i = Int(r.next() % UInt64(b.count)), j = min(b.count, i + Int(r.next() % 40))
                    b.removeSubrange(i..<j)
                default:
                    // Swap two digits' worth of meaning: numbers become huge, negative or zero.
                    if let i = b.indices.filter({ b[$0] >= 48 && b[$0] <= 57 }).randomElement(using: &r) {
                        b.replaceSubrange(i...i, with: Array(["0", "-9", "1e30", "\"x\""][Int(r.next() % 4)].utf8))
                    }
                }
                do {
                    let sim = try SceneLoader().load(bytes: b, file: name)
                    sim.recordsStateHashes = false
                    for _ in 0..<20 { sim.step() }
                    loads += 1
                } catch {
                    #expect(!error.issues.isEmpty)
                    for i in error.issues { #expect(!i.message.isEmpty) }
                    failures += 1
                }
            }
        }
        #expect(failures > 100, "mutations should mostly break the scenes (\(failures) failed, \(loads) loaded)")
    }
}
