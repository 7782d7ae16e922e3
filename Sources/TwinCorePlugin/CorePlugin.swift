import TwinCore

/// The `core` plugin: kinematic integration, lifetimes and spawners — enough for a
/// scene to move before any domain plugin is involved.
public enum CorePlugin: TwinPlugin {
    public static let name = "core"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: Position.self)
        catalog.register(component: Velocity.self)
        catalog.register(component: Acceleration.self)
        catalog.register(component: Rotation.self)
        catalog.register(component: AngularVelocity.self)
        catalog.register(component: Scale.self)
        catalog.register(component: Name.self)
        catalog.register(component: Kind.self)
        catalog.register(component: Lifetime.self)
        catalog.register(component: Spawner.self)
        catalog.register(component: Steered.self)
        catalog.register(SpawnerSystem.self, isDefault: true)
        catalog.register(IntegrateSystem.self, isDefault: true)
        catalog.register(LifetimeSystem.self, isDefault: true)
        catalog.register(
            section: "spawners", summary: "Prefab spawners: rate, arrivals (fixed or poisson), area, limits.",
            schema: SpawnerSpec.schema, apply: SpawnerSpec.apply)
    }
}
