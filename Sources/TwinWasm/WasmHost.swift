import TwinCore
import WasmKit

/// The functions a WebAssembly system may import — module `twin`, nothing else (no
/// WASI: no files, clock or network) — and the state they see during one call.
///
/// | import | signature | meaning |
/// |---|---|---|
/// | `component(name, length)` | `(i32, i32) -> i32` | handle of a component the manifest declares, −1 otherwise |
/// | `count()` | `() -> i32` | entities this step (those with every declared component) |
/// | `read(handle, destination, capacity)` | `(i32, i32, i32) -> i32` | copies the component of every entity as f32s (width per entity: 3 for vectors); returns the floats written, −1 if `capacity` is too small |
/// | `write(handle, source, count)` | `(i32, i32, i32) -> i32` | writes them back (`count` = entities × width; only components in `writes`; every value finite) |
/// | `param(name, length)` | `(i32, i32) -> f64` | a parameter (scene value over the manifest default); NaN if unknown |
/// | `random()` | `() -> f64` | uniform in [0, 1) from the system's own seeded stream |
/// | `emit(entity, code, value)` | `(i32, i32, f64) -> ()` | a `WasmEvent` about the entity at that index |
///
/// Breaking a rule (a pointer outside memory, writing an undeclared component, a
/// non-finite value) ends the call with an error, and the system is disabled.
final class WasmHost {
    static let importNames = ["component", "count", "read", "write", "param", "random", "emit"]

    let system: String
    private(set) var components: [ComponentFloats] = []
    private(set) var writable: [Bool] = []
    private(set) var parameters: [String: Double] = [:]
    var random: RandomStream
    var memory: Memory?
    /// Valid during `twin_update` only.
    var world: World?
    var entities: [Entity] = []
    var time: Double = 0
    private var scratch: [Float] = []

    init(system: String, random: RandomStream) {
        self.system = system; self.random = random
    }

    /// What the manifest declared (known only after the module is instantiated).
    func configure(components: [ComponentFloats], writable: [Bool], parameters: [String: Double]) {
        self.components = components; self.writable = writable; self.parameters = parameters
    }

    func imports(_ store: Store) -> Imports {
        var imports = Imports()
        func define(_ name: String, _ params: [ValueType], _ results: [ValueType], _ body: @escaping ([Value]) throws -> [Value]) {
            imports.define(module: "twin", name: name, Function(store: store, parameters: params, results: results) { _, args in try body(args) })
        }
        define("component", [.i32, .i32], [.i32]) { [unowned self] a in
            let name = try string(a[0], a[1])
            return [.i32(UInt32(bitPattern: Int32(components.firstIndex { $0.name == name } ?? -1)))]
        }
        define("count", [], [.i32]) { [unowned self] _ in [.i32(UInt32(entities.count))] }
        define("read", [.i32, .i32, .i32], [.i32]) { [unowned self] a in [.i32(UInt32(bitPattern: try read(a)))] }
        define("write", [.i32, .i32, .i32], [.i32]) { [unowned self] a in [.i32(UInt32(bitPattern: try write(a)))] }
        define("param", [.i32, .i32], [.f64]) { [unowned self] a in
            [.f64((parameters[try string(a[0], a[1])] ?? .nan).bitPattern)]
        }
        define("random", [], [.f64]) { [unowned self] _ in [.f64(random.unitDouble().bitPattern)] }
        define("emit", [.i32, .i32, .f64], []) { [unowned self] a in
            let index = Int(Int32(bitPattern: a[0].i32)), code = Int32(bitPattern: a[1].i32)
            guard let world, entities.indices.contains(index) else {
                throw WasmSystemError("emit: entity index \(index) is not one of the \(entities.count) entities of this step")
            }
            world.send(WasmEvent(system: system, entity: entities[index], code: code, value: Double(bitPattern: a[2].f64), time: time))
            return []
        }
        return imports
    }

    private func read(_ a: [Value]) throws -> Int32 {
        let c = try component(a[0])
        let floats = entities.count * c.width
        guard Int(Int32(bitPattern: a[2].i32)) >= floats else { return -1 }
        guard let world else { return -1 }
        let bytes = try guestRange(a[1], floats * 4)
        if scratch.count < floats { scratch = [Float](repeating: 0, count: floats) }
        scratch.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            c.read(world, entities, into: base)
            memory?.withUnsafeMutableBufferPointer(offset: bytes, count: floats * 4) { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(start: base, count: floats * 4))
            }
        }
        return Int32(floats)
    }

    private func write(_ a: [Value]) throws -> Int32 {
        let handle = Int(Int32(bitPattern: a[0].i32))
        let c = try component(a[0])
        guard writable[handle] else {
            throw WasmSystemError("write: \(c.name) is not in the manifest's \"writes\"")
        }
        let floats = Int(Int32(bitPattern: a[2].i32))
        guard floats == entities.count * c.width else {
            throw WasmSystemError("write: \(c.name) needs \(entities.count) × \(c.width) = \(entities.count * c.width) floats, got \(floats)")
        }
        guard let world, floats > 0 else { return 0 }
        let bytes = try guestRange(a[1], floats * 4)
        if scratch.count < floats { scratch = [Float](repeating: 0, count: floats) }
        return try scratch.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let base = buf.baseAddress else { return -1 }
            memory?.withUnsafeBufferPointer(offset: bytes, count: floats * 4) { src in
                UnsafeMutableRawBufferPointer(start: base, count: floats * 4).copyMemory(from: src)
            }
            if let bad = (0..<floats).first(where: { !base[$0].isFinite }) {
                throw WasmSystemError("write: \(c.name) of entity \(entities[bad / c.width]) is not finite (\(base[bad]))")
            }
            if let refused = c.write(world, entities, from: base) { throw WasmSystemError("write: \(refused)") }
            return 0
        }
    }

    private func component(_ handle: Value) throws -> ComponentFloats {
        let h = Int(Int32(bitPattern: handle.i32))
        guard components.indices.contains(h) else {
            throw WasmSystemError("component handle \(h) is not one of the \(components.count) handles `component` returns")
        }
        return components[h]
    }

    /// The byte offset of `count` bytes at `pointer`, checked against the memory's size.
    private func guestRange(_ pointer: Value, _ count: Int) throws -> UInt {
        let offset = Int(pointer.i32)
        guard let memory, offset + count <= memory.byteCount else {
            throw WasmSystemError("a pointer and length (\(offset), \(count) bytes) reach outside the module's memory")
        }
        return UInt(offset)
    }

    private func string(_ pointer: Value, _ length: Value) throws -> String {
        let count = Int(Int32(bitPattern: length.i32))
        guard count >= 0, count <= 4096 else { throw WasmSystemError("a name of \(count) bytes is out of range (0…4096)") }
        let offset = try guestRange(pointer, count)
        return memory?.withUnsafeBufferPointer(offset: offset, count: count) { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

private extension Value {
    var i32: UInt32 { if case .i32(let v) = self { v } else { 0 } }
    var f64: UInt64 { if case .f64(let v) = self { v } else { 0 } }
}

/// Something a WebAssembly system reported about one entity (`twin.emit`).
public struct WasmEvent: Sendable, Hashable {
    /// The emitting module's manifest name.
    public let system: String
    public let entity: Entity
    /// The module's own event code (its manifest's `events` name them, 1-based).
    public let code: Int32
    public let value: Double
    /// Simulated time of the step, s.
    public let time: Double
}
