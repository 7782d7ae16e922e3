import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import TwinIngest
import TwinRuntime

/// `twin serve`: hosts worlds behind the HTTP API. `run` serves until SIGINT/SIGTERM
/// (or cancellation), then stops every world — saving their states first when
/// ``ServerConfig/saveOnShutdown`` is set.
public final class TwinWorldServer: Sendable {
    public let config: ServerConfig
    public let registry: WorldRegistry
    let api: API

    public init(config: ServerConfig, logger: Logger = Logger(label: "twin.serve")) {
        // Hosted worlds are live twins: their scenes may bind live data.
        IngestPlugin.enable()
        self.config = config
        let metrics = ServerMetrics()
        registry = WorldRegistry(config: config, metrics: metrics)
        api = API(registry: registry, config: config, metrics: metrics, logger: logger)
    }

    /// Loads a scene file and hosts it (id: the scene's name).
    @discardableResult
    public func host(sceneFile: String, options: SceneLoadOptions = .init(), id: String? = nil, play: Bool = false) throws -> HostedWorld {
        let sim = try SceneLoader().load(file: sceneFile, options: options)
        let w = try registry.add(sim, id: id)
        if play { w.play(speed: nil) }
        return w
    }

    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: APIMiddleware(api: api))
        api.addFileRoutes(to: router)
        api.addWorldRoutes(to: router)
        api.addStateRoutes(to: router)
        api.addSnapshotRoutes(to: router)
        api.addStreamRoutes(to: router)
        api.addIngestRoutes(to: router)
        return router
    }

    /// Serves until a signal or cancellation; `onStarted` gets the bound port.
    public func run(signals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = router()
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: 1 << 16))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "twin"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: api.logger)
        do {
            try await app.runService(gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [])
        } catch is CancellationError {}
        let saved = await registry.shutdown(saveTo: config.saveOnShutdown ? registry.states : nil)
        for path in saved { api.logger.info("saved world state", metadata: ["file": "\(path)"]) }
    }
}
