import Foundation

/// The messages of one MQTT connection on their way into the hub, in arrival order.
///
/// libmosquitto runs the message callback on its one network thread, so whatever the
/// callback does per message bounds the connection's rate. The callback therefore
/// only copies the topic and payload bytes in here; parsing, binding and journaling
/// happen in `flush`, which journals everything buffered in one commit.
///
/// - **QoS 0** (at most once: there is no ack to withhold): the callback appends and
///   returns. A flusher thread flushes when `batch` messages are buffered or the
///   oldest has waited `interval`.
/// - **QoS 1**: the callback appends and flushes itself, so its message — and every
///   QoS 0 message buffered before it — is journaled before it returns (see
///   `MQTTSource` for why that withholds the ack).
/// - **Order**: flushes are serialised and each takes all that is buffered, so the
///   journal holds a connection's messages in arrival order; a QoS 1 message never
///   overtakes a QoS 0 one that arrived before it.
/// - **Back-pressure**: at `capacity` buffered messages the callback waits for the
///   flush in progress (which waits while the hub answers "retry after"), so the
///   socket is not read and TCP pushes back on the broker.
/// - **Crash**: the QoS 0 messages buffered and not yet flushed (at most `capacity`)
///   are lost, as MQTT's "at most once" allows; QoS 1 messages are not acknowledged
///   before they are journaled, so the broker sends them again.
final class MQTTInbox: @unchecked Sendable {
    let hub: IngestHub
    let batch: Int
    let capacity: Int
    let interval: Double

    private let cond = NSCondition()
    private var filling = RawMessages()
    /// When the oldest message of `filling` arrived (monotonic, s).
    private var oldest = 0.0
    /// Messages appended so far; a message's ticket is the count after its append.
    private var appended = 0
    /// Messages up to this ticket were flushed: journaled, or dropped at the stop deadline.
    private var flushedThrough = 0
    /// The first ticket dropped at the stop deadline, if any.
    private var firstDropped: Int?
    /// Set by `stop`: waiting for room ends, and flushes give up after this time.
    private var deadline: Double?
    private var closing = false
    /// Callbacks waiting for room: a flush wakes them (and only then, so a QoS 1
    /// message's own flush does not wake the flusher for nothing).
    private var waitingForRoom = 0
    private var flusher: Thread?
    private let flusherDone = DispatchSemaphore(value: 0)

    /// One flush at a time, so the hub sees flushes in arrival order.
    private let flushing = NSLock()
    /// The buffer being flushed (only under `flushing`); kept to reuse its storage.
    private var draining = RawMessages()

    init(hub: IngestHub, batch: Int, capacity: Int, interval: Double) {
        self.hub = hub
        self.batch = max(1, batch)
        self.capacity = max(self.batch, capacity)
        self.interval = interval
    }

    func start() {
        cond.withLock {
            guard flusher == nil else { return }
            closing = false; deadline = nil
            let t = Thread { [self] in runFlusher() }
            t.name = "mqtt-inbox"
            flusher = t
            t.start()
        }
    }

    /// A QoS 0 message: buffered; waits while the buffer is full. False when it was
    /// dropped: the buffer is full and the source is stopping.
    @discardableResult
    func append(topic: UnsafePointer<CChar>?, payload: UnsafeRawBufferPointer) -> Bool {
        let now = hub.clock()
        cond.lock()
        defer { cond.unlock() }
        while filling.count >= capacity && deadline == nil {
            waitingForRoom += 1
            cond.wait()
            waitingForRoom -= 1
        }
        guard filling.count < capacity else { return false }
        put(topic, payload, now)
        if filling.count == 1 || filling.count == batch { cond.broadcast() }
        return true
    }

    /// A QoS 1 message: buffered and flushed with everything before it. True once it
    /// is journaled; false when the stop deadline passed first (it was not).
    func appendAndFlush(topic: UnsafePointer<CChar>?, payload: UnsafeRawBufferPointer) -> Bool {
        let now = hub.clock()
        let ticket = cond.withLock {
            put(topic, payload, now)
            return appended
        }
        flush()
        return cond.withLock { flushedThrough >= ticket && (firstDropped.map { $0 > ticket } ?? true) }
    }

    private func put(_ topic: UnsafePointer<CChar>?, _ payload: UnsafeRawBufferPointer, _ receivedAt: Double) {
        if filling.count == 0 { oldest = Self.monotonic() }
        filling.append(topic: topic, payload: payload, receivedAt: receivedAt)
        appended += 1
    }

