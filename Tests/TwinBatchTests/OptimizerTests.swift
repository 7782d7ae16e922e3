import Foundation
import Testing
import TwinTesting
@testable import TwinBatch

@Suite("Optimisation: Nelder–Mead, and twin sweep optimize on a scene with a known optimum", .serialized)
struct OptimizerTests {
    @Test("Nelder–Mead finds the minimum (0.3, 0.7) of a tilted quadratic to 1e-3, and Rosenbrock's (scaled into the box) to 1e-2")
    func nelderMead() {
        let q = NelderMead(maxEvaluations: 400, fTolerance: 1e-12, xTolerance: 1e-6).minimize(start: [0.9, 0.1]) { x in
            let a = x[0] - 0.3, b = x[1] - 0.7
            return 3 * a * a + 2 * a * b + b * b + 1
        }
        #expect(abs(q.x[0] - 0.3) < 1e-3 && abs(q.x[1] - 0.7) < 1e-3)
        #expect(abs(q.value - 1) < 1e-6)
        #expect(q.evaluations <= 400)
        // Rosenbrock on u = 4x − 2 ∈ [−2, 2]², minimum at u = (1, 1) → x = (0.75, 0.75).
        let r = NelderMead(maxEvaluations: 2000, fTolerance: 1e-14, xTolerance: 1e-7).minimize(start: [0.2, 0.9]) { x in
            let u = 4 * x[0] - 2, v = 4 * x[1] - 2
            return (1 - u) * (1 - u) + 100 * (v - u * u) * (v - u * u)
        }
        #expect(abs(r.x[0] - 0.75) < 1e-2 && abs(r.x[1] - 0.75) < 1e-2)
    }

    @Test("a minimum on the box's edge is found there (clamping), and the evaluation budget is respected")
    func boundary() {
        let o = NelderMead(maxEvaluations: 60).minimize(start: [0.5]) { x in (x[0] - 1.7) * (x[0] - 1.7) }
        #expect(o.x[0] > 0.99)
        #expect(o.evaluations <= 60)
    }

    @Test("twin sweep optimize finds the analytic optimum serviceMean = 0.5 of L − 4·serviceMean on the M/M/1 scene (within 0.05), cost −1 within 0.05")
    func mm1Optimum() throws {
        let dir = try scratchDirectory("optimize")
        let exp = packageRoot() + "/Scenes/experiments/mm1-service-choice.json"
        let r = try runTwin(["sweep", "optimize", exp, "--jobs", "2", "--json", "--db", "opt.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONParser.parse(r.stdout)
        let s = try #require(v["parameters"]?["serviceMean"]?.doubleValue)
        let cost = try #require(v["objective"]?.doubleValue)
        print("optimum serviceMean \(s), cost \(cost), \(v["evaluations"]?.doubleValue ?? 0) evaluations")
        #expect(abs(s - 0.5) < 0.05)
        #expect(abs(cost + 1) < 0.05)
        #expect(v["feasible"]?.boolValue == true)
        // Every evaluation's runs are in the database.
        let rows = try ResultStore(path: dir + "/opt.sqlite", experiment: nil, mode: .read).runs()
        #expect(rows.count == Int(v["evaluations"]?.doubleValue ?? 0) * 4)
    }

    @Test("a constraint that excludes the unconstrained optimum moves the answer to the constraint's edge (util ≤ 0.35 → serviceMean ≈ 0.35)")
    func constrained() throws {
        let dir = try scratchDirectory("optimize-constrained")
        let text = try String(contentsOfFile: packageRoot() + "/Scenes/experiments/mm1-service-choice.json", encoding: .utf8)
            .replacingOccurrences(of: "\"atMost\": 0.85", with: "\"atMost\": 0.35")
            .replacingOccurrences(of: "\"../validation/", with: "\"\(packageRoot())/Scenes/validation/")
        let exp = try writeExperiment(text, in: dir)
        let r = try runTwin(["sweep", "optimize", exp, "--jobs", "2", "--json", "--db", "opt.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let s = try #require(try JSONParser.parse(r.stdout)["parameters"]?["serviceMean"]?.doubleValue)
        #expect(s <= 0.36 && s > 0.3, "\(s)")
    }

    @Test("optimize killed halfway (SIGKILL), --resume reuses every stored run and ends where an uninterrupted search ends")
    func resumeAfterKill() throws {
        let dir = try scratchDirectory("optimize-kill")
        let exp = packageRoot() + "/Scenes/experiments/mm1-service-choice.json"
        let whole = try runTwin(["sweep", "optimize", exp, "--jobs", "2", "--json", "--db", "whole.sqlite"], cwd: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        let expected = try JSONParser.parse(whole.stdout)
        let totalRuns = Int(expected["evaluations"]?.doubleValue ?? 0) * 4

        let p = try runTwinKilled(["sweep", "optimize", exp, "--jobs", "2", "--db", "killed.sqlite"], cwd: dir, db: "killed.sqlite",
                                  afterRuns: totalRuns / 3)
        #expect(p.terminationReason == .uncaughtSignal)
        let before = try ResultStore(path: dir + "/killed.sqlite", experiment: nil, mode: .read).runs()
        #expect(before.count >= totalRuns / 3 && before.count < totalRuns, "killed after \(before.count) of \(totalRuns) runs")
        // Without --resume the database is protected; --resume on a missing one is an error.
        var r = try runTwin(["sweep", "optimize", exp, "--db", "killed.sqlite"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("--resume"), "\(r.stderr)")
        r = try runTwin(["sweep", "optimize", exp, "--db", "absent.sqlite", "--resume"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("does not exist"), "\(r.stderr)")

        r = try runTwin(["sweep", "optimize", exp, "--jobs", "2", "--json", "--db", "killed.sqlite", "--resume"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let resumed = try JSONParser.parse(r.stdout)
        #expect(resumed["reusedRuns"]?.doubleValue == Double(before.count))
        for key in ["objective", "evaluations", "parameters", "kpis", "feasible"] {
            #expect(resumed[key].map { JSONWriter.string($0) } == expected[key].map { JSONWriter.string($0) }, "\(key)")
        }
        let after = try ResultStore(path: dir + "/killed.sqlite", experiment: nil, mode: .read).runs()
        #expect(after.count == totalRuns)
        for b in before { #expect(after.contains(b), "row \(b.id) changed on resume") }
    }
}
