/// Which files a run writes (`outputs` section), relative to the output directory.
///
/// ```json
/// "outputs": {"kpis": "kpis.csv", "finalState": true, "summary": "run.json", "stateHashes": false,
///             "snapshots": {"every": 10, "png": true, "glb": true}, "recording": true, "recordingInterval": 0.25,
///             "tables": true}
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
    /// PNG and/or GLB snapshots taken during the run (default none; see `SnapshotOutputSpec`).
    public var snapshots: SnapshotOutputSpec?
    /// The run as one animated glTF (default off; `true` → `recording.glb`), sampled every
    /// `recordingInterval` seconds.
    public var recording: String?
    /// Seconds between recording samples, rounded to whole steps (default 0.25).
    public var recordingInterval: Double
    /// Tables that plugins publish (travel times, flows…), one `<name>.csv` each (default on).
    public var tables: Bool

    public init() {
        kpis = "kpis.csv"; finalState = "final-state.json"; summary = "summary.json"; stateHashes = nil
        snapshots = nil; recording = nil; recordingInterval = 0.25
        tables = true
    }

    enum CodingKeys: String, CodingKey { case kpis, finalState, summary, stateHashes, snapshots, recording, recordingInterval, tables }

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
        snapshots = try c.decodeIfPresent(SnapshotOutputSpec.self, forKey: .snapshots)
        recording = try file(.recording, d.recording, "recording.glb")
        recordingInterval = try c.decodeIfPresent(Double.self, forKey: .recordingInterval) ?? d.recordingInterval
        tables = try c.decodeIfPresent(Bool.self, forKey: .tables) ?? d.tables
        guard recordingInterval.isFinite, recordingInterval > 0, recordingInterval <= 3600 else {
            throw DecodingError.dataCorruptedError(
                forKey: .recordingInterval, in: c, debugDescription: "expected seconds in (0, 3600], got \(recordingInterval)")
        }
    }
}
