import Foundation
import TwinBatch
import TwinTesting

/// The built `twin` binary, next to the test bundle.
let twinExecutable = TwinProcess.executable

/// A fresh directory for one test.
func scratchDirectory(_ name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-batch-\(name)-\(getpid())").path
    try? FileManager.default.removeItem(atPath: dir)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A small experiment over the shipped M/M/1 scene: 3 service times × `replications`,
/// short runs (`duration` s simulated, 2000 by default: a few ms each).
func smallExperimentText(replications: Int = 3, duration: Int = 2000, extra: String = "") -> String {
    """
    {
      "format": "twin-experiment/1",
      "name": "small",
      "scene": "\(packageRoot())/Scenes/validation/mm1-service-choice.json",
      "seed": 11,
      "parameters": { "serviceMean": { "values": [0.3, 0.5, 0.7] } },
      "replications": \(replications),
      "kpis": ["util", "L", { "name": "customers", "statistic": "increase" }],
      "duration": \(duration)\(extra)
    }
    """
}

func writeExperiment(_ text: String, in dir: String, name: String = "exp.json") throws -> String {
    let path = dir + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Starts `twin` with arguments and kills it with SIGKILL once `db` (in `cwd`) holds at
/// least `runs` runs, or after 120 s; returns the exited process.
func runTwinKilled(_ args: [String], cwd: String, db: String, afterRuns runs: Int) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: twinExecutable)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    var count = 0
    let deadline = Date().addingTimeInterval(120)
    while count < runs && Date() < deadline && p.isRunning {
        usleep(20_000)
        count = (try? ResultStore(path: cwd + "/" + db, experiment: nil, mode: .read).storedIDs().count) ?? 0
    }
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    return p
}

/// Runs `twin` with arguments to the end.
func runTwin(_ args: [String], cwd: String, environment: [String: String]? = nil) throws -> TwinProcess.Result {
    try TwinProcess.run(args, cwd: cwd, environment: environment)
}
