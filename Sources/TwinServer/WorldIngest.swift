import Dispatch
import Foundation
import TwinIngest
import TwinRuntime

/// A hosted world's live-data intake: its scene's bindings, an `IngestHub` and the
/// journal file behind it. Exists only for worlds whose scene has a `bindings`
/// section. Request handlers submit through `submit`, which runs the hub's synced
/// journal write on this world's own queue (never on the server's threads), where
/// concurrent requests share disk syncs through the hub's group commit; the
/// world thread pumps due messages into the simulation before every step.
final class WorldIngest: Sendable {
    let hub: IngestHub
    let journalPath: String
    private let queue: DispatchQueue

    private init(hub: IngestHub, journalPath: String, label: String) {
        self.hub = hub
        self.journalPath = journalPath
        // Concurrent: requests that arrive while a commit is being synced join the
        // next one (the hub's group commit) instead of queueing one sync each.
        self.queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    /// The intake for `sim`, journaled in a new file `<directory>/<world>-<n>.sqlite`
    /// (a world that is created again, or reset, starts a journal of its own; earlier
    /// journals stay on disk); nil when the scene binds no live data.
    static func open(for sim: Simulation, world: String, directory: String, durable: Bool, capacity: Int) throws -> WorldIngest? {
        guard let bindings = sim.world.resource(LiveBindings.self), !bindings.list.isEmpty else { return nil }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var n = 1
        var path = "\(directory)/\(world)-\(n).sqlite"
        while FileManager.default.fileExists(atPath: path) { n += 1; path = "\(directory)/\(world)-\(n).sqlite" }
        let journal = try IngestJournal(path: path, durable: durable)
        return WorldIngest(hub: IngestHub(simulation: sim, journal: journal, capacity: capacity), journalPath: path,
                           label: "ingest \(world)")
    }

    /// Reads, maps and journals a request body (one message or a batch).
    func submit(body: [UInt8], source: String) async -> IngestReply {
        await withCheckedContinuation { k in
            queue.async { k.resume(returning: self.hub.submit(body: body, source: source)) }
        }
    }

    func deadLetters(after: Int64, limit: Int) async throws -> [DeadLetter] {
        try await withCheckedThrowingContinuation { k in
            queue.async { k.resume(with: Result { try self.hub.journal.deadLetters(after: after, limit: limit) }) }
        }
    }

    var json: JSONValue {
        .object([
            ("bindings", .array(hub.bindings.map { .string($0.name) })),
            ("pending", .number(Double(hub.pendingCount))),
            ("capacity", .number(Double(hub.capacity))),
            ("journal", .string(URL(fileURLWithPath: journalPath).lastPathComponent)),
        ])
    }
}
