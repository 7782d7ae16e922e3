import Foundation
import Testing
import TwinTesting
@testable import TwinBatch

/// End to end with the real `twin` binary and real worker processes.
@Suite("twin sweep: isolation, resume after a kill, shards, cluster scripts", .serialized)
struct SweepProcessTests {
    func stored(_ db: String) throws -> [StoredRun] {
        try ResultStore(path: db, experiment: nil, mode: .read).runs()
    }

    @Test("a sweep stores one ok row per run whose KPIs equal an in-process run of the same seed and parameters")
    func sweepMatchesInProcess() throws {
        let dir = try scratchDirectory("sweep-basic")
        let exp = try writeExperiment(smallExperimentText(), in: dir)
        let r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "r.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try stored(dir + "/r.sqlite")
        #expect(rows.count == 9)
        #expect(rows.allSatisfy { $0.status == .ok })
        let e = try ExperimentLoader.load(file: exp)
        let setup = RunSetup(experiment: e, scene: try PreparedScene.prepare(e))
        let plan = RunPlan(e)
        let local = RunExecutor.execute(plan.run(configuration: 2, replication: 1), setup: setup)
        let remote = try #require(rows.first { $0.id == "c0002-r001" })
        #expect(remote.kpis == local.kpis)
        #expect(remote.stateHash == local.stateHash)
        // JSON export: statistics per configuration and paired differences; util grows with the service time.
        let json = try runTwin(["sweep", "export", "r.sqlite", "--format", "json"], cwd: dir)
        let v = try JSONParser.parse(json.stdout)
        #expect(v["runs"]?.elements?.count == 9)
        #expect(v["configurations"]?.elements?.count == 3)
        let diffs = try #require(v["differencesFromConfiguration0"]?["util"]?.elements)
        #expect(diffs.count == 2)
        #expect(diffs.allSatisfy { $0["significant"]?.boolValue == true && ($0["ciLower"]?.doubleValue ?? 0) > 0 })
    }

