import Foundation
import TwinBatch
import TwinTesting

/// The built `twin` binary, next to the test bundle.
let twinExecutable: String = {
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return (me as NSString).deletingLastPathComponent + "/twin"
}()

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

struct ProcessResult { var status: Int32; var signalled: Bool; var stdout: String; var stderr: String }

/// Runs `twin` with arguments to the end.
func runTwin(_ args: [String], cwd: String, environment: [String: String]? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: twinExecutable)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                         stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}
