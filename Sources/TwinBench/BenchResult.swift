import TwinRuntime

/// One measured figure, compared in the same run with a plain-loop baseline and/or
/// a peer tool. This shape is the `twin bench --json` contract.
public struct BenchResult: Sendable {
    public var suite: String
    public var name: String
    /// What `value` measures, e.g. "median thread-CPU time".
    public var metric: String
    public var unit: String
    public var value: Double
    public var baseline: Double?
    public var peer: String?
    public var peerValue: Double?
    /// The target from the issue, in `unit` (lower is better), if any.
    public var target: Double?
    /// A note such as "golden hash ok".
    public var note: String?
    /// When true the target is a minimum (throughputs); otherwise a maximum (times).
    public var higherIsBetter: Bool

    public init(suite: String, name: String, metric: String, unit: String, value: Double, baseline: Double? = nil,
                peer: String? = nil, peerValue: Double? = nil, target: Double? = nil, higherIsBetter: Bool = false,
                note: String? = nil) {
        self.suite = suite; self.name = name; self.metric = metric; self.unit = unit; self.value = value
        self.baseline = baseline; self.peer = peer; self.peerValue = peerValue; self.target = target; self.note = note
        self.higherIsBetter = higherIsBetter
    }

    public var ratio: Double? { baseline.map { value / $0 } }
    public var peerRatio: Double? { peerValue.map { value / $0 } }
    public var meetsTarget: Bool? { target.map { higherIsBetter ? value >= $0 : value <= $0 } }

    public var json: JSONValue {
        func num(_ d: Double?) -> JSONValue { d.map { $0.isFinite ? .number(Self.round($0)) : .null } ?? .null }
        return .object([
            ("suite", .string(suite)), ("name", .string(name)), ("metric", .string(metric)), ("unit", .string(unit)),
            ("value", num(value)), ("baseline", num(baseline)), ("ratio", num(ratio)),
            ("peer", peer.map { .string($0) } ?? .null), ("peerValue", num(peerValue)), ("peerRatio", num(peerRatio)),
            ("target", num(target)), ("higherIsBetter", .bool(higherIsBetter)), ("meetsTarget", meetsTarget.map { .bool($0) } ?? .null),
            ("note", note.map { .string($0) } ?? .null),
        ])
    }

    static func round(_ d: Double) -> Double {
        guard d != 0 else { return 0 }
        let scale = Foundation.pow(10, 4 - Foundation.floor(Foundation.log10(abs(d))))
        return (d * scale).rounded() / scale
    }
}

import Foundation

/// A group of benchmarks run by `twin bench NAME`.
public protocol BenchmarkSuite {
    static var name: String { get }
    static var summary: String { get }
    static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult]
}

public struct BenchOptions: Sendable {
    /// Directory with the benchmark scenes and `golden.json`.
    public var scenesDirectory: String
    /// Shrink repetition counts (for smoke tests; figures are then rough).
    public var quick: Bool
    /// Run only the benchmarks whose name contains this (for profiling one of them).
    public var only: String?
    public init(scenesDirectory: String = "Scenes/benchmarks", quick: Bool = false, only: String? = nil) {
        self.scenesDirectory = scenesDirectory; self.quick = quick; self.only = only
    }

    public func includes(_ name: String) -> Bool { only.map { name.contains($0) || $0.contains(name) } ?? true }
}

/// A benchmark could not run or gave a wrong answer (e.g. a golden hash mismatch).
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