    @Test("a worker that aborts (SIGABRT) fails only its run, with the signal; a hung run is killed at the timeout; the others succeed")
    func isolation() throws {
        let dir = try scratchDirectory("sweep-crash")
        let exp = try writeExperiment(smallExperimentText(extra: ",\n  \"timeout\": 5"), in: dir)
        var r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "crash.sqlite"], cwd: dir, environment: ["TWIN_SWEEP_FAULT": "abort:c0001-r000"])
        #expect(r.status == 0, "\(r.stderr)")
        var rows = try stored(dir + "/crash.sqlite")
        #expect(rows.count == 9)
        let crashed = try #require(rows.first { $0.id == "c0001-r000" })
        #expect(crashed.status == .failed)
        #expect(crashed.error?.contains("signal 6") == true)
        #expect(rows.filter { $0.status == .ok }.count == 8)
        #expect(r.stderr.contains("failed c0001-r000"))

        r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "hang.sqlite"], cwd: dir, environment: ["TWIN_SWEEP_FAULT": "hang:c0002-r002"])
        #expect(r.status == 0, "\(r.stderr)")
        rows = try stored(dir + "/hang.sqlite")
        let hung = try #require(rows.first { $0.id == "c0002-r002" })
        #expect(hung.error?.contains("timed out after 5 s") == true)
        #expect(rows.filter { $0.status == .ok }.count == 8)

        // --resume --retry-failed runs the failed one again (no fault this time) and nothing else.
        r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "hang.sqlite", "--resume", "--retry-failed"], cwd: dir)
        #expect(r.stdout.contains("1 runs (0 failed)"), "\(r.stdout)")
        #expect(try stored(dir + "/hang.sqlite").allSatisfy { $0.status == .ok })
    }

    @Test("killed halfway (SIGKILL to the sweep), --resume runs only the missing runs; the result equals an uninterrupted sweep")
    func resumeAfterKill() throws {
        let dir = try scratchDirectory("sweep-kill")
        // Runs 10× longer than the other tests' so the kill lands mid-sweep on a fast machine too.
        let exp = try writeExperiment(smallExperimentText(replications: 8, duration: 20000), in: dir)
        let p = try runTwinKilled(["sweep", exp, "--jobs", "2", "--db", "killed.sqlite"], cwd: dir, db: "killed.sqlite", afterRuns: 6)
        #expect(p.terminationReason == .uncaughtSignal)
        let before = try stored(dir + "/killed.sqlite")
        #expect(before.count >= 6 && before.count < 24, "killed after \(before.count) of 24 runs")
        // Without --resume the database is protected.
        var r = try runTwin(["sweep", exp, "--db", "killed.sqlite"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("--resume"))
        r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "killed.sqlite", "--resume"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Only the parent writes rows, so what the resume runs is exactly what was missing.
        #expect(r.stdout.contains(": \(24 - before.count) runs (0 failed)"), "\(r.stdout)")
        let after = try stored(dir + "/killed.sqlite")
        #expect(after.count == 24)
        for b in before { #expect(after.contains(b), "row \(b.id) changed on resume") }
        r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "whole.sqlite"], cwd: dir)
        #expect(r.status == 0)
        #expect(try stored(dir + "/whole.sqlite") == after)
    }

    @Test("3 shards run in parallel processes, merged, equal the unsharded sweep; merging twice adds nothing")
    func shardsMerge() throws {
        let dir = try scratchDirectory("sweep-shards")
        let exp = try writeExperiment(smallExperimentText(replications: 4), in: dir)
        let shards = (1...3).map { i -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: twinExecutable)
            p.arguments = ["sweep", exp, "--jobs", "1", "--shard", "\(i)/3", "--db", "s\(i).sqlite"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            return p
        }
        for p in shards { try p.run() }
        for p in shards { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        #expect(try stored(dir + "/s1.sqlite").count == 4)
        var r = try runTwin(["sweep", "merge", "--out", "merged.sqlite", "s1.sqlite", "s2.sqlite", "s3.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try runTwin(["sweep", "merge", "--out", "merged.sqlite", "s2.sqlite"], cwd: dir)
        #expect(r.stdout.contains("merged 0 runs"))
        r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "whole.sqlite"], cwd: dir)
        #expect(r.status == 0)
        #expect(try stored(dir + "/merged.sqlite") == (try stored(dir + "/whole.sqlite")))
        // A shard of another experiment is refused.
        let other = try writeExperiment(smallExperimentText(replications: 2), in: dir, name: "other.json")
        _ = try runTwin(["sweep", other, "--jobs", "1", "--db", "other.sqlite"], cwd: dir)
        r = try runTwin(["sweep", "merge", "--out", "merged.sqlite", "other.sqlite"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("another experiment"))
    }

    @Test("the Slurm job-array script runs exactly `twin sweep EXP --shard i/n --db …` for its task id; the Kubernetes manifest uses the same command")
    func clusterScripts() throws {
        let dir = try scratchDirectory("sweep-slurm")
        let exp = try writeExperiment(smallExperimentText(replications: 2), in: dir)
        let script = packageRoot() + "/Tools/cluster/sweep-slurm.sh"
        for task in 0..<2 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [script, exp]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.environment = ProcessInfo.processInfo.environment.merging([
                "SLURM_ARRAY_TASK_ID": String(task), "SLURM_ARRAY_TASK_COUNT": "2", "TWIN": twinExecutable, "SLURM_CPUS_PER_TASK": "1",
            ]) { _, b in b }
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            #expect(text.contains("twin sweep \(exp) --shard \(task + 1)/2 --jobs 1 --db results/exp-shard-\(task + 1)-of-2.sqlite"), "\(text)")
        }
        let r = try runTwin(["sweep", "merge", "--out", "all.sqlite", "results/exp-shard-1-of-2.sqlite", "results/exp-shard-2-of-2.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try stored(dir + "/all.sqlite").count == 6)
        let manifest = try String(contentsOfFile: packageRoot() + "/Tools/cluster/sweep-k8s-job.yaml", encoding: .utf8)
        #expect(manifest.contains("completionMode: Indexed"))
        #expect(manifest.contains("--shard \"$((JOB_COMPLETION_INDEX + 1))/${SHARDS}\""))
    }

    @Test("bad command lines: zero runs, over the limit without --yes, a bad --shard, sequential with shards; the process reports and exits 1 or 2")
    func badCommandLines() throws {
        let dir = try scratchDirectory("sweep-bad")
        let exp = try writeExperiment(smallExperimentText(), in: dir)
        var r = try runTwin(["sweep", exp, "--shard", "4/3"], cwd: dir)
        #expect(r.status == 2 && r.stderr.contains("--shard expects i/n"))
        let big = try writeExperiment(smallExperimentText(replications: 40_000), in: dir, name: "big.json")
        r = try runTwin(["sweep", big], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("pass --yes"))
        r = try runTwin(["sweep", big, "--dry-run"], cwd: dir)
        #expect(r.status == 0 && r.stdout.contains("= 120000 runs"))
        let none = try writeExperiment(smallExperimentText().replacingOccurrences(of: "\"values\": [0.3, 0.5, 0.7]", with: "\"values\": [0.3]")
            .replacingOccurrences(of: "\"duration\": 2000", with: "\"duration\": 2000, \"design\": {\"kind\": \"random\", \"samples\": 0}"), in: dir, name: "none.json")
        r = try runTwin(["sweep", none], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("samples must be ≥ 1"))
        let seq = try writeExperiment(smallExperimentText(extra: ", \"sequential\": {\"kpi\": \"L\", \"halfWidth\": 0.01, \"maxReplications\": 6}"), in: dir, name: "seq.json")
        r = try runTwin(["sweep", seq, "--shard", "1/2"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("cannot be sharded"))
        r = try runTwin(["sweep", "report", "missing.sqlite"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("no such results database"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/small.sqlite"))
    }

    @Test("sequential: replications are added until the KPI's 95 % CI half-width is at most the target (or the cap)")
    func sequential() throws {
        let dir = try scratchDirectory("sweep-seq")
        let exp = try writeExperiment(smallExperimentText(extra: ", \"sequential\": {\"kpi\": \"L\", \"halfWidth\": 0.05, \"maxReplications\": 12}"), in: dir)
        let r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "seq.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let a = SweepAnalysis(try stored(dir + "/seq.sqlite"), kpis: ["L"])
        #expect(a.configurations.count == 3)
        for c in a.configurations {
            let s = try #require(c.summaries["L"])
            #expect(s.halfWidth <= 0.05 || s.count == 12, "c\(c.index): n \(s.count), half-width \(s.halfWidth)")
        }
        // ρ = 0.7 is noisier than ρ = 0.3, so it needs more replications.
        #expect(a.configurations[2].ok > a.configurations[0].ok)
    }
}

@Suite("Shipped experiments", .serialized)
struct ShippedExperimentTests {
    @Test("every experiment in Scenes/experiments loads and checks against its scene")
    func validate() throws {
        let dir = packageRoot() + "/Scenes/experiments"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 2)
        for f in files {
            let e = try ExperimentLoader.load(file: dir + "/" + f)
            _ = try PreparedScene.prepare(e)
            #expect(RunPlan.runCount(e) >= 10)
        }
    }

    @Test("the production-line sweep (shortened to 1 replication of 1.5 h) runs end to end into a database, CSV and a report with a heatmap and a render")
    func productionLine() throws {
        let dir = try scratchDirectory("shipped-line")
        let text = try String(contentsOfFile: packageRoot() + "/Scenes/experiments/line-buffer-size.json", encoding: .utf8)
            .replacingOccurrences(of: "\"replications\": 6", with: "\"replications\": 1, \"duration\": 5400")
            .replacingOccurrences(of: "\"../production-line.json\"", with: "\"\(packageRoot())/Scenes/production-line.json\"")
        let exp = try writeExperiment(text, in: dir)
        var r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "line.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try runTwin(["sweep", "export", "line.sqlite", "--out", "line.csv"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: dir + "/line.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 11)
        #expect(csv[0] == "id,configuration,replication,seed,status,arrivalMean,bufferSize,throughput,leadTime,wip,pressStarved,assemblyStarved,steps,stateHash,simulationSeconds,error")
        r = try runTwin(["sweep", "report", "line.sqlite", "--render", "3"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/line.html", encoding: .utf8)
        #expect(html.contains("throughput: mean over bufferSize × arrivalMean"))
        #expect(html.contains("data:image/png;base64,iVBORw0KGgo"))
    }
}

@Suite("The experiment schema")
struct ExperimentSchemaTests {
    @Test("twin sweep schema is a JSON Schema that an independent validator (python jsonschema) accepts the shipped experiments and a fork with, and rejects a typo")
    func schema() throws {
        let dir = try scratchDirectory("schema")
        let r = try runTwin(["sweep", "schema"], cwd: dir)
        #expect(r.status == 0)
        try r.stdout.write(toFile: dir + "/schema.json", atomically: true, encoding: .utf8)
        let bad = try writeExperiment(smallExperimentText().replacingOccurrences(of: "\"replications\"", with: "\"replicatons\""), in: dir, name: "bad.json")
        let examples = dir + "/examples"
        try FileManager.default.createDirectory(atPath: examples, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: packageRoot() + "/Scenes/experiments") where f.hasSuffix(".json") {
            try FileManager.default.copyItem(atPath: packageRoot() + "/Scenes/experiments/" + f, toPath: examples + "/" + f)
        }
        _ = try writeExperiment("""
            {"format": "twin-experiment/1", "name": "fork", "fromState": "now.json", "parameters": {"rate": {"values": [1, 2]}},
             "commands": [{"op": "set", "entity": "arrivals", "component": "Spawner", "value": {"rate": {"$param": "rate"}}}],
             "kpis": ["onBelt"], "duration": 60}
            """, in: examples, name: "fork.json")
        let script = """
            import json, sys, glob, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            for f in sorted(glob.glob(sys.argv[2] + "/*.json")):
                errors = list(v.iter_errors(json.load(open(f))))
                print(f, "ok" if not errors else errors[0].message)
            print("bad", "ok" if v.is_valid(json.load(open(sys.argv[3]))) else "rejected")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, dir + "/schema.json", examples, bad]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "python3 with jsonschema is needed (Tools/setup.sh)")
        let lines = text.split(separator: "\n")
        #expect(lines.count >= 4)
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix(" ok") }, "\(text)")
        #expect(lines.last == "bad rejected")
    }
}

@Suite("Forking a sweep from a saved state", .serialized)
struct ForkTests {
    @Test("what-if from now: forks from a 60 s checkpoint; the unchanged fork is bit-identical to the unbroken 120 s run, doubling the arrival rate shows in the KPIs; a rejected command fails its run")
    func fork() throws {
        let dir = try scratchDirectory("fork")
        let scene = packageRoot() + "/Scenes/warehouse-arrivals.json"
        var r = try runTwin(["run", scene, "--duration", "60", "--save-state", "now.json", "--out", "out60"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try runTwin(["run", scene, "--json", "--out", "out120"], cwd: dir)
        let whole = try JSONParser.parse(r.stdout)
        func experiment(_ rates: String, entity: String = "arrivals", extra: String = "") -> String {
            """
            {"format": "twin-experiment/1", "name": "fork", "fromState": "now.json",
             "parameters": {"rate": {"values": \(rates)}},
             "commands": [{"op": "set", "entity": "\(entity)", "component": "Spawner", "value": {"rate": {"$param": "rate"}}}],
             "kpis": ["onBelt", {"name": "received", "statistic": "increase"}], "duration": 60\(extra)}
            """
        }
        let exp = try writeExperiment(experiment("[0.8, 1.6]"), in: dir)
        r = try runTwin(["sweep", exp, "--jobs", "2", "--db", "fork.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try ResultStore(path: dir + "/fork.sqlite", experiment: nil, mode: .read).runs()
        #expect(rows.count == 2 && rows.allSatisfy { $0.status == .ok })
        #expect(rows[0].stateHash == whole["stateHash"]?.stringValue)
        #expect(rows[0].kpis[0].value == whole["kpis"]?["onBelt"]?.doubleValue)
        // Twice the rate for the last 60 s: about twice the crates (Poisson, 48 expected vs 96).
        let slow = rows[0].kpis[1].value, fast = rows[1].kpis[1].value
        #expect(fast > 1.5 * slow, "received \(slow) → \(fast)")

        let bad = try writeExperiment(experiment("[1.0]", entity: "nope"), in: dir, name: "bad.json")
        r = try runTwin(["sweep", bad, "--jobs", "1", "--db", "bad.sqlite"], cwd: dir)
        let failed = try ResultStore(path: dir + "/bad.sqlite", experiment: nil, mode: .read).runs()
        #expect(failed.first?.error?.contains("fork command rejected") == true, "\(failed)")

        let reps = try writeExperiment(experiment("[1.0]", extra: ", \"replications\": 3"), in: dir, name: "reps.json")
        r = try runTwin(["sweep", reps, "--dry-run"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("use 1 replication"))
        let unused = try writeExperiment(experiment("[1.0]").replacingOccurrences(of: "\"parameters\": {", with: "\"parameters\": {\"other\": 2, "), in: dir, name: "unused.json")
        r = try runTwin(["sweep", unused, "--dry-run"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("other is used by none"))
        let missing = try writeExperiment(experiment("[1.0]").replacingOccurrences(of: "now.json", with: "gone.json"), in: dir, name: "missing.json")
        r = try runTwin(["sweep", missing, "--dry-run"], cwd: dir)
        #expect(r.status == 1 && r.stderr.contains("no such file"))
    }
}
