import Foundation

/// Thread-CPU time measurements: the machines are shared, so wall time of
/// millisecond runs is noise; the CPU time the measuring thread used is not.
public enum CPUTimer {
    /// Nanoseconds of CPU this thread has used.
    @inline(never)
    public static func threadNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Median per-call thread-CPU time of `body`, in seconds. Calls are grouped in
    /// batches long enough (≥ `minBatch` s) for the clock to resolve; `samples`
    /// batches are taken; `setup` runs untimed before each call.
    public static func median(
        samples: Int = 15, minBatch: Double = 0.002, setup: () -> Void = {}, _ body: () -> Void
    ) -> Double {
        // Calibrate the batch size on one call (plus warm-up).
        setup(); body()
        setup()
        let t0 = threadNanoseconds(); body(); let one = max(1, threadNanoseconds() - t0)
        let perBatch = max(1, Int((minBatch * 1e9) / Double(one)))
        var times: [Double] = []
        for _ in 0..<samples {
            var total: UInt64 = 0
            for _ in 0..<perBatch {
                setup()
                let s = threadNanoseconds()
                body()
                total += threadNanoseconds() - s
            }
            times.append(Double(total) / Double(perBatch) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Like `median`, for bodies too short to time one by one: the body runs
    /// `repeats` times between clock reads.
    public static func medianRepeated(samples: Int = 15, repeats: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<samples {
            let s = threadNanoseconds()
            for _ in 0..<repeats { body() }
            times.append(Double(threadNanoseconds() - s) / Double(repeats) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }
}

/// Keeps a value alive so the optimiser cannot delete the work that made it.
@inline(never)
public func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }
