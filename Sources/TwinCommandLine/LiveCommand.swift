import ArgumentParser
import Foundation
import TwinIngest
import TwinRuntime

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Run a scene driven by live data (MQTT, PostgreSQL changes, a replayed file) through its bindings.",
        discussion: """
            Every accepted message is journaled (SQLite) before it is acknowledged; with --state, checkpoints are \
            written every --checkpoint-every steps, and a restarted `twin live` with the same --journal and --state \
            continues exactly where the killed one was. --dead-letters lists refused messages and exits.
            """)

    @Argument(help: "Scene file with a bindings section.") var scene: String
    @Option(help: "Ingest journal (SQLite file; created if missing).") var journal: String
    @Option(help: ArgumentHelp("Checkpoint file to resume from and save to.", valueName: "FILE")) var state: String?
    @Option(help: "Steps between checkpoints (with --state).") var checkpointEvery: Int64 = 200
    @Option(help: "Stop after this many steps in total (default: the scene's duration; 0 runs until interrupted).") var steps: Int64?
    @Option(help: "Run at this multiple of real time (default 1); ignored with --pace sim.") var speed: Double = 1
    @Option(help: ArgumentHelp("MQTT broker to subscribe to.", valueName: "HOST:PORT")) var mqtt: String?
    @Option(help: ArgumentHelp("MQTT topic filter with QoS (repeatable).", valueName: "FILTER[:QOS]")) var subscribe: [String] = []
    @Option(help: "MQTT client id (the broker keeps this session's subscriptions and QoS 1 messages).") var clientId = "twin-live"
    @Option(help: ArgumentHelp("PostgreSQL connection (libpq string).", valueName: "CONNINFO")) var postgres: String?
    @Option(help: "Logical replication slot (created with wal2json if missing).") var slot = "twin_live"
    @Option(help: ArgumentHelp("Table to capture (repeatable; default all).", valueName: "SCHEMA.TABLE")) var table: [String] = []
    @Option(help: ArgumentHelp("Replay a recorded JSON Lines or CSV file.", valueName: "FILE")) var replay: String?
    @Option(help: "Replay pacing: wall (real time × --replay-speed) or sim (each line at the step its time falls in, reproducible).")
    var pace: String = "wall"
    @Option(help: "Replay speed factor for --pace wall.") var replaySpeed: Double = 1
    @Option(help: "Unix time of simulated time 0 for --pace sim (default: the first line's time).") var epoch: Double?
    @Flag(help: "Print the dead letters as JSON lines and exit.") var deadLetters = false
    @Flag(help: "Print one JSON summary at the end.") var json = false

    func validate() throws {
        if !["wall", "sim"].contains(pace) { throw ValidationError("--pace is wall or sim") }
        if !(speed > 0 && speed.isFinite) || !(replaySpeed > 0 && replaySpeed.isFinite) { throw ValidationError("speeds must be > 0") }
        if checkpointEvery < 0 { throw ValidationError("--checkpoint-every must be ≥ 0") }
        for s in subscribe { _ = try Self.subscription(s) }
        if let m = mqtt { _ = try Self.hostPort(m) }
    }

    static func subscription(_ s: String) throws -> (filter: String, qos: Int32) {
        if let colon = s.lastIndex(of: ":"), let q = Int32(s[s.index(after: colon)...]) {
            guard q == 0 || q == 1 else { throw ValidationError("QoS is 0 or 1 in \"\(s)\"") }
            return (String(s[..<colon]), q)
        }
        return (s, 1)
    }

    static func hostPort(_ s: String) throws -> (String, Int32) {
        guard let colon = s.lastIndex(of: ":"), let p = Int32(s[s.index(after: colon)...]), p > 0, p < 65536 else {
            throw ValidationError("expected HOST:PORT, got \"\(s)\"")
        }
        return (String(s[..<colon]), p)
    }

    func run() throws {
        if deadLetters {
            let j = try IngestJournal(path: journal)
            for d in try j.deadLetters(limit: 1_000_000) { print(JSONWriter.string(d.json)) }
            return
        }
        let runner: LiveRunner
        do {
            runner = try LiveRunner.open(scene: scene, journalPath: journal, statePath: state, checkpointEvery: state == nil ? 0 : checkpointEvery)
        } catch let error as SceneError {
            for issue in error.issues { FileHandleOutput.standardError(issue.description) }
            throw ExitCode(1)
        }
        let sim = runner.sim
        let limit = steps ?? sim.plannedSteps(.init())
        var mqttSource: MQTTSource?
        if let m = mqtt {
            let (host, port) = try Self.hostPort(m)
            var o = MQTTSource.Options(clientId: clientId, subscriptions: try subscribe.map(Self.subscription), port: port)
            o.host = host
            let s = MQTTSource(hub: runner.hub, options: o)
            try s.start()
            mqttSource = s
        }
        var pg: PostgresSource?
        if let p = postgres {
            let s = PostgresSource(hub: runner.hub, options: .init(connection: p, slot: slot, tables: table))
            s.start()
            pg = s
        }
        var replaySource: ReplaySource?
        if let r = replay {
            do { replaySource = try ReplaySource(path: r, hub: runner.hub) } catch {
                FileHandleOutput.standardError("twin live: \(error)")
                throw ExitCode(1)
            }
        }
        defer { mqttSource?.stop(); pg?.stop() }
        let done = { limit > 0 && sim.stepCount >= limit }
        if let rs = replaySource, pace == "sim" {
            let t0 = epoch ?? rs.firstTime ?? 0
            // Simulated-time replay: lines are stamped with their step; stepping waits
            // on the wall clock only when --speed asks for real-time pacing.
            let start = Date().timeIntervalSince1970, startStep = sim.stepCount
            while !done() {
                rs.feed(through: sim.stepCount, epoch: t0, dt: sim.dt)
                let due = startStep + Int64(((Date().timeIntervalSince1970 - start) * speed / sim.dt).rounded(.down))
                if sim.stepCount >= due { Thread.sleep(forTimeInterval: min(0.005, sim.dt / speed)); continue }
                try runner.step()
            }
        } else {
            if let rs = replaySource {
                Thread.detachNewThread { rs.run(speed: replaySpeed) }
            }
            try runner.runRealTime(speed: speed, shouldStop: done)
            replaySource?.stop()
        }
        try runner.saveCheckpoint()
        let dead = (try? runner.hub.journal.deadLetters(limit: 1_000_000).count) ?? 0
        if json {
            print(JSONWriter.string(.object([
                ("steps", .number(Double(sim.stepCount))), ("stateHash", .string(StableHasher.hex(sim.world.stateHash()))),
                ("journaled", .number(Double(runner.hub.journal.messageCount))), ("deadLetters", .number(Double(dead))),
                ("entities", .number(Double(sim.world.aliveCount))),
            ])))
        } else {
            print("steps      \(sim.stepCount)")
            print("stateHash  \(StableHasher.hex(sim.world.stateHash()))")
            print("journaled  \(runner.hub.journal.messageCount) messages, \(dead) dead letters")
        }
    }
}
