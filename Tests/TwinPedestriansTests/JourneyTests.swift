import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// Journeys: queues released by another system or a timer, waiting areas, route
/// choices, sources, counting lines, closed exits, determinism across workers.
@Suite("pedestrians: journeys and measurements")
struct JourneyTests {
    static let hall = json(rectangle(0, 0, 20, 10))

    static func scene(stages: String, journeys: String, agents: String = "[]", sources: String = "[]", measure: String = "{}",
                      seed: Int = 1, model: Model = .cfsm) -> String {
        pedestrianScene(model, seed: seed, section: """
            {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(hall)}]}}],
             "stages": \(stages), "journeys": \(journeys), "agents": \(agents), "sources": \(sources), "measure": \(measure)}
            """)
    }

    static let exitRight = "{\"name\": \"out\", \"type\": \"exit\", \"area\": \(json(rectangle(19, 0, 20, 10)))}"

    func stage(_ f: SceneFixture, _ name: String) throws -> (Entity, WalkerStage) {
        let e = try #require(f.values(Name.self).first { $0.1.value == name }?.0)
        return (e, try #require(f.world.get(WalkerStage.self, of: e)))
    }

    @Test("a queue holds its agents in slot order until another system releases the head")
    func queueReleasedByAnotherSystem() throws {
        let slots = (0..<6).map { (10.0, 1.0 + Double($0) * 0.6) }
        let f = try SceneFixture(json: Self.scene(
            stages: "[{\"name\": \"counter\", \"type\": \"queue\", \"slots\": \(json(slots))}, \(Self.exitRight)]",
            journeys: "[{\"name\": \"shop\", \"stages\": [\"counter\", \"out\"]}]",
            agents: "[{\"journey\": \"shop\", \"count\": 4, \"area\": \(json(rectangle(1, 1, 5, 9)))}]"))
        f.run(steps: Int(20 / Model.cfsm.dt))
        var (q, st) = try stage(f, "counter")
        #expect(st.waiting == 4, "queued \(st.waiting)")
        #expect(f.values(PedestrianAgent.self).count == 4)
        // Queued agents stand on distinct slots.
        let spots = Set(f.values(PedestrianAgent.self).map { "\($0.1.spot.x),\($0.1.spot.y)" })
        #expect(spots.count == 4)
        // Another system (here: the test) releases one agent.
        f.world.update(WalkerStage.self, of: q) { $0.pendingReleases += 1 }
        f.run(steps: Int(20 / Model.cfsm.dt))
        (q, st) = try stage(f, "counter")
        #expect(st.waiting == 3 && st.passed == 1, "waiting \(st.waiting), passed \(st.passed)")
        #expect(f.values(PedestrianAgent.self).count == 3, "the released agent left through the exit")
    }

    @Test("a timed queue releases one agent per interval")
    func timedQueue() throws {
        let slots = (0..<10).map { (10.0, 0.5 + Double($0) * 0.6) }
        let f = try SceneFixture(json: Self.scene(
            stages: "[{\"name\": \"gate\", \"type\": \"queue\", \"slots\": \(json(slots)), \"release\": {\"every\": 4}}, \(Self.exitRight)]",
            journeys: "[{\"name\": \"j\", \"stages\": [\"gate\", \"out\"]}]",
            agents: "[{\"journey\": \"j\", \"count\": 6, \"area\": \(json(rectangle(1, 1, 5, 9)))}]"))
        f.run(steps: Int(30 / Model.cfsm.dt))
        let (_, st) = try stage(f, "gate")
        // Releases at 4, 8, …, 28 s: at most 7, and the first agents need ~8 s to arrive.
        #expect(st.passed >= 4 && st.passed <= 7, "passed \(st.passed)")
    }

    @Test("a waiting area holds agents for its duration")
    func waitingArea() throws {
        let f = try SceneFixture(json: Self.scene(
            stages: "[{\"name\": \"lobby\", \"type\": \"waiting\", \"area\": \(json(rectangle(8, 3, 12, 7))), \"duration\": 10}, \(Self.exitRight)]",
            journeys: "[{\"name\": \"j\", \"stages\": [\"lobby\", \"out\"]}]",
            agents: "[{\"journey\": \"j\", \"count\": 5, \"area\": \(json(rectangle(1, 1, 3, 9))), \"speed\": 1.3}]"))
        var firstExit: Double?
        var reachedLobby: Double?
        for _ in 0..<Int(60 / Model.cfsm.dt) {
            f.run(steps: 1)
            if reachedLobby == nil, f.values(PedestrianAgent.self).contains(where: { $0.1.activity == .waiting }) { reachedLobby = f.simulation.time }
            if firstExit == nil, f.values(PedestrianAgent.self).count < 5 { firstExit = f.simulation.time }
        }
        let r = try #require(reachedLobby), x = try #require(firstExit)
        #expect(x - r >= 10, "left \(x - r) s after reaching the lobby")
        #expect(f.values(PedestrianAgent.self).isEmpty)
    }

    @Test("weighted choice splits 3:1 within four binomial standard deviations", arguments: 1...5)
    func weightedChoice(seed: Int) throws {
        let f = try SceneFixture(json: Self.scene(
            stages: "[{\"name\": \"a\", \"type\": \"exit\", \"area\": \(json(rectangle(19, 0, 20, 4)))}, {\"name\": \"b\", \"type\": \"exit\", \"area\": \(json(rectangle(19, 6, 20, 10)))}]",
            journeys: "[{\"name\": \"j\", \"stages\": [{\"oneOf\": [\"a\", \"b\"], \"weights\": [3, 1]}]}]",
            agents: "[{\"journey\": \"j\", \"count\": 200, \"area\": \(json(rectangle(0.5, 0.5, 12, 9.5)))}]", seed: seed))
        let toA = f.values(PedestrianAgent.self).filter { $0.1.stage == 0 }.count
        let sd = (200 * 0.75 * 0.25).squareRoot()
        #expect(abs(Double(toA) - 150) <= 4 * sd, "\(toA) of 200 chose a")
    }

    @Test("least-crowded and travel-time choices use both exits")
    func crowdChoice() throws {
        for rule in ["least-crowded", "travel-time"] {
            let f = try SceneFixture(json: Self.scene(
                stages: "[{\"name\": \"a\", \"type\": \"exit\", \"area\": \(json(rectangle(19, 0, 20, 2)))}, {\"name\": \"b\", \"type\": \"exit\", \"area\": \(json(rectangle(19, 8, 20, 10)))}]",
                journeys: "[{\"name\": \"j\", \"stages\": [{\"oneOf\": [\"a\", \"b\"], \"choose\": \"\(rule)\", \"reconsider\": 2}]}]",
                agents: "[{\"journey\": \"j\", \"count\": 100, \"area\": \(json(rectangle(0.5, 0.5, 8, 3)))}]"))
            let toA = f.values(PedestrianAgent.self).filter { $0.1.stage == 0 }.count
            #expect(toA > 10 && toA < 90, "\(rule): \(toA) of 100 chose the nearer exit")
            let tr = runRecording(f, maxTime: 200)
            #expect(tr.exitTimes.count == 100)
        }
    }

    @Test("a Poisson source delivers rate × time arrivals within four standard deviations", arguments: 1...5)
    func source(seed: Int) throws {
        let f = try SceneFixture(json: Self.scene(
            stages: "[\(Self.exitRight)]", journeys: "[{\"name\": \"j\", \"stages\": [\"out\"]}]",
            sources: "[{\"journey\": \"j\", \"rate\": 2, \"area\": \(json(rectangle(0.5, 0.5, 3, 9.5))), \"stop\": 30}]", seed: seed))
        var ids = Set<UInt64>()
        for _ in 0..<Int(40 / Model.cfsm.dt) {
            f.run(steps: 1)
            for (e, _) in f.values(PedestrianAgent.self) { ids.insert(e.id) }
        }
        #expect(abs(Double(ids.count) - 60) <= 4 * 60.0.squareRoot(), "\(ids.count) arrivals")
        let exited = f.world.pluginReports.value("pedestrians.exited") ?? 0
        #expect(exited >= Double(ids.count) - 12, "exited \(exited) of \(ids.count)")
        let table = try #require(f.world.pluginReports.table("pedestrians.travel-times"))
        #expect(Double(table.rows.count) == exited)
        #expect(table.rows.allSatisfy { $0[3] >= 16 / 1.99 - 0.5 }, "travel times ≥ distance / max speed")
    }

    @Test("a counting line counts every crossing; a measurement area sees the density")
    func countingLine() throws {
        let f = try SceneFixture(json: Self.scene(
            stages: "[\(Self.exitRight)]", journeys: "[{\"name\": \"j\", \"stages\": [\"out\"]}]",
            agents: "[{\"journey\": \"j\", \"count\": 40, \"area\": \(json(rectangle(0.5, 0.5, 6, 9.5)))}]",
            measure: "{\"every\": 0.5, \"lines\": [{\"name\": \"mid\", \"points\": [[10, 0], [10, 10]]}], \"areas\": [{\"name\": \"start\", \"outline\": \(json(rectangle(0, 0, 7.5, 10)))}]}"))
        f.run(steps: 10)
        let reports = f.world.pluginReports
        let rho = try #require(reports.value("pedestrians.area.start.density"))
        #expect(abs(rho - 40 / 75) < 1e-9, "classical density \(rho)")
        let rhoV = try #require(reports.value("pedestrians.area.start.voronoiDensity"))
        #expect(abs(rhoV - rho) <= 0.25 * rho, "Voronoi density \(rhoV) vs \(rho)")
        _ = runRecording(f, maxTime: 60)
        #expect(reports.value("pedestrians.line.mid.count") == 40)
        #expect(reports.value("pedestrians.line.mid.net") == 40, "a line drawn south → north counts west → east as forward")
        #expect(reports.table("pedestrians.crossings")?.rows.count == 40)
    }

    @Test("a closed exit holds its agents until it opens again")
    func closedExit() throws {
        let f = try SceneFixture(json: Self.scene(
            stages: "[\(Self.exitRight)]", journeys: "[{\"name\": \"j\", \"stages\": [\"out\"]}]",
            agents: "[{\"journey\": \"j\", \"count\": 5, \"area\": \(json(rectangle(12, 1, 16, 9)))}]"))
        let (e, _) = try stage(f, "out")
        f.world.update(WalkerStage.self, of: e) { $0.open = false }
        f.run(steps: Int(20 / Model.cfsm.dt))
        #expect(f.values(PedestrianAgent.self).count == 5)
        f.world.update(WalkerStage.self, of: e) { $0.open = true }
        f.run(steps: Int(5 / Model.cfsm.dt))
        #expect(f.values(PedestrianAgent.self).isEmpty)
    }

    @Test("closing the chosen exit (a command, as live data sends it) sends its agents to the open one at once", arguments: Model.allCases)
    func closedExitReroutes(model: Model) throws {
        func run(closing: Bool) throws -> (a: Int, b: Int, left: Int) {
            let f = try SceneFixture(json: Self.scene(
                stages: "[{\"name\": \"a\", \"type\": \"exit\", \"area\": \(json(rectangle(19, 0, 20, 4)))}, {\"name\": \"b\", \"type\": \"exit\", \"area\": \(json(rectangle(0, 6, 1, 10)))}]",
                journeys: "[{\"name\": \"j\", \"stages\": [{\"oneOf\": [\"a\", \"b\"], \"weights\": [1, 0]}]}]",
                agents: "[{\"journey\": \"j\", \"count\": 30, \"area\": \(json(rectangle(8, 3, 12, 7)))}]", model: model))
            f.run(steps: Int(1 / model.dt))
            if closing {
                f.simulation.commandQueue.enqueue(try WorldCommand.decode(try JSONParser.parse(Array(
                    #"{"op": "set", "entity": "a", "component": "WalkerStage", "value": {"open": false}}"#.utf8))))
            }
            f.run(steps: Int(60 / model.dt))
            #expect(f.simulation.commandLog.allSatisfy { $0.rejection == nil })
            return (try stage(f, "a").1.passed, try stage(f, "b").1.passed, f.values(PedestrianAgent.self).count)
        }
        let open = try run(closing: false)
        #expect(open.a == 30 && open.b == 0 && open.left == 0, "\(open)")
        let closed = try run(closing: true)
        #expect(closed.a == 0 && closed.b == 30 && closed.left == 0, "\(closed)")
    }

    @Test("1 and 2 workers give bit-identical state hashes", arguments: Model.allCases)
    func determinism(model: Model) throws {
        try Self.expectDeterministic(model)
    }

    /// The force model's respect mechanism decides per walker from its neighbours only,
    /// so it splits across workers like the rest; and it does act (other hashes than off).
    @Test("1 and 2 workers give bit-identical state hashes with the respect mechanism")
    func respectDeterminism() throws {
        let on = try Self.expectDeterministic(.sfm, params: "{\"respectFactor\": 1.5}")
        let off = try SceneFixture(json: Self.crowd(.sfm), options: .init(workers: 1)).hashes(steps: 20)
        #expect(on.last != off.last, "the respect mechanism changed nothing")
    }

    /// The force model's calibrated term sums and caps per walker from its neighbours only,
    /// so it splits across workers like the rest; and it does act (other hashes than off).
    @Test("1 and 2 workers give bit-identical state hashes with the calibrated social term")
    func calibratedDeterminism() throws {
        let on = try Self.expectDeterministic(.sfm, params: "{\"socialTerm\": \"calibrated\"}")
        let off = try SceneFixture(json: Self.crowd(.sfm), options: .init(workers: 1)).hashes(steps: 20)
        #expect(on.last != off.last, "the calibrated term changed nothing")
    }

    @discardableResult
    static func expectDeterministic(_ model: Model, params: String = "{}") throws -> [UInt64] {
        let text = crowd(model, params: params)
        let one = try SceneFixture(json: text, options: .init(workers: 1)).hashes(steps: 20)
        let two = try SceneFixture(json: text, options: .init(workers: 2)).hashes(steps: 20)
        #expect(one == two)
        #expect(Set(one).count == 20, "the state changes every step")
        return one
    }

    /// 3,000 walkers (about 1 /m²) heading for an exit along the far side of a 60 m square.
    static func crowd(_ model: Model, params: String = "{}") -> String {
        pedestrianScene(model, params: params, section: """
            {"levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": \(json(rectangle(0, 0, 60, 60)))}]}}],
             "stages": [{"name": "out", "type": "exit", "area": \(json(rectangle(59, 0, 60, 60)))}],
             "journeys": [{"name": "j", "stages": ["out"]}],
             "agents": [{"journey": "j", "count": 3000, "area": \(json(rectangle(1, 1, 50, 59)))}]}
            """)
    }
}
