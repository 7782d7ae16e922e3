import Foundation
import Synchronization
import TwinRuntime

/// The hosted worlds by id, and the scenes worlds can be created from.
public final class WorldRegistry: Sendable {
    let config: ServerConfig
    let metrics: ServerMetrics
    private let worlds = Mutex<[(id: String, world: HostedWorld)]>([])

    init(config: ServerConfig, metrics: ServerMetrics) {
        self.config = config
        self.metrics = metrics
    }

    var uploadedScenes: String { config.dataDirectory + "/scenes" }
    var uploadedAssets: String { config.dataDirectory + "/scenes/assets" }
    var states: String { config.dataDirectory + "/states" }
    var journals: String { config.dataDirectory + "/ingest" }

    public var all: [HostedWorld] { worlds.withLock { $0.map(\.world) } }

    public func world(_ id: String) throws(APIError) -> HostedWorld {
        guard let w = worlds.withLock({ $0.first { $0.id == id }?.world }) else {
            let known = worlds.withLock { $0.map(\.id) }
            throw APIError(.notFound, "no world \"\(id.prefix(64))\"; worlds: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        return w
    }

    /// Scene names a client may create worlds from: shipped (the configured files) and uploaded.
    public var sceneNames: [(name: String, file: String, uploaded: Bool)] {
        var out = config.sceneFiles.map { (Self.stem($0), $0, false) }
        let up = (try? FileManager.default.contentsOfDirectory(atPath: uploadedScenes)) ?? []
        for f in up.sorted() where f.hasSuffix(".json") { out.append((Self.stem(f), uploadedScenes + "/" + f, true)) }
        return out
    }

    func sceneFile(named name: String) throws(APIError) -> String {
        _ = try SafeName.check(name, what: "scene")
        guard let f = sceneNames.first(where: { $0.name == name }) else {
            throw APIError(.notFound, Suggestions.unknownMessage(kind: "scene", name: name, known: sceneNames.map(\.name)))
        }
        return f.file
    }

    static func stem(_ file: String) -> String { URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent }

    /// Hosts `sim` under `id` (or a fresh id from its scene name).
    @discardableResult
    func add(_ sim: Simulation, id: String?) throws(APIError) -> HostedWorld {
        let base = try id.map { name throws(APIError) in try SafeName.check(name, what: "world id") }
        return try worlds.withLock { list throws(APIError) -> HostedWorld in
            guard list.count < config.maxWorlds else {
                throw APIError(.tooManyRequests, "the server hosts its limit of \(config.maxWorlds) worlds; delete one first")
            }
            let chosen: String
            if let base {
                guard !list.contains(where: { $0.id == base }) else { throw APIError(.conflict, "a world \"\(base)\" exists already") }
                chosen = base
            } else {
                let stem = sim.scene.name.isEmpty ? "world" : sim.scene.name
                var n = 1
                var candidate = stem
                while list.contains(where: { $0.id == candidate }) { n += 1; candidate = "\(stem)-\(n)" }
                chosen = candidate
            }
            let (directory, durable, capacity) = (journals, config.ingestDurable, config.ingestCapacity)
            let series = metrics.world(chosen)
            let w: HostedWorld
            do {
                w = try HostedWorld(id: chosen, simulation: sim, metrics: series) { sim in
                    try WorldIngest.open(for: sim, world: chosen, directory: directory, durable: durable, capacity: capacity)
                }
            } catch {
                series.unregister()
                throw APIError(.internalServerError, "the world's ingest journal cannot be opened: \(error)")
            }
            list.append((chosen, w))
            return w
        }
    }

    func remove(_ id: String) throws(APIError) {
        let w = try world(id)
        worlds.withLock { $0.removeAll { $0.id == id } }
        w.stop()
        w.metrics?.unregister()
    }

    /// Stops every world; with `saveTo`, writes each one's checkpoint there first.
    func shutdown(saveTo directory: String?) async -> [String] {
        var saved: [String] = []
        for w in all {
            if let directory, let c = try? await w.read({ $0.checkpoint() }) {
                let path = directory + "/" + w.id + ".json"
                if (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
                   (try? c.write(to: path)) != nil {
                    saved.append(path)
                }
            }
            w.stop()
        }
        return saved
    }
}
