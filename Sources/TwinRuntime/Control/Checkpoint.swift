import Foundation
import Synchronization

/// Where a simulation came from: the scene's bytes and the options it was loaded
/// with. Enough to load it again (reset) or to rebuild any later state.
public struct SceneOrigin: Sendable {
    public var file: String
    public var bytes: [UInt8]
    public var options: SceneLoadOptions
}

/// A saved world state, `twin-state/1`.
///
/// ## Why a replay, not a memory dump
/// Every model here is deterministic: the same scene, seed, parameters and external
/// commands at the same steps give a bit-identical world, with 1 or N workers (the
/// state-hash tests prove it for every plugin). So a checkpoint stores those inputs
/// and the step count, and restoring replays them — which captures *all* state,
/// including what systems keep privately (event calendars, random streams, contact
/// caches, floor fields) that a component dump would miss or that every plugin would
/// have to serialise by hand. The stored state hash makes a restore prove itself: a
/// changed scene file or engine that no longer reproduces the run is an error, never
/// a silently different world. The price is time: restoring costs about as many
/// steps as were run (a day of a live twin at 20 Hz is 1.7 M steps).
///
/// ## Live data stays in its journal
/// A live-fed world applies thousands of commands a second, all of them already kept
/// in its ingest journal with the step each message was taken at. Its checkpoint lists
/// only the recorded commands (API calls and the like) and names the journal
/// (`journal`); a restore replays the journal's messages through the bindings at their
/// steps and puts each recorded command back at its place among them (`index`). So a
/// live twin's checkpoint and memory grow with what people do, not with the feed.
public struct Checkpoint: Sendable {
    public static let format = "twin-state/1"

    public var sceneFile: String
    /// The scene document as loaded (so a later edit of the file cannot change it).
    public var sceneText: String
    /// The effective seed.
    public var seed: UInt64
    public var parameterOverrides: [String: JSONValue]
    /// Steps completed at the checkpoint.
    public var step: Int64
    /// Every recorded external command up to `step`, with the step it applied at and
    /// its place among that step's commands.
    public var commands: [AppliedCommand]
    /// The ingest journal whose messages the world took too (absolute path), when it
    /// was fed live; their commands are not in `commands`.
    public var journal: String?
    /// The first step whose journal messages are not in `commands` (a world restored
    /// from a state that listed its live commands, then fed on); 0 for most.
    public var journalFrom: Int64 = 0
    public var stateHash: UInt64

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("format", .string(Self.format)),
            ("sceneFile", .string(sceneFile)),
            ("seed", .string(String(seed))),
            ("parameterOverrides", .object(parameterOverrides.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ("step", .number(Double(step))),
            ("stateHash", .string(StableHasher.hex(stateHash))),
        ]
        if let journal { members.append(("journal", .string(journal))) }
        if journalFrom > 0 { members.append(("journalFrom", .number(Double(journalFrom)))) }
        let list: [JSONValue] = commands.map { c in
            var entry: [(String, JSONValue)] = [("step", .number(Double(c.step))), ("index", .number(Double(c.index))), ("command", c.command.json)]
            if let why = c.rejection { entry.append(("rejected", .string(why))) }
            return .object(entry)
        }
        members.append(("commands", .array(list)))
        members.append(("sceneText", .string(sceneText)))
        return .object(members)
    }

    public func write(to path: String) throws {
        try Data(JSONWriter.string(json, style: .pretty).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a checkpoint file; every problem names the JSON path.
    public static func read(file path: String) throws(CheckpointError) -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(file: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try decode([UInt8](data), file: path)
    }

    public static func decode(_ bytes: [UInt8], file: String = "<state>") throws(CheckpointError) -> Checkpoint {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw CheckpointError(file: file, message: "malformed JSON at \(error.location): \(error.message)") }
        func fail(_ path: String, _ message: String) -> CheckpointError { CheckpointError(file: file, message: "\(path): \(message)") }
        guard root.members != nil else { throw fail("$", "a state file is a JSON object") }
        guard root["format"]?.stringValue == format else {
            throw fail("$.format", "expected \"\(format)\", found \(root["format"].map { JSONWriter.string($0) } ?? "nothing")")
        }
        guard let sceneFile = root["sceneFile"]?.stringValue else { throw fail("$.sceneFile", "expected a string") }
        guard let sceneText = root["sceneText"]?.stringValue else { throw fail("$.sceneText", "expected a string") }
        guard let seed = root["seed"]?.stringValue.flatMap({ UInt64($0) }) else { throw fail("$.seed", "expected a decimal string") }
        guard let stepValue = root["step"]?.doubleValue, stepValue >= 0, stepValue < 0x1p53, stepValue == stepValue.rounded()
        else { throw fail("$.step", "expected an integer ≥ 0") }
        guard let hashText = root["stateHash"]?.stringValue, let hash = UInt64(hashText, radix: 16)
        else { throw fail("$.stateHash", "expected 16 hex digits") }
        var overrides: [String: JSONValue] = [:]
        if let o = root["parameterOverrides"] {
            guard let m = o.members else { throw fail("$.parameterOverrides", "expected an object") }
            for x in m { overrides[x.key] = x.value }
        }
        var journal: String?
        if let j = root["journal"] {
            guard let path = j.stringValue, !path.isEmpty else { throw fail("$.journal", "expected the ingest journal's path") }
            journal = path
        }
        var journalFrom: Int64 = 0
        if let x = root["journalFrom"] {
            guard let d = x.doubleValue, d >= 0, d <= stepValue, d == d.rounded() else { throw fail("$.journalFrom", "expected an integer step from 0 to \"step\"") }
            journalFrom = Int64(d)
        }
        guard let list = root["commands"]?.elements else { throw fail("$.commands", "expected an array") }
        var commands: [AppliedCommand] = []
        commands.reserveCapacity(list.count)
        var last: Int64 = 0, lastIndex = -1
        for (i, item) in list.enumerated() {
            guard let s = item["step"]?.doubleValue, s >= 0, s == s.rounded(), Int64(s) >= last, s < stepValue
            else { throw fail("$.commands[\(i)].step", "expected an integer step, non-decreasing and below \"step\"") }
            if Int64(s) > last { lastIndex = -1 }
            // Files written before places were kept list a step's commands in order.
            var index = lastIndex + 1
            if let x = item["index"] {
                guard let d = x.doubleValue, d == d.rounded(), d > Double(lastIndex), d < 0x1p31
                else { throw fail("$.commands[\(i)].index", "expected an integer, increasing within a step") }
                index = Int(d)
            }
            guard let c = item["command"] else { throw fail("$.commands[\(i)]", "missing \"command\"") }
            let command: WorldCommand
            do { command = try WorldCommand.decode(c, path: [.key("commands"), .index(i), .key("command")]) } catch {
                throw CheckpointError(file: file, message: error.description)
            }
            last = Int64(s)
            lastIndex = index
            commands.append(AppliedCommand(step: last, index: index, command: command, rejection: item["rejected"]?.stringValue))
        }
        return Checkpoint(sceneFile: sceneFile, sceneText: sceneText, seed: seed, parameterOverrides: overrides,
                          step: Int64(stepValue), commands: commands, journal: journal, journalFrom: journalFrom, stateHash: hash)
    }
}

public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
    public init(file: String, message: String) { self.file = file; self.message = message }
}

