import Foundation
import Testing
import TwinTesting
@testable import TwinBatch

@Suite("Experiment files: parameter spaces, seeds, shards, bad input")
struct ExperimentTests {
    func parse(_ text: String) throws -> Experiment {
        try ExperimentLoader.parse(text, file: "exp.json", directory: packageRoot() + "/Scenes/experiments")
    }

    func issues(_ text: String) -> [String] {
        do throws(SceneError) {
            let e = try ExperimentLoader.parse(text, file: "exp.json", directory: packageRoot() + "/Scenes/experiments")
            _ = try PreparedScene.prepare(e)
            return []
        } catch { return error.issues.map(\.description) }
    }

    @Test("a grid is the full factorial in file order; ranges with step include the end and print as typed (0.3, not 0.30000000000000004)")
    func grid() throws {
        let e = try parse("""
            {"format": "twin-experiment/1", "name": "g", "scene": "../validation/mm1-service-choice.json",
             "parameters": {"serviceMean": {"from": 0.1, "to": 0.3, "step": 0.1}, "mode": {"values": ["a", "b"]}},
             "replications": 2, "kpis": ["util"]}
            """)
        let plan = RunPlan(e)
        #expect(plan.configurations.count == 6)
        #expect(plan.configurations.map { $0[0].value.doubleValue } == [0.1, 0.1, 0.2, 0.2, 0.3, 0.3])
        #expect(plan.configurations.map { $0[1].value.stringValue } == ["a", "b", "a", "b", "a", "b"])
        #expect(plan.runs.count == 12)
        #expect(RunPlan.runCount(e) == 12)
        #expect(plan.runs.map(\.id).prefix(3) == ["c0000-r000", "c0000-r001", "c0001-r000"])
    }

