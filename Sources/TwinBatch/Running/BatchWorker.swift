import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The child side of the worker pool (`twin sweep worker`, hidden): reads one JSON
/// line with the setup, then one line per run, and answers each run with one JSON
/// line on standard output. Ends at end of input (the sweep closed the pipe or died).
///
/// `TWIN_SWEEP_FAULT` injects faults for the isolation tests: `abort:RUNID` makes
/// the worker abort (SIGABRT) when it receives that run, `hang:RUNID` makes it
/// sleep until killed.
public enum BatchWorker {
    public static func serve() -> Int32 {
        guard let first = readLine(strippingNewline: true), let v = try? JSONParser.parse(first), let setup = RunSetup(json: v) else {
            FileHandle.standardError.write(Data("twin sweep worker: the first input line must be the run setup\n".utf8))
            return 1
        }
        let fault = ProcessInfo.processInfo.environment["TWIN_SWEEP_FAULT"]
        while let line = readLine(strippingNewline: true) {
            let result: RunResult
            if let v = try? JSONParser.parse(line), let run = PlannedRun(request: v) {
                if fault == "abort:" + run.id { abort() }
                if fault == "hang:" + run.id { while true { sleep(1000) } }
                result = RunExecutor.execute(run, setup: setup)
            } else {
                result = .failed("?", "the worker could not read the request")
            }
            let out = JSONWriter.string(result.json) + "\n"
            FileHandle.standardOutput.write(Data(out.utf8))
        }
        return 0
    }
}
