import TwinRuntime
/// Strict decoding of the `bindings` section into `Binding`s. References are checked
/// against the world being built: component names, prefabs, binding names.
enum BindingDecoding {
    static func decodeSection(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) -> [Binding] {
        guard let items = json.elements else {
            throw ctx.error("bindings is an array of binding objects, found \(json.kindDescription)", at: json)
        }
        var out: [Binding] = []
        for (i, item) in items.enumerated() {
            let b = try decode(item, path: ctx.path + [.index(i)], ctx: ctx)
            if out.contains(where: { $0.name == b.name }) {
                throw JSONDecodingError(path: ctx.path + [.index(i), .key("name")], location: item["name"]?.location ?? item.location,
                                        message: "binding name \"\(b.name)\" is used twice")
            }
            out.append(b)
        }
        return out
    }

    static func decode(_ v: JSONValue, path: [JSONPathComponent], ctx: SceneSectionContext) throws(JSONDecodingError) -> Binding {
        let o = try StrictObject(v, path: path, allowed: Binding.members, what: "a binding")
        let name = try o.requiredString("name")
        let source = try o.oneOf("source", Binding.sources)
        let topicText: String
        switch (try o.string("topic"), try o.string("table")) {
        case (let t?, nil): topicText = t
        case (nil, let t?): topicText = t
        case (nil, nil): throw JSONDecodingError(path: path, location: v.location, message: "give \"topic\" (an MQTT-style filter) or \"table\" (schema.table)")
        default: throw o.fail("table", "give \"topic\" or \"table\", not both")
        }
        guard let topic = TopicPattern(topicText) else {
            throw o.fail(o["topic"] != nil ? "topic" : "table", "malformed filter \"\(topicText)\": + and # stand alone in a level, # only last")
        }
        guard let id = FieldRef(try o.requiredString("id")) else { throw o.fail("id", FieldRef.syntax) }
        var time: FieldRef?
        if let t = try o.string("time") {
            guard let r = FieldRef(t) else { throw o.fail("time", FieldRef.syntax) }
            time = r
        }
        let timeUnit = try o.oneOf("timeUnit", ["s", "ms"]) ?? "s"
        let semantics = Binding.Semantics(rawValue: try o.oneOf("semantics", Binding.Semantics.allCases.map(\.rawValue)) ?? "latest") ?? .latest
        let late = Binding.LatePolicy(rawValue: try o.oneOf("late", Binding.LatePolicy.allCases.map(\.rawValue)) ?? "apply") ?? .apply

        var prefix = "", lookup: [String: String] = [:], create: String?
        if let e = o["entity"] {
            let eo = try StrictObject(e, path: path + [.key("entity")], allowed: ["prefix", "lookup", "create"], what: "entity")
            prefix = try eo.string("prefix") ?? ""
            if let l = eo["lookup"] {
                guard let members = l.members else { throw eo.fail("lookup", "expected an object of external id → entity name") }
                for m in members {
                    guard let s = m.value.stringValue, !s.isEmpty else {
                        throw JSONDecodingError(path: path + [.key("entity"), .key("lookup"), .key(m.key)], location: m.value.location,
                                                message: "expected an entity name, found \(m.value.kindDescription)")
                    }
                    lookup[m.key] = s
                }
            }
            create = try eo.string("create")
            if let c = create { try checkPrefab(c, eo.fail("create", ""), ctx) }
        }
        let prefab = try o.string("prefab")
        if let p = prefab { try checkPrefab(p, o.fail("prefab", ""), ctx) }
        if semantics == .event && prefab == nil { throw o.fail("semantics", "\"event\" needs \"prefab\": the entity each event spawns") }

        guard let fieldList = o["fields"]?.elements else {
            throw o["fields"] == nil ? JSONDecodingError(path: path, location: v.location, message: "missing \"fields\"")
                : o.fail("fields", "expected an array of field mappings")
        }
        var fields: [FieldMap] = []
        for (i, f) in fieldList.enumerated() {
            fields.append(try decodeField(f, path: path + [.key("fields"), .index(i)], ctx: ctx))
        }
        if fields.isEmpty && semantics != .event { throw o.fail("fields", "a binding maps at least one field") }

        return Binding(
            name: name, source: source, topic: topic, id: id, entityPrefix: prefix, lookup: lookup, create: create,
            time: time, timeScale: timeUnit == "ms" ? 0.001 : 1, semantics: semantics,
            total: try o.bool("total") ?? false, prefab: prefab, late: late,
            window: try o.number("window", in: 0...86_400) ?? 0, maxFuture: try o.number("maxFuture", in: 0...1e9) ?? 300,
            maxGap: try o.number("maxGap", in: 0...86_400) ?? 60, reported: try o.bool("reported") ?? true, fields: fields)
    }

    static let fieldMembers = ["from", "position", "to", "unit", "scale", "offset", "min", "max", "enum"]

