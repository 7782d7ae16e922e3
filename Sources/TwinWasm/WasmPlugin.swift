import TwinCore

/// The `wasm` plugin: entity systems from WebAssembly modules (`wasm.system`), for
/// code the platform does not trust — sandboxed by WasmKit, limited in fuel and memory.
public enum WasmPlugin: TwinPlugin {
    public static let name = "wasm"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(WasmSystem.self)
    }
}
