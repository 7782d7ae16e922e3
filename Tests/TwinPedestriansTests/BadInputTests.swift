import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// Bad pedestrian scenes: each a clear error at load naming the element, never a hang
/// or a crash; a good scene still loads afterwards.
@Suite("pedestrians: bad input")
struct PedestrianBadInputTests {
    static let room = json(rectangle(0, 0, 10, 10))

    /// The issues of a scene whose `pedestrians` section is `section` (empty if it loaded).
    static func issues(_ section: String, model: Model = .cfsm, params: String = "{}") -> [SceneIssue] {
        do {
            _ = try SceneLoader().load(text: pedestrianScene(model, params: params, section: section), file: "p.json")
            return []
        } catch {
            return error.issues
        }
    }

    static func section(agents: String, stages: String? = nil, geometry: String? = nil, journeys: String? = nil, extra: String = "") -> String {
        """
        {"levels": [{"name": "ground", "geometry": \(geometry ?? "{\"walkableAreas\": [{\"outline\": \(room)}], \"obstacles\": [{\"outline\": \(json(rectangle(4, 4, 6, 6)))}]}")}],
         "stages": \(stages ?? "[{\"name\": \"out\", \"type\": \"exit\", \"area\": \(json(rectangle(9, 0, 10, 10)))}]"),
         "journeys": \(journeys ?? "[{\"name\": \"go\", \"stages\": [\"out\"]}]"),
         "agents": \(agents)\(extra)}
        """
    }

    func expectIssue(_ found: [SceneIssue], path: String, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
        guard let i = found.first else { return }
        #expect(i.path.jsonPath == path, "\(i)", sourceLocation: sourceLocation)
        #expect(i.message.contains(text), "\(i.message)", sourceLocation: sourceLocation)
        #expect(i.location.line > 0, sourceLocation: sourceLocation)
    }

