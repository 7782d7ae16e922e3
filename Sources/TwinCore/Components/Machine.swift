/// Shared state of the `machines` plugin's process elements, as other plugins and
/// live data see it.
///
/// Declared here (not in `TwinMachines`) so that siblings can read and write machine
/// state without importing each other: a dashboard reads `MachineStatus`, live data
/// sets `MachineControl.forcedDown` when a real machine reports "down", a pedestrian
/// queue reads how many people a counter holds.

/// The state of a station (or of any process element), for time-in-state statistics.
public enum MachineState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Closed by its calendar (off shift) or not yet started.
    case idle
    /// Processing.
    case busy
    /// Holding a finished item that the downstream element cannot take.
    case blocked
    /// Up and open but without input.
    case starved
    /// Changing over before processing.
    case setup
    /// Failed, in maintenance, or forced down by live data.
    case down

    /// Stable index (the order of `allCases`), for per-state arrays.
    public var index: Int {
        switch self {
        case .idle: 0
        case .busy: 1
        case .blocked: 2
        case .starved: 3
        case .setup: 4
        case .down: 5
        }
    }
}

/// The live state and statistics of one process element (`machines` plugin), refreshed
/// every step. Fractions are of the time since the warm-up ended (server-seconds over
/// servers × elapsed time for stations with several servers).
public struct MachineStatus: Component, DocumentedComponent, Hashable {
    /// `source`, `buffer`, `station`, `conveyor`, `splitter`, `merger`, `assembler`, `sink`.
    public var element: String
    public var state: MachineState
    /// Items currently inside the element.
    public var contents: Int
    /// Items that left the element (for a sink: items received) since the warm-up.
    public var completed: Int
    /// Items that left per second since the warm-up, 1/s.
    public var throughput: Double
    /// Time fractions per state since the warm-up (0…1, sum 1 for stations).
    public var busy: Double
    public var blocked: Double
    public var starved: Double
    public var setup: Double
    public var down: Double
    public var idle: Double
    /// Time-average number of items inside, and the largest number seen.
    public var meanContents: Double
    public var maxContents: Int
    /// Mean time an item spent inside (queue wait for a buffer), s.
    public var meanTime: Double
    /// Sinks: lead time (sink arrival − creation) mean and percentiles, s.
    public var leadTimeMean: Double
    public var leadTimeP50: Double
    public var leadTimeP90: Double
    public var leadTimeP95: Double
    public var leadTimeP99: Double

    public init(element: String) {
        self.element = element; state = .idle; contents = 0; completed = 0; throughput = 0
        busy = 0; blocked = 0; starved = 0; setup = 0; down = 0; idle = 0
        meanContents = 0; maxContents = 0; meanTime = 0
        leadTimeMean = 0; leadTimeP50 = 0; leadTimeP90 = 0; leadTimeP95 = 0; leadTimeP99 = 0
    }

    public static let summary = "State, contents and statistics (since warm-up) of a machines-plugin element; written every step."
    public static let fieldUnits = [
        "throughput": "1/s", "meanTime": "s", "leadTimeMean": "s", "leadTimeP50": "s", "leadTimeP90": "s",
        "leadTimeP95": "s", "leadTimeP99": "s", "busy": "fraction", "blocked": "fraction", "starved": "fraction",
        "setup": "fraction", "down": "fraction", "idle": "fraction",
    ]

    public func hashState(into h: inout StableHasher) {
        h.combine(element); h.combine(state.rawValue); h.combine(contents); h.combine(completed)
        for v in [throughput, busy, blocked, starved, setup, down, idle, meanContents, meanTime,
                  leadTimeMean, leadTimeP50, leadTimeP90, leadTimeP95, leadTimeP99] { h.combine(v) }
        h.combine(maxContents)
    }
}

/// Whole-line figures of the `machines` plugin (one entity per scene, named by the
/// section's `name`, default `line`), refreshed every step.
public struct MachineLine: Component, DocumentedComponent, Hashable {
    /// Items in the line now (created, not yet in a sink), and the time average since warm-up.
    public var wip: Int
    public var meanWip: Double
    /// Items created and items that reached a sink since the warm-up.
    public var created: Int
    public var finished: Int
    /// Sink arrivals per second since the warm-up, 1/s.
    public var throughput: Double
    /// Mean lead time (creation → sink) of items finished since the warm-up, s.
    public var meanLeadTime: Double
    /// Discrete events processed since the start.
    public var events: Int
    /// 1 once nothing moved for `deadlockAfter` seconds while items were in the line.
    public var deadlocked: Int
    /// Simulated time the deadlock was detected, s (−1 while none).
    public var deadlockTime: Double

    public init() {
        wip = 0; meanWip = 0; created = 0; finished = 0; throughput = 0; meanLeadTime = 0; events = 0
        deadlocked = 0; deadlockTime = -1
    }

    public static let summary = "Whole-line WIP, throughput, lead time, event count and deadlock flag of the machines plugin."
    public static let fieldUnits = ["throughput": "1/s", "meanLeadTime": "s", "deadlockTime": "s"]

    public func hashState(into h: inout StableHasher) {
        h.combine(wip); h.combine(meanWip); h.combine(created); h.combine(finished); h.combine(throughput)
        h.combine(meanLeadTime); h.combine(events); h.combine(deadlocked); h.combine(deadlockTime)
    }
}

/// External control of a process element (live data, an operator, another plugin),
/// read by `machines.process` at the start of every step:
/// - stations and assemblers: `forcedDown` takes it down (as a failure: the work in
///   progress resumes when it is cleared); `closed` closes it like its calendar would
///   (current jobs finish, no new ones start);
/// - live sources (`"live": true`): `release` items are created at the step's start and
///   the field is reset to 0 — the hook for live arrivals (a scanner reporting parts) and
///   for a pedestrian queue handing people to a counter.
public struct MachineControl: DefaultComponent, DocumentedComponent, Hashable {
    public var forcedDown: Bool
    public var closed: Bool
    public var release: Int

    public init() { forcedDown = false; closed = false; release = 0 }
    public init(forcedDown: Bool, closed: Bool = false, release: Int = 0) {
        self.forcedDown = forcedDown; self.closed = closed; self.release = release
    }

    public static let summary = "External control of a machines-plugin element: forcedDown (like a failure) and closed (like off shift) for stations; release (items to create now) for live sources."

    public func hashState(into h: inout StableHasher) { h.combine(forcedDown); h.combine(closed); h.combine(release) }
}

extension MachineControl: SettableFieldsComponent {
    public static func settableField(at path: [String]) -> FieldSetter<Self>? {
        switch path {
        case ["forcedDown"]: .bool(\.forcedDown)
        case ["closed"]: .bool(\.closed)
        case ["release"]: .int(\.release)
        default: nil
        }
    }
}

/// An item riding a conveyor (`machines` plugin): its distance from the belt's start and
/// its item type. The item's `Position` is on the belt in the world.
public struct ConveyorItem: Component, DocumentedComponent, Hashable {
    /// Distance travelled along the belt, m.
    public var along: Float
    public var itemType: String

    public init(along: Float, itemType: String) { self.along = along; self.itemType = itemType }

    public static let summary = "An item on a machines-plugin conveyor: distance along the belt and item type."
    public static let fieldUnits = ["along": "m"]

    public func hashState(into h: inout StableHasher) { h.combine(along); h.combine(itemType) }
}
