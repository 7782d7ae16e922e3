import Foundation

/// Runs planned runs on `jobs` child processes (`twin sweep worker`), each run
/// isolated: a worker that crashes, is killed or exceeds the timeout fails only the
/// run it held, is replaced, and the sweep goes on.
///
/// ## Why processes, not threads
/// A run is user input (scene, parameters) driving model code; a trap in one
/// (an overflow, an out-of-memory kill) would end every thread's run with it. A
/// process per worker confines it, and the persistent worker (one setup message,
/// then one line per run) keeps the per-run cost to a pipe round trip instead of a
/// process start and scene-library load.
public final class WorkerPool: @unchecked Sendable {
    public let executable: String
    public let jobs: Int
    public let setup: RunSetup
    /// Seconds a run may take; nil for no limit.
    public let timeout: Double?
    public var environment: [String: String]? = nil

    public init(executable: String, jobs: Int, setup: RunSetup, timeout: Double?) {
        self.executable = executable; self.jobs = max(1, jobs); self.setup = setup; self.timeout = timeout
        // A worker that died between runs closes its pipe; writing to it must be an
        // error to handle (a failed run), not SIGPIPE ending the sweep.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Runs `runs` and calls `finished` for each as it completes (serialised: one
    /// call at a time, from any thread). `finished` returns false to stop handing
    /// out further runs (e.g. the results store failed).
    public func execute(_ runs: [PlannedRun], finished: @escaping (PlannedRun, RunResult) -> Bool) {
        let queue = RunQueue(runs, finished: finished)
        let group = DispatchGroup()
        let setupLine = JSONWriter.string(setup.json) + "\n"
        for _ in 0..<min(jobs, runs.count) {
            group.enter()
            Thread.detachNewThread { [self] in
                var worker: WorkerProcess? = nil
                while let run = queue.take() {
                    if worker == nil { worker = try? WorkerProcess(executable: executable, setupLine: setupLine, environment: environment) }
                    let result: RunResult
                    if let w = worker {
                        result = w.run(run, timeout: timeout)
                        if result.status == .failed, !w.isAlive { worker = nil }
                    } else {
                        result = .failed(run.id, "cannot start a worker process (\(executable) sweep worker)")
                    }
                    queue.report(run, result)
                }
                worker?.close()
                group.leave()
            }
        }
        group.wait()
    }
}

/// The runs still to hand out and the callback for finished ones, shared by the
/// pool's threads under one lock.
private final class RunQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let runs: [PlannedRun]
    private var next = 0
    private var stopped = false
    private let finished: (PlannedRun, RunResult) -> Bool

    init(_ runs: [PlannedRun], finished: @escaping (PlannedRun, RunResult) -> Bool) {
        self.runs = runs; self.finished = finished
    }

    func take() -> PlannedRun? {
        lock.withLock {
            guard !stopped, next < runs.count else { return nil }
            defer { next += 1 }
            return runs[next]
        }
    }

    func report(_ run: PlannedRun, _ result: RunResult) {
        lock.withLock { if !stopped, !finished(run, result) { stopped = true } }
    }
}

/// One `twin sweep worker` child and its pipes.
final class WorkerProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    init(executable: String, setupLine: String, environment: [String: String]?) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sweep", "worker"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if let environment { process.environment = environment }
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(setupLine.utf8))
    }

    var isAlive: Bool { process.isRunning }

    func run(_ run: PlannedRun, timeout: Double?) -> RunResult {
        let fired = TimeoutFlag()
        let killer = timeout.map { t in
            let item = DispatchWorkItem { [process] in
                guard process.isRunning else { return }
                fired.set()
                kill(process.processIdentifier, SIGKILL)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + t, execute: item)
            return item
        }
        defer { killer?.cancel() }
        do { try input.fileHandleForWriting.write(contentsOf: Data((JSONWriter.string(run.requestJSON) + "\n").utf8)) } catch {
            return died(run, timedOut: fired.value, timeout: timeout)
        }
        guard let line = readLine() else { return died(run, timedOut: fired.value, timeout: timeout) }
        guard let v = try? JSONParser.parse(line), let r = RunResult(json: v), r.id == run.id else {
            return .failed(run.id, "the worker answered something unreadable")
        }
        return r
    }

    private func died(_ run: PlannedRun, timedOut: Bool, timeout: Double?) -> RunResult {
        process.waitUntilExit()
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            if status == SIGKILL, let timeout, timedOut {
                return .failed(run.id, "timed out after \(JSONWriter.formatNumber(timeout)) s; the worker was killed")
            }
            return .failed(run.id, "the worker crashed (signal \(status)\(status == SIGKILL ? ", killed" : status == SIGABRT ? ", aborted" : status == SIGSEGV ? ", segmentation fault" : ""))")
        }
        return .failed(run.id, "the worker exited with status \(status) during the run")
    }

    /// The next line from the worker, or nil at end of file (the worker died).
    private func readLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// Set by the timeout's kill, read by the thread that saw the worker die.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    func set() { lock.withLock { fired = true } }
    var value: Bool { lock.withLock { fired } }
}
