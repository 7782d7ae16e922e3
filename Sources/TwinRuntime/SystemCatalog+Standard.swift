import TwinAssets
import TwinCore
import TwinCorePlugin
import TwinMachines
import TwinPedestrians
import TwinPhysics
import TwinRender
import TwinVehicles
import TwinWasm

import Foundation

extension SystemCatalog {
    /// Plugins of the program built on TwinWorld (its own `twin`, see
    /// `TwinCommandLine.main(plugins:)`), added after the built-ins.
    private static let addedPlugins = AddedPlugins()

    /// Adds `plugins` to `standard`, for the rest of the process: call it at start-up,
    /// before any scene loads. A plugin already added (by name) is not added again, so
    /// libraries that need one (the server needs `ingest`) may ask for it too.
    public static func addPlugins(_ plugins: [any TwinPlugin.Type]) {
        addedPlugins.append(plugins)
    }

    /// Every built-in plugin, then the program's own. This is the one place where the
    /// engine is composed: a new built-in plugin adds one line here.
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
        catalog.add(WasmPlugin.self)
        for plugin in addedPlugins.all { catalog.add(plugin) }
        return catalog
    }
}

/// The program's plugins behind a lock (metatypes of a non-Sendable protocol cannot sit
/// in a `Mutex`); written once at start-up, read whenever a catalog is built.
private final class AddedPlugins: @unchecked Sendable {
    private let lock = NSLock()
    private var plugins: [any TwinPlugin.Type] = []

    func append(_ more: [any TwinPlugin.Type]) {
        lock.withLock {
            for p in more where !plugins.contains(where: { $0.name == p.name }) { plugins.append(p) }
        }
    }
    var all: [any TwinPlugin.Type] { lock.withLock { plugins } }
}
