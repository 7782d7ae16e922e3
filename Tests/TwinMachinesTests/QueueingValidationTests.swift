import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting

/// Validation case M1 (../shared/data/validation/machines.md): M/M/1, λ = 0.9/s, μ = 1/s,
/// 10⁶ customers, against the analytic formulas. The tolerances are the case's
/// acceptance rule (≈ 3σ of the run-to-run spread, so ≈ 0.3 % of correct runs fail by chance).
@Suite("machines: queueing theory (M1)")
struct QueueingValidationTests {
    struct Figures { var wq, w, util, lq, l, lambdaObs: Double }

    static func runMM1(seed: Int, customers: Int) throws -> Figures {
        let run = try LineRun(mm1Scene(seed: seed, customers: customers))
        try run.run(maxSteps: 10_000_000) { try $0.line.finished >= customers }
        let queue = try run.status("queue"), server = try run.status("server"), sink = try run.status("exit")
        let line = try run.line
        #expect(sink.completed == customers)
        let t = run.fixture.simulation.time
        return Figures(
            wq: queue.meanTime, w: sink.leadTimeMean, util: server.busy, lq: queue.meanContents, l: line.meanWip,
            lambdaObs: Double(customers) / t)
    }

    @Test("M/M/1 ρ = 0.9, 10⁶ customers, one run: Wq, W, Lq, L, util within the case's 3σ bounds; Little's law within 1 %")
    func mm1SingleRun() throws {
        let f = try Self.runMM1(seed: 1, customers: 1_000_000)
        #expect(abs(f.wq - 9) <= 0.6, "Wq = \(f.wq)")
        #expect(abs(f.w - 10) <= 0.6, "W = \(f.w)")
        #expect(abs(f.lq - 8.1) <= 0.55, "Lq = \(f.lq)")
        #expect(abs(f.l - 9) <= 0.6, "L = \(f.l)")
        #expect(abs(f.util - 0.9) <= 0.005, "util = \(f.util)")
        // Little's law, L = λW, and Lq = λWq.
        #expect(abs(f.l - f.lambdaObs * f.w) / f.l <= 0.01, "L = \(f.l), λW = \(f.lambdaObs * f.w)")
        #expect(abs(f.lq - f.lambdaObs * f.wq) / f.lq <= 0.01)
        // W = Wq + mean service (1 s) up to noise of the service sample mean (±0.01).
        #expect(abs(f.w - f.wq - 1) <= 0.01)
    }

    @Test("M/M/1: the mean of 5 independent runs of 2·10⁵ customers within the 5-run bounds scaled by √5 (|Wq − 9| ≤ 0.67, |util − 0.9| ≤ 0.0056)")
    func mm1FiveRuns() throws {
        var wq = 0.0, util = 0.0
        for s in 2...6 {
            let f = try Self.runMM1(seed: s, customers: 200_000)
            wq += f.wq / 5; util += f.util / 5
            #expect(abs(f.l - f.lambdaObs * f.w) / f.l <= 0.01)
        }
        // The case's 5-run rule (|Wq − 9| ≤ 0.3, |util − 0.9| ≤ 0.0025) is for 10⁶ customers per
        // run; at 2·10⁵ customers the standard error is √5 larger.
        #expect(abs(wq - 9) <= 0.3 * 5.0.squareRoot(), "mean Wq = \(wq)")
        #expect(abs(util - 0.9) <= 0.0025 * 5.0.squareRoot(), "mean util = \(util)")
    }
}
