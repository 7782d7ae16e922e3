import Foundation
import TwinCore
import TwinPhysics

/// `twin bench physics`: the box pile of `physics.md` (P4) with 1,000 and 10,000 cubes,
/// 600 steps of 1/60 s, in body-steps per wall second on both cores, with PyBullet and
/// MuJoCo (`shared/peers/physics/`) on the same pile in the same run; the per-stage
/// profile (broadphase, narrowphase, solve, sleep) like Box2D's; and whether the 10,000
/// pile meets P4's rest criterion after 30 simulated seconds.
public enum PhysicsSuite: BenchmarkSuite {
    public static let name = "physics"
    public static let summary = "box pile (P4) 1k and 10k: body-steps/s vs PyBullet and MuJoCo, stage profile, 10k at rest after 30 s"

    static func monotonicNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// CPU seconds used by this process (all threads).
    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    struct Run {
        var bodyStepsPerSecond: Double
        /// Body-steps per CPU second of all threads: the steadier figure on a shared machine.
        var bodyStepsPerCPUSecond: Double
        var profile: StepProfile
        var world: PhysicsWorld
    }

    static func runPile(_ n: Int, steps: Int, executor: ParallelExecutor) -> Run {
        let (world, _) = PhysicsScenes.pile(n)
        world.clock = monotonicNanoseconds
        var profile = StepProfile()
        let start = monotonicNanoseconds(), cpu = processCPUSeconds()
        for _ in 0..<steps {
            world.step(dt: 1.0 / 60, executor: executor)
            profile = profile + world.profile
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let cpuSeconds = processCPUSeconds() - cpu
        return Run(bodyStepsPerSecond: Double(n * steps) / seconds, bodyStepsPerCPUSecond: Double(n * steps) / cpuSeconds,
                   profile: profile, world: world)
    }

    /// The better (higher) of the peers' body-steps per second, by name.
    static func peers(_ n: Int, budget: Double, log: (String) -> Void) -> (name: String, rate: Double, cpuRate: Double)? {
        var best: (name: String, rate: Double, cpuRate: Double)?
        for engine in ["pybullet", "mujoco"] {
            let code = """
                import sys, json; sys.path.insert(0, sys.argv[1]); import eng_\(engine) as E
                r = E.pile(int(sys.argv[2]), 1.0 / 60, max_wall=float(sys.argv[3]))
                print(json.dumps({k: v for k, v in r.items() if k != 'trace'}))
                """
            let result = PeerProcess.runPython(
                code, arguments: [PeerProcess.directory("physics"), String(n), String(budget)], timeout: budget * 3 + 120)
            switch result {
            case .success(let r):
                guard let rate = r["body_steps_per_s"] as? Double else { continue }
                let steps = r["steps"] as? Int ?? 0
                log(String(format: "    %@ %d boxes: %.0f body-steps/s (%.0f per CPU second) over %d steps, max speed at end %.2f m/s",
                           engine as NSString, n, rate, r["cpu_body_steps_per_s"] as? Double ?? -1, steps,
                           r["max_speed_end"] as? Double ?? -1))
                if rate > (best?.rate ?? 0) { best = (engine, rate, r["cpu_body_steps_per_s"] as? Double ?? 0) }
            case .failure(let e):
                log("    \(engine) unavailable (\(e)); run Tools/bench-setup.sh")
            }
        }
        return best
    }

    static func describe(_ p: StepProfile) -> String {
        let t = max(p.total, 1e-12)
        return String(format: "broadphase %.0f %%, narrowphase %.0f %%, solve %.0f %%, sleep+sensors %.0f %%",
                      100 * p.broadphase / t, 100 * p.narrowphase / t, 100 * p.solve / t, 100 * p.sleep / t)
    }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        var out: [BenchResult] = []
        let workers = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        let executor = ParallelExecutor(workers: workers)
        let steps = options.quick ? 60 : 600
        let peerBudget = options.quick ? 5.0 : 60.0
        // Release must reproduce the golden run of the debug test (GoldenHashTests).
        let golden = PhysicsScenes.pileHash(executor: executor)
        let goldenNote = golden == PhysicsScenes.goldenPileHash
            ? "golden hash matches"
            : "GOLDEN HASH MISMATCH: \(String(golden, radix: 16)), expected \(String(PhysicsScenes.goldenPileHash, radix: 16))"
        log("  golden run (1,000 pile, \(PhysicsScenes.goldenSteps) steps): \(goldenNote)")
        for (n, label, target) in [(1_000, "pile_1k", 500_000.0), (10_000, "pile_10k", 150_000.0)] where options.includes(label) {
            let ours = runPile(n, steps: steps, executor: executor)
            let peer = peers(n, budget: peerBudget, log: log)
            let report = RestReport(ours.world)
            let r = BenchResult(
                suite: name, name: label, metric: "body-steps per wall second, \(steps) steps of 1/60 s",
                unit: "body-steps/s", value: ours.bodyStepsPerSecond, peer: peer.map { "\($0.name) (same run)" },
                peerValue: peer?.rate, target: target, higherIsBetter: true,
                note: "\(workers) workers; \(Int(ours.bodyStepsPerCPUSecond)) body-steps per CPU second (peer \(Int(peer?.cpuRate ?? 0))); \(describe(ours.profile)); after \(steps) steps: \(report)"
                    + "; peers timed on at most \(Int(peerBudget)) s of stepping; \(goldenNote)")
            log(String(format: "  %-8@ %10.0f body-steps/s  peer %@  ×%@", label as NSString, r.value,
                       (peer.map { String(format: "%@ %.0f", $0.name as NSString, $0.rate) } ?? "n/a") as NSString,
                       (r.peerRatio.map { String(format: "%.1f", $0) } ?? "-") as NSString))
            log("    profile: \(describe(ours.profile))")
            out.append(r)
            if n == 10_000 && options.includes("pile_10k_settled") {
                let world = ours.world
                for _ in steps..<(options.quick ? 120 : 1800) { world.step(dt: 1.0 / 60, executor: executor) }
                let rest = RestReport(world)
                log("  pile_10k_settled: \(rest.meetsCriterion ? 1 : 0) (\(rest))")
                out.append(BenchResult(
                    suite: name, name: "pile_10k_settled", metric: "1 when the 10,000 pile meets P4's rest criterion at 30 s",
                    unit: "bool", value: rest.meetsCriterion ? 1 : 0, target: 1, higherIsBetter: true, note: "\(rest)"))
            }
        }
        return out
    }
}
