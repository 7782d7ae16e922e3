import TwinCore

/// The `pedestrians` plugin: walkable levels and stairs, floor-field navigation,
/// journeys, three operational models and measurements (see the README's
/// "Pedestrians" section for the scene format).
public enum PedestriansPlugin: TwinPlugin {
    public static let name = "pedestrians"

    /// The operational models; a scene runs exactly one.
    static let modelIDs = [CollisionFreeSpeedSystem.id.rawValue, SocialForceSystem.id.rawValue,
                           GeneralizedCentrifugalForceSystem.id.rawValue]

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: Walker.self)
        catalog.register(component: WalkerStage.self)
        catalog.register(component: PedestrianAgent.self)
        catalog.register(JourneySystem.self, isDefault: true)
        catalog.register(CollisionFreeSpeedSystem.self, isDefault: true)
        catalog.register(SocialForceSystem.self)
        catalog.register(GeneralizedCentrifugalForceSystem.self)
        catalog.register(MeasureSystem.self, isDefault: true)
        catalog.register(
            section: "pedestrians",
            summary: "Pedestrian levels, stairs, stages, journeys, agents, sources and measurements.",
            schema: PedestrianSchema.schema, apply: PedestrianSection.apply)
    }
}
