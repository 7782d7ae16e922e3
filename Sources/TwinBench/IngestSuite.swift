import CMosquitto
import Foundation
import TwinIngest
import TwinRuntime

/// `twin bench ingest`: live updates into a 10,000-entity world, each one bound,
/// journaled (SQLite, synced per batch), taken into the world and applied.
///
/// - `inprocess_updates_per_s`: batches of 1,000 submitted by a source thread through
///   `IngestHub.submit` (bound, journaled, the journal synced to disk per batch) while
///   the world's thread pumps and steps as fast as it can — sources and world on
///   their own threads, as `twin serve` and `twin live` run them; a full queue answers
///   "retry after" and the source waits. Baseline: the same updates as ready-made
///   `WorldCommand`s through the command queue (what the world costs alone, without
///   bindings or journal).
/// - `inprocess_wal_updates_per_s`: the same with the journal synced only at WAL
///   checkpoints (what `ingestDurable = false` gives: a killed process loses nothing,
///   a power cut may) — the CPU cost of the path without the disk's sync latency.
/// - `inprocess_one_thread_updates_per_s`: submit, pump and step in turn on one
///   thread, journal synced per batch: the whole path's cost per update, nothing
///   overlapped.
/// - `mqtt_msgs_per_s`: QoS 1 messages published to a local Mosquitto, received by
///   `MQTTSource`, journaled (one commit per message, WAL without fsync: survives a
///   killed process, not a power cut) and applied by the world stepping in real time
///   at its dt; baseline: a bare libmosquitto subscriber receiving the same stream in
///   the same run (what the broker delivers).
/// - `mqtt_qos0_msgs_per_s`: the same world and payloads at QoS 0 (journaled in
///   batches, see `MQTTInbox`); baseline: the bare subscriber at QoS 0.
/// - `latency_p50_ms` / `latency_p99_ms`: publish → value visible in the world (read
///   after the step), one message every 5 ms, the world stepping in real time at
///   its dt of 1/64 s — so up to one step of waiting is part of the figure.
/// - `http_updates_per_s`: the same world under `twin serve`, batches POSTed over
///   loopback (see `IngestHTTPBench.swift`).
///
/// Correctness after timing: every entity holds the last value sent to it.
public enum IngestSuite: BenchmarkSuite {
    public static let name = "ingest"
    public static let summary = "live updates into a 10,000-entity world: in-process, MQTT through Mosquitto, publish→visible latency"

    static let entities = 10_000

    static var scene: String {
        let list = (0..<entities).map { #"{"name": "e-\#($0)", "components": {"MachineControl": {}}}"# }.joined(separator: ",\n")
        return """
        {"format": "twin-scene/1", "world": {"dt": 0.015625, "seed": 1, "maxEntities": 20000}, "systems": [],
         "entities": [\(list)],
         "bindings": [{"name": "counter", "topic": "bench/+", "id": "$topic[1]", "reported": false,
                       "fields": [{"from": "v", "to": "MachineControl.release"}]}]}
        """
    }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-bench-ingest-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var out: [BenchResult] = []
        let inProcessNames = ["inprocess_updates_per_s", "inprocess_wal_updates_per_s", "inprocess_one_thread_updates_per_s"]
        if inProcessNames.contains(where: options.includes) {
            out += try inProcess(dir: dir, quick: options.quick, log: log)
        }
        if options.includes("http_updates_per_s") {
            let inProcess = out.first { $0.name == "inprocess_updates_per_s" }?.value
            out.append(try http(dir: dir, quick: options.quick, inProcess: inProcess, log: log))
        }
        if options.includes("mqtt_msgs_per_s") || options.includes("mqtt_qos0_msgs_per_s") || options.includes("latency") {
            let broker = try LocalMosquitto(directory: dir + "/broker")
            defer { broker.stop() }
            if options.includes("mqtt_msgs_per_s") { out.append(try mqtt(dir: dir, broker: broker, qos: 1, quick: options.quick, log: log)) }
            if options.includes("mqtt_qos0_msgs_per_s") { out.append(try mqtt(dir: dir, broker: broker, qos: 0, quick: options.quick, log: log)) }
            if options.includes("latency") { out += try latency(dir: dir, broker: broker, quick: options.quick, log: log) }
        }
        return out
    }

    static func load() throws -> Simulation {
        IngestPlugin.enable()
        return try SceneLoader().load(text: scene, file: "<bench-ingest>")
    }

    static func message(_ i: Int, _ v: Int) -> IngestMessage {
        IngestMessage(source: "http", topic: "bench/e-\(i % entities)", payload: .object([("v", .number(Double(v)))]))
    }

