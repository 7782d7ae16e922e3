import Foundation
import TwinRuntime

/// `twin bench machines`: process lines against SimPy (`../shared/peers/machines/`, and
/// `Tools/peers/machines_line20.py` for the 20-station line) in the same run, on the same
/// models: job completions per CPU second for the M/M/1 queue (10⁶ customers), the
/// tandem line of validation case M2 (10⁵ s) and a 20-station line with 5-slot buffers
/// (2·10⁴ s); and steps per CPU second of a 200-station factory with ≈ 10,000 items on
/// its conveyors (`Scenes/benchmarks/machines-factory.json`, golden hash checked).
///
/// Ours run through the whole engine (scene → `machines.process` in fixed steps of the
/// largest allowed `dt`, 8 s, with the per-step status sync), timed in thread-CPU time.
public enum MachinesSuite: BenchmarkSuite {
    public static let name = "machines"
    public static let summary = "process lines vs SimPy (M/M/1, tandem, 20-station line) and a 200-station factory scene"

    static var peersDirectory: String { PeerProcess.directory("machines") }

    static let systems = #""systems": [{"id": "machines.process", "params": {"itemEntities": false}}]"#

    static func mm1(_ n: Int, seed: Int) -> String {
        """
        {"world": {"dt": 8, "seed": \(seed), "duration": 1e9}, \(systems),
         "machines": {"elements": [
           {"name": "arrivals", "type": "source", "interarrival": {"dist": "exponential", "mean": \(1 / 0.9)}, "limit": \(n), "to": "queue"},
           {"name": "queue", "type": "buffer", "to": "server"},
           {"name": "server", "type": "station", "process": {"dist": "exponential", "mean": 1.0}, "to": "exit"},
           {"name": "exit", "type": "sink"}]}}
        """
    }

    static func tandem(seed: Int) -> String {
        """
        {"world": {"dt": 8, "seed": \(seed), "duration": 100000}, \(systems),
         "machines": {"elements": [
           {"name": "raw", "type": "source", "infinite": true, "to": "A"},
           {"name": "A", "type": "station", "process": 1.0, "to": "buffer"},
           {"name": "buffer", "type": "buffer", "capacity": 5, "to": "B"},
           {"name": "B", "type": "station", "process": {"dist": "exponential", "mean": 0.9}, "to": "done",
            "failures": [{"upTime": {"dist": "exponential", "mean": 100}, "repairTime": {"dist": "exponential", "mean": 10}}]},
           {"name": "done", "type": "sink"}]}}
        """
    }

