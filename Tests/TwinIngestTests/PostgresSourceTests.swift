import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

/// Against a real PostgreSQL 15 with wal2json, started in a temporary directory on a
/// loopback port by the suite's tests.
@Suite("PostgreSQL change data capture (wal2json)", .serialized, .timeLimit(.minutes(3)))
struct PostgresSourceTests {
    static let scene = """
    {
      "format": "twin-scene/1",
      "world": {"dt": 0.05, "seed": 1},
      "entities": [
        {"name": "press-1", "components": {"MachineControl": {}}},
        {"name": "press-2", "components": {"MachineControl": {}}}
      ],
      "systems": [],
      "bindings": [
        {"name": "machines", "source": "postgres", "table": "public.machines", "id": "name",
         "fields": [{"from": "down", "to": "MachineControl.forcedDown"}, {"from": "queue", "to": "MachineControl.release", "min": 0}]}
      ]
    }
    """

    func open(_ dir: String) throws -> (Simulation, IngestHub) {
        let sim = try SceneLoader.live.load(text: Self.scene, file: "<pg>")
        return (sim, IngestHub(simulation: sim, journal: try IngestJournal(path: dir + "/j.sqlite", durable: false)))
    }

    func source(_ hub: IngestHub, _ pg: PostgresServer) -> PostgresSource {
        var o = PostgresSource.Options(connection: pg.connection, slot: "twin_test", tables: ["public.machines", "public.orders"])
        o.pollInterval = 0.02
        o.maxReconnectDelay = 1
        let s = PostgresSource(hub: hub, options: o)
        s.start()
        return s
    }

    @Test("insert, update, delete become updates; a restarted source resumes exactly where it stopped (no change lost, none twice)")
    func captureAndResume() throws {
        let pg = try PostgresServer()
        let dir = LiveScene.temporaryDirectory("pgc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try pg.sql("CREATE TABLE machines(name text PRIMARY KEY, down boolean NOT NULL, queue integer NOT NULL); CREATE TABLE orders(id serial PRIMARY KEY, item text)")
        let (sim, hub) = try open(dir)
        var src = source(hub, pg)
        #expect(Services.wait(20) { src.connections == 1 }, "\(src.lastError ?? "")")
        try pg.sql("INSERT INTO machines VALUES ('press-1', false, 3), ('press-2', false, 0)")
        try pg.sql("UPDATE machines SET down = true, queue = 5 WHERE name = 'press-1'")
        #expect(Services.wait(20) { hub.journal.messageCount == 3 }, "journaled \(hub.journal.messageCount); \(src.lastError ?? "")")
        hub.pump(sim); sim.step()
        #expect(sim.json("press-1", "MachineControl") == .object([("forcedDown", .bool(true)), ("closed", .bool(false)), ("release", .number(5))]))
        src.stop()
        // While we are away: changes pile up in the slot.
        try pg.sql("UPDATE machines SET down = true WHERE name = 'press-2'; INSERT INTO orders(item) VALUES ('bolt')")
        try pg.sql("DELETE FROM machines WHERE name = 'press-1'")
        src = source(hub, pg)
        defer { src.stop() }
        // Three more changes: the update is accepted; the order and the delete are dead letters (below).
        #expect(Services.wait(20) { hub.journal.messageCount == 4 && (try? hub.journal.deadLetters().count) == 2 }, "journaled \(hub.journal.messageCount)")
        Thread.sleep(forTimeInterval: 0.3)
        let deadCount = try hub.journal.deadLetters().count
        #expect(hub.journal.messageCount == 4 && deadCount == 2)  // nothing replayed twice
        hub.pump(sim); sim.step()
        #expect(sim.json("press-2", "MachineControl")?["forcedDown"]?.boolValue == true)
        let dead = try hub.journal.deadLetters()
        // The order matches no binding; the delete carries only the key, so its fields are missing.
        #expect(dead.contains { $0.reason.contains("no binding takes source \"postgres\" topic \"public.orders\"") })
        #expect(dead.contains { $0.reason.contains("missing down") })
        #expect(try hub.journal.position(of: "postgres:twin_test") != nil)
    }

    @Test("the server goes away and comes back: the source reconnects; a dropped table stops its changes, the rest keep flowing")
    func reconnectAndDroppedTable() throws {
        let pg = try PostgresServer()
        let dir = LiveScene.temporaryDirectory("pgr")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try pg.sql("CREATE TABLE machines(name text PRIMARY KEY, down boolean NOT NULL, queue integer NOT NULL); CREATE TABLE orders(id serial PRIMARY KEY, item text)")
        let (_, hub) = try open(dir)
        let src = source(hub, pg)
        defer { src.stop() }
        #expect(Services.wait(20) { src.connections == 1 })
        pg.stop()
        #expect(Services.wait(10) { src.lastError != nil })
        try pg.start()
        #expect(Services.wait(20) { src.connections >= 2 }, "\(src.lastError ?? "")")
        try pg.sql("INSERT INTO machines VALUES ('press-1', true, 1)")
        #expect(Services.wait(20) { hub.journal.messageCount == 1 })
        try pg.sql("DROP TABLE orders")
        try pg.sql("INSERT INTO machines VALUES ('press-2', true, 2)")
        #expect(Services.wait(20) { hub.journal.messageCount == 2 }, "\(src.lastError ?? "")")
    }

    @Test("wal2json rows: I/U/D become insert/update/delete with the row (or key) as payload; begin/commit rows are skipped; junk is a reason")
    func rows() throws {
        let insert = #"{"action":"I","schema":"public","table":"machines","columns":[{"name":"name","type":"text","value":"press-1"},{"name":"queue","type":"integer","value":4}]}"#
        guard case .success(let m?) = PostgresSource.message(insert, id: "0/1#0") else { Issue.record("insert"); return }
        #expect(m.topic == "public.machines" && m.payload["_op"]?.stringValue == "insert" && m.payload["queue"]?.doubleValue == 4 && m.id == "0/1#0")
        let delete = #"{"action":"D","schema":"public","table":"machines","identity":[{"name":"name","type":"text","value":"press-1"}]}"#
        guard case .success(let d?) = PostgresSource.message(delete, id: "0/2#0") else { Issue.record("delete"); return }
        #expect(d.payload["_op"]?.stringValue == "delete" && d.payload["name"]?.stringValue == "press-1" && d.payload["queue"] == nil)
        guard case .success(nil) = PostgresSource.message(#"{"action":"B"}"#, id: "x") else { Issue.record("begin"); return }
        guard case .failure = PostgresSource.message("{oops", id: "x") else { Issue.record("junk"); return }
        #expect(LSN("16/B374D848").map { $0.value } == 0x16_B374_D848 && LSN("zz") == nil && LSN("1/2/3") == nil)
    }
}