    /// Every entity holds the last value sent to it (`last(i)`), else the run is wrong.
    static func check(_ sim: Simulation, _ last: (Int) -> Int?) throws {
        for i in 0..<entities {
            guard let want = last(i) else { continue }
            let e = sim.entity(.name("e-\(i)"))
            let got = e.flatMap { sim.world.get(MachineControl.self, of: $0)?.release }
            guard got == want else { throw BenchError("e-\(i) holds \(got.map(String.init) ?? "nothing"), expected \(want)") }
        }
    }

    static func inProcess(dir: String, quick: Bool, log: (String) -> Void) throws -> [BenchResult] {
        let total = quick ? 50_000 : 500_000, batch = 1000
        let messages = (0..<total).map { message($0, $0) }
        let synced = try inProcessRun(messages, batch: batch, journal: try IngestJournal(path: dir + "/inprocess.sqlite", durable: true), threads: 2)
        let walOnly = try inProcessRun(messages, batch: batch, journal: try IngestJournal(path: dir + "/inprocess-wal.sqlite", durable: false), threads: 2)
        let oneThread = try inProcessRun(messages, batch: batch, journal: try IngestJournal(path: dir + "/inprocess-1.sqlite", durable: true), threads: 1)

        // Baseline: the same updates as ready commands, straight into the queue.
        let plain = try load()
        let commands = (0..<total).map { k in
            WorldCommand.set(entity: .name("e-\(k % entities)"), component: "MachineControl", value: .object([("release", .number(Double(k)))]))
        }
        let t0 = Date()
        var k = 0
        while k < total {
            plain.commandQueue.enqueue(contentsOf: Array(commands[k..<min(total, k + batch)]))
            plain.step()
            k += batch
        }
        let baseline = Double(total) / Date().timeIntervalSince(t0)
        try check(plain) { i in total > i ? i + ((total - 1 - i) / entities) * entities : nil }
        log(String(format: "  in-process, source thread + world thread, journal synced per batch of %d: %.0f updates/s (%.1f ms per batch in submit)",
                   batch, synced.rate, synced.submitMs))
        log(String(format: "  the same, journal in WAL without fsync: %.0f updates/s (%.2f ms per batch in submit)", walOnly.rate, walOnly.submitMs))
        log(String(format: "  one thread (submit, pump, step in turn), synced: %.0f updates/s (%.2f ms per batch in submit); commands alone %.0f/s",
                   oneThread.rate, oneThread.submitMs, baseline))
        let note = "baseline: the same updates as WorldCommands without bindings or journal"
        return [
            BenchResult(suite: name, name: "inprocess_updates_per_s",
                        metric: "updates bound, journaled (synced per batch) and applied per wall second; source and world on their own threads",
                        unit: "1/s", value: synced.rate, baseline: baseline, target: 1_000_000, higherIsBetter: true, note: note),
            BenchResult(suite: name, name: "inprocess_wal_updates_per_s",
                        metric: "the same with the journal synced at WAL checkpoints only (survives a killed process, not a power cut)",
                        unit: "1/s", value: walOnly.rate, baseline: baseline, higherIsBetter: true, note: note),
            BenchResult(suite: name, name: "inprocess_one_thread_updates_per_s",
                        metric: "submit, pump and step in turn on one thread, journal synced per batch",
                        unit: "1/s", value: oneThread.rate, baseline: baseline, higherIsBetter: true, note: note),
        ]
    }

    /// Submits batches (from a source thread when `threads` is 2, else in turn with the
    /// world's pump and step), pumps and steps until every update is applied; the rate
    /// and the mean time a batch spent in `submit` (binding + journal commit).
    static func inProcessRun(_ messages: [IngestMessage], batch: Int, journal: IngestJournal, threads: Int) throws -> (rate: Double, submitMs: Double) {
        let total = messages.count
        let sim = try load()
        let hub = IngestHub(simulation: sim, journal: journal, capacity: 4 * batch)
        let source = BatchSource(hub: hub, messages: messages, batch: batch)
        let start = Date()
        var elapsed = 0.0
        if threads == 2 {
            let thread = Thread { source.run() }
            thread.start()
            while hub.takenCount < total && source.failure == nil { hub.pump(sim); sim.step() }
            elapsed = Date().timeIntervalSince(start)
            source.waitUntilFinished()
        } else {
            while hub.takenCount < total && source.failure == nil {
                source.submitNext()
                hub.pump(sim); sim.step()
            }
            elapsed = Date().timeIntervalSince(start)
        }
        if let failure = source.failure { throw BenchError(failure) }
        let rate = Double(total) / elapsed
        try check(sim) { i in total > i ? i + ((total - 1 - i) / entities) * entities : nil }
        return (rate, source.submitSeconds * 1000 / Double((total + batch - 1) / batch))
    }

