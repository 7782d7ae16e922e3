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

    /// Restores `saved` as `LiveRunner` does: the live hub of the journal in `dir`
    /// replays it into the restore and goes on with the world.
    static func restoreLive(_ saved: Checkpoint, dir: String) throws -> (Simulation, IngestHub) {
        var live: IngestHub?
        let sim = try SceneLoader.live.restore(saved, journal: { _, sim in
            let h = try LiveScene.hub(sim, dir: dir)
            try h.recover(sim)
            live = h
            return { h.pump($0, replaying: true) }
        })
        return (sim, try #require(live))
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
        // The checkpoint names the journal and lists no live-data command.
        #expect(saved.journal == URL(fileURLWithPath: dirB + "/journal.sqlite").standardizedFileURL.path)
        #expect(saved.commands.isEmpty)
        let (sim, hub) = try Self.restoreLive(saved, dir: dirB)
        #expect(sim.stepCount == checkpointAt)
        #expect(sim.commandLog.isEmpty && sim.journaledApplied > 0)
        for s in Int(checkpointAt)..<Self.total {
            if s > crashAt { _ = hub.submit(Self.feed(s)) }
            hub.pump(sim); sim.step()
        }
        #expect(sim.world.stateHash() == reference.hash)
        #expect(hub.journal.messageCount == reference.journaled)
        #expect(try hub.journal.deadLetters(limit: 1000).count == reference.dead)
        #expect(reference.dead >= 2)  // the duplicate and the late message at least
    }

    @Test("a state saved from a live world restores elsewhere (a fork) from its journal, read only: the journal's commands become the fork's own, so its own state needs no journal")
    func forkFromJournal() throws {
        let dir = LiveScene.temporaryDirectory("recFork")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        sim.commandQueue.enqueue(.set(entity: .name("press-2"), component: "MachineControl", value: .object([("forcedDown", .bool(true))])))
        for s in 0..<150 {
            _ = hub.submit(Self.feed(s))
            hub.pump(sim); sim.step()
        }
        let saved = sim.checkpoint()
        #expect(saved.journal != nil && saved.commands.count == 1)
        let pumps = try hub.journal.pumps().count
        // The registered replay (IngestPlugin.enable); the restore checks the state hash.
        let fork = try SceneLoader.live.restore(saved)
        #expect(fork.world.stateHash() == sim.world.stateHash())
        #expect(fork.journalFile == nil && fork.commandLog.count == sim.journaledApplied + sim.journaledRejected + 1)
        #expect(try hub.journal.pumps().count == pumps, "the replay wrote into the live world's journal")
        let forkState = fork.checkpoint()
        #expect(forkState.journal == nil)
        try FileManager.default.removeItem(atPath: dir + "/journal.sqlite")
        #expect(try SceneLoader.live.restore(forkState).world.stateHash() == sim.world.stateHash())
    }

    @Test("a state that lists its live commands (written before they were journaled) restarts, is fed on, saved and restarted again: the journal is replayed only from where that state ended")
    func statesListingLiveCommands() throws {
        let dirA = LiveScene.temporaryDirectory("recOldA"), dirB = LiveScene.temporaryDirectory("recOldB")
        defer { try? FileManager.default.removeItem(atPath: dirA); try? FileManager.default.removeItem(atPath: dirB) }
        let reference = try uninterrupted(dirA)
        func run(_ sim: Simulation, _ hub: IngestHub, to end: Int) {
            for s in Int(sim.stepCount)..<end { _ = hub.submit(Self.feed(s)); hub.pump(sim); sim.step() }
        }
        let first = try LiveScene.load()
        run(first, try LiveScene.hub(first, dir: dirB), to: 100)
        // What older versions wrote: every live command listed, no journal named.
        let listing = try SceneLoader.live.restore(first.checkpoint()).checkpoint()
        #expect(listing.journal == nil && !listing.commands.isEmpty)
        // `LiveRunner.open` with such a state.
        let second = try SceneLoader.live.restore(listing)
        second.journalFrom = second.stepCount
        let hub2 = try LiveScene.hub(second, dir: dirB)
        try hub2.recover(second)
        run(second, hub2, to: 170)
        let saved = second.checkpoint()
        #expect(saved.journal != nil && saved.journalFrom == 100 && saved.commands.count == listing.commands.count)
        let decoded = try Checkpoint.decode(Array(JSONWriter.string(saved.json).utf8))
        let (third, hub3) = try Self.restoreLive(decoded, dir: dirB)
        // The journal's commands before step 100 came from the state's list, not again from the journal.
        #expect(third.journaledApplied == second.journaledApplied && third.commandLog.count == listing.commands.count)
        run(third, hub3, to: Self.total)
        #expect(third.world.stateHash() == reference.hash)
    }

    @Test("a message accepted but not yet taken when the state was saved (its due step already passed) is not taken by the replay before the state's step")
    func untakenMessageWaits() throws {
        let dir = LiveScene.temporaryDirectory("recUntaken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        // Door counts only: no ramp, so a step without a pump differs only in what it takes.
        for s in 0..<30 {
            _ = hub.submit([LiveScene.message("plant/door", #"{"door": "door", "entered": \#(s % 4)}"#)])
            hub.pump(sim); sim.step()
        }
        // Due at step 30, but the world steps on without taking it (as when a commit
        // races the pump): it is taken only after the state below.
        #expect(hub.submit([LiveScene.message("plant/door", #"{"door": "door", "entered": 9}"#)]).accepted == 1)
        for _ in 0..<5 { sim.step() }
        let saved = sim.checkpoint()
        #expect(hub.pendingCount == 1)
        let fork = try SceneLoader.live.restore(saved)
        #expect(fork.world.stateHash() == sim.world.stateHash())
    }

    @Test("bad input: a state naming a missing journal, a journal that is not one, a bad journal member, places out of order — each a clear error")
    func badJournalStates() throws {
        let dir = LiveScene.temporaryDirectory("recBad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try LiveScene.hub(sim, dir: dir)
        for s in 0..<40 { _ = hub.submit(Self.feed(s)); hub.pump(sim); sim.step() }
        var saved = sim.checkpoint()
        saved.journal = dir + "/gone.sqlite"
        #expect { try SceneLoader.live.restore(saved) } throws: { "\($0)".contains("gone.sqlite") && "\($0)".contains("needs this ingest journal") }
        FileManager.default.createFile(atPath: dir + "/empty.sqlite", contents: Data())
        saved.journal = dir + "/empty.sqlite"
        #expect { try SceneLoader.live.restore(saved) } throws: { "\($0)".contains("not an ingest journal") }
        var json = JSONWriter.string(sim.checkpoint().json)
        json = json.replacingOccurrences(of: #""journal":""#, with: #""journal":5,"was":""#)
        #expect { try Checkpoint.decode(Array(json.utf8)) } throws: { "\($0)".contains("$.journal") }
        let twice = #"{"step":3,"index":2,"command":{"op":"despawn","entity":"a"}},{"step":3,"index":1,"command":{"op":"despawn","entity":"b"}}"#
        json = JSONWriter.string(sim.checkpoint().json).replacingOccurrences(of: #""commands":[]"#, with: #""commands":["# + twice + "]")
        #expect { try Checkpoint.decode(Array(json.utf8)) } throws: { "\($0)".contains("$.commands[1].index") }
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
