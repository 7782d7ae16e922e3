import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting
@testable import TwinVehicles

@Suite("Zebra crossing shared with the pedestrians plugin")
struct PedestrianCrossingTests {
    /// signalised-crossing.json has no spawners: every `Walker` is an agent of the pedestrians
    /// plugin (journeys from one sidewalk over the zebra to the other), moved by its model
    /// (they are `Steered`, so `core.integrate` would not move them; the scene does not run it).
    @Test("signalised-crossing.json: vehicles stop before the zebra for pedestrian-plugin agents and do not drive onto it while one is there (unless too close to stop)")
    func vehiclesYieldToAgents() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/signalised-crossing.json")
        let net = try #require(f.world.resource(TrafficScene.self)).setup.network
        let crossings = net.crossings
        #expect(crossings.count == 2)
        #expect(f.world.aliveCount > 0)
        var prev: [Entity: Vehicle] = [:]
        var occupiedBefore = [Bool](repeating: false, count: crossings.count)
        var occupiedSteps = 0
        var walkersOnRoad = Set<Entity>()
        var stoppedFor = Set<Entity>()
        var committed = 0, violations: [String] = []
        let dt: Float = 0.125
        f.run(steps: 4800) { sim in
            let w = sim.world
            // Occupancy with no margin (the system uses 1 m): surely seen by the traffic system,
            // whichever of the two plugins ran first in the step.
            var occupied = [Bool](repeating: false, count: crossings.count)
            for (e, walker) in f.values(Walker.self) {
                guard let p = w.get(Position.self, of: e)?.value else { continue }
                let q = Vec2(p.x, p.z)
                for (c, cr) in crossings.enumerated() where cr.contains(q, radius: walker.radius, margin: 0) { occupied[c] = true }
                // On the carriageway itself (12.8 m two-way road at z ∈ [-6.4, 6.4]).
                if abs(p.z) < 6.4, abs(p.x + 40) < 2.5 { walkersOnRoad.insert(e) }
            }
            if occupied.contains(true) { occupiedSteps += 1 }
            for (e, v) in f.values(Vehicle.self) {
                defer { prev[e] = v }
                let lane = Int(v.lane)
                guard lane < net.lanes.count else { continue }
                for (c, cr) in crossings.enumerated() where cr.road == net.lanes[lane].road {
                    let stop = cr.at - cr.width / 2 - 1
                    if occupied[c], v.speed < 0.1, v.position <= stop + 0.01, v.position > stop - 4 { stoppedFor.insert(e) }
                    guard let p = prev[e], p.lane == v.lane, occupied[c], occupiedBefore[c] else { continue }
                    if p.position < stop - 0.01, v.position > stop + 0.01 {
                        // Allowed only when it could not stop in time with its emergency deceleration (9 m/s²).
                        if stop - p.position <= p.speed * p.speed / (2 * 9) + p.speed * dt { committed += 1 }
                        else { violations.append("vehicle \(e) drove onto \(cr.id) at \(p.position)→\(v.position) m, \(p.speed) m/s") }
                    }
                }
            }
            occupiedBefore = occupied
        }
        // The pedestrians plugin's agents really crossed, so the test exercised the interaction.
        print("zebra: \(walkersOnRoad.count) agents crossed, \(occupiedSteps) steps occupied, \(stoppedFor.count) vehicles stopped for them, \(committed) too close to stop drove on, \(violations.count) violations")
        #expect(walkersOnRoad.count >= 8, "walkers that crossed: \(walkersOnRoad.count)")
        #expect(occupiedSteps >= 300, "steps with a walker on a crossing: \(occupiedSteps)")
        #expect(stoppedFor.count >= 5, "vehicles that stopped before an occupied crossing: \(stoppedFor.count)")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        #expect((f.values(TrafficStats.self).first?.1.stuck ?? -1) == 0)
    }
}