    @Test("replication r has the same seed in every configuration (common random numbers) and different seeds across r")
    func commonRandomNumbers() throws {
        let plan = RunPlan(try parse(smallExperimentText(replications: 4)))
        let runs = plan.runs
        for r in 0..<4 { #expect(Set(runs.filter { $0.replication == r }.map(\.seed)).count == 1) }
        #expect(Set(runs.map(\.seed)).count == 4)
        // Deterministic across processes: the seed depends only on the experiment seed and r.
        #expect(RunPlan.seed(experimentSeed: 11, replication: 0) == runs[0].seed)
    }

    @Test("Latin hypercube: each parameter's range cut into n strata holds exactly one point each; random stays in range; both reproducible")
    func sampledDesigns() throws {
        let text = """
            {"format": "twin-experiment/1", "name": "l", "scene": "../validation/mm1-service-choice.json", "seed": 5,
             "parameters": {"serviceMean": {"from": 0.2, "to": 0.8}},
             "design": {"kind": "latin-hypercube", "samples": 10}, "kpis": ["util"]}
            """
        let plan = RunPlan(try parse(text))
        let xs = plan.configurations.compactMap { $0[0].value.doubleValue }
        #expect(xs.count == 10)
        #expect(Set(xs.map { Int(($0 - 0.2) / 0.6 * 10) }).count == 10)
        #expect(RunPlan(try parse(text)).configurations == plan.configurations)
        let r = RunPlan(try parse(text.replacingOccurrences(of: "latin-hypercube", with: "random")))
        #expect(r.configurations.count == 10)
        #expect(r.configurations.allSatisfy { ($0[0].value.doubleValue ?? -1) >= 0.2 && ($0[0].value.doubleValue ?? 2) < 0.8 })
    }

    @Test("shards i/n partition the runs: disjoint, complete, deterministic")
    func shards() throws {
        let runs = RunPlan(try parse(smallExperimentText(replications: 5))).runs
        let parts = (1...4).map { RunPlan.shard(runs, index: $0, count: 4) }
        #expect(parts.map(\.count).reduce(0, +) == runs.count)
        #expect(Set(parts.flatMap { $0.map(\.id) }) == Set(runs.map(\.id)))
        #expect(parts.map(\.count).max()! - parts.map(\.count).min()! <= 1)
    }

    @Test("bad input: each problem is named with its JSON path", arguments: [
        ("{\"format\": \"twin-experiment/1\"", "malformed JSON"),
        ("{\"format\": \"twin-experiment/9\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"]}", "$.format: expected \"twin-experiment/1\""),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"replicatons\": 3}", "replicatons"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"replications\": 0}", "replications must be ≥ 1"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"parameters\": {\"p\": {\"from\": 1, \"to\": 0}}}", "$.parameters.p: a range needs finite \"from\" ≤ \"to\""),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"parameters\": {\"p\": {\"from\": 0, \"to\": 1}}}", "a grid needs discrete values"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"parameters\": {\"p\": {\"values\": []}}}", "needs at least one value"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"design\": {\"kind\": \"latin\"}}", "unknown design \"latin\""),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": []}", "list at least one KPI"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [{\"name\": \"a\", \"statistic\": \"median\"}]}", "$.kpis[0].statistic"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"duration\": 10, \"warmup\": 20}", "warm-up"),
        ("{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"s.json\", \"kpis\": [\"a\"], \"sequential\": {\"kpi\": \"b\", \"halfWidth\": 1, \"maxReplications\": 9}}", "unknown KPI of this experiment \"b\""),
    ])
    func badFiles(text: String, expected: String) {
        let found = issues(text)
        #expect(found.contains { $0.contains(expected) }, "\(found)")
    }

    @Test("checked against the scene: unknown parameter (with a suggestion), value outside the declared range, wrong kind, a KPI the scene does not measure, a missing scene")
    func badAgainstScene() {
        func exp(_ params: String, kpis: String = "[\"util\"]", scene: String = "../validation/mm1-service-choice.json") -> String {
            "{\"format\": \"twin-experiment/1\", \"name\": \"x\", \"scene\": \"\(scene)\", \"parameters\": \(params), \"kpis\": \(kpis)}"
        }
        #expect(issues(exp("{\"serviceMeen\": 0.5}")).contains { $0.contains("$.parameters.serviceMeen") && $0.contains("serviceMean") })
        #expect(issues(exp("{\"serviceMean\": {\"values\": [0.5, 2]}}")).contains { $0.contains("2 is above the scene's maximum 0.95 s") })
        #expect(issues(exp("{\"serviceMean\": {\"from\": 0.01, \"to\": 0.5, \"step\": 0.1}}")).contains { $0.contains("below the scene's minimum 0.05") })
        #expect(issues(exp("{\"serviceMean\": \"fast\"}")).contains { $0.contains("expected a number") })
        #expect(issues(exp("{}", kpis: "[\"utilisation\"]")).contains { $0.contains("\"utilisation\"") && $0.contains("util") })
        #expect(issues(exp("{}", scene: "nope.json")).contains { $0.contains("no such file") })
        #expect(issues(exp("{\"serviceMean\": 0.5}")).isEmpty)
    }

    @Test("a grid of 10⁸ runs is counted without being built")
    func hugeCount() throws {
        let e = try parse("""
            {"format": "twin-experiment/1", "name": "h", "scene": "../validation/mm1-service-choice.json",
             "parameters": {"a": {"from": 0, "to": 1, "count": 10000}, "b": {"from": 0, "to": 1, "count": 1000}},
             "replications": 10, "kpis": ["util"]}
            """)
        #expect(RunPlan.runCount(e) == 1e8)
    }

    @Test("KPI statistics: final, mean after the warm-up, increase since the warm-up")
    func kpiStatistics() {
        let samples: [(time: Double, value: Double)] = [(0, 0), (10, 5), (20, 8), (30, 20)]
        #expect(RunExecutor.value(KPISpec(name: "k", statistic: .final), samples, warmup: 15) == 20)
        #expect(RunExecutor.value(KPISpec(name: "k", statistic: .mean), samples, warmup: 15) == 14)
        #expect(RunExecutor.value(KPISpec(name: "k", statistic: .increase), samples, warmup: 15) == 15)
        #expect(RunExecutor.value(KPISpec(name: "k", statistic: .final), [], warmup: 0).isNaN)
    }
}
