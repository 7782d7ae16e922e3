/// What a worker needs once per sweep: the scene and how to measure a run.
public struct RunSetup: Sendable {
    public var sceneFile: String
    public var sceneBytes: [UInt8]
    public var kpis: [KPISpec]
    public var warmup: Double
    public var duration: Double?
    /// `sceneBytes` hold a checkpoint to fork from, and these commands apply at it.
    public var isFork: Bool
    public var forkCommands: [JSONValue]

    public init(experiment e: Experiment, scene: PreparedScene) {
        sceneFile = scene.file; sceneBytes = scene.bytes; kpis = e.kpis; warmup = e.warmup; duration = e.duration
        isFork = scene.isCheckpoint; forkCommands = e.forkCommands
    }

    var json: JSONValue {
        .object([
            ("sceneFile", .string(sceneFile)), ("sceneText", .string(String(decoding: sceneBytes, as: UTF8.self))),
            ("kpis", .array(kpis.map { .object([("name", .string($0.name)), ("statistic", .string($0.statistic.rawValue))]) })),
            ("warmup", .number(warmup)), ("duration", duration.map { .number($0) } ?? .null),
            ("fork", .bool(isFork)), ("forkCommands", .array(forkCommands)),
        ])
    }

    init?(json v: JSONValue) {
        guard let file = v["sceneFile"]?.stringValue, let text = v["sceneText"]?.stringValue,
              let list = v["kpis"]?.elements, let warmup = v["warmup"]?.doubleValue else { return nil }
        sceneFile = file; sceneBytes = Array(text.utf8); self.warmup = warmup; duration = v["duration"]?.doubleValue
        isFork = v["fork"]?.boolValue ?? false; forkCommands = v["forkCommands"]?.elements ?? []
        kpis = list.compactMap { k in
            guard let n = k["name"]?.stringValue, let s = k["statistic"]?.stringValue.flatMap(KPISpec.Statistic.init) else { return nil }
            return KPISpec(name: n, statistic: s)
        }
        guard kpis.count == list.count else { return nil }
    }
}

/// A finished run as a worker reports it; a crash or timeout is made into a
/// failed result by the pool.
public struct RunResult: Sendable {
    public enum Status: String, Sendable { case ok, failed }
    public var id: String
    public var status: Status
    public var error: String?
    /// In the experiment's KPI order; NaN where a run did not produce a value.
    public var kpis: [KPIValue]
    public var steps: Int64
    public var stateHash: String
    /// Wall-clock seconds spent loading and stepping the scene (not the overhead around it).
    public var simulationSeconds: Double

    /// Same status, error, KPIs, steps and state hash: the same run, however long it took.
    public func hasSameOutcome(as other: RunResult) -> Bool {
        id == other.id && status == other.status && error == other.error && kpis == other.kpis && steps == other.steps
            && stateHash == other.stateHash
    }

    public static func failed(_ id: String, _ why: String) -> RunResult {
        RunResult(id: id, status: .failed, error: why, kpis: [], steps: 0, stateHash: "", simulationSeconds: 0)
    }

    var json: JSONValue {
        .object([
            ("id", .string(id)), ("status", .string(status.rawValue)), ("error", error.map { .string($0) } ?? .null),
            ("kpis", .object(kpis.map { ($0.name, $0.value.isFinite ? .number($0.value) : .null) })),
            ("steps", .number(Double(steps))), ("stateHash", .string(stateHash)), ("simulationSeconds", .number(simulationSeconds)),
        ])
    }

    init(id: String, status: Status, error: String?, kpis: [KPIValue], steps: Int64, stateHash: String, simulationSeconds: Double) {
        self.id = id; self.status = status; self.error = error; self.kpis = kpis; self.steps = steps
        self.stateHash = stateHash; self.simulationSeconds = simulationSeconds
    }

    init?(json v: JSONValue) {
        guard let id = v["id"]?.stringValue, let s = v["status"]?.stringValue.flatMap(Status.init),
              let k = v["kpis"]?.members, let steps = v["steps"]?.doubleValue, let hash = v["stateHash"]?.stringValue,
              let secs = v["simulationSeconds"]?.doubleValue else { return nil }
        self.init(id: id, status: s, error: v["error"]?.stringValue, kpis: k.map { KPIValue(name: $0.key, value: $0.value.doubleValue ?? .nan) },
                  steps: Int64(steps), stateHash: hash, simulationSeconds: secs)
    }
}

public struct KPIValue: Sendable, Equatable {
    public var name: String
    public var value: Double
    public init(name: String, value: Double) { self.name = name; self.value = value }

    public static func == (a: KPIValue, b: KPIValue) -> Bool {
        a.name == b.name && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

extension PlannedRun {
    var requestJSON: JSONValue {
        .object([
            ("id", .string(id)), ("seed", .string(String(seed))),
            ("parameters", .object(parameters.map { ($0.name, $0.value) })),
        ])
    }

    /// The request part a worker needs (configuration and replication stay with the pool).
    init?(request v: JSONValue) {
        guard let id = v["id"]?.stringValue, let seed = v["seed"]?.stringValue.flatMap({ UInt64($0) }),
              let p = v["parameters"]?.members else { return nil }
        self.init(id: id, configuration: 0, replication: 0, seed: seed, parameters: p.map { ParameterValue(name: $0.key, value: $0.value) })
    }
}
