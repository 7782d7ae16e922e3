import Dispatch
import Foundation
import TwinRuntime
import TwinVehicles

/// `twin bench vehicles`: vehicle updates per second on SUMO's 20×20 grid (100 m
/// edges, `netgenerate --grid --grid.number 20 --grid.length 100`) with 5,000 and
/// 20,000 vehicles (`../shared/peers/vehicles/grid/make_demand.sh`: random trips with
/// 8 intermediate edges, departures uniform in [0, 100) s, routed by duarouter), at
/// dt = 1 s and 0.1 s, for the first `horizon` simulated seconds — ours importing the
/// very same `.net.xml` and `.rou.xml`, SUMO 1.15 with `--default.carfollowmodel IDM`
/// through the peer's `run_bench.py`, in the same run.
///
/// Figures: vehicle-steps (sum over steps of the vehicles on the network) per wall
/// second of stepping (ours on 2 workers, scene loading excluded; SUMO's own
/// `Duration`, its loading excluded too). Needs `Tools/bench-setup.sh` (SUMO).
public enum VehiclesSuite: BenchmarkSuite {
    public static let name = "vehicles"
    public static let summary = "traffic on SUMO's 20×20 grid (5k/20k vehicles, dt 1 and 0.1) vs SUMO 1.15 (IDM), vehicle updates per second"

    static var peersDirectory: String { PeerProcess.directory("vehicles") }

    static var sumoHome: String { ProcessInfo.processInfo.environment["SUMO_HOME"] ?? "/usr/share/sumo" }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("twin-vehicles-bench").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let net = work + "/grid.net.xml"
        if !FileManager.default.fileExists(atPath: net) {
            log("  generating the 20×20 grid with netgenerate")
            let r = shell(["netgenerate", "--grid", "--grid.number", "20", "--grid.length", "100", "-o", net], in: work)
            guard r.status == 0 else { throw BenchError("netgenerate failed (run Tools/bench-setup.sh): \(r.output.suffix(300))") }
        }
        let horizon = options.quick ? 30.0 : 120.0
        var out: [BenchResult] = []
        for (label, n) in [("5k", 5_000), ("20k", 20_000)] {
            let cases = [("grid_\(label)_dt1", 1.0), ("grid_\(label)_dt01", 0.1)].filter { options.includes($0.0) }
            if cases.isEmpty { continue }
            let routes = work + "/d\(label).rou.xml"
            if !FileManager.default.fileExists(atPath: routes) {
                log("  generating \(n) trips (randomTrips + duarouter)")
                let r = shell(["sh", peersDirectory + "/grid/make_demand.sh", net, String(n), "d\(label)"], in: work)
                guard r.status == 0, FileManager.default.fileExists(atPath: routes) else {
                    throw BenchError("make_demand.sh failed (run Tools/bench-setup.sh): \(r.output.suffix(300))")
                }
            }
            for (name, dt) in cases {
                let ours = try runOurs(net: net, routes: routes, dt: dt, horizon: horizon)
                let peer = runSumo(net: net, routes: routes, dt: dt, horizon: horizon)
                var note = "ours: \(ours.vehicleSteps) vehicle-steps in \(String(format: "%.2f", ours.seconds)) s (2 workers), mean running \(ours.vehicleSteps / Int(horizon / dt))"
                switch peer {
                case .success(let p):
                    note += String(format: "; SUMO: %.0f vehicle-steps in %.2f s, mean running %.0f, CPU-based %.0f/s",
                                   p["veh_steps"] as? Double ?? 0, p["sumo_duration"] as? Double ?? 0, p["mean_running"] as? Double ?? 0,
                                   p["vsteps_per_cpu_s"] as? Double ?? 0)
                case .failure(let e): note += "; SUMO failed: \(e.description)"
                }
                let peerUPS = (try? peer.get())?["ups"] as? Double
                let r = BenchResult(
                    suite: Self.name, name: name, metric: "vehicle updates per wall second over the first \(Int(horizon)) s (ours on 2 workers)",
                    unit: "veh·steps/s", value: ours.perSecond, peer: "SUMO 1.15, IDM, same net and routes", peerValue: peerUPS, note: note)
                out.append(r)
                log(String(format: "  %-14@ %12.0f veh·steps/s   SUMO %@   ratio %@", name as NSString, r.value,
                           (peerUPS.map { String(format: "%.0f", $0) } ?? "n/a") as NSString,
                           (r.peerRatio.map { String(format: "%.1f×", $0) } ?? "n/a") as NSString))
            }
        }
        return out
    }

    struct Ours { var vehicleSteps: Int; var seconds: Double; var perSecond: Double }

    static func runOurs(net: String, routes: String, dt: Double, horizon: Double) throws -> Ours {
        let scene = """
            {"format": "twin-scene/1", "name": "grid-bench", "world": {"dt": \(dt), "duration": \(horizon), "seed": 42},
             "systems": [{"id": "vehicles.traffic"}],
             "traffic": {"import": {"sumoNet": "\(net)", "sumoRoutes": "\(routes)"}}}
            """
        let sim = try SceneLoader().load(text: scene, file: "grid-bench.json", options: .init(workers: 2))
        let steps = Int((horizon / dt).rounded())
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { sim.step() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        var vsteps = 0
        sim.world.query(TrafficStats.self).forEach { _, s in vsteps = s.vehicleSteps }
        return Ours(vehicleSteps: vsteps, seconds: seconds, perSecond: Double(vsteps) / max(seconds, 1e-9))
    }

    static func runSumo(net: String, routes: String, dt: Double, horizon: Double) -> Result<[String: Any], BenchError> {
        let r = shell(["python3", peersDirectory + "/grid/run_bench.py", net, routes, String(dt), "1", "0", String(horizon),
                       "--default.carfollowmodel", "IDM"], in: (net as NSString).deletingLastPathComponent, timeout: 1800)
        for line in r.output.split(separator: "\n").reversed() where line.hasPrefix("{") {
            if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return .success(obj) }
        }
        return .failure(BenchError("run_bench.py exit \(r.status): \(r.output.suffix(300))"))
    }

    /// Runs a command (found on PATH) with SUMO_HOME set; stdout and stderr together.
    static func shell(_ args: [String], in dir: String, timeout: Double = 900) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["SUMO_HOME"] = sumoHome
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "cannot start \(args[0]): \(error)") }
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if p.isRunning { p.terminate() } }
        timer.resume()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
