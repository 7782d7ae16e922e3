import TwinCore
// `Store.resourceLimiter` is WasmKit's only way to refuse memory growth before the
// memory is allocated; in 0.4 it sits behind this SPI ("consider making this public").
@_spi(Fuzzing) import WasmKit

/// An entity system written by someone we do not have to trust: a WebAssembly module
/// run by WasmKit's interpreter inside limits the host enforces.
///
/// The module exports `memory`, `twin_manifest() -> i32` (a pointer to its manifest,
/// NUL-terminated JSON; see `WasmManifest`) and `twin_update(time: f64, dt: f64)`, called
/// once per step in the manifest's phase; it may import only the `twin` functions of
/// `WasmHost` — no WASI, so no files, clocks or sockets. Each call gets `fuelPerStep`
/// fuel (≈ one unit per executed wasm instruction) and the module's memory may not grow
/// beyond `memoryLimit`. A module that traps, runs out of fuel, exceeds its memory or
/// breaks a host rule is disabled at that step with a `SystemFaults` entry saying why;
/// the world runs on without it. Loading errors (not wasm, unknown imports, a manifest
/// naming unknown components or parameters) stop the scene from loading.
///
/// - Parameters: `module` (path relative to the scene file), `parameters` (numbers by
///   the manifest's names), `fuelPerStep` (default 100,000,000), `memoryLimit` (bytes,
///   default 64 MiB).
/// - Reads and writes: the components the manifest declares. Emits: `WasmEvent`.
public final class WasmSystem: PreUpdateSystem, UpdateSystem {
    public struct Parameters: SystemParameters, Hashable {
        public var module = ""
        public var parameters: [String: Double] = [:]
        public var fuelPerStep = 100_000_000
        public var memoryLimit = 64 << 20
        public init() {}
        public static let units = ["memoryLimit": "bytes"]
        public static let documentation = [
            "module": "The .wasm file, relative to the scene file.",
            "parameters": "Values of the module's declared parameters (numbers), over its defaults.",
            "fuelPerStep": "Fuel per step (about one unit per executed wasm instruction); running out disables the system.",
            "memoryLimit": "Largest linear memory the module may have; growing past it disables the system.",
        ]
        public func validate() throws(ParameterError) {
            if module.isEmpty { throw ParameterError("module", "module must name a .wasm file") }
            if !(1...10_000_000_000).contains(fuelPerStep) { throw ParameterError("fuelPerStep", "fuelPerStep must be in [1, 1e10], got \(fuelPerStep)") }
            if !(65_536...(4 << 30)).contains(memoryLimit) { throw ParameterError("memoryLimit", "memoryLimit must be in [64 KiB, 4 GiB], got \(memoryLimit)") }
            for (k, v) in parameters where !v.isFinite { throw ParameterError("parameters", "parameter \(k) must be finite, got \(v)") }
        }
    }

    public static let id: SystemID = "wasm.system"
    public static let summary = "Runs an untrusted entity system compiled to WebAssembly, with fuel and memory limits and no file or network access."
    public static let reads = ["(the module's reads)"]
    public static let writes = ["(the module's writes)"]
    public static let emits = ["WasmEvent"]

    /// The module's manifest name.
    public let name: String
    public private(set) var disabled = false
    let manifest: WasmManifest
    private let host: WasmHost
    private let store: Store
    private let updateFunction: Function
    private let componentIDs: [ComponentID]
    private let fuel: UInt64

