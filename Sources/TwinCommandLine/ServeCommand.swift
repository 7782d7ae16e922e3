import ArgumentParser
import Dispatch
import Foundation
import Logging
import TwinRuntime
import TwinServer

/// `twin serve SCENE…`: the world server (HTTP API, streams, web viewer).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve worlds over HTTP: state as JSON, .glb/.png snapshots, WebSocket/SSE streams, a web viewer.",
        discussion: """
            Each SCENE starts as a world named after the scene; POST /api/worlds creates more from these scenes, \
            from --scenes-dir and from uploads. Tokens: --token SECRET:read[,control,ingest,admin] (repeatable) or \
            --tokens-file with one such line each; --open allows every request without a token (loopback use only). \
            SIGINT/SIGTERM shut down gracefully (--save-on-shutdown writes each world's state to DATA/states/).
            """)

    @Argument(help: "Scene files to host at start.") var scenes: [String] = []
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 8080
    @Option(help: "Data directory: uploads and saved states.") var data = "twin-data"
    @Option(help: "More scene files worlds may be created from: every .json in this directory.") var scenesDir: String?
    @Option(name: .customLong("token"), help: ArgumentHelp("A bearer token and its scopes (repeatable).", valueName: "SECRET:scopes"))
    var tokens: [String] = []
    @Option(help: "A file of tokens, one SECRET:scopes per line.") var tokensFile: String?
    @Flag(help: "Accept requests without a token (every scope).") var open = false
    @Option(help: "Access-Control-Allow-Origin for browsers on other origins.") var cors: String?
    @Option(help: "Largest request body in bytes.") var maxBody = 8 << 20
    @Option(help: "Requests per second per token (0: unlimited).") var rateLimit = 50.0
    @Flag(help: "Start the worlds playing in real time.") var play = false
    @Flag(help: "On shutdown, save every world's state to DATA/states/.") var saveOnShutdown = false

    func validate() throws {
        guard open || !tokens.isEmpty || tokensFile != nil else {
            throw ValidationError("give at least one --token SECRET:scopes (or --tokens-file), or --open to serve without tokens")
        }
    }

    func run() throws {
        var config = ServerConfig(dataDirectory: data)
        config.host = host
        config.port = port
        config.corsOrigin = cors
        config.maxBodyBytes = maxBody
        config.rateLimit = rateLimit
        config.saveOnShutdown = saveOnShutdown
        config.tokens.open = open
        do {
            for t in tokens { try config.tokens.add(t) }
            if let f = tokensFile {
                guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { throw ValidationError("cannot read \(f)") }
                try config.tokens.addFile(text)
            }
        } catch let e as APIError { throw ValidationError(e.message) }
        guard open || !config.tokens.tokens.isEmpty else { throw ValidationError("\(tokensFile ?? "the tokens file") has no tokens") }
        var files = scenes
        if let dir = scenesDir {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            files += names.filter { $0.hasSuffix(".json") }.sorted().map { dir + "/" + $0 }
        }
        config.sceneFiles = files
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let server = TwinWorldServer(config: config)
        for scene in scenes {
            do { try server.host(sceneFile: scene, play: play) } catch let e as SceneError {
                for issue in e.issues { FileHandleOutput.standardError(issue.description) }
                throw ExitCode(1)
            }
        }
        let done = DispatchSemaphore(value: 0)
        let failure = UncheckedError()
        Task {
            do {
                try await server.run { port in
                    FileHandleOutput.standardError("twin serve: listening on http://\(host):\(port)/ with \(server.registry.all.count) worlds")
                }
            } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let e = failure.error { throw commandFailure("serve", e) }
    }
}

/// Carries the server task's error back to the blocked main thread (written before
/// the semaphore is signalled, read after).
final class UncheckedError: @unchecked Sendable {
    var error: (any Error)?
}
