import TwinAssets
import TwinCore
import TwinCorePlugin
import TwinMachines
import TwinPedestrians
import TwinPhysics
import TwinRender
import TwinVehicles

extension SystemCatalog {
    /// Every built-in plugin. This is the one place where the engine is composed:
    /// a new built-in plugin adds one line here.
    public static var standard: SystemCatalog {
        var catalog = SystemCatalog()
        catalog.add(CorePlugin.self)
        catalog.add(AssetsPlugin.self)
        catalog.add(RenderPlugin.self)
        // Domain plugins after assets: their sections read the `geometry` resource
        // (sections apply in this order).
        catalog.add(PedestriansPlugin.self)
        catalog.add(MachinesPlugin.self)
        catalog.add(VehiclesPlugin.self)
        catalog.add(PhysicsPlugin.self)
        return catalog
    }
}