    /// Journals everything buffered (one commit per `hub.capacity` messages), retrying
    /// while the hub is full or its journal cannot be written — until the stop
    /// deadline, after which the rest is dropped.
    func flush() {
        flushing.lock()
        defer { flushing.unlock() }
        let last: Int = cond.withLock {
            swap(&filling, &draining)
            if waitingForRoom > 0 { cond.broadcast() }
            return appended
        }
        guard draining.count > 0 else { return }
        var start = 0
        var droppedFrom: Int?
        while start < draining.count {
            let end = min(draining.count, start + hub.capacity)
            let (messages, unparsed) = draining.messages(start..<end)
            guard submit(messages, unparsed) else { droppedFrom = start; break }
            start = end
        }
        let first = last - draining.count + 1
        draining.removeAll()
        cond.withLock {
            flushedThrough = last
            if let d = droppedFrom, firstDropped == nil { firstDropped = first + d }
        }
    }

    /// False when the stop deadline passed before the hub took the batch.
    private func submit(_ messages: [IngestMessage], _ unparsed: [UnparsedMessage]) -> Bool {
        while true {
            let wait: Double
            switch hub.submit(messages, unparsed: unparsed).status {
            case .accepted: return true
            case .retryAfter(let s): wait = min(s, 0.01)
            // The journal cannot be written (a full disk): try again, slower.
            case .failed: wait = 0.1
            }
            if let d = cond.withLock({ deadline }), Self.monotonic() >= d { return false }
            Thread.sleep(forTimeInterval: wait)
        }
    }

    private func runFlusher() {
        cond.lock()
        while !closing {
            if filling.count == 0 {
                cond.wait()
                continue
            }
            let due = oldest + interval
            if filling.count < batch && Self.monotonic() < due {
                _ = cond.wait(until: Date(timeIntervalSinceNow: due - Self.monotonic()))
                continue
            }
            cond.unlock()
            flush()
            cond.lock()
        }
        cond.unlock()
        flusherDone.signal()
    }

    /// Callbacks waiting for room give up at once; flushes keep trying for `grace`
    /// seconds. Wakes whoever waits.
    func beginStop(grace: Double) {
        cond.withLock {
            deadline = Self.monotonic() + grace
            cond.broadcast()
        }
    }

    /// After the network thread has stopped: ends the flusher and flushes the rest
    /// (until the deadline `beginStop` set).
    func finishStop() {
        let running: Bool = cond.withLock {
            closing = true
            cond.broadcast()
            return flusher != nil
        }
        if running { flusherDone.wait() }
        flush()
        cond.withLock { flusher = nil; deadline = nil; closing = false }
    }

    /// Messages appended and not yet journaled (or dropped at the stop deadline).
    var buffered: Int { cond.withLock { appended - flushedThrough } }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// Messages as received: topics and payloads back to back in one byte array, so
/// taking one costs a copy, not allocations.
struct RawMessages {
    private var bytes: [UInt8] = []
    private var ends: [(topic: Int, payload: Int, receivedAt: Double)] = []
    var count: Int { ends.count }

    mutating func append(topic: UnsafePointer<CChar>?, payload: UnsafeRawBufferPointer, receivedAt: Double) {
        if let topic { bytes.append(contentsOf: UnsafeRawBufferPointer(start: topic, count: strlen(topic))) }
        let topicEnd = bytes.count
        bytes.append(contentsOf: payload)
        ends.append((topicEnd, bytes.count, receivedAt))
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// The messages in `range`, parsed: those whose body is not JSON as unparsed.
    func messages(_ range: Range<Int>) -> ([IngestMessage], [UnparsedMessage]) {
        var out: [IngestMessage] = []
        var unparsed: [UnparsedMessage] = []
        out.reserveCapacity(range.count)
        for k in range {
            let start = k == 0 ? 0 : ends[k - 1].payload
            let e = ends[k]
            let topic = String(decoding: bytes[start..<e.topic], as: UTF8.self)
            let body = Array(bytes[e.topic..<e.payload])
            switch IngestMessage.parsePayload(body) {
            case .success(let payload): out.append(IngestMessage(source: "mqtt", topic: topic, payload: payload, receivedAt: e.receivedAt))
            case .failure(let why):
                unparsed.append(UnparsedMessage(source: "mqtt", topic: topic, raw: String(decoding: body, as: UTF8.self), reason: why.reason))
            }
        }
        return (out, unparsed)
    }
}
