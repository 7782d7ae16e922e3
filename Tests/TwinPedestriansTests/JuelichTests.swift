import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// The Jülich verification tests from JuPedSim's documentation.
@Suite("Jülich verification tests")
struct JuelichTests {
    static func corridor(_ model: Model, length: Double = 12, width: Double = 2, angle: Double = 0, agents: String,
                         stages: String? = nil, journey: String = "[\"out\"]", seed: Int = 1) throws -> SceneFixture {
        // The exit is the last metre before x = length; the floor runs on 1 m past it, so
        // the end wall stays beyond the 2 m reach of wall forces that grow with the
        // speed towards the wall (generalized centrifugal force model) until the walker
        // has left: an exit is an opening, not a wall.
        let area = rotated(rectangle(-1, 0, length + 1, width), angle), exit = rotated(rectangle(length - 1, 0, length + 1, width), angle)
        return try SceneFixture(json: pedestrianScene(model, seed: seed, section: """
            {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(area))}]}}],
             "stages": [{"name": "out", "type": "exit", "area": \(json(exit))}\(stages.map { ", " + $0 } ?? "")],
             "journeys": [{"name": "walk", "stages": \(journey)}],
             "agents": \(agents)}
            """))
    }

    /// 1 and 2: free flow from mid-corridor at v0 = 1 m/s over 10 m takes 10 s (+ τ for
    /// the force model), also with the corridor rotated by 45°; within 0.3 s and one step
    /// of each other.
    @Test("1–2: free flow in a corridor, and rotated by 45°", arguments: Model.allCases)
    func freeFlow(model: Model) throws {
        var times: [Double] = []
        for angle in [0.0, 45] {
            let start = rotated([(0, 1)], angle)[0]
            let f = try Self.corridor(model, length: 11, angle: angle, agents: """
                [{"journey": "walk", "position": [\(start.0), \(start.1)], "speed": 1.0}]
                """)
            let tr = runRecording(f, maxTime: 30)
            let path = try #require(tr.samples.values.first)
            let a = angle * .pi / 180
            let t = try #require(crossingTime(path, axis: (cos(a), sin(a)), at: 10, start: (0, 0)))
            #expect(abs(t - (10 + model.accelerationDelay)) <= 0.3, "angle \(angle)°: \(t) s")
            times.append(t)
        }
        #expect(abs(times[1] - times[0]) <= model.dt + 0.1, "rotation changed the time: \(times)")
    }

    /// 3: from random starts in a holding area (5 seeds × 10 agents), the goal is always reached.
    @Test("3: random starts always reach the goal", arguments: Model.allCases)
    func randomStarts(model: Model) throws {
        for seed in 1...5 {
            let outline = [(0.0, 0.0), (8, 0), (8, 3.5), (12, 3.5), (12, 4.5), (8, 4.5), (8, 8), (0, 8)]
            let f = try SceneFixture(json: pedestrianScene(model, seed: seed, section: """
                {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(outline))}],
                                                            "obstacles": [{"outline": \(json(rectangle(3, 3, 5, 5)))}]}}],
                 "stages": [{"name": "goal", "type": "exit", "area": \(json(rectangle(11.5, 3.5, 12, 4.5)))}],
                 "journeys": [{"name": "go", "stages": ["goal"]}],
                 "agents": [{"journey": "go", "count": 10, "area": \(json(rectangle(0.5, 0.5, 7.5, 7.5)))}]}
                """))
            let tr = runRecording(f, maxTime: 120)
            #expect(tr.exitTimes.count == 10, "seed \(seed): \(tr.exitTimes.count) of 10 reached the goal")
        }
    }

    /// 4: a walker overtakes a pedestrian standing in a 2 m corridor.
    @Test("4: overtaking a standing pedestrian", arguments: Model.allCases)
    func overtaking(model: Model) throws {
        let f = try Self.corridor(model, length: 14, agents: """
            [{"journey": "walk", "position": [0, 1.1], "speed": 1.2}, {"journey": "walk", "position": [5, 1.0], "speed": 0}]
            """)
        let tr = runRecording(f, maxTime: 40)
        let walker = try #require(tr.samples.values.first { ($0.first?.x ?? 9) < 1 })
        #expect(tr.exitTimes.count == 1, "the walker reached the exit")
        #expect((walker.last?.x ?? 0) > 12, "the walker got past (last x \(walker.last?.x ?? 0))")
    }

    /// 5: in a corridor too narrow to pass (0.7 m for two 0.4 m bodies) the walker
    /// stays behind the standing pedestrian without serious overlap (≤ 10 % of the bodies'
    /// length along the corridor: 2r = 0.4 m for discs, 2·a_min = 0.36 m for the
    /// generalized centrifugal force model's ellipses at rest).
    @Test("5: no overtaking where there is no room", arguments: Model.allCases)
    func noRoom(model: Model) throws {
        let f = try Self.corridor(model, length: 14, width: 0.7, agents: """
            [{"journey": "walk", "position": [0, 0.35], "speed": 1.2, "radius": 0.2}, {"journey": "walk", "position": [5, 0.35], "speed": 0, "radius": 0.2}]
            """)
        var worst = 0.0
        for _ in 0..<Int(20 / model.dt) {
            f.run(steps: 1)
            let ps = f.values(PedestrianAgent.self).compactMap { f.world.get(Position.self, of: $0.0)?.value }
            guard ps.count == 2 else { break }
            let d = Double((ps[0] - ps[1]).length)
            worst = max(worst, (model.contactDistance - d) / model.contactDistance)
            let (walker, standing) = ps[0].x < ps[1].x ? (ps[0], ps[1]) : (ps[1], ps[0])
            #expect(walker.x < standing.x, "the walker passed through")
        }
        #expect(worst <= 0.1, "overlap \(worst * 100) % of a diameter")
    }

    /// 6: intermediate goals on a straight line do not change the speed: 10 m in 10 s
    /// at 1 m/s (+ τ), speed after the start within 2 % of v0.
    @Test("6: intermediate goals on a line", arguments: Model.allCases)
    func intermediateGoals(model: Model) throws {
        let stages = (1...4).map { "{\"name\": \"w\($0)\", \"type\": \"waypoint\", \"position\": [\(2 * $0), 1], \"distance\": 0.5}" }
        let f = try Self.corridor(model, length: 11, agents: """
            [{"journey": "walk", "position": [0, 1], "speed": 1.0}]
            """, stages: stages.joined(separator: ", "), journey: "[\"w1\", \"w2\", \"w3\", \"w4\", \"out\"]")
        let tr = runRecording(f, maxTime: 30)
        let path = try #require(tr.samples.values.first)
        let t = try #require(crossingTime(path, axis: (1, 0), at: 10, start: (0, 0)))
        #expect(abs(t - (10 + model.accelerationDelay)) <= 0.3, "\(t) s")
        for p in path where p.t > 5 * model.accelerationDelay + 0.2 && p.x < 9.5 {
            let v = (p.vx * p.vx + p.vz * p.vz).squareRoot()
            #expect(abs(v - 1) <= 0.02, "speed \(v) at x = \(p.x)")
        }
    }
}