    /// `mqtt_msgs_per_s` (QoS 1) or `mqtt_qos0_msgs_per_s` (QoS 0).
    static func mqtt(dir: String, broker: LocalMosquitto, qos: Int32, quick: Bool, log: (String) -> Void) throws -> BenchResult {
        let total = quick ? 5_000 : 30_000
        let payloads = (0..<total).map { #"{"v": \#($0)}"# }

        // Baseline: a bare subscriber, the same stream.
        let bare = BareSubscriber()
        try bare.start(port: broker.port, filter: "bench/#", qos: qos)
        let pubA = try MQTTPublisher(port: broker.port, clientId: "bench-pub-a\(qos)")
        let t0 = Date()
        for (i, p) in payloads.enumerated() { try pubA.publish("bench/e-\(i % entities)", p, qos: qos) }
        while bare.count < total && Date().timeIntervalSince(t0) < 120 { Thread.sleep(forTimeInterval: 0.001) }
        let baseline = Double(bare.count) / Date().timeIntervalSince(t0)
        bare.stop(); pubA.close()

        let sim = try load()
        // One commit per QoS 1 message (the ack waits for it), so per-commit fsync
        // would measure the disk; NORMAL sync survives a killed process.
        let hub = IngestHub(simulation: sim, journal: try IngestJournal(path: dir + "/mqtt\(qos).sqlite", durable: false), capacity: 100_000)
        let source = MQTTSource(hub: hub, options: .init(clientId: "bench-twin-\(qos)", subscriptions: [("bench/#", qos)], port: broker.port))
        try source.start()
        defer { source.stop() }
        let subscribed = Date()
        while source.subscriptionsAcknowledged < 1 && Date().timeIntervalSince(subscribed) < 10 { Thread.sleep(forTimeInterval: 0.001) }
        let pub = try MQTTPublisher(port: broker.port, clientId: "bench-pub-b\(qos)")
        defer { pub.close() }
        let start = Date()
        let sender = Thread { for (i, p) in payloads.enumerated() { try? pub.publish("bench/e-\(i % entities)", p, qos: qos) } }
        sender.start()
        // The world runs as `twin live` and `twin serve` run it: in real time at its
        // dt, taking what arrived before each step.
        var applied = 0
        while applied < total && Date().timeIntervalSince(start) < 120 {
            let due = Int64((Date().timeIntervalSince(start) / sim.dt).rounded(.down))
            if sim.stepCount > due { Thread.sleep(forTimeInterval: 0.0005); continue }
            hub.pump(sim); sim.step()
            applied = hub.takenCount
        }
        hub.pump(sim); sim.step()
        let ours = Double(applied) / Date().timeIntervalSince(start)
        guard applied >= total else { throw BenchError("only \(applied) of \(total) MQTT messages arrived") }
        try check(sim) { i in total > i ? i + ((total - 1 - i) / entities) * entities : nil }
        log(String(format: "  MQTT QoS %d: %.0f msgs/s journaled and applied; bare subscriber %.0f msgs/s", qos, ours, baseline))
        return BenchResult(suite: name, name: qos == 0 ? "mqtt_qos0_msgs_per_s" : "mqtt_msgs_per_s",
                           metric: "QoS \(qos) messages received, journaled and applied per wall second",
                           unit: "1/s", value: ours, baseline: baseline, target: 50_000, higherIsBetter: true,
                           note: "baseline: a bare libmosquitto subscriber at QoS \(qos) on the same broker and stream")
    }

    static func latency(dir: String, broker: LocalMosquitto, quick: Bool, log: (String) -> Void) throws -> [BenchResult] {
        let count = quick ? 100 : 1000
        let sim = try load()
        let hub = IngestHub(simulation: sim, journal: try IngestJournal(path: dir + "/latency.sqlite", durable: true))
        let source = MQTTSource(hub: hub, options: .init(clientId: "bench-latency", subscriptions: [("bench/#", 1)], port: broker.port))
        try source.start()
        defer { source.stop() }
        let subscribed = Date()
        while source.subscriptionsAcknowledged < 1 && Date().timeIntervalSince(subscribed) < 10 { Thread.sleep(forTimeInterval: 0.001) }
        let pub = try MQTTPublisher(port: broker.port, clientId: "bench-pub-l")
        defer { pub.close() }
        let sentAt = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
        defer { sentAt.deallocate() }
        sentAt.initialize(repeating: 0)
        let sentBox = SentTimes(sentAt)
        let sender = Thread {
            for k in 0..<count {
                sentBox.set(k, Date().timeIntervalSince1970)
                try? pub.publish("bench/e-0", #"{"v": \#(k + 1)}"#, qos: 1)
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        var latencies: [Double] = []
        var seen = 0
        let start = Date().timeIntervalSince1970
        sender.start()
        let e0 = sim.entity(.name("e-0"))
        while seen < count && Date().timeIntervalSince1970 - start < 60 {
            let due = Int64(((Date().timeIntervalSince1970 - start) / sim.dt).rounded(.down))
            if sim.stepCount >= due { Thread.sleep(forTimeInterval: 0.0002); continue }
            hub.pump(sim); sim.step()
            let v = e0.flatMap { sim.world.get(MachineControl.self, of: $0)?.release } ?? 0
            let now = Date().timeIntervalSince1970
            while seen < v { latencies.append((now - sentBox.get(seen)) * 1000); seen += 1 }
        }
        guard seen == count else { throw BenchError("only \(seen) of \(count) latency probes became visible") }
        latencies.sort()
        let p50 = latencies[count / 2], p99 = latencies[min(count - 1, count * 99 / 100)]
        log(String(format: "  publish → visible: p50 %.2f ms, p99 %.2f ms (dt %.4f s, real time)", p50, p99, sim.dt))
        return [
            BenchResult(suite: name, name: "latency_p50_ms", metric: "publish → value visible after the step, median", unit: "ms", value: p50,
                        note: "world stepping in real time at dt = 1/64 s"),
            BenchResult(suite: name, name: "latency_p99_ms", metric: "publish → value visible after the step, 99th percentile", unit: "ms", value: p99,
                        note: "world stepping in real time at dt = 1/64 s"),
        ]
    }
}

/// The bench's source: submits its messages in batches, waiting when the hub
/// answers "retry after" (the world is behind), and keeps the time spent in `submit`.
final class BatchSource: @unchecked Sendable {
    private let hub: IngestHub
    private let messages: [IngestMessage]
    private let batch: Int
    private var next = 0
    private let lock = NSLock()
    private var failed: String?
    private(set) var submitSeconds = 0.0
    var failure: String? { lock.withLock { failed } }

    init(hub: IngestHub, messages: [IngestMessage], batch: Int) { self.hub = hub; self.messages = messages; self.batch = batch }

    private let finished = DispatchSemaphore(value: 0)

    /// Submits everything (on the source's own thread); `waitUntilFinished` joins it.
    func run() {
        while next < messages.count && failure == nil {
            if !submitNext() { Thread.sleep(forTimeInterval: 0.0002) }
        }
        finished.signal()
    }

    func waitUntilFinished() { finished.wait() }

    /// False when the hub asked to retry later.
    @discardableResult
    func submitNext() -> Bool {
        guard next < messages.count else { return true }
        let end = min(messages.count, next + batch)
        let t0 = Date()
        let reply = hub.submit(Array(messages[next..<end]))
        submitSeconds += Date().timeIntervalSince(t0)
        switch reply.status {
        case .accepted where reply.accepted == end - next:
            next = end
            return true
        case .retryAfter:
            return false
        default:
            lock.withLock { failed = "batch refused: \(JSONWriter.string(reply.json))" }
            return true
        }
    }
}

/// A plain libmosquitto subscriber that only counts: what the broker delivers.
final class BareSubscriber: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let lock = NSLock()
    private var received = 0
    var count: Int { lock.withLock { received } }

    func start(port: Int32, filter: String, qos: Int32) throws {
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let m = mosquitto_new("bench-bare-\(qos)", true, me) else { throw BenchError("mosquitto_new failed") }
        handle = m
        mosquitto_message_callback_set(m) { _, obj, _ in
            guard let obj else { return }
            let s = Unmanaged<BareSubscriber>.fromOpaque(obj).takeUnretainedValue()
            s.lock.withLock { s.received += 1 }
        }
        guard mosquitto_connect(m, "127.0.0.1", port, 30) == 0 else { throw BenchError("bare subscriber cannot connect") }
        mosquitto_subscribe(m, nil, filter, qos)
        mosquitto_loop_start(m)
        Thread.sleep(forTimeInterval: 0.2)  // SUBACK
    }

    func stop() {
        guard let m = handle else { return }
        mosquitto_disconnect(m); mosquitto_loop_stop(m, false); mosquitto_destroy(m)
        handle = nil
    }
}

/// Send times shared between the publishing thread and the measuring one.
final class SentTimes: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Double>
    private let lock = NSLock()
    init(_ b: UnsafeMutableBufferPointer<Double>) { buffer = b }
    func set(_ i: Int, _ t: Double) { lock.withLock { buffer[i] = t } }
    func get(_ i: Int) -> Double { lock.withLock { buffer[i] } }
}
