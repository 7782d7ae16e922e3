import TwinCore

/// What a WebAssembly system declares about itself: the JSON text its exported
/// `twin_manifest()` returns (a pointer to a NUL-terminated string in its memory).
///
/// ```json
/// {"name": "wander", "phase": "update",
///  "reads": ["Position"], "writes": ["Velocity"],
///  "parameters": {"speed": {"default": 1.0, "unit": "m/s"}},
///  "events": ["turned-back"]}
/// ```
///
/// The system runs over the entities that have every component in `reads` and
/// `writes`; it may write only the components in `writes`. `phase` is `preUpdate` or
/// `update` (default). Parameters are numbers; the scene's values override the defaults.
struct WasmManifest: Equatable {
    enum Phase: String, CaseIterable { case preUpdate, update }

    struct Parameter: Equatable {
        var name: String
        var defaultValue: Double
        var unit: String?
    }

    var name: String
    var phase: Phase
    var reads: [String]
    var writes: [String]
    var parameters: [Parameter]
    var events: [String]

    /// Every component the system touches, reads first: the order of component handles.
    var components: [String] { reads + writes.filter { !reads.contains($0) } }

    static let maxLength = 65_536

    static func parse(_ text: String, knownComponents: [String]) throws(WasmSystemError) -> WasmManifest {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw WasmSystemError("its manifest is not JSON: \(error)") }
        guard let members = json.members else { throw WasmSystemError("its manifest must be a JSON object, found \(json.kindDescription)") }
        let known = ["name", "phase", "reads", "writes", "parameters", "events"]
        for m in members where !known.contains(m.key) {
            throw WasmSystemError("its manifest has an unknown member \"\(m.key)\"; known: \(known.joined(separator: ", "))")
        }
        guard let name = json["name"]?.stringValue, !name.isEmpty else { throw WasmSystemError("its manifest needs a non-empty \"name\"") }
        var phase = Phase.update
        if let p = json["phase"] {
            guard let raw = p.stringValue, let value = Phase(rawValue: raw) else {
                throw WasmSystemError("its manifest's \"phase\" must be one of \(Phase.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            phase = value
        }
        func names(_ key: String) throws(WasmSystemError) -> [String] {
            guard let v = json[key] else { return [] }
            guard let items = v.elements else { throw WasmSystemError("its manifest's \"\(key)\" must be an array of names") }
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw WasmSystemError("its manifest's \"\(key)\" must be an array of names") }
                guard !out.contains(s) else { throw WasmSystemError("its manifest lists \"\(s)\" twice in \"\(key)\"") }
                out.append(s)
            }
            return out
        }
        let reads = try names("reads"), writes = try names("writes"), events = try names("events")
        for c in reads + writes where !knownComponents.contains(c) {
            throw WasmSystemError(Suggestions.unknownMessage(kind: "component", name: c, known: knownComponents))
        }
        guard !(reads + writes).isEmpty else { throw WasmSystemError("its manifest declares no components in \"reads\" or \"writes\"") }
        var parameters: [Parameter] = []
        if let p = json["parameters"] {
            guard let entries = p.members else { throw WasmSystemError("its manifest's \"parameters\" must be an object") }
            for entry in entries {
                guard let d = entry.value["default"]?.doubleValue, d.isFinite else {
                    throw WasmSystemError("parameter \"\(entry.key)\" needs a finite number \"default\"")
                }
                parameters.append(Parameter(name: entry.key, defaultValue: d, unit: entry.value["unit"]?.stringValue))
            }
        }
        return WasmManifest(name: name, phase: phase, reads: reads, writes: writes, parameters: parameters, events: events)
    }
}

/// Why a WebAssembly system cannot load, or why it was stopped.
public struct WasmSystemError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
