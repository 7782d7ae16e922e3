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
        steps = registry.makeCounter(name: "twin_steps_total", help: "Simulation steps run, all worlds.")
        stepTime = registry.makeValueHistogram(
            name: "twin_step_seconds", buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
            help: "Wall time of one step.")
        viewers = registry.makeGauge(name: "twin_stream_viewers", help: "Connected stream viewers (WebSocket and SSE).")
        queued = registry.makeGauge(name: "twin_command_queue_depth", help: "External commands waiting, all worlds.")
        worlds = registry.makeGauge(name: "twin_worlds", help: "Hosted worlds.")
        lag = registry.makeGauge(name: "twin_world_lag_seconds", help: "Largest lag of a playing world behind real time.")
        requests = registry.makeValueHistogram(
            name: "twin_http_request_seconds", buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
            help: "HTTP request latency.")
        rejected = registry.makeCounter(name: "twin_http_rejected_total", help: "Requests answered 4xx.")
        snapshots = registry.makeCounter(name: "twin_snapshot_renders_total", help: "Snapshots rendered (cache misses).")
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
