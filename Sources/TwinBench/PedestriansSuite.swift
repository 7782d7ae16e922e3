import Foundation
import TwinRuntime

/// `twin bench pedestrians`: agent-steps per second of both models on the workload of
/// `shared/peers/pedestrians/scaling_benchmark.py` — a 100 m wide corridor, agents on a
/// 1 m grid (1 /m²) walking at 1.2 m/s towards a full-width exit 30 m ahead — run in the
/// same invocation with JuPedSim on the same geometry and agent count. Each engine uses
/// its model's documented step (ours: 0.05 s speed model, 1/64 s force model; JuPedSim:
/// 0.01 s). Also the steps per second of a 100,000-agent world and memory per agent.
public enum PedestriansSuite: BenchmarkSuite {
    public static let name = "pedestrians"
    public static let summary = "collision-free speed and social force models vs JuPedSim (agent-steps/s), 100k agents"

    static var peersDirectory: String { PeerProcess.directory("pedestrians") }

    /// The peer script's scene: rows at z = 1…99, columns from x = 1, exit in the last metre.
    static func corridorScene(model: String, n: Int, dt: Double, radius: Double) -> String {
        let rows = 99
        let cols = (n + rows - 1) / rows
        let length = 1.0 + Double(cols) + 30
        var positions: [String] = []
        positions.reserveCapacity(n)
        for c in 0..<cols {
            for r in 0..<rows where positions.count < n { positions.append("[\(1 + c), \(1 + r)]") }
        }
        return """
        {"world": {"dt": \(dt), "duration": 3600, "seed": 1},
         "systems": [{"id": "pedestrians.journeys"}, {"id": "\(model)"}],
         "pedestrians": {
           "levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": [[0, 0], [\(length), 0], [\(length), 100], [0, 100]]}]}}],
           "stages": [{"name": "exit", "type": "exit", "area": [[\(length - 1), 0], [\(length), 0], [\(length), 100], [\(length - 1), 100]]}],
           "journeys": [{"name": "out", "stages": ["exit"]}],
           "agents": [{"journey": "out", "positions": [\(positions.joined(separator: ","))], "speed": 1.2, "radius": \(radius)}]}}
        """
    }

    struct Measured { var agentStepsPerSecond: Double; var stepsPerSecond: Double; var bytesPerAgent: Double }

    /// Loads the corridor, runs one warm-up step, then times at most 20 simulated seconds
    /// (before the front rows reach the exit, so the agent count stays N); repeats with a
    /// fresh world until `budget` wall seconds of stepping have been timed.
    static func measure(model: String, n: Int, dt: Double, radius: Double, budget: Double, workers: Int) throws -> Measured {
        let text = corridorScene(model: model, n: n, dt: dt, radius: radius)
        let maxSteps = Int((20 / dt).rounded())
        var steps = 0
        var elapsed = 0.0
        var bytesPerAgent = 0.0
        repeat {
            let before = residentBytes()
            let sim = try SceneLoader().load(text: text, file: "corridor.json", options: .init(workers: workers))
            sim.step()
            bytesPerAgent = Double(max(0, residentBytes() - before)) / Double(n)
            let start = DispatchTime.now().uptimeNanoseconds
            var k = 0
            while k < maxSteps {
                sim.step()
                k += 1
                if k % 8 == 0, elapsed + Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 >= budget { break }
            }
            elapsed += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            steps += k
            let alive = sim.world.count(with: [sim.world.registry.id(of: Walker.self)].compactMap { $0 })
            guard alive == n else { throw BenchError("\(model) \(n): \(alive) agents left after \(k) steps (expected all \(n))") }
        } while elapsed < budget
        return Measured(agentStepsPerSecond: Double(n) * Double(steps) / elapsed, stepsPerSecond: Double(steps) / elapsed,
                        bytesPerAgent: bytesPerAgent)
    }

    /// Resident set size of this process, bytes (Linux `/proc/self/statm`).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        var out: [BenchResult] = []
        let budget = options.quick ? 1.0 : 6.0
        let workers = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        let models: [(label: String, id: String, peer: String, dt: Double, radius: Double)] = [
            ("cfsm", "pedestrians.collision-free-speed", "CollisionFreeSpeedModel", 0.05, 0.2),
            ("sfm", "pedestrians.social-force", "SocialForceModel", 1.0 / 64, 0.3),
            ("gcfm", "pedestrians.generalized-centrifugal-force", "GeneralizedCentrifugalForceModel", 0.01, 0.25),
        ]
        let sizes = options.quick ? [(1_000, "1k"), (10_000, "10k")] : [(1_000, "1k"), (10_000, "10k"), (50_000, "50k")]
        for m in models {
            for (n, suffix) in sizes {
                let label = "\(m.label)_\(suffix)"
                guard options.includes(label) else { continue }
                let ours = try measure(model: m.id, n: n, dt: m.dt, radius: m.radius, budget: budget, workers: workers)
                let peer = PeerProcess.runPython(
                    "import runpy, sys; sys.path.insert(0, sys.argv[1]); sys.argv = [sys.argv[1] + '/scaling_benchmark.py'] + sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                    arguments: [peersDirectory, "--single", m.peer, String(n), "--budget", String(budget)],
                    timeout: 600)
                let peerValue = (try? peer.get())?["agent_steps_per_s"] as? Double
                let note: String
                switch peer {
                case .success: note = String(format: "%d workers; %.0f B/agent; JuPedSim dt 0.01 s", workers, ours.bytesPerAgent)
                case .failure(let e): note = "JuPedSim unavailable (\(e)); run Tools/bench-setup.sh"
                }
                let r = BenchResult(
                    suite: name, name: label, metric: "agent-steps per wall second (dt \(m.dt == 1.0 / 64 ? "1/64" : String(m.dt)) s)",
                    unit: "agent-steps/s", value: ours.agentStepsPerSecond, peer: "JuPedSim \(m.peer)", peerValue: peerValue,
                    target: n == 10_000 && m.label != "gcfm" ? peerValue.map { 5 * $0 } : nil, higherIsBetter: true, note: note)
                log(String(format: "  %-10@ %12.0f agent-steps/s   JuPedSim %@   ×%@", label as NSString, r.value,
                           (peerValue.map { String(format: "%.0f", $0) } ?? "n/a") as NSString,
                           (r.peerRatio.map { String(format: "%.2f", $0) } ?? "-") as NSString))
                out.append(r)
            }
        }
        if options.includes("steps_per_s_100k") {
            let n = options.quick ? 20_000 : 100_000
            let ours = try measure(model: "pedestrians.collision-free-speed", n: n, dt: 0.05, radius: 0.2, budget: budget, workers: workers)
            let r = BenchResult(
                suite: name, name: "steps_per_s_100k", metric: "steps per wall second, \(n) agents, speed model",
                unit: "steps/s", value: ours.stepsPerSecond, target: 10, higherIsBetter: true,
                note: String(format: "%d workers; %.0f B/agent resident", workers, ours.bytesPerAgent))
            log(String(format: "  steps_per_s_100k %.1f steps/s (%.0f B/agent)", r.value, ours.bytesPerAgent))
            out.append(r)
        }
        return out
    }
}