extension Simulation {
    /// The state now, as a checkpoint (cheap: the inputs, not the world).
    public func checkpoint() -> Checkpoint {
        // Absolute, so assets named relative to the scene resolve from any directory.
        let file = origin.file.hasPrefix("<") ? origin.file : URL(fileURLWithPath: origin.file).standardizedFileURL.path
        return Checkpoint(
            sceneFile: file, sceneText: String(decoding: origin.bytes, as: UTF8.self), seed: seed,
            parameterOverrides: origin.options.parameterOverrides, step: stepCount, commands: commandLog,
            journal: journalFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            journalFrom: journalFile == nil ? 0 : journalFrom, stateHash: world.stateHash())
    }
}

/// Replays a live-fed world's journal during a restore: called before each replayed
/// step, it queues the commands the journal's messages produced at that step.
public typealias JournalFeed = (Simulation) -> Void
/// Opens a feed over the ingest journal at `path` for `sim`, a restore's newly loaded
/// world; throws when the journal cannot be read.
public typealias JournalFeedMaker = (_ path: String, _ sim: Simulation) throws -> JournalFeed

/// Where restores find a feed for checkpoints that name a journal: the ingest plugin
/// registers one (TwinRuntime cannot read journals).
public enum JournalReplay {
    private static let maker = Mutex<(@Sendable (String, Simulation) throws -> JournalFeed)?>(nil)
    public static func register(_ make: @escaping @Sendable (_ path: String, _ sim: Simulation) throws -> JournalFeed) {
        maker.withLock { $0 = make }
    }
    static var registered: JournalFeedMaker? {
        let m: (@Sendable (String, Simulation) throws -> JournalFeed)? = maker.withLock { $0 }
        guard let m else { return nil }
        return { path, sim in try m(path, sim) }
    }
}

extension SceneLoader {
    /// Rebuilds the state a checkpoint describes by loading its scene and replaying
    /// its commands — and, when it names an ingest journal, that journal's messages
    /// through `journal` (default: the registered `JournalReplay`), whose commands
    /// then count as recorded ones of the new world. `progress` gets (done, total)
    /// steps now and then. Fails when the replayed world's hash differs from the
    /// checkpoint's.
    public func restore(_ c: Checkpoint, workers: Int = 1, journal: JournalFeedMaker? = nil,
                        progress: ((Int64, Int64) -> Void)? = nil) throws -> Simulation {
        let options = SceneLoadOptions(seed: c.seed, parameterOverrides: c.parameterOverrides, workers: workers)
        let sim = try load(bytes: Array(c.sceneText.utf8), file: c.sceneFile, options: options)
        var feed: JournalFeed?
        if let path = c.journal {
            guard let make = journal ?? JournalReplay.registered else {
                throw CheckpointError(file: c.sceneFile, message:
                    "the state was saved from a live-fed world: its live data is in the ingest journal \(path), which only the ingest plugin replays")
            }
            sim.journalFrom = c.journalFrom
            feed = try make(path, sim)
        }
        sim.replaying = c.commands.sorted { ($0.step, $0.index) < ($1.step, $1.index) }
        let every = max(1, c.step / 100)
        while sim.stepCount < c.step {
            feed?(sim)
            sim.step()
            if let progress, sim.stepCount % every == 0 { progress(sim.stepCount, c.step) }
        }
        let hash = sim.world.stateHash()
        guard hash == c.stateHash else {
            throw CheckpointError(file: c.sceneFile, message:
                "replaying \(c.step) steps gave state hash \(StableHasher.hex(hash)), the checkpoint says \(StableHasher.hex(c.stateHash)): the scene's assets or the engine changed since it was saved")
        }
        return sim
    }
}
