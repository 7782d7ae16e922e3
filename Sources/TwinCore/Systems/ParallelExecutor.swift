import Dispatch

/// Runs independent work items on a fixed number of worker threads.
///
/// Determinism rule: callers cut work into items that depend only on the data (e.g.
/// `Query.slices(maxRows:)`), never on the worker count, and combine per-item
/// results in item order. Then 1 and N workers give bit-identical results.
public struct ParallelExecutor: Sendable {
    public let workers: Int

    public init(workers: Int) { self.workers = max(1, workers) }

    public static let serial = ParallelExecutor(workers: 1)

    /// Calls `body(i)` for every i in 0..<count, concurrently when there are several
    /// workers; returns when all are done.
    public func run(_ count: Int, _ body: (Int) -> Void) {
        if workers == 1 || count < 2 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let b = body
            let stride = workers
            DispatchQueue.concurrentPerform(iterations: min(workers, count)) { w in
                var i = w
                while i < count {
                    b(i)
                    i += stride
                }
            }
        }
    }

    /// Runs `body` on each slice of `query` (at most `maxRows` rows each).
    public func forEachSlice<each T: QueryTerm>(
        of query: Query<repeat each T>, maxRows: Int = 16384,
        _ body: (QueryChunk, repeat (each T).Chunk) -> Void
    ) {
        let slices = query.slices(maxRows: maxRows)
        if workers == 1 || slices.count < 2 {
            for s in slices { query.withSlice(s, body) }
            return
        }
        nonisolated(unsafe) let q = query
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let b = body
            run(slices.count) { i in q.withSlice(slices[i], b) }
        }
    }
}
