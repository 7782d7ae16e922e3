import Testing
import TwinRender
import TwinRuntime
import TwinTesting

/// Recordings: one animated glTF per run, keyframes only for what moves.
@Suite("glTF recordings of runs")
struct RecordingTests {
    static func record(_ scene: String, steps: Int, every: Int = 1) throws -> (SceneFixture, WorldRecording) {
        let f = try SceneWorlds.load(scene)
        let rec = try WorldRecording(interval: f.simulation.dt * Double(every))
        rec.sample(WorldReader(f.world), time: 0)
        f.run(steps: steps) { sim in rec.stepEnded(WorldReader(sim.world), step: sim.stepCount, dt: sim.dt) }
        return (f, rec)
    }

    @Test("drone-swarm: every drone has translation and rotation channels with one key per sampled step")
    func channelsMatchSteps() throws {
        let (f, rec) = try Self.record("drone-swarm", steps: 48, every: 2)
        #expect(rec.sampleTimes.count == 25)
        let bytes = try RecordingExporter.document(rec, scene: SceneWorlds.snapshot(f)).glb()
        #expect(glbSpecViolations(bytes) == [])
        let r = try GLBReader(bytes)
        let animation = try #require(r.array("animations").first)
        let channels = try #require(animation["channels"] as? [[String: Any]])
        let samplers = try #require(animation["samplers"] as? [[String: Any]])
        #expect(channels.count == 800)
        for s in samplers {
            let input = try #require(s["input"] as? Int)
            #expect(r.array("accessors")[input]["count"] as? Int == 25)
        }
        // The last translation keyframe of a drone is where the world has it.
        let e = try #require(rec.tracks.first).entity
        let p = try #require(f.world.get(Position.self, of: e)).value
        #expect(rec.tracks[0].translations.last == p)
    }

    @Test("warehouse-arrivals: standing machines keep one keyframe; arrivals appear and depart by scale steps")
    func memoryFollowsMotion() throws {
        let (f, rec) = try Self.record("warehouse-arrivals", steps: 64 * 50, every: 16)
        let machines = rec.tracks.filter { $0.kind == "machine" }
        #expect(machines.count == 2 && machines.allSatisfy { $0.times.count == 1 })
        let crates = rec.tracks.filter { $0.kind == "crate" }
        #expect(crates.contains { $0.appeared > 0 })
        #expect(crates.contains { $0.departed != nil })
        let bytes = try RecordingExporter.document(rec, scene: SceneWorlds.snapshot(f)).glb()
        #expect(glbSpecViolations(bytes) == [])
        let r = try GLBReader(bytes)
        let samplers = try #require(r.array("animations").first?["samplers"] as? [[String: Any]])
        #expect(samplers.contains { $0["interpolation"] as? String == "STEP" })
    }

    @Test("a bad interval is a typed error")
    func badInterval() {
        #expect(throws: RecordingError.invalidInterval(0)) { try WorldRecording(interval: 0) }
        #expect(throws: RecordingError.self) { try WorldRecording(interval: .nan) }
    }
}