    static func decodeField(_ v: JSONValue, path: [JSONPathComponent], ctx: SceneSectionContext) throws(JSONDecodingError) -> FieldMap {
        let o = try StrictObject(v, path: path, allowed: fieldMembers, what: "a field mapping")
        let to = try o.requiredString("to")
        let parts = to.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let component = parts.first, !parts.contains(where: \.isEmpty) else { throw o.fail("to", "expected Component or Component.member") }
        guard let type = ctx.world.registry.type(named: component) else {
            throw o.fail("to", Suggestions.unknownMessage(kind: "component", name: component, known: ctx.world.registry.names))
        }
        let memberPath = Array(parts.dropFirst())
        if let d = type.defaultJSON, !memberPath.isEmpty, d.value(at: memberPath.map { .key($0) }) == nil {
            let known = d.members?.map(\.key) ?? []
            throw o.fail("to", Suggestions.unknownMessage(kind: "member of \(component)", name: memberPath.joined(separator: "."), known: known))
        }
        let source: FieldMap.Source
        switch (o["from"], o["position"]) {
        case (let f?, nil):
            guard let s = f.stringValue else { throw o.fail("from", "expected a member path or $topic[N], found \(f.kindDescription)") }
            if s == "$one" { source = .one } else {
                guard let r = FieldRef(s) else { throw o.fail("from", FieldRef.syntax + ", or $one") }
                source = .field(r)
            }
        case (nil, let p?): source = try decodePosition(p, path: path + [.key("position")])
        case (nil, nil): throw JSONDecodingError(path: path, location: v.location, message: "give \"from\" (a member) or \"position\" (a point in a site frame)")
        default: throw o.fail("position", "give \"from\" or \"position\", not both")
        }
        var factor = 1.0, unitOffset = 0.0
        if let u = try o.string("unit") {
            guard let entry = Units.table[u] else { throw o.fail("unit", Suggestions.unknownMessage(kind: "unit", name: u, known: Units.known)) }
            factor = entry.factor; unitOffset = entry.offset
        }
        var enumeration: [String: JSONValue]?
        if let e = o["enum"] {
            guard let members = e.members, !members.isEmpty else { throw o.fail("enum", "expected an object of reported value → value to set") }
            enumeration = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        }
        let min = try o.number("min"), max = try o.number("max")
        if let a = min, let b = max, a > b { throw o.fail("max", "max is below min") }
        let converts = ["unit", "scale", "offset", "min", "max"].contains { o[$0] != nil }
        let defaultValue = type.defaultJSON.flatMap { $0.value(at: memberPath.map { .key($0) }) }
        return FieldMap(source: source, component: component, path: memberPath, unitFactor: factor, unitOffset: unitOffset,
                        scale: try o.number("scale") ?? 1, offset: try o.number("offset") ?? 0, min: min, max: max, enumeration: enumeration,
                        acceptsText: !converts && (defaultValue == nil || defaultValue?.stringValue != nil))
    }

    static func decodePosition(_ v: JSONValue, path: [JSONPathComponent]) throws(JSONDecodingError) -> FieldMap.Source {
        let o = try StrictObject(v, path: path, allowed: ["frame", "x", "y", "height", "lat", "lon", "reference", "unit", "rotation", "origin"],
                                 what: "a position")
        let frame = try o.oneOf("frame", ["plan", "gps"]) ?? "plan"
        func ref(_ key: String) throws(JSONDecodingError) -> FieldRef? {
            guard let s = try o.string(key) else { return nil }
            guard let r = FieldRef(s) else { throw o.fail(key, FieldRef.syntax) }
            return r
        }
        func required(_ key: String) throws(JSONDecodingError) -> FieldRef {
            guard let r = try ref(key) else { throw JSONDecodingError(path: path, location: v.location, message: "a \(frame) position needs \"\(key)\"") }
            return r
        }
        let rotation = (try o.number("rotation", in: -360...360) ?? 0) * .pi / 180
        let origin = try o.numbers("origin", count: 3) ?? [0, 0, 0]
        let kind: SiteFrame.Kind
        let a: FieldRef, b: FieldRef
        if frame == "gps" {
            guard let r = try o.numbers("reference", count: 3) else {
                throw JSONDecodingError(path: path, location: v.location, message: "a gps position needs \"reference\": [latitude°, longitude°, height m] of the world origin")
            }
            guard abs(r[0]) <= 90, abs(r[1]) <= 180 else { throw o.fail("reference", "latitude must be in -90...90 and longitude in -180...180") }
            kind = .gps(latitude: r[0], longitude: r[1], height: r[2])
            a = try required("lat"); b = try required("lon")
        } else {
            var factor = 1.0
            if let u = try o.string("unit") {
                guard let entry = Units.table[u], entry.si == "m" else {
                    throw o.fail("unit", Suggestions.unknownMessage(kind: "length unit", name: u, known: Units.known.filter { Units.table[$0]?.si == "m" }))
                }
                factor = entry.factor
            }
            kind = .plan(unitFactor: factor)
            a = try required("x"); b = try required("y")
        }
        return .position(a, b, try ref("height"), SiteFrame(kind: kind, rotation: rotation, origin: (origin[0], origin[1], origin[2])))
    }

    static func checkPrefab(_ name: String, _ at: JSONDecodingError, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        guard ctx.scene.prefabs[name] == nil else { return }
        var e = at
        e.message = Suggestions.unknownMessage(kind: "prefab", name: name, known: Array(ctx.scene.prefabs.keys))
        throw e
    }
}
