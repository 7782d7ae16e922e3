import Dispatch
import Foundation
import Synchronization
import TwinIngest
import TwinRuntime
import TwinServer

/// `http_updates_per_s`: the ingest suite's world hosted by `twin serve` on loopback,
/// playing in real time (dt 1/64 s); two clients POST batches of 1,000 updates to
/// `/api/worlds/bench/ingest` (each batch journaled with fsync before the reply), and
/// the clock stops when the world has taken and applied the last one. A 429 (the
/// world's queue is full) is waited out and sent again. Baseline: the in-process
/// figure of the same run (`IngestHub.submit` without HTTP).
extension IngestSuite {
    static func http(dir: String, quick: Bool, inProcess: Double?, log: (String) -> Void) throws -> BenchResult {
        let total = quick ? 50_000 : 400_000, batch = 1000, clients = 2
        let scene = dir + "/http-scene.json"
        try Self.scene.write(toFile: scene, atomically: true, encoding: .utf8)
        var config = ServerConfig(dataDirectory: dir + "/http-data")
        config.port = 0
        config.tokens.open = true
        config.rateLimit = 0
        config.maxBodyBytes = 1 << 20
        let server = TwinWorldServer(config: config)
        let world = try server.host(sceneFile: scene, id: "bench")
        let serving = try BlockingServer(server)
        defer { serving.stop() }
        let port = serving.port
        world.play(speed: 1)

        let bodies: [[UInt8]] = stride(from: 0, to: total, by: batch).map { start in
            let items = (start..<min(total, start + batch)).map { k in #"{"topic":"bench/e-\#(k % entities)","payload":{"v":\#(k)}}"# }
            return Array(#"{"messages":[\#(items.joined(separator: ","))]}"#.utf8)
        }
        let failures = Mutex<[String]>([])
        let next = Atomic<Int>(0)
        let start = DispatchTime.now().uptimeNanoseconds
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                // Batches in order per client would not be enough: both clients take the
                // next batch from one counter, so the last values sent are the highest.
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < bodies.count else { return }
                    do {
                        while true {
                            let r = try LoopbackClient.requestBlocking(port: port, "POST", "/api/worlds/bench/ingest", body: bodies[i], timeout: 120)
                            if r.status == 200 { break }
                            guard r.status == 429 else { throw BenchError("batch \(i): HTTP \(r.status) \(r.text.prefix(200))") }
                            Thread.sleep(forTimeInterval: 0.005)
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                        return
                    }
                }
            }
        }
        group.wait()
        if let f = failures.withLock({ $0.first }) { throw BenchError("http ingest: \(f)") }
        while world.currentStatus.ingestPending > 0 { Thread.sleep(forTimeInterval: 0.0005) }
        // Taken at the last pump; applied by the step that follows it.
        let takenAt = world.currentStatus.step
        while world.currentStatus.step <= takenAt { Thread.sleep(forTimeInterval: 0.0005) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let ours = Double(total) / seconds
        // Two clients share the batches, and a batch refused with 429 is sent again while
        // the other client goes on: an entity holds the last value sent to it, or — when its
        // last batch overtook the one before — that one's.
        let wrong = try serving.read(world) { sim -> String? in
            for i in 0..<min(total, entities) {
                let last = i + ((total - 1 - i) / entities) * entities
                let got = sim.entity(.name("e-\(i)")).flatMap { sim.world.get(MachineControl.self, of: $0)?.release }
                if got != last && got != last - entities { return "e-\(i) holds \(got.map(String.init) ?? "nothing"), expected \(last)" }
            }
            return nil
        }
        if let wrong { throw BenchError("http ingest: \(wrong)") }
        log(String(format: "  HTTP: %.0f updates/s in batches of %d from %d clients (journal synced per batch); in-process %@",
                   ours, batch, clients, inProcess.map { String(format: "%.0f/s", $0) } ?? "not run"))
        return BenchResult(suite: name, name: "http_updates_per_s", metric: "updates POSTed, journaled and applied per wall second",
                           unit: "1/s", value: ours, baseline: inProcess, target: 100_000, higherIsBetter: true,
                           note: "batches of 1,000 from 2 loopback clients; baseline: in-process submit, same run")
    }
}

/// A server run on the Swift concurrency pool for a synchronous benchmark: `init`
/// returns once it listens; `read` runs a world read and waits for it.
final class BlockingServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    init(_ server: TwinWorldServer) throws {
        let bound = Atomic<Int>(0)
        let ready = DispatchSemaphore(value: 0)
        task = Task {
            defer { ready.signal() }
            try await server.run(signals: false) { p in
                bound.store(p, ordering: .relaxed)
                ready.signal()
            }
        }
        ready.wait()
        port = bound.load(ordering: .relaxed)
        guard port > 0 else { throw BenchError("the server did not start") }
    }

    func read<T: Sendable>(_ world: HostedWorld, _ body: @escaping @Sendable (Simulation) throws -> T) throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let r: Result<T, any Error>
            do { r = .success(try await world.read(body)) } catch { r = .failure(error) }
            box.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        guard let r = box.withLock({ $0 }) else { throw BenchError("the world read did not finish") }
        return try r.get()
    }

    func stop() {
        task.cancel()
        let done = DispatchSemaphore(value: 0)
        Task { _ = await task.result; done.signal() }
        done.wait()
    }
}
