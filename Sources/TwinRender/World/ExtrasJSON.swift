import TwinCore

extension GLTFJSON {
    /// A scene/ECS JSON value as glTF JSON: integral numbers below 2⁵³ as integers,
    /// other numbers as doubles, object members in their given order (the writer sorts).
    init(_ v: JSONValue) {
        switch v.kind {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let d):
            self = d.isFinite && d == d.rounded() && abs(d) < 9_007_199_254_740_992 ? .int(Int(d)) : .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map { GLTFJSON($0) })
        case .object(let m):
            var o: [String: GLTFJSON] = [:]
            for member in m { o[member.key] = GLTFJSON(member.value) }
            self = .object(o)
        }
    }

    /// Node `extras` for one entity: `entity` (the stable 64-bit id), `kind`, `name` and
    /// `components` by name, each when known.
    static func entityExtras(_ item: WorldSnapshot.Item) -> GLTFJSON {
        var o: [String: GLTFJSON] = ["entity": .int(Int(truncatingIfNeeded: item.entity.id))]
        if let k = item.kind { o["kind"] = .string(k) }
        if let n = item.name { o["name"] = .string(n) }
        if let c = item.components {
            var comps: [String: GLTFJSON] = [:]
            for (name, value) in c { comps[name] = GLTFJSON(value) }
            o["components"] = .object(comps)
        }
        return .object(o)
    }
}
