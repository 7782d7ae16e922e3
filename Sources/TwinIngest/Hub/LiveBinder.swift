import TwinRuntime

/// How the binder asks the world about entity names: `find` looks a name up;
/// `isNamed` checks that an entity found before is still alive under that name
/// (no hashing: what most updates need).
struct EntityLookup {
    let find: (String) -> Entity?
    let isNamed: (Entity, String) -> Bool

    init(_ sim: Simulation) {
        let nameID = sim.world.registry.id(of: Name.self)
        find = { sim.entity(.name($0)) }
        isNamed = { e, name in nameID.flatMap { id in sim.world.read(Name.self, id: id, of: e) { $0.value == name } } == true }
    }
}

/// The stateful half of the bindings, run on the simulation's thread once per step
/// with the messages taken for that step, in journal order. It turns mapped updates
/// into `WorldCommand`s: late/out-of-order policy, count totals, interpolation ramps,
/// entities created on first sight.
///
/// Its state depends only on the journal (messages in sequence order and the step
/// each was taken at), so replaying the journal rebuilds it exactly; dictionaries
/// here are only looked up, never iterated, so their order decides nothing.
final class LiveBinder {
    struct Key: Hashable { let binding: Int; let id: String }
    struct FieldKey: Hashable { let key: Key; let field: Int }

    /// A numeric field moving from `from` to `to` over `steps` steps starting at `start`.
    struct Ramp {
        let entity: String
        let component: String
        let path: [String]
        let from: [Double]
        let to: [Double]
        let start: Int64
        let steps: Int64
        func value(at step: Int64) -> [Double] {
            let s = min(1, Double(step - start + 1) / Double(steps))
            return zip(from, to).map { $0 + ($1 - $0) * s }
        }
    }

    struct Output {
        var commands: [WorldCommand] = []
        /// The journal sequence number of the message each command came from; -1 for
        /// a ramp's step (it belongs to no one message).
        var seqs: [Int64] = []
        var deadLetters: [(seq: Int64, reason: String)] = []

        mutating func add(_ command: consuming WorldCommand, _ seq: Int64) {
            commands.append(command)
            seqs.append(seq)
        }
    }

    /// The bindings, read through their references (`refs[i].binding.…`): an array
    /// element, bound to a local or passed on, is copied, and a copy retains each of a
    /// binding's strings and tables.
    private let refs: [BindingRef]
    let dt: Double
    /// Per binding and external id, found with one hash lookup per update: the newest
    /// source time applied (-∞: none yet) and the entity its name was last found at.
    private struct Slot {
        var lastTime = -Double.infinity
        var entity: Entity?
    }
    private var slotIndex = SlotTable()
    private var slots: [Slot] = []

    private func slot(_ key: Key) -> Int {
        let i = slotIndex.slot(binding: key.binding, id: key.id)
        if i == slots.count { slots.append(Slot()) }
        return i
    }

    /// Whether `name` is alive in the world: the entity found for this slot before, if
    /// it still has that name, else a lookup by name.
    private func present(_ name: String, slot s: Int, _ entities: EntityLookup) -> Bool {
        if let e = slots[s].entity, entities.isNamed(e, name) { return true }
        slots[s].entity = entities.find(name)
        return slots[s].entity != nil
    }
    private var totals: [FieldKey: Double] = [:]
    /// Last value shown per interpolated field (where the next ramp starts).
    private var shown: [FieldKey: [Double]] = [:]
    private var rampIndex: [FieldKey: Int] = [:]
    private var ramps: [(key: FieldKey, ramp: Ramp)] = []
    private var stepCounts: [(key: FieldKey, entity: String, seq: Int64, amount: Double)] = []
    private var stepCountIndex: [FieldKey: Int] = [:]
    private var reorder: [Int: [(time: Double, seq: Int64, update: MappedUpdate)]] = [:]
    private var maxSeen: [Int: Double] = [:]
    private var created: Set<String> = []
    /// Per binding and field, the field resolved in the world, when it has an in-place
    /// setter: a single latest value then goes as `setField`. Empty until `resolveTargets`.
    private var targets: [[FieldTarget?]] = []

    init(bindings refs: [BindingRef], dt: Double) {
        self.refs = refs; self.dt = dt
    }

    /// Resolves every field's target once (the registry does not change while running).
    func resolveTargets(_ target: (_ component: String, _ path: [String]) -> FieldTarget?) {
        guard targets.isEmpty else { return }
        targets = refs.map { $0.binding.fields.map { target($0.component, $0.path) } }
    }

