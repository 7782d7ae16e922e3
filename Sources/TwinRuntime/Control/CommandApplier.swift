/// Applies external commands to a world. A command that cannot apply (unknown
/// entity or component, a value that does not decode, a name already taken) is
/// rejected with a reason and leaves the world unchanged; it never throws or traps.
final class CommandApplier {
    private let world: World
    private let context: SceneContext
    /// Name → entity, refreshed by a full scan only when a lookup misses or finds a
    /// stale entry (names are unique and change only through spawn/despawn).
    private var byName: [String: Entity] = [:]
    private var indexedAtTick: UInt32?
    /// `Name.componentName` once: the default name is built from the type by reflection.
    private let nameComponent = Name.componentName
    private lazy var nameID = world.registry.id(of: Name.self)

    init(world: World, context: SceneContext) {
        self.world = world; self.context = context
    }

    /// Nil when applied, else why not.
    func apply(_ command: WorldCommand) -> String? {
        switch command {
        case .set(let ref, let component, let value):
            guard component != nameComponent else { return "\"Name\" is the entity's identity and cannot be set; despawn and spawn instead" }
            guard let type = world.registry.type(named: component) else { return unknownComponent(component) }
            guard let e = resolve(ref) else { return "no live \(ref)" }
            if setDirectly(value, type: type, on: e) { return nil }
            return setByJSON(value, type: type, on: e)
        case .setField(let ref, let target, let value):
            guard let e = resolve(ref) else { return "no live \(ref)" }
            if target.setter(world, e, value) { return nil }
            return setByJSON(target.nested(value), type: target.type, on: e)
        case .remove(let ref, let component):
            guard component != nameComponent else { return "\"Name\" is the entity's identity and cannot be removed" }
            guard let type = world.registry.type(named: component) else { return unknownComponent(component) }
            guard let e = resolve(ref) else { return "no live \(ref)" }
            guard world.remove(type.id, from: e) else { return "\(ref) has no \(component)" }
            return nil
        case .despawn(let ref):
            guard let e = resolve(ref) else { return "no live \(ref)" }
            world.despawn(e)
            return nil
        case .spawn(let name, let prefabName, let members):
            if let name, resolve(.name(name)) != nil { return "name \"\(name)\" is already used" }
            var json: [String: JSONValue] = [:]
            if let prefabName {
                guard let prefab = context.prefabs[prefabName] else {
                    return Suggestions.unknownMessage(kind: "prefab", name: prefabName, known: Array(context.prefabs.keys))
                }
                json = prefab.json
            }
            for m in members {
                if m.key == nameComponent { return "give the name as \"name\", not as a component" }
                guard let type = world.registry.type(named: m.key) else { return unknownComponent(m.key) }
                let start = json[m.key] ?? type.defaultJSON
                json[m.key] = start.map { $0.merging(m.value) } ?? m.value
            }
            // Decode everything before spawning, so a bad value leaves no half-made entity.
            var values: [any Component] = []
            for key in json.keys.sorted() {
                guard let type = world.registry.type(named: key), let v = json[key] else { continue }
                do {
                    values.append(try type.decode(v, decoder: JSONValueDecoder(basePath: [.key("components"), .key(key)])))
                } catch let error as JSONDecodingError {
                    return "\(key): \(error.message) at \(error.path.jsonPath)"
                } catch {
                    return "\(key): \(error)"
                }
            }
            guard world.aliveCount < context.settings.maxEntities else {
                return "world.maxEntities (\(context.settings.maxEntities)) reached"
            }
            let e = world.spawn()
            for c in values { world.insertAny(c, on: e) }
            if let name {
                world.insert(Name(name), on: e)
                byName[name] = e
            }
            return nil
        }
    }

    /// Lays `value` over `e`'s component (or the type's default) and decodes the result
    /// strictly: the general path of `set`, which also words every refusal.
    private func setByJSON(_ value: JSONValue, type: AnyComponentType, on e: Entity) -> String? {
        let start = world.encodeComponent(named: type.name, of: e) ?? type.defaultJSON
        let merged = start.map { $0.merging(value) } ?? value
        do {
            try type.insertDecoded(merged, on: e, in: world, decoder: JSONValueDecoder(basePath: [.key("value")]))
        } catch let error as JSONDecodingError {
            return "\(type.name): \(error.message) at \(error.path.jsonPath)"
        } catch {
            return "\(type.name): \(error)"
        }
        return nil
    }

    /// Setters found so far per component type, with the member path each sets.
    private var setters: [ObjectIdentifier: [(path: [String], set: (@Sendable (World, Entity, JSONValue) -> Bool)?)]] = [:]
    private var path: [String] = []

    /// Sets a value under a chain of one-member objects straight into the field that
    /// chain names, when the component has a setter for it — what live bindings send,
    /// thousands of times a second — skipping encode, merge and decode. False: take
    /// the JSON path (no setter, the entity lacks the component, or the value is one
    /// decoding refuses, whose error that path words).
    private func setDirectly(_ value: JSONValue, type: AnyComponentType, on e: Entity) -> Bool {
        path.removeAll(keepingCapacity: true)
        var leaf = value
        while let m = leaf.members {
            guard m.count == 1 else { return false }
            path.append(m[0].key)
            leaf = m[0].value
        }
        let key = ObjectIdentifier(type)
        let setter: (@Sendable (World, Entity, JSONValue) -> Bool)?
        if let hit = setters[key]?.first(where: { $0.path == path }) {
            setter = hit.set
        } else {
            setter = type.fieldSetter(at: path)
            // Bounded: paths come from requests, and a miss costs only a lookup.
            if setters[key, default: []].count < 32 { setters[key, default: []].append((path, setter)) }
        }
        return setter?(world, e, leaf) ?? false
    }

    /// The target for `component`'s field at `path`, when it has an in-place setter.
    func fieldTarget(component: String, path: [String]) -> FieldTarget? {
        guard component != nameComponent, let type = world.registry.type(named: component),
              let setter = type.fieldSetter(at: path) else { return nil }
        return FieldTarget(type: type, path: path, setter: setter)
    }

    func resolve(_ ref: EntityRef) -> Entity? {
        switch ref {
        case .id(let raw):
            let e = Entity(id: raw)
            return world.isAlive(e) ? e : nil
        case .name(let n):
            if let e = byName[n], let id = nameID, world.read(Name.self, id: id, of: e, { $0.value == n }) == true { return e }
            // A miss rescans at most once per change tick (the tick advances before every
            // system), so a burst of commands for unknown names costs one scan.
            guard indexedAtTick != world.changeTick else { return nil }
            reindex()
            return byName[n]
        }
    }

    private func reindex() {
        byName.removeAll(keepingCapacity: true)
        world.query(Name.self).forEach { e, name in byName[name.value] = e }
        indexedAtTick = world.changeTick
    }

    private func unknownComponent(_ name: String) -> String {
        Suggestions.unknownMessage(kind: "component", name: name, known: world.registry.names)
    }
}
