/// Systems that stopped themselves while the world ran on (a world resource).
///
/// A system that meets something it cannot go on with at run time — an untrusted
/// WebAssembly module that traps or exceeds its fuel, say — records a fault here and
/// disables itself; the runner reports faults with the run's summary (`twin run`
/// prints them, `--json` lists them under `faults`). Order is the order of reports.
public final class SystemFaults {
    public struct Fault: Sendable, Hashable, CustomStringConvertible {
        public let system: String
        public let step: Int64
        public let message: String
        public var description: String { "\(system) stopped at step \(step): \(message)" }
    }

    public private(set) var faults: [Fault] = []

    public init() {}

    public func report(system: String, step: Int64, message: String) {
        faults.append(Fault(system: system, step: step, message: message))
    }
}

extension World {
    /// The world's `SystemFaults` (created on first use).
    public var systemFaults: SystemFaults {
        if let r = resource(SystemFaults.self) { return r }
        let r = SystemFaults()
        setResource(r)
        return r
    }
}