    /// Built once: a default component name comes from reflection.
    static let reportedComponent = LiveReported.componentName

    /// Handles one accepted message's updates at `step`. `entities` answers whether an
    /// entity name is alive in the world.
    func take(seq: Int64, updates: [MappedUpdate], step: Int64, entities: EntityLookup, into out: inout Output) {
        for u in updates {
            switch refs[u.binding].binding.late {
            case .apply: apply(u, seq: seq, step: step, entities: entities, into: &out)
            case .drop:
                let last = slotIndex.find(binding: u.binding, id: u.externalId).map { slots[$0].lastTime } ?? -.infinity
                if u.time < last {
                    out.deadLetters.append((seq, "binding \"\(refs[u.binding].binding.name)\": late — source time \(Timestamps.iso(u.time)) is before \(Timestamps.iso(last)) already applied for \"\(u.externalId)\" (policy drop)"))
                } else {
                    apply(u, seq: seq, step: step, entities: entities, into: &out)
                }
            case .reorder:
                let seen = maxSeen[u.binding] ?? -Double.infinity
                let window = refs[u.binding].binding.window
                if u.time < seen - window {
                    out.deadLetters.append((seq, "binding \"\(refs[u.binding].binding.name)\": source time \(Timestamps.iso(u.time)) is more than the reorder window (\(JSONWriter.formatNumber(window)) s) behind \(Timestamps.iso(seen))"))
                    continue
                }
                var buffer = reorder[u.binding] ?? []
                let at = buffer.firstIndex { ($0.time, $0.seq) > (u.time, seq) } ?? buffer.count
                buffer.insert((u.time, seq, u), at: at)
                let high = max(seen, u.time)
                maxSeen[u.binding] = high
                let ready = buffer.prefix { $0.time <= high - window }
                buffer.removeFirst(ready.count)
                reorder[u.binding] = buffer
                for r in ready { apply(r.update, seq: r.seq, step: step, entities: entities, into: &out) }
            }
        }
    }

    /// Commands that belong to the step as a whole: per-step counts and the current
    /// point of every interpolation ramp. Call once per step, after `take`.
    func finishStep(_ step: Int64, into out: inout Output) {
        for c in stepCounts {
            let f = refs[c.key.key.binding].binding.fields[c.key.field]
            out.add(.set(entity: .name(c.entity), component: f.component, value: nest(f.path, .number(c.amount))), c.seq)
        }
        // Emptying a dictionary visits its buckets even when it holds nothing.
        if !stepCounts.isEmpty {
            stepCounts.removeAll(keepingCapacity: true)
            stepCountIndex.removeAll(keepingCapacity: true)
        }
        for (_, r) in ramps {
            out.add(.set(entity: .name(r.entity), component: r.component, value: nest(r.path, Self.json(r.value(at: step)))), -1)
        }
        advance(through: step)
    }

    /// Brings every ramp to `step` without emitting anything: its shown value, and
    /// the ramps that ended dropped. (Recovery replays only the steps that took
    /// messages; this fills the steps between.)
    func advance(through step: Int64) {
        guard !ramps.isEmpty else { return }
        var keep: [(key: FieldKey, ramp: Ramp)] = []
        for (key, r) in ramps {
            shown[key] = r.value(at: min(step, r.start + r.steps - 1))
            if step - r.start + 1 < r.steps { keep.append((key, r)) }
        }
        ramps = keep
        reindexRamps()
    }

    private func reindexRamps() {
        rampIndex.removeAll(keepingCapacity: true)
        for (i, r) in ramps.enumerated() { rampIndex[r.key] = i }
    }

