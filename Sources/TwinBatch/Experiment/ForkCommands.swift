/// The world commands a forked run applies at the saved state: the experiment's
/// `commands` with every `{"$param": name}` replaced by the configuration's value.
///
/// ```json
/// "fromState": "dock-at-60s.json",
/// "parameters": { "rate": { "values": [0.8, 1.6] } },
/// "commands": [ {"op": "set", "entity": "arrivals", "component": "Spawner", "value": {"rate": {"$param": "rate"}}} ]
/// ```
public enum ForkCommands {
    public static func instantiate(_ templates: [JSONValue], values: [ParameterValue]) throws(SceneError) -> [WorldCommand] {
        var out: [WorldCommand] = []
        for (i, t) in templates.enumerated() {
            let path: [JSONPathComponent] = [.key("commands"), .index(i)]
            let filled = try substitute(t, values: values, path: path)
            do { out.append(try WorldCommand.decode(filled, path: path)) } catch {
                throw SceneError([SceneIssue(file: "experiment", location: error.location, path: error.path, message: error.message)])
            }
        }
        return out
    }

    /// Parameter names the templates refer to, in order of first use.
    public static func referencedParameters(_ templates: [JSONValue]) -> [String] {
        var names: [String] = []
        func walk(_ v: JSONValue) {
            if let m = v.members {
                if m.count == 1, m[0].key == "$param", let n = m[0].value.stringValue { if !names.contains(n) { names.append(n) }; return }
                m.forEach { walk($0.value) }
            } else if let a = v.elements { a.forEach(walk) }
        }
        templates.forEach(walk)
        return names
    }

    private static func substitute(_ v: JSONValue, values: [ParameterValue], path: [JSONPathComponent]) throws(SceneError) -> JSONValue {
        switch v.kind {
        case .object(let members):
            if members.count == 1, members[0].key == "$param" {
                guard let name = members[0].value.stringValue, let value = values.first(where: { $0.name == name }) else {
                    throw SceneError([SceneIssue(file: "experiment", location: v.location, path: path,
                        message: Suggestions.unknownMessage(kind: "parameter of this experiment", name: members[0].value.stringValue ?? "?", known: values.map(\.name)))])
                }
                return value.value
            }
            var out: [JSONMember] = []
            for m in members { out.append(JSONMember(key: m.key, value: try substitute(m.value, values: values, path: path + [.key(m.key)]))) }
            return JSONValue(.object(out), at: v.location)
        case .array(let elements):
            var out: [JSONValue] = []
            for (i, e) in elements.enumerated() { out.append(try substitute(e, values: values, path: path + [.index(i)])) }
            return JSONValue(.array(out), at: v.location)
        default:
            return v
        }
    }
}
