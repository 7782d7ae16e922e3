/// Decodes a system's parameters: scene values laid over the defaults, strictly.
public enum ParameterDecoding {
    public static func decode<P: SystemParameters>(
        _ type: P.Type, from json: JSONValue?, path: [JSONPathComponent]
    ) throws(JSONDecodingError) -> P {
        let defaults: JSONValue
        do { defaults = try JSONValueEncoder().encode(P()) } catch {
            throw JSONDecodingError(path: path, location: .unknown, message: "cannot encode default parameters: \(error)")
        }
        var source = json ?? JSONValue(.object([]))
        if source.members == nil {
            throw JSONDecodingError(path: path, location: source.location, message: "expected an object, found \(source.kindDescription)")
        }
        source = defaults.merging(source)
        let p = try JSONValueDecoder(basePath: path).decode(P.self, from: source)
        do { try p.validate() } catch {
            let loc = json?[error.member]?.location ?? json?.location ?? .unknown
            throw JSONDecodingError(path: path + [.key(error.member)], location: loc, message: error.message)
        }
        return p
    }
}

extension JSONValue {
    /// `overlay` laid over `self`: objects merge member by member (recursively);
    /// anything else in `overlay` replaces. Locations come from `overlay`.
    public func merging(_ overlay: JSONValue) -> JSONValue {
        guard let base = members, let over = overlay.members else { return overlay }
        var out = base
        for m in over {
            if let i = out.firstIndex(where: { $0.key == m.key }) {
                out[i] = JSONMember(key: m.key, keyLocation: m.keyLocation, value: out[i].value.merging(m.value))
            } else {
                out.append(m)
            }
        }
        return JSONValue(.object(out), at: overlay.location)
    }
}
