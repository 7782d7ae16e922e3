import Synchronization

/// Rendered snapshots of one world, per request key (format, camera, size) and step:
/// concurrent requests for the same key and step share one render.
final class SnapshotCache: Sendable {
    struct Rendered: Sendable {
        var bytes: [UInt8]
        var step: Int64
    }

    private let entries = Mutex<[String: (step: Int64, task: Task<Rendered, any Error>)]>([:])
    /// Distinct keys kept; the oldest step goes first.
    static let capacity = 16

    func get(key: String, step: Int64, render: @escaping @Sendable () async throws -> Rendered) async throws -> Rendered {
        let task = entries.withLock { map -> Task<Rendered, any Error> in
            if let e = map[key], e.step >= step { return e.task }
            let t = Task { try await render() }
            map[key] = (step, t)
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
}
