import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

/// Against a real Mosquitto broker started on a loopback port by each test.
@Suite("MQTT source against Mosquitto", .serialized, .timeLimit(.minutes(2)))
struct MQTTSourceTests {
    let now = Date().timeIntervalSince1970

    func source(_ hub: IngestHub, _ broker: MosquittoBroker, id: String, version: Int32 = 4) throws -> MQTTSource {
        var o = MQTTSource.Options(clientId: id, subscriptions: [("plant/+/status", 1), ("plant/door", 0)], port: broker.port)
        o.protocolVersion = version
        let s = MQTTSource(hub: hub, options: o)
        try s.start()
        #expect(Services.wait(10) { s.subscriptionsAcknowledged >= 2 }, "no SUBACK within 10 s")
        return s
    }

    func hub(_ sim: Simulation, _ dir: String) throws -> IngestHub {
        IngestHub(simulation: sim, journal: try IngestJournal(path: dir + "/j.sqlite", durable: false))
    }

    @Test("wildcards, QoS 0 and 1, MQTT 3.1.1 and 5: subscribed topics reach the world, others do not; a malformed body is a dead letter", arguments: [Int32(4), 5])
    func wildcardsAndQoS(version: Int32) throws {
        let broker = try MosquittoBroker()
        let dir = LiveScene.temporaryDirectory("mq1")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try hub(sim, dir)
        let src = try source(hub, broker, id: "twin-wild-\(version)", version: version)
        defer { src.stop() }
        let pub = try MQTTPublisher(port: broker.port, clientId: "device-\(version)")
        try pub.publish("plant/P1/status", #"{"state": "DOWN", "ts": \#(now)}"#, qos: 1)
        try pub.publish("plant/P2/status", #"{"state": "RUN", "ts": \#(now)}"#, qos: 0)
        try pub.publish("plant/door", #"{"door": "door", "entered": 5}"#, qos: 0)
        try pub.publish("plant/P1/temperature", #"{"v": 1}"#, qos: 1)   // matches no subscription
        try pub.publish("plant/P2/status", "{\"state\": ", qos: 1)       // malformed
        #expect(pub.waitForAcks(5, timeout: 10))
        #expect(Services.wait(10) { hub.journal.messageCount == 3 && src.received == 4 }, "journaled \(hub.journal.messageCount), received \(src.received)")
        hub.pump(sim); sim.step()
        #expect(sim.json("press-1", "MachineControl")?["forcedDown"]?.boolValue == true)
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == 5)
        let dead = try hub.journal.deadLetters()
        #expect(dead.count == 1 && dead[0].reason.contains("malformed JSON") && dead[0].payload == "{\"state\": ")
        pub.close()
    }

    @Test("persistent session: QoS 1 messages published while our client is away arrive after it reconnects")
    func persistentSession() throws {
        let broker = try MosquittoBroker()
        let dir = LiveScene.temporaryDirectory("mq2")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try hub(sim, dir)
        let first = try source(hub, broker, id: "twin-session")
        first.stop()
        let pub = try MQTTPublisher(port: broker.port, clientId: "device-s")
        for i in 0..<20 { try pub.publish("plant/door", #"{"door": "door", "entered": \#(i)}"#, qos: 1); try pub.publish("plant/P1/status", #"{"state": "DOWN", "ts": \#(now + Double(i) * 0.001)}"#, qos: 1) }
        #expect(pub.waitForAcks(40, timeout: 10))
        pub.close()
        #expect(hub.journal.messageCount == 0)
        // The door subscription is QoS 0, so the broker keeps only the QoS 1 status messages.
        let second = try source(hub, broker, id: "twin-session")
        defer { second.stop() }
        #expect(Services.wait(10) { hub.journal.messageCount == 20 }, "journaled \(hub.journal.messageCount)")
    }

    @Test("broker restart: the client reconnects with back-off, and QoS 1 messages queued for its session across the restart arrive")
    func brokerRestart() throws {
        let broker = try MosquittoBroker()
        let dir = LiveScene.temporaryDirectory("mq3")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try LiveScene.load()
        let hub = try hub(sim, dir)
        let src = try source(hub, broker, id: "twin-restart")
        defer { src.stop() }
        broker.stop()
        #expect(Services.wait(10) { !src.isConnected })
        try broker.start()
        #expect(Services.wait(20) { src.connections >= 2 && src.isConnected }, "reconnects: \(src.connections)")
        // Our client goes away; messages are queued; the broker restarts (saving them); we come back.
        src.stop()
        let pub = try MQTTPublisher(port: broker.port, clientId: "device-r")
        for i in 0..<5 { try pub.publish("plant/P2/status", #"{"state": "DOWN", "ts": \#(now + Double(i))}"#, qos: 1) }
        #expect(pub.waitForAcks(5, timeout: 10))
        pub.close()
        broker.stop()
        try broker.start()
        let back = try source(hub, broker, id: "twin-restart")
        defer { back.stop() }
        #expect(Services.wait(10) { hub.journal.messageCount == 5 }, "journaled \(hub.journal.messageCount)")
        hub.pump(sim); sim.step()
        #expect(sim.json("press-2", "MachineControl")?["forcedDown"]?.boolValue == true)
    }
}