    static func line20(seed: Int) -> String {
        var els = [#"{"name": "raw", "type": "source", "infinite": true, "to": "S1"}"#]
        for k in 1...20 {
            let next = k < 20 ? "B\(k)" : "out"
            els.append(#"{"name": "S\#(k)", "type": "station", "process": {"dist": "exponential", "mean": 1.0}, "to": "\#(next)"}"#)
            if k < 20 { els.append(#"{"name": "B\#(k)", "type": "buffer", "capacity": 5, "to": "S\#(k + 1)"}"#) }
        }
        els.append(#"{"name": "out", "type": "sink"}"#)
        return """
        {"world": {"dt": 8, "seed": \(seed), "duration": 20000}, \(systems),
         "machines": {"elements": [\(els.joined(separator: ",\n"))]}}
        """
    }

    /// Runs `json` for `seconds` (or until `finished` items reached a sink) and returns
    /// (thread-CPU seconds, job completions at stations, sink arrivals).
    static func timeLine(_ json: String, seconds: Double? = nil, finished: Int? = nil) throws -> (cpu: Double, jobs: Int, done: Int) {
        let sim: Simulation
        do { sim = try SceneLoader().load(text: json, file: "<bench>") } catch { throw BenchError("machines: \(error)") }
        let w = sim.world
        guard let lineEntity = w.entities.first(where: { w.get(MachineLine.self, of: $0) != nil }) else { throw BenchError("machines: no line") }
        let steps = seconds.map { sim.scene.settings.steps(for: $0) } ?? Int64.max
        let t0 = CPUTimer.threadNanoseconds()
        var n: Int64 = 0
        while n < steps {
            sim.step()
            n += 1
            if let f = finished, (w.get(MachineLine.self, of: lineEntity)?.finished ?? 0) >= f { break }
        }
        let cpu = Double(CPUTimer.threadNanoseconds() - t0) / 1e9
        var jobs = 0
        for e in w.entities {
            if let s = w.get(MachineStatus.self, of: e), s.element == "station" { jobs += s.completed }
        }
        let done = w.get(MachineLine.self, of: lineEntity)?.finished ?? 0
        return (cpu, jobs, done)
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        var out: [BenchResult] = []
        let reps = options.quick ? 1 : 3
        func add(_ r: BenchResult) {
            out.append(r)
            log(String(format: "  %-22@ %14.0f %@   peer %@", r.name as NSString, r.value, r.unit as NSString,
                       (r.peerValue.map { String(format: "%.0f (×%.1f)", $0, r.value / $0) } ?? "n/a") as NSString))
        }
        func note(_ ratio: Double?, _ peer: Result<[String: Any], BenchError>) -> String {
            if case .failure(let e) = peer { return "peer failed: \(e.description) (Tools/bench-setup.sh installs SimPy)" }
            guard let r = ratio else { return "" }
            return String(format: "target ≥ 20× SimPy: %@ (%.1f×)", r >= 20 ? "met" : "missed", r)
        }

        // Ours and SimPy alternate (the machine is shared: load drifts over a run); each
        // figure is the median of its runs.
        func interleaved(
            _ label: String, peerRuns: Int, ours: (Int) throws -> Double, peer: () -> Result<[String: Any], BenchError>,
            peerRate: ([String: Any]) -> Double?
        ) rethrows -> (Double, Double?, Result<[String: Any], BenchError>) {
            var mine: [Double] = [], theirs: [Double] = []
            var last: Result<[String: Any], BenchError> = .failure(BenchError("not run"))
            for r in 0..<reps {
                mine.append(try ours(r + 1))
                if r < peerRuns {
                    last = peer()
                    if let v = (try? last.get()).flatMap(peerRate) { theirs.append(v) }
                }
            }
            return (median(mine), theirs.isEmpty ? nil : median(theirs), last)
        }

        if options.includes("mm1_events_per_s") {
            let n = options.quick ? 100_000 : 1_000_000
            let (v, pv, peer) = try interleaved("mm1", peerRuns: options.quick ? 1 : 2, ours: { seed in
                let r = try timeLine(mm1(n, seed: seed), finished: n)
                guard r.done >= n else { throw BenchError("mm1: only \(r.done) of \(n) customers finished") }
                return Double(r.done) / r.cpu
            }, peer: { PeerProcess.runScript(peersDirectory + "/mm1.py", [String(n), "1"]) }, peerRate: { d in
                guard let c = d["cpu_s"] as? Double, let k = d["n"] as? Double, c > 0 else { return nil }
                return k / c
            })
            add(BenchResult(
                suite: name, name: "mm1_events_per_s",
                metric: "M/M/1 (λ 0.9, μ 1) customers completed per thread-CPU second, \(n) customers, median of \(reps)",
                unit: "1/s", value: v, peer: "SimPy \(n) customers (mm1.py)", peerValue: pv, note: note(pv.map { v / $0 }, peer)))
        }

        if options.includes("tandem_events_per_s") {
            let (v, pv, peer) = try interleaved("tandem", peerRuns: reps, ours: { seed in
                let r = try timeLine(tandem(seed: seed), seconds: 100_000)
                return Double(r.jobs) / r.cpu
            }, peer: { PeerProcess.runScript(peersDirectory + "/tandem.py", ["1", "1e5", "1"]) }, peerRate: { d in
                guard let c = d["cpu_s"] as? Double, let a = d["a_output_rate"] as? Double, let b = d["throughput"] as? Double, c > 0 else { return nil }
                return (a + b) * 1e5 / c
            })
            add(BenchResult(
                suite: name, name: "tandem_events_per_s",
                metric: "tandem line M2 (with failures), job completions (A and B) per thread-CPU second over 10⁵ s, median of \(reps)",
                unit: "1/s", value: v, peer: "SimPy tandem.py, 1 replication of 10⁵ s", peerValue: pv, note: note(pv.map { v / $0 }, peer)))
        }

        if options.includes("line20_events_per_s") {
            let script = FileManager.default.currentDirectoryPath + "/Tools/peers/machines_line20.py"
            let (v, pv, peer) = try interleaved("line20", peerRuns: reps, ours: { seed in
                let r = try timeLine(line20(seed: seed), seconds: 20_000)
                return Double(r.jobs) / r.cpu
            }, peer: { PeerProcess.runScript(script, ["20000", "1"]) }, peerRate: { $0["jobs_per_cpu_s"] as? Double })
            add(BenchResult(
                suite: name, name: "line20_events_per_s",
                metric: "20 stations (Exp 1 s) with 5-slot buffers, job completions per thread-CPU second over 2·10⁴ s, median of \(reps)",
                unit: "1/s", value: v, peer: "SimPy Tools/peers/machines_line20.py, same model", peerValue: pv,
                note: note(pv.map { v / $0 }, peer)))
        }

        if options.includes("factory_steps_per_s") {
            let file = (options.scenesDirectory as NSString).appendingPathComponent("machines-factory.json")
            let golden = try Golden.load(options.scenesDirectory)
            let sim: Simulation
            do { sim = try SceneLoader().load(file: file) } catch { throw BenchError("factory: \(error)") }
            let warm = sim.scene.settings.steps(for: 600)
            for _ in 0..<warm { sim.step() }
            guard let itemID = sim.world.registry.type(named: "ConveyorItem")?.id else { throw BenchError("factory: no ConveyorItem") }
            let items = sim.world.count(with: [itemID])
            let timed = options.quick ? 400 : 1600
            var times: [Double] = []
            for _ in 0..<timed {
                let s = CPUTimer.threadNanoseconds()
                sim.step()
                times.append(Double(CPUTimer.threadNanoseconds() - s) / 1e9)
            }
            var hashNote = "golden hash not checked (quick)"
            if !options.quick {
                let hash = StableHasher.hex(sim.world.stateHash())
                let steps = Int(warm) + timed
                guard let expected = golden["machines-factory"], expected.steps == steps else {
                    throw BenchError("factory: no golden hash for machines-factory after \(steps) steps in golden.json (this run: \(hash))")
                }
                guard expected.stateHash == hash else {
                    throw BenchError("factory: state hash \(hash) after \(steps) steps differs from the golden \(expected.stateHash): a fast wrong answer")
                }
                hashNote = "golden hash ok"
            }
            let v = 1 / median(times)
            add(BenchResult(
                suite: name, name: "factory_steps_per_s",
                metric: "steps per thread-CPU second (median step), 200 stations, \(items) conveyor items as entities, dt 1/16 s",
                unit: "1/s", value: v,
                note: "\(hashNote); target ≥ 1000 steps/s with ≥ 10,000 items: \(v >= 1000 && items >= 10_000 ? "met" : "missed")"))
        }
        return out
    }
}
