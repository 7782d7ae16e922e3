/// A what-if knob declared in the scene's `parameters` section.
///
/// ```json
/// "parameters": {
///   "arrivalRate": {"default": 0.5, "min": 0, "max": 5, "unit": "1/s", "description": "Crates per second"},
///   "beltSpeed": 1.2
/// }
/// ```
/// A bare value is shorthand for `{"default": value}`. Anywhere else in the scene,
/// `{"$param": "arrivalRate"}` stands for the parameter's value.
public struct ParameterDefinition: Sendable, Hashable {
    public var name: String
    public var defaultValue: JSONValue
    public var min: Double?
    public var max: Double?
    public var unit: String?
    public var description: String?
}

enum SceneParameters {
    struct Spec: Codable {
        var `default`: JSONValue
        var min: Double?
        var max: Double?
        var unit: String?
        var description: String?
    }

    /// Reads the definitions, applies `overrides` (from `--set`), checks ranges.
    static func resolve(
        _ section: JSONValue?, overrides: [String: JSONValue], report: (SourceLocation, [JSONPathComponent], String) -> Void
    ) -> (definitions: [ParameterDefinition], values: [String: JSONValue]) {
        var defs: [ParameterDefinition] = []
        var values: [String: JSONValue] = [:]
        let base: [JSONPathComponent] = [.key("parameters")]
        if let section {
            if let members = section.members {
                for m in members {
                    let path = base + [.key(m.key)]
                    var def = ParameterDefinition(name: m.key, defaultValue: m.value)
                    if m.value.members != nil {
                        do {
                            let s = try JSONValueDecoder(basePath: path).decode(Spec.self, from: m.value)
                            def = ParameterDefinition(
                                name: m.key, defaultValue: s.default, min: s.min, max: s.max, unit: s.unit, description: s.description)
                        } catch {
                            report(error.location, error.path, error.message)
                            continue
                        }
                    }
                    if def.defaultValue.members != nil || def.defaultValue.elements != nil || def.defaultValue.isNull {
                        report(m.value.location, path, "a parameter's value must be a number, a string or a boolean")
                        continue
                    }
                    if let msg = rangeProblem(def, def.defaultValue) {
                        report(m.value.location, path, "default " + msg)
                        continue
                    }
                    defs.append(def)
                    values[m.key] = def.defaultValue
                }
            } else {
                report(section.location, base, "expected an object of parameters, found \(section.kindDescription)")
            }
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let def = defs.first(where: { $0.name == name }) else {
                report(.unknown, base + [.key(name)],
                       "--set: " + Suggestions.unknownMessage(kind: "parameter", name: name, known: defs.map(\.name)))
                continue
            }
            if let msg = kindProblem(def.defaultValue, value) ?? rangeProblem(def, value) {
                report(.unknown, base + [.key(name)], "--set \(name)=\(JSONWriter.string(value)): \(msg)")
                continue
            }
            values[name] = JSONValue(value.kind, at: def.defaultValue.location)
        }
        return (defs, values)
    }

    static func kindProblem(_ expected: JSONValue, _ got: JSONValue) -> String? {
        switch (expected.kind, got.kind) {
        case (.number, .number), (.string, .string), (.bool, .bool): nil
        default: "expected \(expected.kindDescription), got \(got.kindDescription)"
        }
    }

    static func rangeProblem(_ def: ParameterDefinition, _ v: JSONValue) -> String? {
        guard let d = v.doubleValue else { return nil }
        if let lo = def.min, d < lo { return "\(JSONWriter.formatNumber(d)) is below the minimum \(JSONWriter.formatNumber(lo))\(def.unit.map { " " + $0 } ?? "")" }
        if let hi = def.max, d > hi { return "\(JSONWriter.formatNumber(d)) is above the maximum \(JSONWriter.formatNumber(hi))\(def.unit.map { " " + $0 } ?? "")" }
        return nil
    }

    /// Replaces every `{"$param": name}` object with the parameter's value.
    static func substitute(
        _ v: JSONValue, path: [JSONPathComponent], values: [String: JSONValue],
        report: (SourceLocation, [JSONPathComponent], String) -> Void
    ) -> JSONValue {
        switch v.kind {
        case .object(let members):
            if let ref = members.first(where: { $0.key == "$param" }) {
                guard members.count == 1 else {
                    report(v.location, path, "a {\"$param\": name} reference must have no other members")
                    return v
                }
                guard let name = ref.value.stringValue else {
                    report(ref.value.location, path + [.key("$param")], "expected a parameter name (a string), found \(ref.value.kindDescription)")
                    return v
                }
                guard let value = values[name] else {
                    report(ref.value.location, path + [.key("$param")],
                           Suggestions.unknownMessage(kind: "parameter", name: name, known: Array(values.keys)))
                    return v
                }
                return JSONValue(value.kind, at: v.location)
            }
            return JSONValue(.object(members.map { m in
                JSONMember(key: m.key, keyLocation: m.keyLocation,
                           value: substitute(m.value, path: path + [.key(m.key)], values: values, report: report))
            }), at: v.location)
        case .array(let elements):
            return JSONValue(.array(elements.enumerated().map { i, e in
                substitute(e, path: path + [.index(i)], values: values, report: report)
            }), at: v.location)
        default:
            return v
        }
    }
}
