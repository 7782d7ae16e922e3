import Testing
@testable import TwinServer

struct PacingLogTests {
    @Test("the pacing log keeps the worst lateness of the period, counts early steps as on time, and its quantiles over the recent steps")
    func worstAndQuantiles() {
        var log = PacingLog()
        #expect(log.steps == 0 && log.maxLateness == 0 && log.lateness(quantile: 0.99) == 0)
        for k in 0..<100 { log.record(lateness: Double(k) / 1000) }
        log.record(lateness: -0.5)
        #expect(log.steps == 101)
        #expect(log.maxLateness == 0.099)
        #expect(log.lateness(quantile: 0) == 0, "an early step is on time")
        #expect(log.lateness(quantile: 1) == 0.099)
        #expect(log.lateness(quantile: 0.5) == 0.049)
        // Past its capacity it forgets the oldest values for quantiles, never the worst.
        for _ in 0..<PacingLog.capacity { log.record(lateness: 0.001) }
        #expect(log.lateness(quantile: 1) == 0.001)
        #expect(log.maxLateness == 0.099)
        log.restart()
        #expect(log.steps == 0 && log.maxLateness == 0)
    }
}
