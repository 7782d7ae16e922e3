import Foundation
import Testing
@testable import TwinBatch

@Suite("Results database: rows, resume guards, merge, corrupt and full files")
struct ResultStoreTests {
    func experiment(_ text: String = smallExperimentText()) throws -> Experiment {
        try ExperimentLoader.parse(text, file: "exp.json", directory: "/")
    }

    func row(_ plan: RunPlan, _ c: Int, _ r: Int, value: Double = 1.5, status: RunResult.Status = .ok) -> StoredRun {
        let run = plan.run(configuration: c, replication: r)
        let result = status == .ok
            ? RunResult(id: run.id, status: .ok, error: nil, kpis: [KPIValue(name: "util", value: value), KPIValue(name: "L", value: .nan)],
                        steps: 10, stateHash: "00000000000000aa", simulationSeconds: 0.1)
            : RunResult.failed(run.id, "the worker crashed (signal 6, aborted)")
        return StoredRun(run, result)
    }

    @Test("a row round-trips with parameters, seed (full 64 bits), status, NaN KPIs and error")
    func roundTrip() throws {
        let dir = try scratchDirectory("store-rt")
        let e = try experiment()
        let plan = RunPlan(e)
        let store = try ResultStore(path: dir + "/r.sqlite", experiment: e, mode: .create)
        let a = row(plan, 1, 2), b = row(plan, 0, 0, status: .failed)
        try store.insert(a)
        try store.insert(b)
        let back = try store.runs()
        #expect(back == [b, a])
        #expect(back[1].seed == plan.run(configuration: 1, replication: 2).seed)
        #expect(back[1].kpis[1].value.isNaN)
        #expect(try store.storedIDs() == [a.id, b.id])
        #expect(try store.storedIDs(includeFailed: false) == [a.id])
    }

    @Test("create refuses a database that holds runs; resume and merge refuse another experiment's database")
    func guards() throws {
        let dir = try scratchDirectory("store-guards")
        let e = try experiment()
        let store = try ResultStore(path: dir + "/r.sqlite", experiment: e, mode: .create)
        try store.insert(row(RunPlan(e), 0, 0))
        #expect { try ResultStore(path: dir + "/r.sqlite", experiment: e, mode: .create) } throws: { "\($0)".contains("--resume") }
        let other = try experiment(smallExperimentText(replications: 7))
        #expect { try ResultStore(path: dir + "/r.sqlite", experiment: other, mode: .resume) } throws: { "\($0)".contains("another experiment") }
        let o = try ResultStore(path: dir + "/o.sqlite", experiment: other, mode: .create)
        #expect { _ = try o.merge(store) } throws: { "\($0)".contains("another experiment") }
        _ = try ResultStore(path: dir + "/r.sqlite", experiment: e, mode: .resume)
    }

    @Test("a corrupt file, a non-database and a missing file give clear errors and are left as they were")
    func corrupt() throws {
        let dir = try scratchDirectory("store-corrupt")
        let e = try experiment()
        let junk = dir + "/junk.sqlite"
        let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: junk))
        #expect { try ResultStore(path: junk, experiment: e, mode: .resume) } throws: { "\($0)".contains("not a readable SQLite database") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: junk)) == bytes)
        // A valid SQLite file that is not ours.
        let store = try ResultStore(path: dir + "/ok.sqlite", experiment: e, mode: .create)
        try store.insert(row(RunPlan(e), 0, 0))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [dir + "/other.sqlite", "CREATE TABLE t(x);"]
        try p.run(); p.waitUntilExit()
        #expect { try ResultStore(path: dir + "/other.sqlite", experiment: e, mode: .read) } throws: { "\($0)".contains("not a TwinWorld results database") }
        #expect { try ResultStore(path: dir + "/missing.sqlite", experiment: nil, mode: .read) } throws: { "\($0)".contains("no such results database") }
    }

    @Test("a full disk (SQLITE_FULL) fails the write with a clear message; no partial row, every stored row intact")
    func fullDisk() throws {
        let dir = try scratchDirectory("store-full")
        let e = try experiment(smallExperimentText(replications: 900))
        let plan = RunPlan(e)
        let store = try ResultStore(path: dir + "/r.sqlite", experiment: e, mode: .create)
        try store.limitPages(12)
        var stored: [StoredRun] = []
        var failure: ResultStoreError?
        for c in 0..<3 {
            for r in 0..<900 {
                var x = row(plan, c, r, value: Double(r))
                x.error = String(repeating: "x", count: 200)   // fill pages quickly
                do { try store.insert(x); stored.append(x) } catch { failure = error; break }
            }
            if failure != nil { break }
        }
        let f = try #require(failure)
        #expect(f.message.contains("full"))
        #expect(f.message.contains("--resume"))
        let back = try store.runs()
        #expect(back.count == stored.count && back.count > 10)
        #expect(back.map(\.id) == stored.map(\.id).sorted())
        #expect(zip(back, stored.sorted { $0.id < $1.id }).allSatisfy { $0 == $1 })
        #expect(back.allSatisfy { $0.kpis.count == 2 })
    }
}
