import EnergyPlugin
import Testing
import TwinRuntime
import TwinTesting

@Suite("energy.battery-drain")
struct BatteryDrainTests {
    static var catalog: SystemCatalog {
        var c = SystemCatalog.standard
        c.add(EnergyPlugin.self)
        return c
    }

    @Test("charge falls linearly, 1 − r·t (exact to 1e-9), and stops at empty")
    func drains() throws {
        let f = try SceneFixture(json: """
            {"world": {"dt": 0.5}, "entities": [{"name": "f", "components": {"Battery": {"charge": 0.5}}}],
             "systems": [{"id": "energy.battery-drain", "params": {"drainPerSecond": 0.01}}]}
            """, catalog: Self.catalog)
        f.run(steps: 20)
        #expect(abs((f.values(Battery.self).first?.1.charge ?? -1) - (0.5 - 0.01 * 10)) <= 1e-9)
        f.run(steps: 200)
        #expect(f.values(Battery.self).first?.1.charge == 0)
    }

    @Test("a negative rate is a scene error naming the parameter")
    func badRate() {
        #expect(throws: SceneError.self) {
            try SceneFixture(json: #"{"world": {}, "systems": [{"id": "energy.battery-drain", "params": {"drainPerSecond": -1}}]}"#, catalog: Self.catalog)
        }
    }
}
