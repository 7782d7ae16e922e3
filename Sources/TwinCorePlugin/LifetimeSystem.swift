import TwinCore

/// Counts lifetimes down and despawns entities whose time is up.
///
/// An entity whose remaining life ends within this step is despawned at the end of
/// the update phase (through the command buffer), so it is absent from this step's
/// measurements. Emits `LifetimeExpired`.
///
/// - Reads/Writes: Lifetime. Emits: LifetimeExpired.
public final class LifetimeSystem: UpdateSystem {
    public static let id: SystemID = "core.lifetime"
    public static let summary = "Counts Lifetime down by dt and despawns entities that reach 0."
    public static let writes = ["Lifetime"]
    public static let emits = ["LifetimeExpired"]
    public static let defaultPriority = SystemPriority.cleanup

    let lives: Query<Mut<Lifetime>>

    public init(parameters: NoParameters, setup: inout SystemSetup) {
        lives = setup.world.query(Mut<Lifetime>.self)
    }

    public func update(_ step: StepInfo, world: World) {
        let dt = step.dt
        lives.forEachChunk { chunk, life in
            for i in 0..<chunk.count {
                life[i].remaining -= dt
                if life[i].remaining <= 1e-12 {
                    world.commands.despawn(chunk.entities[i])
                    world.send(LifetimeExpired(entity: chunk.entities[i], time: step.endTime))
                }
            }
        }
    }
}

/// An entity's lifetime ran out at `time` (s).
public struct LifetimeExpired: Sendable, Hashable {
    public let entity: Entity
    public let time: Double
}
