/// Which files a run writes (`outputs` section), relative to the output directory.
///
/// ```json
/// "outputs": {"kpis": "kpis.csv", "finalState": true, "summary": "run.json", "stateHashes": false}
/// ```
/// Each entry is a file name, `true` for the default name, or `false` for none.
public struct OutputSpec: Codable, Sendable, Hashable {
    /// KPI samples as CSV (default `kpis.csv`, written when the scene has measurements).
    public var kpis: String?
    /// All entities with their components by name, as JSON (default `final-state.json`).
    public var finalState: String?
    /// The run summary, the same object `twin run --json` prints (default `summary.json`).
    public var summary: String?
    /// The state hash after every step as CSV (default off; `true` → `state-hashes.csv`).
    public var stateHashes: String?

    public init() {
        kpis = "kpis.csv"; finalState = "final-state.json"; summary = "summary.json"; stateHashes = nil
    }

    enum CodingKeys: String, CodingKey { case kpis, finalState, summary, stateHashes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func file(_ key: CodingKeys, _ fallback: String?, _ defaultName: String) throws -> String? {
            guard c.contains(key) else { return fallback }
            if let b = try? c.decode(Bool.self, forKey: key) { return b ? defaultName : nil }
            let name = try c.decode(String.self, forKey: key)
            guard !name.isEmpty, !name.contains(".."), !name.hasPrefix("/") else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "expected a relative file name inside the output directory, got \"\(name)\"")
            }
            return name
        }
        let d = OutputSpec()
        kpis = try file(.kpis, d.kpis, "kpis.csv")
        finalState = try file(.finalState, d.finalState, "final-state.json")
        summary = try file(.summary, d.summary, "summary.json")
        stateHashes = try file(.stateHashes, d.stateHashes, "state-hashes.csv")
    }
}
