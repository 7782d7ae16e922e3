import Foundation
import Testing
import TwinRuntime
import TwinTesting

@Suite("The twin command line, end to end", .serialized)
struct CLITests {
    let scenes = ["Scenes/warehouse-arrivals.json", "Scenes/drone-swarm.json", "Scenes/fountain.json"]

    @Test("twin validate passes every shipped scene")
    func validateShipped() throws {
        let all = try FileManager.default.contentsOfDirectory(atPath: packageRoot() + "/Scenes")
            .filter { $0.hasSuffix(".json") }.map { "Scenes/" + $0 } + ["Scenes/benchmarks/drift-100k.json"]
        #expect(all.count >= 3)
        let r = try TwinProcess.run(["validate"] + all)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == all.count)
    }

    @Test("Scenes/README.md indexes every shipped scene (regenerate with Tools/scenes-index.py)")
    func sceneIndex() throws {
        let index = try String(contentsOfFile: packageRoot() + "/Scenes/README.md", encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: packageRoot() + "/Scenes").filter { $0.hasSuffix(".json") }
        for f in files { #expect(index.contains("(\(f))"), "\(f) is missing from Scenes/README.md") }
    }

    @Test("twin validate: invalid files exit 1 with FILE:LINE:COLUMN: JSONPATH: message; usage errors exit 2")
    func validateErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.json").path
        try "{\n  \"systems\": [{\"id\": \"core.nope\"}]\n}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try TwinProcess.run(["validate", bad, "Scenes/fountain.json"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("\(bad):2:22: $.systems[0].id: unknown system \"core.nope\""))
        let missing = try TwinProcess.run(["validate", dir.appendingPathComponent("none.json").path])
        #expect(missing.status == 1 && missing.stderr.contains("no such file"))
        let usage = try TwinProcess.run(["validate"])
        #expect(usage.status == 2)
        let unknownFlag = try TwinProcess.run(["validate", "--frobnicate", bad])
        #expect(unknownFlag.status == 2)
    }

    @Test("twin run --json prints the summary contract and the same state hash twice")
    func runJSON() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("twin-run-\(getpid())").path
        var hashes: [String] = []
        for _ in 0..<2 {
            let r = try TwinProcess.run(["run", scenes[0], "--steps", "640", "--json", "--out", out, "--set", "arrivalRate=2"])
            #expect(r.status == 0, "\(r.stderr)")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            for key in ["scene", "seed", "steps", "simulatedSeconds", "stateHash", "kpis", "outputs"] {
                #expect(obj[key] != nil, "missing \(key)")
            }
            #expect(obj["steps"] as? Int == 640)
            #expect(obj["simulatedSeconds"] as? Double == 10)
            let outputs = try #require(obj["outputs"] as? [String])
            for o in outputs { #expect(FileManager.default.fileExists(atPath: o), "\(o)") }
            #expect(outputs.contains { $0.hasSuffix("kpis.csv") })
            hashes.append(obj["stateHash"] as? String ?? "")
        }
        #expect(hashes[0] == hashes[1] && hashes[0].count == 16)
        let other = try TwinProcess.run(["run", scenes[0], "--steps", "640", "--json", "--out", out, "--seed", "99"])
        #expect(other.stdout.contains("\"stateHash\":\"\(hashes[0])\"") == false)
    }

    @Test("twin run --save-state then --from-state (from another directory) ends in the state of one unbroken run")
    func saveAndContinue() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-state-\(getpid())").path
        let state = dir + "/half.json"
        func hash(_ r: TwinProcess.Result) throws -> String {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            return obj["stateHash"] as? String ?? ""
        }
        let whole = try TwinProcess.run(["run", scenes[0], "--steps", "1280", "--json", "--out", dir, "--set", "arrivalRate=3"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let half = try TwinProcess.run(["run", scenes[0], "--steps", "500", "--json", "--out", dir, "--set", "arrivalRate=3", "--save-state", state])
        #expect(half.status == 0, "\(half.stderr)")
        let rest = try TwinProcess.run(["run", "--from-state", state, "--steps", "780", "--json", "--out", dir], cwd: "/")
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(try hash(rest) == hash(whole) && hash(whole).count == 16)
        #expect(try hash(half) != hash(whole))
        let both = try TwinProcess.run(["run", scenes[0], "--from-state", state])
        #expect(both.status == 2 && both.stderr.contains("one of them"))
        let reseeded = try TwinProcess.run(["run", "--from-state", state, "--seed", "4"])
        #expect(reseeded.status == 2)
        try Data("{\"format\": \"twin-state/1\"}".utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        let bad = try TwinProcess.run(["run", "--from-state", dir + "/bad.json"])
        #expect(bad.status == 1 && bad.stderr.contains("$.sceneFile") && !bad.signalled)
    }

    @Test("twin run rejects bad options and bad parameter values without a signal")
    func runErrors() throws {
        let both = try TwinProcess.run(["run", scenes[0], "--steps", "1", "--duration", "1"])
        #expect(both.status == 2)
        let badSet = try TwinProcess.run(["run", scenes[0], "--set", "arrivalRate=99", "--steps", "1"])
        #expect(badSet.status == 1 && badSet.stderr.contains("above the maximum 10"))
        let noEq = try TwinProcess.run(["run", scenes[0], "--set", "arrivalRate"])
        #expect(noEq.status == 2)
        let missing = try TwinProcess.run(["run", "nope.json"])
        #expect(missing.status == 1 && !missing.signalled)
    }

    @Test("twin systems lists the core systems with parameters and units; --json parses")
    func systems() throws {
        let r = try TwinProcess.run(["systems"])
        #expect(r.status == 0)
        for id in ["core.integrate", "core.lifetime", "core.spawner", "param damping = 0 1/s", "component Velocity"] {
            #expect(r.stdout.contains(id), "missing \(id)")
        }
        let j = try TwinProcess.run(["systems", "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let listed = (obj["systems"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(listed == SystemCatalog.standard.systems.map(\.id.rawValue))
        #expect(listed.contains("pedestrians.social-force"))
    }

    @Test("twin schema is valid JSON describing every section, system and component")
    func schema() throws {
        let r = try TwinProcess.run(["schema"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let props = try #require(obj["properties"] as? [String: Any])
        for s in ["world", "parameters", "prefabs", "entities", "systems", "spawners", "measurements", "outputs"] {
            #expect(props[s] != nil, "missing section \(s)")
        }
        #expect(r.stdout.contains("\"const\": \"core.integrate\""))
        #expect(r.stdout.contains("\"Velocity\""))
    }

    @Test("twin bench --json keeps the result contract (shape only: timings are not checked here)")
    func benchContract() throws {
        let r = try TwinProcess.run(["bench", "ecs", "--json", "--quick", "--only", "fragmented_iter"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["machine"] is [String: Any])
        let results = try #require(obj["results"] as? [[String: Any]])
        #expect(results.map { $0["name"] as? String } == ["fragmented_iter"])
        for key in ["suite", "name", "metric", "unit", "value", "baseline", "ratio", "peer", "peerValue", "peerRatio"] {
            #expect(results[0].keys.contains(key), "missing \(key)")
        }
        #expect(results[0]["suite"] as? String == "ecs" && results[0]["unit"] as? String == "µs")
    }

    @Test("no input makes twin die by a signal", arguments: [
        ["run", "/dev/null"], ["validate", "/dev/null", "/"], ["run"], ["bench", "nosuchsuite"], ["schema", "extra"],
        ["run", "Scenes/fountain.json", "--steps", "-5"], ["run", "Scenes/fountain.json", "--workers", "0"],
    ])
    func neverSignals(args: [String]) throws {
        let r = try TwinProcess.run(args)
        #expect(!r.signalled)
        #expect(r.status != 0)
    }
}
