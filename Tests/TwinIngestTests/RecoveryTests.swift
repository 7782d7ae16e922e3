import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

@Suite("Recovery: journal replayed onto the last checkpoint = the run that never stopped")
struct RecoveryTests {
    /// A feed touching every kind of binding state: toggling statuses, a forklift
    /// track (interpolation ramps), trucks out of order (reorder buffer), door counts
    /// (running totals), alarms (spawns), a late message, a duplicate.
    static func feed(_ step: Int) -> [IngestMessage] {
        let t = LiveScene.now - 1000 + Double(step) * 0.05
        var out: [IngestMessage] = []
        if step % 17 == 3 { out.append(LiveScene.message("plant/P\(step % 2 + 1)/status", #"{"state": "\#(step % 3 == 0 ? "DOWN" : "RUN")", "ts": \#(t)}"#)) }
        if step % 20 == 5 { out.append(LiveScene.message("plant/forklift", #"{"id": "forklift", "x": \#(step * 10), "y": \#(step * 3), "ts": \#(t)}"#)) }
        if step % 9 == 1 {
            let jitter = step % 4 == 1 ? -1.5 : 0
            out.append(LiveScene.message("fleet/T\(step % 3)", #"{"lat": \#(48 + Double(step) * 1e-5), "lon": 11.0, "eta": \#(step % 50), "ts": \#(t + jitter)}"#))
        }
        if step % 13 == 7 { out.append(LiveScene.message("plant/door", #"{"door": "door", "entered": \#(step % 5)}"#, id: "door-\(step)")) }
        if step % 31 == 11 { out.append(LiveScene.message("plant/alarm", #"{"zone": "zone-\#(step)"}"#)) }
        if step == 60 { out.append(LiveScene.message("plant/door", #"{"door": "door", "entered": 1}"#, id: "door-46")) }  // duplicate
        if step == 70 { out.append(LiveScene.message("plant/P1/status", #"{"state": "DOWN", "ts": \#(t - 100)}"#)) }    // late
        return out
    }

    static let total = 240

    func uninterrupted(_ dir: String) throws -> (hash: UInt64, journaled: Int, dead: Int) {
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        for s in 0..<Self.total {
            _ = hub.submit(Self.feed(s))
            hub.pump(sim); sim.step()
        }
        return (sim.world.stateHash(), hub.journal.messageCount, try hub.journal.deadLetters(limit: 1000).count)
    }

    @Test("crash at step 173 with messages journaled but not yet taken; restore the step-100 checkpoint, replay the journal, continue: same state hash, no message lost or doubled")
    func crashAndRecover() throws {
        let dirA = LiveScene.temporaryDirectory("recA"), dirB = LiveScene.temporaryDirectory("recB")
        defer { try? FileManager.default.removeItem(atPath: dirA); try? FileManager.default.removeItem(atPath: dirB) }
        let reference = try uninterrupted(dirA)

        let crashAt = 173, checkpointAt: Int64 = 100
        var checkpoint: Checkpoint?
        do {
            let sim = try LiveScene.load()
            let hub = try LiveScene.hub(sim, dir: dirB)
            for s in 0...crashAt {
                _ = hub.submit(Self.feed(s))
                if s == crashAt { break }  // journaled, never taken: the process dies here
                hub.pump(sim); sim.step()
                if sim.stepCount == checkpointAt { checkpoint = sim.checkpoint() }
            }
            #expect(hub.pendingCount > 0)
        }
        let saved = try #require(checkpoint)
        let sim = try SceneLoader.live.restore(saved)
        #expect(sim.stepCount == checkpointAt)
        let hub = try LiveScene.hub(sim, dir: dirB)
        try hub.recover(sim)
        for s in Int(checkpointAt)..<Self.total {
            if s > crashAt { _ = hub.submit(Self.feed(s)) }
            hub.pump(sim); sim.step()
        }
        #expect(sim.world.stateHash() == reference.hash)
        #expect(hub.journal.messageCount == reference.journaled)
        #expect(try hub.journal.deadLetters(limit: 1000).count == reference.dead)
        #expect(reference.dead >= 2)  // the duplicate and the late message at least
    }

    @Test("the feed changes the world: a run without it ends in a different state (the test can fail)")
    func feedMatters() throws {
        let dir = LiveScene.temporaryDirectory("recC")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fed = try uninterrupted(dir)
        let sim = try LiveScene.load()
        for _ in 0..<Self.total { sim.step() }
        #expect(sim.world.stateHash() != fed.hash)
    }
}
