/// How late a playing world publishes its steps against its real-time schedule.
///
/// While playing, step k after (re)starting the clock is due at `start + k·dt/speed`
/// (the world catches up after a late step, so the schedule never slips); its
/// lateness is the wall-clock time at which it was published — stepped, its delta
/// handed to the viewers — minus that. The log restarts with the clock (play, pause,
/// speed) and keeps the worst lateness of the whole period and the last
/// ``capacity`` values (for percentiles).
public struct PacingLog: Sendable {
    public static let capacity = 8192
    /// Steps published since the clock started.
    public private(set) var steps = 0
    /// Seconds; 0 when no step was late (early steps count as on time).
    public private(set) var maxLateness = 0.0
    private var recent: [Double] = []

    mutating func record(lateness: Double) {
        let late = max(0, lateness)
        steps += 1
        maxLateness = max(maxLateness, late)
        // The oldest value sits at (steps − 1) mod capacity once the buffer is full.
        if recent.count < Self.capacity { recent.append(late) } else { recent[(steps - 1) % Self.capacity] = late }
    }

    mutating func restart() { self = PacingLog() }

    /// The `p`-quantile (0…1) of the recent latenesses, seconds; 0 without steps.
    public func lateness(quantile p: Double) -> Double {
        guard !recent.isEmpty else { return 0 }
        let sorted = recent.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * p).rounded())))]
    }
}
