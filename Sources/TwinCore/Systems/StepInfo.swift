/// The clock as a system sees it during one step.
///
/// Time is an integer step count times a fixed `dt`, never an accumulated sum, so
/// step 1,000,000 is exactly `1_000_000 * dt` with no drift.
public struct StepInfo: Sendable {
    /// Index of the step being computed (0 for the first).
    public let step: Int64
    /// Fixed timestep, s.
    public let dt: Double
    /// Simulated time at the start of this step, s.
    public var time: Double { Double(step) * dt }
    /// Simulated time at the end of this step, s.
    public var endTime: Double { Double(step + 1) * dt }
    /// `dt` as a Float, for per-entity math.
    public var dtFloat: Float { Float(dt) }
    /// Runs data-parallel work on the simulation's worker threads.
    public let executor: ParallelExecutor

    public init(step: Int64, dt: Double, executor: ParallelExecutor) {
        self.step = step; self.dt = dt; self.executor = executor
    }
}