    @Test("an agent inside an obstacle or outside every walkable area")
    func agentInWall() {
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [5, 5]}]")),
                    path: "$.pedestrians.agents[0].position", "no walkable area")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [50, 5]}]")),
                    path: "$.pedestrians.agents[0].position", "lies on no walkable area")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"count\": 5, \"area\": \(json(rectangle(4.2, 4.2, 5.8, 5.8)))}]")),
                    path: "$.pedestrians.agents[0].area", "no walkable area")
    }

    @Test("an unreachable destination on disconnected geometry")
    func unreachable() {
        let twoRooms = "{\"walkableAreas\": [{\"outline\": \(json(rectangle(0, 0, 4, 4)))}, {\"outline\": \(json(rectangle(6, 0, 10, 4)))}]}"
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1]}]",
                                             stages: "[{\"name\": \"out\", \"type\": \"exit\", \"area\": \(json(rectangle(9, 0, 10, 4)))}]",
                                             geometry: twoRooms)),
                    path: "$.pedestrians.agents[0]", "cannot be reached")
        // Rooms joined only at a corner point (a zero-width opening) are disconnected too.
        let corner = "{\"walkableAreas\": [{\"outline\": \(json(rectangle(0, 0, 4, 4)))}, {\"outline\": \(json(rectangle(4, 4, 8, 8)))}]}"
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1]}]",
                                             stages: "[{\"name\": \"out\", \"type\": \"exit\", \"area\": \(json(rectangle(7, 4, 8, 8)))}]",
                                             geometry: corner)),
                    path: "$.pedestrians.agents[0]", "cannot be reached")
    }

    @Test("a zero-width door")
    func zeroWidthDoor() {
        let geometry = "{\"walkableAreas\": [{\"outline\": \(Self.room)}], \"doors\": [{\"points\": [[10, 5], [10, 5]]}]}"
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1]}]", geometry: geometry)),
                    path: "$.pedestrians.levels[0].geometry.doors[0]", "zero width")
    }

    @Test("a self-intersecting polygon")
    func bowTie() {
        let geometry = "{\"walkableAreas\": [{\"outline\": [[0, 0], [10, 10], [10, 0], [0, 10]]}]}"
        expectIssue(Self.issues(Self.section(agents: "[]", geometry: geometry)), path: "$.pedestrians.levels[0]", "intersects itself")
        expectIssue(Self.issues(Self.section(agents: "[]", stages: "[{\"name\": \"out\", \"type\": \"exit\", \"area\": [[9, 0], [10, 10], [10, 0], [9, 10]]}]")),
                    path: "$.pedestrians.stages[0].area", "intersects itself")
    }

    /// JSON has no NaN; an overflowing number is rejected by the parser with its
    /// position, and out-of-range model parameters name the parameter.
    @Test("NaN, infinite and out-of-range parameters")
    func nonFinite() {
        let inf = Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1], \"speed\": 1e999}]"))
        #expect(inf.count == 1 && inf[0].message.contains("out of range") && inf[0].location.line > 0, "\(inf)")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1], \"radius\": {\"normal\": {\"mean\": 0.2, \"sd\": -1}}}]")),
                    path: "$.pedestrians.agents[0].radius", "sd")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1], \"speed\": -2}]")),
                    path: "$.pedestrians.agents[0].speed", "speed must stay within")
        let found = Self.issues(Self.section(agents: "[]"), params: "{\"timeGap\": 0}")
        #expect(found.count == 1 && found.first?.message.contains("timeGap") == true, "\(found)")
        let sfm = Self.issues(Self.section(agents: "[]"), model: .sfm, params: "{\"relaxationTime\": -1}")
        #expect(sfm.first?.message.contains("relaxationTime") == true, "\(sfm)")
        let gcfm = Self.issues(Self.section(agents: "[]"), model: .gcfm, params: "{\"bMax\": 0.1}")
        #expect(gcfm.count == 1 && gcfm.first?.message.contains("bMax must be at least bMin") == true, "\(gcfm)")
        let eta = Self.issues(Self.section(agents: "[]"), model: .gcfm, params: "{\"strength\": -0.28}")
        #expect(eta.count == 1 && eta.first?.message.contains("strength") == true, "\(eta)")
        let term = Self.issues(Self.section(agents: "[]"), model: .sfm, params: "{\"socialTerm\": \"elliptic\"}")
        #expect(term.count == 1 && term.first?.message.contains("socialTerm must be \"circular\", \"ellipticalI\", \"ellipticalII\" or \"calibrated\"") == true, "\(term)")
        let reach = Self.issues(Self.section(agents: "[]"), model: .sfm, params: "{\"neighbourRange\": 0.5}")
        #expect(reach.count == 1 && reach.first?.message.contains("neighbourRange") == true, "\(reach)")
        for bad in ["-0.5", "3"] {
            let respect = Self.issues(Self.section(agents: "[]"), model: .sfm, params: "{\"respectFactor\": \(bad)}")
            #expect(respect.count == 1 && respect.first?.message.contains("respectFactor must be in [0.0, 2.0], got \(bad)") == true, "\(respect)")
        }
        for (name, bad) in [("calibratedStrength", "-1"), ("calibratedRange", "0"), ("calibratedAnisotropy", "1.5")] {
            let found = Self.issues(Self.section(agents: "[]"), model: .sfm, params: "{\"socialTerm\": \"calibrated\", \"\(name)\": \(bad)}")
            #expect(found.count == 1 && found.first?.message.contains("\(name) must be in") == true, "\(found)")
        }
        let horizon = Self.issues(Self.section(agents: "[]"), model: .sfm, params: "{\"ellipticalHorizon\": -1}")
        #expect(horizon.count == 1 && horizon.first?.message.contains("ellipticalHorizon") == true, "\(horizon)")
    }

    @Test("unknown names, with did-you-mean")
    func unknownNames() {
        expectIssue(Self.issues(Self.section(agents: "[]", journeys: "[{\"name\": \"go\", \"stages\": [\"ot\"]}]")),
                    path: "$.pedestrians.journeys[0].stages[0]", "did you mean \"out\"")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"og\", \"position\": [1, 1]}]")),
                    path: "$.pedestrians.agents[0].journey", "known: go")
        expectIssue(Self.issues(Self.section(agents: "[]", stages: "[{\"name\": \"out\", \"type\": \"exitt\", \"area\": \(json(rectangle(9, 0, 10, 10)))}]")),
                    path: "$.pedestrians.stages[0].type", "unknown stage type")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1], \"spede\": 1}]")),
                    path: "$.pedestrians.agents[0].spede", "spede")
    }

    @Test("a stair whose edge does not touch its level, and impossible placements")
    func stairsAndPlacement() {
        let section = """
        {"levels": [{"name": "a", "height": 0, "geometry": {"walkableAreas": [{"outline": \(json(rectangle(0, 0, 5, 2)))}]}},
                    {"name": "b", "height": 3, "geometry": {"walkableAreas": [{"outline": \(json(rectangle(13, 0, 18, 2)))}]}}],
         "stairs": [{"name": "s", "from": "a", "to": "b", "bottom": [[6, 0], [6, 2]], "top": [[13, 0], [13, 2]]}],
         "stages": [{"name": "out", "type": "exit", "area": \(json(rectangle(17, 0, 18, 2)))}],
         "journeys": [{"name": "go", "stages": ["out"]}]}
        """
        expectIssue(Self.issues(section), path: "$.pedestrians.stairs[0].bottom", "does not border level \"a\"")
        expectIssue(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"count\": 500, \"area\": \(json(rectangle(0, 0, 2, 2)))}]")),
                    path: "$.pedestrians.agents[0]", "cannot place 500 agents")
    }

    @Test("a scene listing systems without the journeys system or with two models")
    func systems() {
        let text = """
        {"world": {"dt": 0.05}, "systems": [{"id": "pedestrians.collision-free-speed"}, {"id": "pedestrians.social-force"}, {"id": "pedestrians.journeys"}],
         "pedestrians": \(Self.section(agents: "[]"))}
        """
        let found: [SceneIssue]
        do { _ = try SceneLoader().load(text: text, file: "p.json"); found = [] } catch { found = error.issues }
        #expect(found.contains { $0.message.contains("exactly one model") }, "\(found)")
        // The process goes on: a good scene loads after all of these.
        #expect(Self.issues(Self.section(agents: "[{\"journey\": \"go\", \"position\": [1, 1]}]")).isEmpty)
    }
}
