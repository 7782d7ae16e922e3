extension Simulation {
    /// Every sample of a KPI so far as (simulated time s, value), oldest first; nil
    /// for a name the scene does not measure. Batch statistics (warm-up, time
    /// averages) read it.
    public func kpiSamples(_ name: String) -> [(time: Double, value: Double)]? {
        measurements.series.first { $0.spec.name == name }.map { s in s.samples.map { ($0.time, $0.value) } }
    }
}
