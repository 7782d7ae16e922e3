import TwinCore

/// State of charge of an electric machine (0…1).
public struct Battery: DefaultComponent, DocumentedComponent {
    public var charge: Double = 1
    public init() {}
    public static let summary = "State of charge of an electric machine, 0…1."
}

/// Drains every battery at a constant rate, never below empty.
///
/// - Parameters: `drainPerSecond` (1/s, 0.001).
/// - Writes: Battery.
public final class BatteryDrain: UpdateSystem {
    public struct Parameters: SystemParameters {
        public var drainPerSecond: Double = 0.001
        public init() {}
        public static let units = ["drainPerSecond": "1/s"]
        public static let documentation = ["drainPerSecond": "Fraction of a full charge used per second."]
        public func validate() throws(ParameterError) {
            guard drainPerSecond >= 0, drainPerSecond.isFinite else {
                throw ParameterError("drainPerSecond", "drainPerSecond must be a finite number ≥ 0, got \(drainPerSecond)")
            }
        }
    }
    public static let id: SystemID = "energy.battery-drain"
    public static let summary = "Drains batteries at a constant rate."
    public static let writes = ["Battery"]

    let drain: Double
    let batteries: Query<Mut<Battery>>

    public init(parameters: Parameters, setup: inout SystemSetup) {
        drain = parameters.drainPerSecond
        batteries = setup.world.query(Mut<Battery>.self)
    }

    public func update(_ step: StepInfo, world: World) {
        batteries.forEachChunk { chunk, battery in
            for i in 0..<chunk.count { battery[i].charge = max(0, battery[i].charge - drain * step.dt) }
        }
    }
}

/// The `energy` plugin: registered by `twin-energy` (see `Sources/twin-energy`).
public enum EnergyPlugin: TwinPlugin {
    public static let name = "energy"
    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: Battery.self)
        catalog.register(BatteryDrain.self)
    }
}
