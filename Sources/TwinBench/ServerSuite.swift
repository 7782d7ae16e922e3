import Dispatch
import Foundation
import Synchronization
import TwinRender
import TwinRuntime
import TwinServer

/// `twin bench server`: the world server on loopback, with `server-10k` (10,000
/// moving crates at 20 Hz) playing in real time.
///
/// - Snapshot latency p50/p99 with 50 concurrent clients asking again and again, for
///   `.glb` and 1280×720 `.png`; baseline: the same snapshot made in-process without
///   HTTP (one render, the floor a request cannot beat).
/// - Stream fan-out: 200 WebSocket viewers for a fixed time; how far the world falls
///   behind real time — the worst lateness of a published step against its
///   real-time schedule (``PacingLog``) — against the same world with no viewers
///   (baseline), and the bytes each viewer received per step in the compact layout
///   (`TWD2`) against the full one (`TWD1`, baseline), both measured in the run.
public enum ServerSuite: BenchmarkSuite {
    public static let name = "server"
    public static let summary = "twin serve on loopback: snapshot latency under 50 clients, 200 stream viewers at 20 Hz"

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let scene = options.scenesDirectory + "/server-10k.json"
        try checkGolden(scene: scene, options: options)
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.set(.success(try await measure(scene: scene, options: options))) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        let results = try box.get()
        for r in results {
            log(String(format: "  %-28@ %12.2f %@   baseline %@", r.name as NSString, r.value, r.unit as NSString,
                       (r.baseline.map { String(format: "%.2f", $0) } ?? "n/a") as NSString))
        }
        return results
    }

    /// The golden hash after 64 steps: a fast wrong world fails the bench.
    static func checkGolden(scene: String, options: BenchOptions) throws {
        let sim = try SceneLoader().load(file: scene)
        for _ in 0..<64 { sim.step() }
        let golden = try JSONParser.parse(
            [UInt8](FileManager.default.contents(atPath: options.scenesDirectory + "/golden.json") ?? Data()))
        let want = golden["server-10k"]?["stateHash"]?.stringValue
        guard want == StableHasher.hex(sim.world.stateHash()) else {
            throw BenchError("server-10k: state hash after 64 steps is \(StableHasher.hex(sim.world.stateHash())), golden.json says \(want ?? "nothing")")
        }
    }

    static func measure(scene: String, options: BenchOptions) async throws -> [BenchResult] {
        var config = ServerConfig(dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("twin-bench-server").path)
        config.port = 0
        config.tokens.open = true
        config.rateLimit = 0
        let server = TwinWorldServer(config: config)
        let world = try server.host(sceneFile: scene, id: "bench")
        let (ports, cont) = AsyncStream.makeStream(of: Int.self)
        let serving = Task { try await server.run(signals: false) { cont.yield($0) } }
        defer { serving.cancel() }
        var port = 0
        for await p in ports { port = p; break }
        world.play(speed: 1)

        var out: [BenchResult] = []
        let rounds = options.quick ? 4 : 20
        for (label, path, target) in [("snapshot_glb_p99_ms", "snapshot.glb", 100.0), ("snapshot_png_p99_ms", "snapshot.png?size=1280x720", 250.0)]
        where options.includes(label) {
            let direct = try await directRender(world, png: path.hasPrefix("snapshot.png"))
            let latencies = try await concurrentGets(port: port, path: "/api/worlds/bench/" + path, clients: 50, rounds: rounds)
            let p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99)
            out.append(BenchResult(
                suite: name, name: label, metric: "p99 latency, 50 concurrent clients × \(rounds) requests, world playing at 20 Hz",
                unit: "ms", value: p99, baseline: direct, target: target,
                note: String(format: "p50 %.1f ms; baseline = one in-process snapshot without HTTP", p50)))
        }
        if options.includes("stream_200_viewers_lag_ms") || options.includes("stream_bytes_per_viewer_step") {
            let seconds = options.quick ? 3.0 : 10.0
            let idle = try await lagWhilePlaying(world, seconds: seconds) { }
            let full = try await fanOut(world, port: port, format: .full, seconds: seconds)
            let compact = try await fanOut(world, port: port, format: .compact, seconds: seconds)
            let sizes = try await world.keyframeSizes()
            out.append(BenchResult(
                suite: name, name: "stream_200_viewers_lag_ms",
                metric: "worst lateness of a step against real time, \(Int(seconds)) s at 20 Hz with 200 WebSocket viewers (TWD2)",
                unit: "ms", value: compact.lag.worstMS, baseline: idle.worstMS, target: 50,
                note: String(format: "p99 %.1f ms (no viewers %.1f); TWD1 viewers: worst %.1f, p99 %.1f ms; %d steps in %.1f s (no viewers %d)",
                             compact.lag.p99MS, idle.p99MS, full.lag.worstMS, full.lag.p99MS, compact.lag.steps, compact.lag.wall, idle.steps)))
            out.append(BenchResult(
                suite: name, name: "stream_bytes_per_viewer_step", metric: "bytes a viewer received per world step (10,000 moving entities), TWD2",
                unit: "bytes", value: compact.bytesPerViewerStep, baseline: full.bytesPerViewerStep,
                note: "baseline: the same with TWD1 viewers; a keyframe of every entity is \(sizes[.full] ?? 0) B in TWD1, \(sizes[.compact] ?? 0) B in TWD2; slow viewers get coalesced deltas or keyframes"))
        }
        serving.cancel()
        _ = await serving.result
        return out
    }

    static func directRender(_ world: HostedWorld, png: Bool) async throws -> Double {
        let snap = try await world.read { SnapshotBuilder.snapshot(of: WorldReader($0.world), time: $0.time, step: $0.stepCount) }
        let start = DispatchTime.now().uptimeNanoseconds
        if png {
            _ = try PNGEncoder.default.encode(try SnapshotRenderer.image(snap, width: 1280, height: 720))
        } else {
            _ = try SnapshotExporter.document(snap).glb()
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func concurrentGets(port: Int, path: String, clients: Int, rounds: Int) async throws -> [Double] {
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var times: [Double] = []
                    for _ in 0..<rounds {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let r = try await LoopbackClient.request(port: port, "GET", path, timeout: 60)
                        guard r.status == 200 else { throw BenchError("\(path): HTTP \(r.status) \(r.text.prefix(200))") }
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    }
                    return times
                }
            }
            return try await group.reduce([], +)
        }
    }

    struct Lag { var worstMS: Double; var p99MS: Double; var steps: Int; var wall: Double }

    /// 200 viewers in `format` for `seconds`, each read as fast as a thread can.
    static func fanOut(_ world: HostedWorld, port: Int, format: StreamFormat.Version,
                       seconds: Double) async throws -> (lag: Lag, bytesPerViewerStep: Double) {
        let received = Atomic<Int>(0), drained = Atomic<Int>(0)
        var viewers: [WebSocketClient] = []
        let lag = try await lagWhilePlaying(world, seconds: seconds) {
            for _ in 0..<200 {
                let ws = try await WebSocketClient.connect(
                    port: port, path: "/api/worlds/bench/stream?format=\(format.rawValue)", timeout: 120)
                viewers.append(ws)
                Thread.detachNewThread {
                    ws.drain { received.add($0, ordering: .relaxed) }
                    drained.add(1, ordering: .relaxed)
                }
            }
        } after: {
            // Counted from when the clock starts: the keyframes sent on connecting are not part of the fan-out.
            received.store(0, ordering: .relaxed)
        }
        let bytes = received.load(ordering: .relaxed)
        for v in viewers { v.hangUp() }
        // The next fan-out connects new sockets: every reader must have let go of its descriptor first.
        for _ in 0..<6000 where drained.load(ordering: .relaxed) < viewers.count { try await Task.sleep(nanoseconds: 10_000_000) }
        return (lag, Double(bytes) / 200 / Double(max(1, lag.steps)))
    }

    /// Pauses, runs `during` (connecting viewers, each of which gets a keyframe) and
    /// `after`, then plays in real time for `seconds`: how late the world published
    /// its steps against its own real-time schedule (the way it paces itself, so the
    /// sampling moment cannot add a step's worth of lag), the worst of them and p99.
    static func lagWhilePlaying(_ world: HostedWorld, seconds: Double, during: () async throws -> Void,
                                after: () -> Void = {}) async throws -> Lag {
        world.pause()
        try await during()
        // Let the connection keyframes drain before the clock starts.
        try await Task.sleep(nanoseconds: 1_000_000_000)
        after()
        let start = DispatchTime.now().uptimeNanoseconds
        world.play(speed: 1)
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        let pacing = world.pacing
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Lag(worstMS: pacing.maxLateness * 1000, p99MS: pacing.lateness(quantile: 0.99) * 1000, steps: pacing.steps, wall: wall)
    }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? .nan : s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
    }
}

/// The async measurement's outcome, handed to the synchronous suite.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<[BenchResult], any Error> = .success([])
    func set(_ r: Result<[BenchResult], any Error>) { lock.withLock { value = r } }
    func get() throws -> [BenchResult] { try lock.withLock { value }.get() }
}
