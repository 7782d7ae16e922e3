import TwinRuntime
/// Strict reading of one JSON object of the `bindings` section: every member must
/// be known, every error names the JSON path and the line it was written on.
struct StrictObject {
    let value: JSONValue
    let path: [JSONPathComponent]

    init(_ value: JSONValue, path: [JSONPathComponent], allowed: [String], what: String) throws(JSONDecodingError) {
        guard let members = value.members else {
            throw JSONDecodingError(path: path, location: value.location, message: "\(what) is a JSON object, found \(value.kindDescription)")
        }
        for m in members where !allowed.contains(m.key) {
            throw JSONDecodingError(path: path + [.key(m.key)], location: m.keyLocation,
                                    message: Suggestions.unknownMessage(kind: "member", name: m.key, known: allowed))
        }
        self.value = value; self.path = path
    }

    func fail(_ key: String, _ message: String) -> JSONDecodingError {
        JSONDecodingError(path: path + [.key(key)], location: value[key]?.location ?? value.location, message: message)
    }

    subscript(key: String) -> JSONValue? { value[key] }

    func string(_ key: String) throws(JSONDecodingError) -> String? {
        guard let v = value[key] else { return nil }
        guard let s = v.stringValue, !s.isEmpty else { throw fail(key, "expected a non-empty string, found \(v.kindDescription)") }
        return s
    }

    func requiredString(_ key: String) throws(JSONDecodingError) -> String {
        guard let s = try string(key) else {
            throw JSONDecodingError(path: path, location: value.location, message: "missing \"\(key)\"")
        }
        return s
    }

    func number(_ key: String, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        throws(JSONDecodingError) -> Double?
    {
        guard let v = value[key] else { return nil }
        guard let d = v.doubleValue, d.isFinite else { throw fail(key, "expected a number, found \(v.kindDescription)") }
        guard range.contains(d) else {
            throw fail(key, "\(JSONWriter.formatNumber(d)) is outside \(JSONWriter.formatNumber(range.lowerBound))...\(JSONWriter.formatNumber(range.upperBound))")
        }
        return d
    }

    func bool(_ key: String) throws(JSONDecodingError) -> Bool? {
        guard let v = value[key] else { return nil }
        guard let b = v.boolValue else { throw fail(key, "expected true or false, found \(v.kindDescription)") }
        return b
    }

    func oneOf(_ key: String, _ options: [String]) throws(JSONDecodingError) -> String? {
        guard let s = try string(key) else { return nil }
        guard options.contains(s) else { throw fail(key, Suggestions.unknownMessage(kind: key, name: s, known: options)) }
        return s
    }

    func numbers(_ key: String, count: Int) throws(JSONDecodingError) -> [Double]? {
        guard let v = value[key] else { return nil }
        guard let a = v.elements, a.count == count, case let ds = a.compactMap(\.doubleValue), ds.count == count,
              ds.allSatisfy(\.isFinite)
        else { throw fail(key, "expected an array of \(count) numbers, found \(v.kindDescription)") }
        return ds
    }
}
