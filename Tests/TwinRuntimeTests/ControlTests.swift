import Foundation
import Testing
import TwinRuntime
import TwinTesting

/// A small scene with randomness (a spawner), named entities and a prefab, so that
/// replays are checked against real state rather than a still world.
private let controlScene = """
{"world": {"dt": 0.0625, "seed": 11},
 "parameters": {"speed": {"default": 4, "min": 0, "max": 20}},
 "prefabs": {"drop": {"components": {"Kind": "drop", "Acceleration": [0, -9.81, 0], "Lifetime": {"remaining": 1.5}}}},
 "entities": [
   {"name": "cart", "components": {"Position": [0, 0, 0], "Velocity": [1, 0, 0]}},
   {"name": "gate", "components": {"Position": [5, 0, 0], "Lifetime": {"remaining": 100}}}],
 "spawners": [{"name": "jet", "prefab": "drop", "rate": 8, "area": {"min": [-1, 1, -1], "max": [1, 1, 1]},
               "velocity": [0, {"$param": "speed"}, 0]}]}
"""

private func command(_ text: String) throws -> WorldCommand {
    try WorldCommand.decode(try JSONParser.parse(Array(text.utf8)))
}

@Suite("external commands")
struct WorldCommandTests {
    @Test("set merges fields into the current component; applied at the start of the next step")
    func setMerges() throws {
        let f = try SceneFixture(json: controlScene)
        f.run(steps: 4)
        let cart = try #require(f.simulation.entity(.name("cart")))
        let x0 = try #require(f.world.get(Position.self, of: cart)).value.x
        f.simulation.commandQueue.enqueue(try command(#"{"op": "set", "entity": "cart", "component": "Velocity", "value": [0, 0, 2]}"#))
        f.simulation.commandQueue.enqueue(try command(#"{"op": "set", "entity": "gate", "component": "Lifetime", "value": {"remaining": 7}}"#))
        f.run(steps: 1)
        let gate = try #require(f.simulation.entity(.name("gate")))
        #expect(f.world.get(Velocity.self, of: cart)?.value == Vec3(0, 0, 2))
        // The new velocity already moved the cart in this step (semi-implicit Euler, dt 1/16).
        let p = try #require(f.world.get(Position.self, of: cart)).value
        #expect(p.x == x0 && p.z == 0.125)
        #expect(f.world.get(Lifetime.self, of: gate)?.remaining == 7 - 0.0625)
        #expect(f.simulation.commandLog.map(\.rejection) == [nil, nil])
        #expect(f.simulation.commandLog.allSatisfy { $0.step == 4 })
    }

    @Test("spawn from a prefab with a name, address it by name and id, despawn it")
    func spawnAndDespawn() throws {
        let f = try SceneFixture(json: controlScene)
        f.simulation.commandQueue.enqueue(try command(
            #"{"op": "spawn", "name": "probe", "prefab": "drop", "components": {"Position": [3, 2, 1], "Lifetime": {"remaining": 50}}}"#))
        f.run(steps: 1)
        let probe = try #require(f.simulation.entity(.name("probe")))
        #expect(f.world.get(Kind.self, of: probe)?.value == "drop")
        #expect(f.world.get(Lifetime.self, of: probe)?.remaining == 50 - 0.0625)
        #expect(f.simulation.entity(.id(probe.id)) == probe)
        f.simulation.commandQueue.enqueue(.despawn(entity: .id(probe.id)))
        f.run(steps: 1)
        #expect(!f.world.isAlive(probe))
        #expect(f.simulation.entity(.name("probe")) == nil)
    }

    @Test("bad commands are rejected with a reason and change nothing")
    func rejections() throws {
        let f = try SceneFixture(json: controlScene, options: SceneLoadOptions(parameterOverrides: ["speed": .number(0)]))
        f.run(steps: 2)
        let reference = try SceneFixture(json: controlScene, options: SceneLoadOptions(parameterOverrides: ["speed": .number(0)]))
        reference.run(steps: 2)
        let bad: [(WorldCommand, String)] = [
            (.set(entity: .name("nobody"), component: "Velocity", value: .array([.number(1), .number(0), .number(0)])), "no live entity \"nobody\""),
            (.set(entity: .name("cart"), component: "Velocity2", value: .null), "did you mean \"Velocity\""),
            (.set(entity: .name("cart"), component: "Velocity", value: .string("fast")), "Velocity:"),
            (.set(entity: .name("cart"), component: "Name", value: .string("x")), "identity"),
            (.remove(entity: .name("cart"), component: "Lifetime"), "has no Lifetime"),
            (.spawn(name: "cart", prefab: nil, components: []), "already used"),
            (.spawn(name: nil, prefab: "dorp", components: []), "unknown prefab \"dorp\"; known: drop"),
            (.spawn(name: "half", prefab: "drop", components: [JSONMember(key: "Lifetime", value: .object([("remaining", .string("soon"))]))]), "Lifetime:"),
            (.despawn(entity: .id(Entity(index: 999, generation: 3).id)), "no live entity"),
        ]
        for (c, _) in bad { f.simulation.commandQueue.enqueue(c) }
        f.run(steps: 1)
        reference.run(steps: 1)
        #expect(f.simulation.commandLog.count == bad.count)
        for (applied, (_, expected)) in zip(f.simulation.commandLog, bad) {
            let why = try #require(applied.rejection, "\(applied.command) should be rejected")
            #expect(why.contains(expected), "\(why)")
        }
        #expect(f.simulation.entity(.name("half")) == nil)
        #expect(f.world.stateHash() == reference.world.stateHash())
    }

    @Test("the JSON form decodes strictly, with the path of the problem")
    func decoding() throws {
        let cases: [(String, String)] = [
            (#"[1]"#, "a command is a JSON object"),
            (#"{"entity": "a"}"#, "missing \"op\""),
            (#"{"op": "sett"}"#, "did you mean \"set\""),
            (#"{"op": "set", "entity": "a", "component": "Position"}"#, "needs \"value\""),
            (#"{"op": "set", "entity": -1, "component": "Position", "value": 1}"#, "entity name (string) or id"),
            (#"{"op": "despawn", "entity": "a", "value": 3}"#, "unknown member \"value\""),
            (#"{"op": "spawn", "components": [1]}"#, "object of components"),
            (#"{"op": "remove", "entity": "a", "component": ""}"#, "non-empty string"),
        ]
        for (text, expected) in cases {
            #expect(throws: JSONDecodingError.self) { try command(text) }
            do { _ = try command(text) } catch { #expect("\(error)".contains(expected), "\(error)") }
        }
        let c = try command(#"{"op": "spawn", "name": "n", "prefab": "p", "components": {"Position": [1, 2, 3]}}"#)
        #expect(try WorldCommand.decode(c.json) == c)
    }

    @Test("a full queue refuses instead of growing")
    func boundedQueue() {
        let q = CommandQueue(capacity: 3)
        let c = WorldCommand.despawn(entity: .name("x"))
        #expect(q.enqueue(contentsOf: [c, c]))
        #expect(!q.enqueue(contentsOf: [c, c]))
        #expect(q.enqueue(c))
        #expect(!q.enqueue(c))
        #expect(q.count == 3)
    }
}

@Suite("checkpoints")
struct CheckpointTests {
    /// Runs 40 steps with commands at steps 5, 5 and 17, checkpoints, and goes on.
    private func liveRun() throws -> (SceneFixture, Checkpoint) {
        let f = try SceneFixture(json: controlScene, options: SceneLoadOptions(seed: 5, parameterOverrides: ["speed": .number(6)]))
        f.run(steps: 5)
        f.simulation.commandQueue.enqueue(try command(#"{"op": "set", "entity": "cart", "component": "Velocity", "value": [0, 1, 0]}"#))
        f.simulation.commandQueue.enqueue(try command(#"{"op": "spawn", "name": "extra", "prefab": "drop"}"#))
        f.run(steps: 12)
        f.simulation.commandQueue.enqueue(.despawn(entity: .name("nobody")))
        f.run(steps: 23)
        return (f, f.simulation.checkpoint())
    }

    @Test("restore replays to the same state hash, and both runs stay identical afterwards")
    func restoreContinues() throws {
        let (live, checkpoint) = try liveRun()
        #expect(checkpoint.step == 40 && checkpoint.commands.map(\.step) == [5, 5, 17])
        #expect(checkpoint.commands[2].rejection != nil)
        let text = JSONWriter.string(checkpoint.json)
        let decoded = try Checkpoint.decode(Array(text.utf8))
        let copy = try SceneLoader().restore(decoded, workers: 2)
        #expect(copy.stepCount == 40 && copy.world.stateHash() == live.world.stateHash())
        let log = { (s: Simulation) in s.commandLog.map { "\($0.step) \(JSONWriter.string($0.command.json)) \($0.rejection ?? "")" } }
        #expect(log(copy) == log(live.simulation))
        for _ in 0..<30 { live.simulation.step(); copy.step() }
        #expect(copy.world.stateHash() == live.world.stateHash())
        // Without the commands the world differs: the replay is what reproduces it.
        var bare = decoded
        bare.commands = []
        #expect(throws: CheckpointError.self) { try SceneLoader().restore(bare) }
    }

    @Test("journaled commands stay out of the checkpoint; a restore takes them from the journal's feed and puts each recorded command back at its place among them")
    func journaledFeed() throws {
        let velocity = { (v: [Double]) in WorldCommand.set(entity: .name("cart"), component: "Velocity", value: .array(v.map { .number($0) })) }
        let (a, c, b) = (velocity([1, 0, 0]), velocity([0, 2, 0]), velocity([0, 0, 3]))
        let f = try SceneFixture(json: controlScene)
        f.simulation.journalFile = "/feeds/cart.sqlite"
        f.run(steps: 3)
        _ = f.simulation.commandQueue.enqueueNumbered(contentsOf: [a], journaled: true)
        f.simulation.commandQueue.enqueue(c)
        _ = f.simulation.commandQueue.enqueueNumbered(contentsOf: [b], journaled: true)
        f.run(steps: 10)
        let saved = try Checkpoint.decode(Array(JSONWriter.string(f.simulation.checkpoint().json).utf8))
        #expect(saved.journal == "/feeds/cart.sqlite")
        #expect(saved.commands.map { "\($0.step) \($0.index) \(JSONWriter.string($0.command.json)) \($0.rejection ?? "")" }
                == ["3 1 \(JSONWriter.string(c.json)) "])
        #expect(f.simulation.journaledApplied == 2)
        var opened: [String] = []
        let feed: JournalFeedMaker = { path, _ in
            opened.append(path)
            return { sim in
                if sim.stepCount == 3 {
                    _ = sim.commandQueue.enqueueNumbered(contentsOf: [a], journaled: true)
                    _ = sim.commandQueue.enqueueNumbered(contentsOf: [b], journaled: true)
                }
            }
        }
        let copy = try SceneLoader().restore(saved, journal: feed)
        #expect(opened == ["/feeds/cart.sqlite"])
        #expect(copy.world.stateHash() == f.world.stateHash() && copy.commandLog == saved.commands)
        // Its place matters: after the last journaled command, the cart would keep c's velocity.
        var moved = saved
        moved.commands[0].index = 2
        #expect(throws: CheckpointError.self) { try SceneLoader().restore(moved, journal: feed) }
    }

    @Test("an edited scene no longer reproduces the checkpoint: an error, not another world")
    func editedSceneFails() throws {
        var (_, checkpoint) = try liveRun()
        checkpoint.sceneText = checkpoint.sceneText.replacingOccurrences(of: "\"rate\": 8", with: "\"rate\": 9")
        do {
            _ = try SceneLoader().restore(checkpoint)
            Issue.record("restore should fail")
        } catch let e as CheckpointError {
            #expect(e.message.contains("state hash"))
        }
    }

    @Test("malformed state files: errors naming the member")
    func badFiles() throws {
        let (_, checkpoint) = try liveRun()
        let good = JSONWriter.string(checkpoint.json, style: .pretty)
        let cases: [(String, String)] = [
            ("{", "malformed JSON"),
            ("[]", "a state file is a JSON object"),
            (good.replacingOccurrences(of: "twin-state/1", with: "twin-state/9"), "$.format"),
            (good.replacingOccurrences(of: #""step": 40"#, with: #""step": -1"#), "$.step"),
            (good.replacingOccurrences(of: #""step": 17"#, with: #""step": 2"#), "$.commands[2].step"),
            (good.replacingOccurrences(of: #""op": "despawn""#, with: #""op": "explode""#), "commands[2].command.op"),
            (good.replacingOccurrences(of: StableHasher.hex(checkpoint.stateHash), with: "xyz"), "$.stateHash"),
        ]
        for (text, expected) in cases {
            do {
                _ = try Checkpoint.decode(Array(text.utf8))
                Issue.record("\(expected) should fail")
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
        #expect(throws: CheckpointError.self) { try Checkpoint.read(file: "/nonexistent/state.json") }
    }
}
