import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

@Suite("Scenes/live-production-line.json driven by MQTT and PostgreSQL", .serialized, .timeLimit(.minutes(3)))
struct ExampleSceneTests {
    static var scenePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenes/live-production-line.json").path
    }

    @Test("a press reported DOWN over MQTT stops; 3 + 2 blanks ordered in PostgreSQL enter the line")
    func drivenLive() throws {
        let broker = try MosquittoBroker()
        let pg = try PostgresServer()
        let dir = LiveScene.temporaryDirectory("example")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try pg.sql("CREATE TABLE orders(id serial PRIMARY KEY, source text NOT NULL DEFAULT 'blanks', quantity integer NOT NULL)")
        let runner = try LiveRunner.open(scene: Self.scenePath, journalPath: dir + "/j.sqlite", statePath: dir + "/state.json", durable: false)
        let sim = runner.sim
        let mqtt = MQTTSource(hub: runner.hub, options: .init(clientId: "example", subscriptions: [("factory/+/status", 1)], port: broker.port))
        try mqtt.start()
        defer { mqtt.stop() }
        let orders = PostgresSource(hub: runner.hub, options: .init(connection: pg.connection, slot: "example", tables: ["public.orders"]))
        orders.start()
        defer { orders.stop() }
        #expect(Services.wait(20) { mqtt.subscriptionsAcknowledged >= 1 && orders.connections >= 1 })

        let pub = try MQTTPublisher(port: broker.port, clientId: "press-plc")
        try pub.publish("factory/press/status", #"{"state": "DOWN", "ts": \#(Date().timeIntervalSince1970)}"#)
        #expect(pub.waitForAcks(1, timeout: 10))
        try pg.sql("INSERT INTO orders(quantity) VALUES (3); INSERT INTO orders(quantity) VALUES (2)")
        #expect(Services.wait(20) { runner.hub.journal.messageCount == 3 }, "journaled \(runner.hub.journal.messageCount)")
        for _ in 0..<8 { try runner.step() }
        let line = try #require(sim.json("line", "MachineLine"))
        #expect(line["created"]?.doubleValue == 5, "\(line)")
        #expect(sim.json("press", "MachineControl")?["forcedDown"]?.boolValue == true)
        #expect(sim.json("press", "LiveReported")?["fields"]?["MachineControl.forcedDown"]?["text"]?.stringValue == "DOWN")
        // Forkable: the live state is an ordinary checkpoint, restored as a what-if.
        try runner.saveCheckpoint()
        let fork = try SceneLoader.live.restore(try Checkpoint.read(file: dir + "/state.json"))
        #expect(fork.world.stateHash() == sim.world.stateHash())
        pub.close()
    }
}
