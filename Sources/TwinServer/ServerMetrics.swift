import Prometheus

/// The server's Prometheus metrics (`GET /metrics`). Steps per second is
/// `rate(twin_steps_total[1m])`.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let steps: Counter
    private let stepTime: ValueHistogram
    private let viewers: Gauge
    private let queued: Gauge
    private let worlds: Gauge
    private let lag: Gauge
    private let requests: ValueHistogram
    private let rejected: Counter
    private let snapshots: Counter

    public init() {
        steps = registry.makeCounter(descriptor: Self.name("steps", "total", "Simulation steps run, all worlds."))
        stepTime = registry.makeValueHistogram(
            descriptor: Self.name("step", "seconds", "Wall time of one step."), buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5])
        viewers = registry.makeGauge(descriptor: Self.name("stream_viewers", "", "Connected stream viewers (WebSocket and SSE)."))
        queued = registry.makeGauge(descriptor: Self.name("command_queue", "depth", "External commands waiting, all worlds."))
        worlds = registry.makeGauge(descriptor: Self.name("worlds", "", "Hosted worlds."))
        lag = registry.makeGauge(descriptor: Self.name("world_lag", "seconds", "Largest lag of a playing world behind real time."))
        requests = registry.makeValueHistogram(
            descriptor: Self.name("http_request", "seconds", "HTTP request latency."), buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5])
        rejected = registry.makeCounter(descriptor: Self.name("http_rejected", "total", "Requests answered 4xx."))
        snapshots = registry.makeCounter(descriptor: Self.name("snapshot_renders", "total", "Snapshots rendered (cache misses)."))
    }

    /// `twin_<name>_<unit>` with its help text.
    static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "twin", metricName: name, unitName: unit, helpText: help)
    }

    func recordStep(seconds: Double) { steps.increment(); stepTime.record(seconds) }
    func recordRequest(seconds: Double, status: Int) {
        requests.record(seconds)
        if (400..<500).contains(status) { rejected.increment() }
    }
    func recordRender() { snapshots.increment() }

    /// The text exposition, after refreshing the gauges from the worlds.
    func exposition(worlds list: [HostedWorld]) -> [UInt8] {
        let statuses = list.map(\.currentStatus)
        worlds.set(Double(list.count))
        viewers.set(Double(list.reduce(0) { $0 + $1.streams.viewerCount }))
        queued.set(Double(statuses.reduce(0) { $0 + $1.commandsQueued }))
        lag.set(statuses.filter(\.playing).map(\.lagSeconds).max() ?? 0)
        return registry.emitToBuffer()
    }
}
