import Prometheus

/// The server's Prometheus metrics (`GET /metrics`). World metrics carry a
/// `world` label (steps per second of one world is `rate(twin_steps_total{world="…"}[1m])`,
/// of all of them `sum(rate(twin_steps_total[1m]))`); a deleted world's series go
/// with it.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let worlds: Gauge
    private let requests: ValueHistogram
    private let rejected: Counter
    private let snapshots: Counter

    public init() {
        worlds = registry.makeGauge(descriptor: Self.name("worlds", "", "Hosted worlds."))
        requests = registry.makeValueHistogram(
            descriptor: Self.name("http_request", "seconds", "HTTP request latency."), buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5])
        rejected = registry.makeCounter(descriptor: Self.name("http_rejected", "total", "Requests answered 4xx."))
        snapshots = registry.makeCounter(descriptor: Self.name("snapshot_renders", "total", "Snapshots rendered (cache misses)."))
    }

    /// `twin_<name>_<unit>` with its help text.
    static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "twin", metricName: name, unitName: unit, helpText: help)
    }

    func recordRequest(seconds: Double, status: Int) {
        requests.record(seconds)
        if (400..<500).contains(status) { rejected.increment() }
    }
    func recordRender() { snapshots.increment() }

    /// The series of one world, labelled with its id.
    func world(_ id: String) -> WorldMetrics { WorldMetrics(id: id, registry: registry) }

    /// The text exposition, after refreshing the gauges from the worlds.
    func exposition(worlds list: [HostedWorld]) -> [UInt8] {
        worlds.set(Double(list.count))
        for w in list { w.metrics?.refresh(status: w.currentStatus, viewers: w.streams.viewerCount) }
        return registry.emitToBuffer()
    }
}

/// One world's series: steps, step time, viewers, queued commands, lag, live data.
final class WorldMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let steps: Counter
    private let stepTime: ValueHistogram
    private let viewers: Gauge
    private let queued: Gauge
    private let lag: Gauge
    private let ingestPending: Gauge
    private let ingestAccepted: Counter
    private let ingestRejected: Counter

    init(id: String, registry r: PrometheusCollectorRegistry) {
        registry = r
        let label = [("world", id)]
        func name(_ n: String, _ unit: String, _ help: String) -> MetricNameDescriptor { ServerMetrics.name(n, unit, help) }
        steps = r.makeCounter(descriptor: name("steps", "total", "Simulation steps run."), labels: label)
        stepTime = r.makeValueHistogram(
            descriptor: name("step", "seconds", "Wall time of one step."), labels: label,
            buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5])
        viewers = r.makeGauge(descriptor: name("stream_viewers", "", "Connected stream viewers (WebSocket and SSE)."), labels: label)
        queued = r.makeGauge(descriptor: name("command_queue", "depth", "External commands waiting for the next step."), labels: label)
        lag = r.makeGauge(descriptor: name("world_lag", "seconds", "How far a playing world trails real time × speed."), labels: label)
        ingestPending = r.makeGauge(descriptor: name("ingest_pending", "", "Live-data messages accepted, not yet taken into the world."), labels: label)
        ingestAccepted = r.makeCounter(descriptor: name("ingest_accepted", "total", "Live-data messages accepted (journaled)."), labels: label)
        ingestRejected = r.makeCounter(descriptor: name("ingest_rejected", "total", "Live-data messages refused on arrival (dead letters)."), labels: label)
    }

    func recordStep(seconds: Double) { steps.increment(); stepTime.record(seconds) }

    func recordIngest(accepted: Int, rejected: Int) {
        ingestAccepted.increment(by: Int64(accepted))
        ingestRejected.increment(by: Int64(rejected))
    }

    func refresh(status: WorldStatus, viewers n: Int) {
        viewers.set(Double(n))
        queued.set(Double(status.commandsQueued))
        lag.set(status.playing ? status.lagSeconds : 0)
        ingestPending.set(Double(status.ingestPending))
    }

    /// Removes the series (the world was deleted).
    func unregister() {
        registry.unregisterCounter(steps)
        registry.unregisterValueHistogram(stepTime)
        registry.unregisterGauge(viewers)
        registry.unregisterGauge(queued)
        registry.unregisterGauge(lag)
        registry.unregisterGauge(ingestPending)
        registry.unregisterCounter(ingestAccepted)
        registry.unregisterCounter(ingestRejected)
    }
}
