import Synchronization

/// Values a world produces per step and request key (a snapshot's format, camera and
/// size; a stream keyframe): concurrent requests for the same key and step share
/// one computation, and a request that arrives while one for the same key is still
/// running joins it rather than starting another — so renders never pile up behind a
/// world that steps faster than it renders (the value says which step it shows).
final class StepCache<Value: Sendable>: Sendable {
    private struct Entry {
        var step: Int64
        var task: Task<Value, any Error>
        var running: Bool
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Distinct keys kept; the oldest step goes first.
    static var capacity: Int { 16 }

    func get(key: String, step: Int64, make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = entries.withLock { map -> Task<Value, any Error> in
            if let e = map[key], e.step >= step || e.running { return e.task }
            let t = Task {
                defer { self.finished(key: key, step: step) }
                return try await make()
            }
            map[key] = Entry(step: step, task: t, running: true)
            if map.count > Self.capacity, let oldest = map.min(by: { $0.value.step < $1.value.step })?.key {
                map[oldest] = nil
            }
            return t
        }
        do {
            return try await task.value
        } catch {
            entries.withLock { map in if map[key]?.step == step { map[key] = nil } }
            throw error
        }
    }

    private func finished(key: String, step: Int64) {
        entries.withLock { map in if map[key]?.step == step { map[key]?.running = false } }
    }
}

/// A rendered snapshot and the step it shows.
struct RenderedSnapshot: Sendable {
    var bytes: [UInt8]
    var step: Int64
}
