import Foundation
import GRDB
import Testing
@testable import TwinIngest
import TwinRuntime

/// QoS 0 batching, ordering across QoS 0 and 1, back-pressure and stopping, against a
/// real Mosquitto broker started on a loopback port by each test.
@Suite("MQTT source: QoS 0 batches, order, back-pressure, stop", .serialized, .timeLimit(.minutes(2)))
struct MQTTSourceBatchingTests {
    /// A source on `plant/door` at `qos`; `interval` long enough that only a full
    /// batch, a QoS 1 message or `stop` flushes.
    func source(_ hub: IngestHub, _ broker: MosquittoBroker, id: String, qos: Int32, batch: Int = 10_000,
                capacity: Int = 40_000, interval: Double = 600, grace: Double = 2) throws -> MQTTSource {
        var o = MQTTSource.Options(clientId: id, subscriptions: [("plant/door", qos)], port: broker.port)
        o.batch = batch; o.bufferCapacity = capacity; o.flushInterval = interval; o.stopGrace = grace
        let s = MQTTSource(hub: hub, options: o)
        try s.start()
        #expect(Services.wait(10) { s.subscriptionsAcknowledged >= 1 }, "no SUBACK within 10 s")
        return s
    }

    /// The `entered` value of every journaled message, in journal order.
    func journaled(_ hub: IngestHub) throws -> [Int] {
        try hub.journal.messages(after: 0).compactMap { row in
            guard case .success(let m) = row.message else { return nil }
            return m.payload["entered"]?.doubleValue.map { Int($0) }
        }
    }

    func commits(_ hub: IngestHub) throws -> Int {
        try hub.journal.db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batches") ?? 0 }
    }

