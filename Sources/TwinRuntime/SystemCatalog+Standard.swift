import TwinCore
import TwinCorePlugin

extension SystemCatalog {
    /// Every built-in plugin. This is the one place where the engine is composed:
    /// a new built-in plugin adds one line here.
    public static var standard: SystemCatalog {
        var catalog = SystemCatalog()
        catalog.add(CorePlugin.self)
        return catalog
    }
}
