import Foundation

/// How long a run lasts: `steps` wins over `duration`; with neither, the scene's
/// `world.duration`.
public struct RunLimits: Sendable {
    public var steps: Int64?
    /// Simulated seconds (rounded to whole steps).
    public var duration: Double?
    public init(steps: Int64? = nil, duration: Double? = nil) { self.steps = steps; self.duration = duration }
}

/// What a finished run reports (`twin run --json` prints it).
public struct RunReport: Sendable {
    public var scene: String
    public var file: String
    public var seed: UInt64
    public var steps: Int64
    public var simulatedSeconds: Double
    public var stateHash: UInt64
    public var kpis: [(name: String, value: Double)]
    /// "limit" or the stop condition that ended the run.
    public var stoppedBy: String
    public var entities: Int
    public var wallSeconds: Double
    public var outputs: [String]
    /// Systems that disabled themselves during the run (`SystemFaults`), one line each.
    public var faults: [String] = []

    public var stateHashHex: String { StableHasher.hex(stateHash) }

    public var json: JSONValue {
        .object([
            ("scene", .string(scene)), ("file", .string(file)), ("seed", .number(Double(seed))),
            ("steps", .number(Double(steps))), ("simulatedSeconds", .number(simulatedSeconds)),
            ("stateHash", .string(stateHashHex)),
            ("kpis", .object(kpis.map { ($0.name, $0.value.isFinite ? .number($0.value) : .null) })),
            ("stoppedBy", .string(stoppedBy)), ("entities", .number(Double(entities))),
            ("wallSeconds", .number((wallSeconds * 1000).rounded() / 1000)),
            ("stepsPerSecond", .number(wallSeconds > 0 ? (Double(steps) / wallSeconds).rounded() : 0)),
            ("outputs", .array(outputs.map { .string($0) })),
            ("faults", .array(faults.map { .string($0) })),
        ])
    }
}

extension Simulation {
    /// Steps a run with these limits would take (before stop conditions).
    public func plannedSteps(_ limits: RunLimits) -> Int64 {
        if let s = limits.steps { return max(0, s) }
        return scene.settings.steps(for: limits.duration ?? scene.settings.duration)
    }

    /// Steps until the limit or a stop condition; `progress` is called about every
    /// 1% with (done, planned).
    public func run(_ limits: RunLimits = .init(), progress: ((Int64, Int64) -> Void)? = nil) -> RunReport {
        let planned = plannedSteps(limits)
        let start = DispatchTime.now().uptimeNanoseconds
        var stoppedBy = "limit"
        let every = max(1, planned / 100)
        var done: Int64 = 0
        while done < planned {
            if let why = satisfiedStopCondition() { stoppedBy = why; break }
            step()
            done += 1
            if let progress, done % every == 0 { progress(done, planned) }
        }
        if stoppedBy == "limit", let why = satisfiedStopCondition() { stoppedBy = why }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return RunReport(
            scene: scene.name, file: scene.file, seed: seed, steps: stepCount, simulatedSeconds: time,
            stateHash: world.stateHash(), kpis: kpis, stoppedBy: stoppedBy, entities: world.aliveCount,
            wallSeconds: wall, outputs: [], faults: world.resource(SystemFaults.self)?.faults.map(\.description) ?? [])
    }
}
