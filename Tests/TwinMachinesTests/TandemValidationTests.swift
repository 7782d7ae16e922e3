import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting

/// Validation case M2 (../shared/data/validation/machines.md): source → A (1 s) → buffer 5
/// → B (Exp 0.9 s, calendar-time failures Exp 100 / Exp 10, pre-empt–resume) → sink,
/// T = 10⁵ s, 10 replications. Hard rule: |mean of 10 − exact| ≤ the case's 99 % half-width
/// (3.250·sd/√10; a correct engine fails one output by chance ≈ 1 % of the time).
@Suite("machines: tandem line with failures (M2)")
struct TandemValidationTests {
    struct Rep { var throughput, utilA, blockA, utilB, downB, starvedB, meanBuffer: Double }

    static func replicate(seed: Int, failures: Bool) throws -> Rep {
        let run = try LineRun(tandemScene(seed: seed, failures: failures))
        run.run(seconds: 100_000)
        let a = try run.status("A"), b = try run.status("B"), buf = try run.status("buffer"), sink = try run.status("done")
        return Rep(
            throughput: sink.throughput, utilA: a.busy, blockA: a.blocked, utilB: b.busy, downB: b.down,
            starvedB: b.starved, meanBuffer: buf.meanContents)
    }

    static func mean(_ reps: [Rep], _ k: KeyPath<Rep, Double>) -> Double { reps.map { $0[keyPath: k] }.reduce(0, +) / Double(reps.count) }

    @Test("M2 with failures: 10 × 10⁵ s means within the 99 % half-widths of the exact Markov-chain values; identities per replication")
    func withFailures() throws {
        let reps = try (1...10).map { try Self.replicate(seed: $0, failures: true) }
        let cases: [(String, KeyPath<Rep, Double>, Double, Double)] = [
            ("throughput", \.throughput, 0.891829, 0.0041), ("util_A", \.utilA, 0.891829, 0.0041),
            ("block_A", \.blockA, 0.108171, 0.0041), ("util_B", \.utilB, 0.802646, 0.0036),
            ("down_B", \.downB, 0.090909, 0.0042), ("starved_B", \.starvedB, 0.106445, 0.0021),
            ("mean_buffer", \.meanBuffer, 2.158054, 0.027),
        ]
        for (name, k, exact, half) in cases {
            let m = Self.mean(reps, k)
            #expect(abs(m - exact) <= half, "\(name): mean \(m), exact \(exact), allowed ±\(half)")
        }
        for r in reps {
            #expect(abs(r.utilA + r.blockA - 1) <= 1e-9, "util_A + block_A = \(r.utilA + r.blockA)")
            #expect(abs(r.downB - 1.0 / 11) <= 0.0125, "down_B = \(r.downB)")
            #expect(abs(r.utilB + r.downB + r.starvedB - 1) <= 1e-9)
            // throughput ≈ util_A / 1 s up to the parts still in the line at T (A's, 5 buffered, B's)
            // and A's part in progress.
            #expect(abs(r.throughput - r.utilA) <= 8.0 / 100_000, "throughput \(r.throughput) vs util_A \(r.utilA)")
        }
    }

    @Test("M2-NF (B never fails): 10 × 10⁵ s means within the 99 % half-widths of the exact values")
    func withoutFailures() throws {
        let reps = try (1...10).map { try Self.replicate(seed: 100 + $0, failures: false) }
        let cases: [(String, KeyPath<Rep, Double>, Double, Double)] = [
            ("throughput", \.throughput, 0.966573, 0.0012), ("block_A", \.blockA, 0.033427, 0.0012),
            ("util_B", \.utilB, 0.869916, 0.0021), ("starved_B", \.starvedB, 0.130084, 0.0021),
            ("mean_buffer", \.meanBuffer, 1.716663, 0.024),
        ]
        for (name, k, exact, half) in cases {
            let m = Self.mean(reps, k)
            #expect(abs(m - exact) <= half, "\(name): mean \(m), exact \(exact), allowed ±\(half)")
        }
        for r in reps { #expect(r.downB == 0) }
    }

    @Test("Little's law on the tandem line: mean WIP = throughput × mean lead time within 1 %")
    func littlesLaw() throws {
        let run = try LineRun(tandemScene(seed: 7, failures: true))
        run.run(seconds: 100_000)
        let line = try run.line
        // WIP counts parts in A, the buffer and B (the infinite source holds none between pulls).
        #expect(abs(line.meanWip - line.throughput * line.meanLeadTime) / line.meanWip <= 0.01,
                "L = \(line.meanWip), λW = \(line.throughput * line.meanLeadTime)")
    }
}
