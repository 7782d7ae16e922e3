import Foundation
import Testing
import TwinTesting
@testable import TwinBatch

@Suite("Confidence intervals cover the analytic M/M/1 mean at the stated rate")
struct CoverageTests {
    /// M/M/1 with λ = 1/s and mean service 0.5 s: the server's long-run busy fraction
    /// is ρ = 0.5 exactly. 200 independent experiments of 5 replications (2000 s
    /// each, seeds from 200 experiment seeds) each give a 95 % Student-t interval;
    /// the number covering 0.5 is Binomial(200, 0.95) if the intervals are right:
    /// mean 190, σ 3.1. Accepted: 180...200 (the normal quantile 1.96 instead of
    /// t(0.975, 4) = 2.776 would cover only about 88 %, 176 of 200). The bias of
    /// starting empty is about 0.002, a tenth of one run's standard deviation.
    @Test("200 intervals of 5 replications: 180 ≤ covering ≤ 200; the grand mean within 0.004 of ρ = 0.5")
    func coverage() throws {
        let base = try ExperimentLoader.parse(smallExperimentText(), file: "exp.json", directory: "/")
        let setup = RunSetup(experiment: base, scene: try PreparedScene.prepare(base))
        let intervals = 200, reps = 5
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: intervals * reps)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            for i in stride(from: part, to: intervals, by: 2) {
                for r in 0..<reps {
                    let run = PlannedRun(id: "x", configuration: 0, replication: r, seed: RunPlan.seed(experimentSeed: UInt64(1000 + i), replication: r),
                                         parameters: [ParameterValue(name: "serviceMean", value: .number(0.5))])
                    results[i * reps + r] = RunExecutor.execute(run, setup: setup).kpis.first { $0.name == "util" }?.value ?? .nan
                }
            }
        }
        var covering = 0
        for i in 0..<intervals {
            let s = try #require(Summary(Array(results[(i * reps)..<((i + 1) * reps)])))
            if s.lower <= 0.5 && 0.5 <= s.upper { covering += 1 }
        }
        let grand = try #require(Summary(Array(results)))
        print("coverage \(covering)/\(intervals); grand mean util \(grand.mean) ± \(grand.halfWidth)")
        #expect(grand.count == intervals * reps)
        #expect(covering >= 180 && covering <= 200)
        #expect(abs(grand.mean - 0.5) < 0.004)
    }
}
