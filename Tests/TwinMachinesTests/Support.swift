import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting

/// Runs machine scenes in tests and reads their figures by element name.
struct LineRun {
    let fixture: SceneFixture

    init(_ json: String) throws { fixture = try SceneFixture(json: json) }

    var world: World { fixture.world }

    func entity(_ name: String) -> Entity? {
        world.entities.first { world.get(Name.self, of: $0)?.value == name }
    }

    func status(_ name: String) throws -> MachineStatus {
        let e = try #require(entity(name), "no element \(name)")
        return try #require(world.get(MachineStatus.self, of: e))
    }

    var line: MachineLine {
        get throws {
            let e = try #require(world.entities.first { world.get(MachineLine.self, of: $0) != nil })
            return try #require(world.get(MachineLine.self, of: e))
        }
    }

    /// Steps until `done` holds (checked after each step) or `maxSteps`.
    func run(maxSteps: Int, until done: (LineRun) throws -> Bool) rethrows {
        for _ in 0..<maxSteps {
            fixture.simulation.step()
            if try done(self) { return }
        }
    }

    func run(seconds: Double) {
        let steps = Int((seconds / fixture.simulation.dt).rounded())
        fixture.run(steps: steps)
    }
}

/// Scene text for the M/M/1 queue of validation case M1.
func mm1Scene(seed: Int, customers: Int, dt: Double = 8) -> String {
    """
    {"world": {"dt": \(dt), "seed": \(seed), "duration": 1e9},
     "systems": [{"id": "machines.process", "params": {"itemEntities": false}}],
     "machines": {"elements": [
       {"name": "arrivals", "type": "source", "interarrival": {"dist": "exponential", "mean": \(1 / 0.9)}, "limit": \(customers), "to": "queue"},
       {"name": "queue", "type": "buffer", "to": "server"},
       {"name": "server", "type": "station", "process": {"dist": "exponential", "mean": 1.0}, "to": "exit"},
       {"name": "exit", "type": "sink"}]}}
    """
}

/// Scene text for the tandem line of validation case M2 (T = 1e5 s).
func tandemScene(seed: Int, failures: Bool, dt: Double = 4) -> String {
    let fail = failures
        ? #", "failures": [{"upTime": {"dist": "exponential", "mean": 100}, "repairTime": {"dist": "exponential", "mean": 10}, "clock": "calendar"}]"#
        : ""
    return """
    {"world": {"dt": \(dt), "seed": \(seed), "duration": 100000},
     "systems": [{"id": "machines.process", "params": {"itemEntities": false}}],
     "machines": {"elements": [
       {"name": "raw", "type": "source", "infinite": true, "to": "A"},
       {"name": "A", "type": "station", "process": 1.0, "to": "buffer"},
       {"name": "buffer", "type": "buffer", "capacity": 5, "to": "B"},
       {"name": "B", "type": "station", "process": {"dist": "exponential", "mean": 0.9}, "to": "done"\(fail)},
       {"name": "done", "type": "sink"}]}}
    """
}
