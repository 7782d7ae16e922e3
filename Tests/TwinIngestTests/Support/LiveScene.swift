import Foundation
@testable import TwinIngest
import TwinRuntime

/// A small plant for the ingest tests: two presses, a door counter, a tracked
/// forklift, trucks created on first sight (GPS), alarms as events — one binding per
/// semantics. (`Lifetime.remaining` stands in for a scalar with a unit: a truck's
/// ETA; no system runs, so nothing despawns.)
enum LiveScene {
    static let text = """
    {
      "format": "twin-scene/1",
      "world": {"dt": 0.05, "seed": 7, "duration": 100},
      "prefabs": {
        "vehicle": {"components": {"Position": [0, 0, 0], "Kind": "vehicle", "Lifetime": {"remaining": 0}}},
        "alarm": {"components": {"Kind": "alarm", "Position": [0, 0, 0]}}
      },
      "entities": [
        {"name": "press-1", "components": {"Position": [0, 0, 0], "MachineControl": {}}},
        {"name": "press-2", "components": {"Position": [5, 0, 0], "MachineControl": {}}},
        {"name": "door", "components": {"MachineControl": {}}},
        {"name": "forklift", "components": {"Position": [0, 0, 0], "Velocity": [0, 0, 0]}}
      ],
      "systems": [],
      "bindings": [
        {"name": "status", "source": "mqtt", "topic": "plant/+/status", "id": "$topic[1]", "time": "ts",
         "entity": {"lookup": {"P1": "press-1", "P2": "press-2"}},
         "late": "drop",
         "fields": [{"from": "state", "to": "MachineControl.forcedDown", "enum": {"DOWN": true, "RUN": false, "IDLE": false}}]},
        {"name": "door-count", "topic": "plant/door", "id": "door", "semantics": "count", "total": true,
         "fields": [{"from": "entered", "to": "MachineControl.release", "min": 0, "max": 1000}]},
        {"name": "track", "topic": "plant/forklift", "id": "id", "time": "ts", "semantics": "interpolate",
         "fields": [{"position": {"frame": "plan", "x": "x", "y": "y", "unit": "mm"}, "to": "Position", "min": -1000, "max": 1000}]},
        {"name": "vehicles", "topic": "fleet/+", "id": "$topic[1]", "time": "ts", "late": "reorder", "window": 2,
         "entity": {"prefix": "truck-", "create": "vehicle"},
         "fields": [{"position": {"frame": "gps", "lat": "lat", "lon": "lon", "reference": [48.0, 11.0, 500]}, "to": "Position"},
                    {"from": "eta", "to": "Lifetime.remaining", "unit": "min", "min": 0, "max": 7200}]},
        {"name": "alarms", "topic": "plant/alarm", "id": "zone", "semantics": "event", "prefab": "alarm",
         "fields": [{"from": "zone", "to": "Kind"}]}
      ]
    }
    """

    static let now = 1_765_080_000.0

    static func load() throws -> Simulation {
        try SceneLoader.live.load(text: text, file: "<live>")
    }

    static func message(_ topic: String, _ payload: String, source: String = "mqtt", id: String? = nil) -> IngestMessage {
        IngestMessage(source: source, topic: topic, payload: (try? JSONParser.parse(payload)) ?? .null, id: id, receivedAt: now)
    }

    static func temporaryDirectory(_ tag: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("twin-ingest-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A hub over a fresh journal for `sim`, with the clock fixed at `now`.
    static func hub(_ sim: Simulation, dir: String, capacity: Int = 10_000) throws -> IngestHub {
        IngestHub(simulation: sim, journal: try IngestJournal(path: dir + "/journal.sqlite", durable: false), capacity: capacity, clock: { now })
    }
}

extension Simulation {
    /// The component's JSON form on a named entity.
    func json(_ entity: String, _ component: String) -> JSONValue? {
        guard let e = self.entity(.name(entity)) else { return nil }
        return world.encodeComponent(named: component, of: e)
    }
}

extension SceneLoader {
    /// A loader that knows the `bindings` section (as `twin` and the server do).
    static var live: SceneLoader {
        IngestPlugin.enable()
        return SceneLoader()
    }
}