    public init(parameters p: Parameters, setup: inout SystemSetup) throws {
        let path = setup.scene.resolve(p.module)
        guard let bytes = setup.scene.readFile(path) else {
            throw WasmSystemError("cannot read the module \"\(p.module)\" (resolved to \(path))")
        }
        let module: Module
        do { module = try parseWasm(bytes: bytes) } catch {
            throw WasmSystemError("\"\(p.module)\" is not a valid WebAssembly module: \(error)")
        }
        for imp in module.imports {
            guard imp.module == "twin", WasmHost.importNames.contains(imp.name), case .function = imp.descriptor else {
                throw WasmSystemError(
                    "\"\(p.module)\" imports \(imp.module).\(imp.name), which the host does not provide; a module may import only the functions twin.\(WasmHost.importNames.joined(separator: ", twin."))")
            }
        }
        fuel = UInt64(p.fuelPerStep)
        store = Store(engine: Engine(configuration: EngineConfiguration(fuelMetering: true)))
        store.resourceLimiter = MemoryLimit(bytes: p.memoryLimit)
        host = WasmHost(system: p.module, random: setup.random)
        store.fuel = Fuel(remaining: fuel)
        let instance: Instance
        do { instance = try module.instantiate(store: store, imports: host.imports(store)) } catch {
            throw WasmSystemError("\"\(p.module)\" cannot be instantiated: \(error)")
        }
        guard let memory = instance.exports[memory: "memory"] else { throw WasmSystemError("\"\(p.module)\" exports no memory named \"memory\"") }
        host.memory = memory
        guard let manifestFunction = instance.exports[function: "twin_manifest"],
              manifestFunction.type == FunctionType(parameters: [], results: [.i32]) else {
            throw WasmSystemError("\"\(p.module)\" must export twin_manifest() -> i32 (a pointer to its manifest)")
        }
        guard let update = instance.exports[function: "twin_update"],
              update.type == FunctionType(parameters: [.f64, .f64], results: []) else {
            throw WasmSystemError("\"\(p.module)\" must export twin_update(time: f64, dt: f64)")
        }
        updateFunction = update
        let text: String
        do {
            guard case .i32(let pointer) = try manifestFunction().first else { throw WasmSystemError("twin_manifest returned no pointer") }
            text = try Self.cString(memory, at: Int(pointer))
        } catch {
            throw WasmSystemError("\"\(p.module)\": reading its manifest failed: \(error)")
        }
        let registry = setup.world.registry
        do { manifest = try WasmManifest.parse(text, knownComponents: registry.names) } catch {
            throw WasmSystemError("\"\(p.module)\": \(error)")
        }
        name = manifest.name
        let declared = manifest.parameters.map(\.name)
        for key in p.parameters.keys.sorted() where !declared.contains(key) {
            throw WasmSystemError("\"\(p.module)\" (\(name)): " + Suggestions.unknownMessage(kind: "parameter", name: key, known: declared))
        }
        var components: [ComponentFloats] = []
        for c in manifest.components {
            guard let type = registry.type(named: c) else { continue }
            switch ComponentFloats.make(type) {
            case .success(let access): components.append(access)
            case .failure(let e): throw WasmSystemError("\"\(p.module)\" (\(name)): \(e)")
            }
        }
        componentIDs = components.map(\.id)
        host.configure(
            components: components, writable: manifest.components.map { manifest.writes.contains($0) },
            parameters: Dictionary(uniqueKeysWithValues: manifest.parameters.map { ($0.name, p.parameters[$0.name] ?? $0.defaultValue) }))
    }

    public func preUpdate(_ step: StepInfo, world: World) {
        if manifest.phase == .preUpdate { run(step, world) }
    }

    public func update(_ step: StepInfo, world: World) {
        if manifest.phase == .update { run(step, world) }
    }

    private func run(_ step: StepInfo, _ world: World) {
        guard !disabled else { return }
        host.world = world
        host.entities = world.entities(with: componentIDs)
        host.time = step.time
        defer { host.world = nil }
        store.fuel = Fuel(remaining: fuel)
        do {
            _ = try updateFunction([.f64(step.time.bitPattern), .f64(step.dt.bitPattern)])
        } catch {
            disabled = true
            let text = "\(error)"
            let why = text.contains("outOfFuel") || text.contains("out of fuel")
                ? "ran out of fuel (fuelPerStep \(fuel))" : text
            world.systemFaults.report(system: "\(Self.id) \(name)", step: step.step, message: why)
        }
    }

    /// The NUL-terminated string at `offset`, at most `WasmManifest.maxLength` bytes.
    static func cString(_ memory: Memory, at offset: Int) throws -> String {
        let available = memory.byteCount - offset
        guard offset >= 0, available > 0 else { throw WasmSystemError("the pointer \(offset) is outside the module's memory") }
        let count = min(available, WasmManifest.maxLength)
        return try memory.withUnsafeBufferPointer(offset: UInt(offset), count: count) { bytes in
            guard let end = bytes.firstIndex(of: 0) else {
                throw WasmSystemError("no NUL within \(count) bytes of the pointer \(offset)")
            }
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }
}

/// Refuses memory growth beyond a byte limit, ending the module's call with an error.
final class MemoryLimit: ResourceLimiter, @unchecked Sendable {
    let bytes: Int
    init(bytes: Int) { self.bytes = bytes }
    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= bytes else {
            throw WasmSystemError("its memory would grow to \(desired) bytes, over the limit of \(bytes) (memoryLimit)")
        }
        return true
    }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 1 << 20 }
}