    private func apply(_ u: MappedUpdate, seq: Int64, step: Int64, entities: EntityLookup, into out: inout Output) {
        let ref = refs[u.binding]
        let key = Key(binding: u.binding, id: u.externalId)
        let s = slot(key)
        if ref.binding.semantics == .event {
            out.add(.spawn(name: nil, prefab: ref.binding.prefab, components: grouped(u, ref.binding).map { JSONMember(key: $0.0, value: $0.1) }), seq)
            slots[s].lastTime = max(slots[s].lastTime, u.time)
            return
        }
        if !present(u.entityName, slot: s, entities) && !created.contains(u.entityName) {
            guard let prefab = ref.binding.create else {
                out.deadLetters.append((seq, "binding \"\(ref.binding.name)\": no entity \"\(u.entityName)\" for id \"\(u.externalId)\" (add it to the scene, to entity.lookup, or set entity.create)"))
                return
            }
            out.add(.spawn(name: u.entityName, prefab: prefab, components: []), seq)
            created.insert(u.entityName)
        }
        // The entity found for this slot goes by handle, so the world needs no name
        // lookup to apply it; one spawned by this pump goes by name (it has no handle yet).
        let target: EntityRef = slots[s].entity.map { .id($0.id) } ?? .name(u.entityName)
        let previous = Self.raise(&slots[s].lastTime, to: u.time)
        // `latest` sets every value as it came; the other semantics sort them below.
        var direct: [MappedValue] = ref.binding.semantics == .latest ? u.values : []
        for v in u.values where ref.binding.semantics != .latest {
            let f = ref.binding.fields[v.field]
            let fk = FieldKey(key: key, field: v.field)
            switch ref.binding.semantics {
            case .count:
                let amount = v.numbers.first ?? 1
                if ref.binding.total {
                    let t = (totals[fk] ?? 0) + amount
                    totals[fk] = t
                    direct.append(MappedValue(field: v.field, value: .number(t), numbers: v.numbers, received: v.received))
                } else if let i = stepCountIndex[fk] {
                    stepCounts[i].amount += amount
                } else {
                    stepCountIndex[fk] = stepCounts.count
                    stepCounts.append((fk, u.entityName, seq, amount))
                }
            case .interpolate where !v.numbers.isEmpty && v.value.boolValue == nil && f.enumeration == nil:
                let gap = previous.map { u.time - $0 } ?? 0
                guard let from = shown[fk], from.count == v.numbers.count, gap > 0, gap <= ref.binding.maxGap else {
                    shown[fk] = Array(v.numbers)
                    if let i = rampIndex[fk] { ramps.remove(at: i); reindexRamps() }
                    direct.append(v)
                    continue
                }
                let ramp = Ramp(entity: u.entityName, component: f.component, path: f.path, from: from, to: Array(v.numbers),
                                start: step, steps: max(1, Int64((gap / dt).rounded())))
                if let i = rampIndex[fk] { ramps[i] = (fk, ramp) } else { rampIndex[fk] = ramps.count; ramps.append((fk, ramp)) }
            default:
                direct.append(v)
            }
        }
        if direct.count == 1 {
            if !targets.isEmpty, let t = targets[u.binding][direct[0].field] {
                out.add(.setField(entity: target, target: t, value: direct[0].value), seq)
            } else {
                let f = ref.binding.fields[direct[0].field]
                out.add(.set(entity: target, component: f.component, value: nest(f.path, direct[0].value)), seq)
            }
        } else if !direct.isEmpty {
            for (component, value) in grouped(MappedUpdate(binding: u.binding, externalId: u.externalId, entityName: u.entityName, time: u.time, values: direct), ref.binding) {
                out.add(.set(entity: target, component: component, value: value), seq)
            }
        }
        if ref.binding.reported {
            let members: [(String, JSONValue)] = u.values.map { v in
                (ref.binding.fields[v.field].target, .object([
                    ("value", .array(v.numbers.map { .number($0) })), ("text", .string(v.text)),
                    ("time", .number(u.time)), ("appliedAt", .number(Double(step) * dt)),
                ]))
            }
            out.add(.set(entity: target, component: Self.reportedComponent,
                         value: .object([("fields", .object(members))])), seq)
        }
    }

    /// The newest source time so far (-∞: none) raised to `time`; the one before, or nil.
    private static func raise(_ newest: inout Double, to time: Double) -> Double? {
        defer { newest = max(newest, time) }
        return newest == -.infinity ? nil : newest
    }

    /// The update's values as one JSON value per component, in field order.
    private func grouped(_ u: MappedUpdate, _ b: Binding) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        for v in u.values {
            let f = b.fields[v.field]
            let piece = nest(f.path, v.value)
            if let i = out.firstIndex(where: { $0.0 == f.component }) {
                out[i].1 = out[i].1.merging(piece)
            } else {
                out.append((f.component, piece))
            }
        }
        return out
    }

    private func nest(_ path: [String], _ value: JSONValue) -> JSONValue {
        path.reversed().reduce(value) { inner, key in .object([(key, inner)]) }
    }

    static func json(_ v: [Double]) -> JSONValue { v.count == 1 ? .number(v[0]) : .array(v.map { .number($0) }) }
}