    func door(_ i: Int) -> String { #"{"door": "door", "entered": \#(i)}"# }

    /// A broker and a live world with its hub over a fresh journal (`remove` deletes it).
    final class Rig {
        let broker: MosquittoBroker
        let dir: String
        let sim: Simulation
        let hub: IngestHub

        init(_ tag: String, capacity: Int = 100_000) throws {
            broker = try MosquittoBroker()
            dir = LiveScene.temporaryDirectory(tag)
            sim = try LiveScene.load()
            hub = IngestHub(simulation: sim, journal: try IngestJournal(path: dir + "/j.sqlite", durable: false), capacity: capacity)
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    @Test("QoS 0: 1,000 messages are all journaled in arrival order, in commits of at least the batch size (100) while they stream, the rest at stop")
    func qos0Batches() throws {
        let rig = try Rig("mqb1")
        defer { rig.remove() }
        let (broker, sim, hub) = (rig.broker, rig.sim, rig.hub)
        let src = try source(hub, broker, id: "twin-q0", qos: 0, batch: 100, capacity: 400)
        let pub = try MQTTPublisher(port: broker.port, clientId: "door-q0")
        defer { pub.close() }
        for i in 0..<1000 { try pub.publish("plant/door", door(i), qos: 0) }
        // Full batches flush on their own (the interval never runs out here); less
        // than one batch waits.
        #expect(Services.wait(20) { src.received == 1000 && src.buffered < 100 }, "received \(src.received), buffered \(src.buffered)")
        #expect(hub.journal.messageCount == 1000 - src.buffered)
        let streamed = try commits(hub)
        #expect(streamed >= 1 && streamed <= 10, "\(streamed) commits for \(hub.journal.messageCount) messages in batches of at least 100")
        src.stop()
        #expect(try journaled(hub) == Array(0..<1000))
        // The door counts what enters: every message applied once.
        hub.pump(sim); sim.step()
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == Double((0..<1000).reduce(0, +)))
    }

    @Test("QoS 0: a partial batch waits for its interval, and stop journals it")
    func flushOnStop() throws {
        let rig = try Rig("mqb2")
        defer { rig.remove() }
        let (broker, sim, hub) = (rig.broker, rig.sim, rig.hub)
        let src = try source(hub, broker, id: "twin-stop", qos: 0)
        let pub = try MQTTPublisher(port: broker.port, clientId: "door-stop")
        defer { pub.close() }
        for i in 0..<250 { try pub.publish("plant/door", door(i), qos: 0) }
        #expect(Services.wait(20) { src.received == 250 }, "received \(src.received)")
        // Below the batch size and within the interval: buffered, not journaled yet.
        #expect(hub.journal.messageCount == 0)
        src.stop()
        #expect(hub.journal.messageCount == 250)
        #expect(try journaled(hub) == Array(0..<250))
    }

    @Test("mixed QoS 0 and 1: a QoS 1 message is journaled with the QoS 0 ones buffered before it, never ahead of them")
    func mixedOrder() throws {
        let rig = try Rig("mqb3")
        defer { rig.remove() }
        let (broker, sim, hub) = (rig.broker, rig.sim, rig.hub)
        let src = try source(hub, broker, id: "twin-mixed", qos: 1)
        defer { src.stop() }
        let pub = try MQTTPublisher(port: broker.port, clientId: "door-mixed")
        defer { pub.close() }
        // Every tenth message is QoS 1, the last one too; the interval never runs out,
        // so only the QoS 1 messages flush what the QoS 0 ones left buffered.
        for i in 0..<300 { try pub.publish("plant/door", door(i), qos: i % 10 == 9 ? 1 : 0) }
        #expect(Services.wait(20) { hub.journal.messageCount == 300 }, "journaled \(hub.journal.messageCount), received \(src.received)")
        #expect(try journaled(hub) == Array(0..<300))
        #expect(src.buffered == 0)
    }

    @Test("back-pressure: a hub of 5 and a buffer of 8 messages take 400 QoS 0/1 messages without losing one, in order")
    func backPressure() throws {
        let rig = try Rig("mqb4", capacity: 5)
        defer { rig.remove() }
        let (broker, sim, hub) = (rig.broker, rig.sim, rig.hub)
        let src = try source(hub, broker, id: "twin-bp", qos: 1, batch: 4, capacity: 8, interval: 0.002)
        defer { src.stop() }
        let pub = try MQTTPublisher(port: broker.port, clientId: "door-bp")
        defer { pub.close() }
        for i in 0..<400 { try pub.publish("plant/door", door(i), qos: i % 3 == 0 ? 1 : 0) }
        #expect(pub.waitForAcks(400, timeout: 20))
        // The world has not stepped: the hub holds at most its capacity, and the
        // network thread waits instead of reading on: the hub's 5, a batch being
        // retried and the buffer (each at most 8 + a QoS 1 message).
        #expect(Services.wait(10) { hub.journal.messageCount >= 1 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(hub.journal.messageCount <= 5)
        #expect(src.received <= 5 + 9 + 9, "received \(src.received) with the world stopped")
        let end = Date().addingTimeInterval(60)
        while hub.journal.messageCount < 400 && Date() < end {
            hub.pump(sim); sim.step()
            Thread.sleep(forTimeInterval: 0.002)
        }
        #expect(try journaled(hub) == Array(0..<400))
        hub.pump(sim); sim.step()
        #expect(sim.json("door", "MachineControl")?["release"]?.doubleValue == Double((0..<400).reduce(0, +)))
    }

    @Test("stop while the hub stays full: the QoS 1 messages not journaled are not acknowledged, and arrive after reconnect")
    func stopWithFullHub() throws {
        let rig = try Rig("mqb5", capacity: 1)
        defer { rig.remove() }
        let (broker, sim, hub) = (rig.broker, rig.sim, rig.hub)
        let first = try source(hub, broker, id: "twin-full", qos: 1, grace: 0.2)
        let pub = try MQTTPublisher(port: broker.port, clientId: "door-full")
        defer { pub.close() }
        for i in 0..<2 { try pub.publish("plant/door", door(i), qos: 1) }
        #expect(pub.waitForAcks(2, timeout: 10))
        #expect(Services.wait(10) { first.received == 1 && first.buffered == 1 }, "received \(first.received), buffered \(first.buffered)")
        // Message 0 fills the hub; message 1's callback waits; stop gives up on it.
        // Nothing else is in flight, so the network thread would next write what is
        // queued — message 1's ack among it, had the socket not been shut down.
        first.stop()
        #expect(try journaled(hub) == [0])
        hub.pump(sim); sim.step()
        // The kept session redelivers at once, ahead of the SUBACK: pump while waiting.
        var o = MQTTSource.Options(clientId: "twin-full", subscriptions: [("plant/door", 1)], port: broker.port)
        o.flushInterval = 600
        let second = MQTTSource(hub: hub, options: o)
        try second.start()
        defer { second.stop() }
        let end = Date().addingTimeInterval(20)
        while try journaled(hub).last != 1 && Date() < end {
            hub.pump(sim); sim.step()
            Thread.sleep(forTimeInterval: 0.005)
        }
        // At least once: 1 arrives; 0 arrives again if its ack was still queued
        // when the socket was shut down.
        let got = try journaled(hub)
        #expect(got.first == 0 && Array(got.drop { $0 == 0 }) == [1], "\(got)")
    }
}
