import Foundation

/// Runs a peer tool's benchmark script (Python) as a subprocess and reads the JSON
/// object it prints last. Peers live in `../shared/peers/` (see its README); install
/// them with `Tools/bench-setup.sh`.
public enum PeerProcess {
    /// The folder of one peer's scripts: `$TWIN_PEERS_DIR/NAME`, else `../shared/peers/NAME`
    /// relative to the working directory.
    public static func directory(_ name: String) -> String {
        if let d = ProcessInfo.processInfo.environment["TWIN_PEERS_DIR"] { return d + "/" + name }
        return FileManager.default.currentDirectoryPath + "/../shared/peers/" + name
    }

    /// The last line of stdout that parses as a JSON object, or a reason it failed.
    public static func runPython(
        _ code: String, arguments: [String] = [], environment: [String: String] = [:], timeout: Double = 600
    ) -> Result<[String: Any], BenchError> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return .failure(BenchError("cannot start python3: \(error)")) }
        let deadline = DispatchTime.now() + timeout
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: deadline)
        timer.setEventHandler { if p.isRunning { p.terminate() } }
        timer.resume()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        timer.cancel()
        let text = String(decoding: o, as: UTF8.self)
        for line in text.split(separator: "\n").reversed() {
            if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return .success(obj) }
        }
        let reason = String(decoding: e, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "no output"
        return .failure(BenchError("exit \(p.terminationStatus): \(reason)"))
    }

    /// Runs `script` (a file) with `arguments`, first setting `np.infty` (pyrender predates
    /// NumPy 2) and the other aliases removed from NumPy 2 and Python 3.10 that pyrender's
    /// pinned networkx 2.2 still imports (`collections.Mapping`…, `fractions.gcd`,
    /// `np.int`, `np.float`, `np.float_`), and `PYOPENGL_PLATFORM=osmesa`.
    public static func runScript(_ script: String, _ arguments: [String], timeout: Double = 600) -> Result<[String: Any], BenchError> {
        guard FileManager.default.fileExists(atPath: script) else { return .failure(BenchError("peer script \(script) missing")) }
        let code = """
            import sys, runpy
            import collections, collections.abc
            for name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Set", "MutableSet", "Callable"):
                if not hasattr(collections, name): setattr(collections, name, getattr(collections.abc, name))
            import fractions, math
            if not hasattr(fractions, "gcd"): fractions.gcd = math.gcd
            import numpy as np
            np.infty = np.inf; np.float_ = np.float64; np.int = int; np.float = float
            sys.argv = sys.argv[1:]
            runpy.run_path(sys.argv[0], run_name="__main__")
            """
        return runPython(
            code, arguments: [script] + arguments,
            environment: ["PYOPENGL_PLATFORM": "osmesa", "OUT_DIR": FileManager.default.temporaryDirectory.path],
            timeout: timeout)
    }
}
