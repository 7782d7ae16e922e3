import TwinCore

/// One component of many entities as a flat `Float` array, `width` floats per entity:
/// the form in which a WebAssembly system reads and writes components.
///
/// Vector components (`Position`, `Velocity`, … — `Vec3Component`) go straight through
/// typed access, 3 floats each. Any other component goes through its JSON coding: its
/// numbers in document order (object members in declared order, arrays in order), so a
/// component with numeric members only — and the same shape for every entity — works
/// without the component author doing anything. Components with text or variable-length
/// members cannot be used (an error when the module loads).
struct ComponentFloats {
    let name: String
    let id: ComponentID
    let width: Int
    private let readRows: (World, [Entity], UnsafeMutablePointer<Float>) -> Void
    /// Writes every row; `nil`, or the reason the values were refused.
    private let writeRows: (World, [Entity], UnsafePointer<Float>) -> String?

    /// The accessor for `type`, or why it cannot be one.
    static func make(_ type: AnyComponentType) -> Result<ComponentFloats, WasmSystemError> {
        if let vector = type.swiftType as? any Vec3Component.Type {
            return .success(vectorAccess(vector, type))
        }
        guard let template = type.defaultJSON else {
            return .failure(WasmSystemError("component \(type.name) has no default value, so its numeric layout is unknown"))
        }
        var count = 0
        guard countNumbers(template, &count), count > 0 else {
            return .failure(WasmSystemError("component \(type.name) has members that are not numbers; wasm systems read and write numeric components only"))
        }
        return .success(jsonAccess(type, width: count))
    }

    func read(_ world: World, _ entities: [Entity], into out: UnsafeMutablePointer<Float>) { readRows(world, entities, out) }
    func write(_ world: World, _ entities: [Entity], from values: UnsafePointer<Float>) -> String? { writeRows(world, entities, values) }

    private static func vectorAccess<C: Vec3Component>(_: C.Type, _ type: AnyComponentType) -> ComponentFloats {
        ComponentFloats(
            name: type.name, id: type.id, width: 3,
            readRows: { world, entities, out in
                for (i, e) in entities.enumerated() {
                    let v = world.get(C.self, of: e)?.value ?? .zero
                    out[3 * i] = v.x; out[3 * i + 1] = v.y; out[3 * i + 2] = v.z
                }
            },
            writeRows: { world, entities, values in
                for (i, e) in entities.enumerated() {
                    let v = Vec3(values[3 * i], values[3 * i + 1], values[3 * i + 2])
                    world.update(C.self, of: e) { $0.value = v }
                }
                return nil
            })
    }

    private static func jsonAccess(_ type: AnyComponentType, width: Int) -> ComponentFloats {
        let name = type.name
        return ComponentFloats(
            name: name, id: type.id, width: width,
            readRows: { world, entities, out in
                for (i, e) in entities.enumerated() {
                    var k = 0
                    if let json = world.encodeComponent(named: name, of: e) {
                        flatten(json) { x in if k < width { out[width * i + k] = Float(x) }; k += 1 }
                    }
                    while k < width { out[width * i + k] = .nan; k += 1 }
                }
            },
            writeRows: { world, entities, values in
                for (i, e) in entities.enumerated() {
                    guard let json = world.encodeComponent(named: name, of: e) else { continue }
                    var k = 0
                    // An entity whose value has more numbers than the layout keeps the extra ones.
                    let next = replacingNumbers(json) { x in defer { k += 1 }; return k < width ? Double(values[width * i + k]) : x }
                    do {
                        try world.insert(componentNamed: name, value: next, on: e)
                    } catch {
                        return "\(name) of entity \(e): \(error)"
                    }
                }
                return nil
            })
    }

    private static func countNumbers(_ v: JSONValue, _ count: inout Int) -> Bool {
        switch v.kind {
        case .number: count += 1; return true
        case .bool, .null, .string: return false
        case .array(let items): return items.allSatisfy { countNumbers($0, &count) }
        case .object(let members): return members.allSatisfy { countNumbers($0.value, &count) }
        }
    }

    private static func flatten(_ v: JSONValue, _ emit: (Double) -> Void) {
        switch v.kind {
        case .number(let x): emit(x)
        case .array(let items): for item in items { flatten(item, emit) }
        case .object(let members): for m in members { flatten(m.value, emit) }
        default: break
        }
    }

    private static func replacingNumbers(_ v: JSONValue, _ next: (Double) -> Double) -> JSONValue {
        switch v.kind {
        case .number(let x): return JSONValue(.number(next(x)))
        case .array(let items): return JSONValue(.array(items.map { replacingNumbers($0, next) }))
        case .object(let members): return JSONValue(.object(members.map { JSONMember(key: $0.key, value: replacingNumbers($0.value, next)) }))
        default: return v
        }
    }
}
