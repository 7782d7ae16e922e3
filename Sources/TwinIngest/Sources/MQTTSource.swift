import TwinRuntime
import CMosquitto
import Foundation

/// An MQTT 3.1.1 / 5 subscriber (libmosquitto, the Mosquitto project's C client)
/// feeding an `IngestHub`.
///
/// - Topic filters with `+`/`#`, QoS 0 or 1 per subscription.
/// - Persistent session (`cleanSession: false`, and a session expiry for MQTT 5):
///   the broker keeps our subscriptions and queues QoS 1 messages while we are away;
///   they arrive after we reconnect.
/// - Reconnect with exponential back-off (libmosquitto's, 1 s doubling to `maxDelay`).
/// - Messages go through an `MQTTInbox`: QoS 0 ones are batched (one journal commit
///   per batch), a QoS 1 one is journaled — with the QoS 0 ones before it — inside
///   its message callback.
///
/// ## Why journaling inside the callback withholds the QoS 1 ack
/// libmosquitto 2.0.11 (Debian's, which we link) queues the PUBACK *before* it calls
/// the message callback — `handle__publish`, QoS 1 case: `send__puback` then
/// `on_message`, as the disassembly of the installed `libmosquitto.so.1` shows and as
/// eclipse/mosquitto's `lib/handle_publish.c` at commit 7934634 reads (`send__puback`
/// before the callback; a later revision, 099fc45, calls the callback first: "An
/// application crash within the callback will result in retransmission"). Queuing is
/// not sending: `packet__queue` (`lib/packet_mosq.c`; the installed one too) writes
/// only outside a callback and without a loop thread (`threaded == mosq_ts_none`), so
/// with `mosquitto_loop_start` the PUBACK reaches the socket only when the network
/// thread — the one running our callback — is back in its loop and writes.
/// A crash inside the callback therefore loses the queued ack and the broker sends
/// the message again; a callback that waits (a full hub) withholds it, the broker's
/// in-flight window fills and the broker queues. A callback that has to give up on
/// a QoS 1 message (stopping with the hub still full) shuts the socket down first, so
/// the queued ack is never written and the broker keeps the message for our session;
/// acks of earlier messages still queued go with it, so those arrive twice (QoS 1 is
/// "at least once").
public final class MQTTSource: @unchecked Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port: Int32 = 1883
        public var clientId: String
        /// Topic filter and QoS (0 or 1).
        public var subscriptions: [(filter: String, qos: Int32)]
        public var cleanSession = false
        /// 4 = MQTT 3.1.1, 5 = MQTT 5.
        public var protocolVersion: Int32 = 4
        public var keepalive: Int32 = 30
        public var maxReconnectDelay: UInt32 = 8
        /// MQTT 5 session expiry, s (how long the broker keeps our session).
        public var sessionExpiry: Int32 = 86_400
        /// QoS 0 messages journaled per commit, at most (fewer after `flushInterval`).
        public var batch = 1000
        /// Buffered QoS 0 messages at which the callback waits (stops reading the socket).
        public var bufferCapacity = 4000
        /// How long a QoS 0 message waits for its batch to fill, s.
        public var flushInterval = 0.005
        /// How long `stop` keeps trying to journal what is buffered while the hub is
        /// full, s; after it, buffered QoS 0 messages are dropped.
        public var stopGrace = 2.0

        public init(clientId: String, subscriptions: [(filter: String, qos: Int32)], port: Int32 = 1883) {
            self.clientId = clientId; self.subscriptions = subscriptions; self.port = port
        }
    }

    public let options: Options
    let hub: IngestHub
    private let inbox: MQTTInbox
    private var handle: OpaquePointer?
    private let state = NSLock()
    private var _connected = false
    private var _received = 0
    private var _connects = 0
    private var _subacks = 0

    public init(hub: IngestHub, options: Options) {
        self.hub = hub; self.options = options
        inbox = MQTTInbox(hub: hub, batch: options.batch, capacity: options.bufferCapacity, interval: options.flushInterval)
    }

    deinit { stop() }

    public var isConnected: Bool { state.withLock { _connected } }
    /// Messages delivered by the broker and handled: journaled, refused, or (QoS 0)
    /// buffered for their batch.
    public var received: Int { state.withLock { _received } }
    /// Successful connections so far (reconnects included).
    public var connections: Int { state.withLock { _connects } }
    /// Subscriptions the broker has acknowledged (all of them, on every connection).
    public var subscriptionsAcknowledged: Int { state.withLock { _subacks } }
    /// Messages received and not yet journaled (QoS 0 ones waiting for their batch).
    public var buffered: Int { inbox.buffered }

    /// Starts the network thread. The first connection is retried in the
    /// background too, so a broker that is not up yet is not an error.
    public func start() throws(MQTTError) {
        MQTTLibrary.initialize()
        guard handle == nil else { return }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let m = mosquitto_new(options.clientId, options.cleanSession, me) else { throw MQTTError("mosquitto_new failed (client id \"\(options.clientId)\")") }
        handle = m
        inbox.start()
        mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, options.protocolVersion)
        mosquitto_reconnect_delay_set(m, 1, options.maxReconnectDelay, true)
        mosquitto_connect_callback_set(m) { _, obj, rc in
            guard let obj else { return }
            Unmanaged<MQTTSource>.fromOpaque(obj).takeUnretainedValue().connected(rc)
        }
        mosquitto_disconnect_callback_set(m) { _, obj, _ in
            guard let obj else { return }
            let s = Unmanaged<MQTTSource>.fromOpaque(obj).takeUnretainedValue()
            s.state.withLock { s._connected = false }
        }
        mosquitto_subscribe_callback_set(m) { _, obj, _, _, _ in
            guard let obj else { return }
            let s = Unmanaged<MQTTSource>.fromOpaque(obj).takeUnretainedValue()
            s.state.withLock { s._subacks += 1 }
        }
        mosquitto_message_callback_set(m) { mosq, obj, msg in
            guard let obj, let msg else { return }
            Unmanaged<MQTTSource>.fromOpaque(obj).takeUnretainedValue().deliver(mosq, msg)
        }
        var rc: Int32
        if options.protocolVersion == 5 {
            var props: OpaquePointer? = nil
            mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), UInt32(options.sessionExpiry))
            rc = mosquitto_connect_bind_v5(m, options.host, options.port, options.keepalive, nil, props)
            mosquitto_property_free_all(&props)
        } else {
            rc = mosquitto_connect_async(m, options.host, options.port, options.keepalive)
        }
        // A refused first connect (broker down) is retried by the loop thread.
        if rc != MOSQ_ERR_SUCCESS.rawValue && rc != MOSQ_ERR_ERRNO.rawValue && rc != MOSQ_ERR_CONN_REFUSED.rawValue {
            throw MQTTError("connect to \(options.host):\(options.port): \(String(cString: mosquitto_strerror(rc)))")
        }
        rc = mosquitto_loop_start(m)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError("cannot start the network thread: \(String(cString: mosquitto_strerror(rc)))") }
    }

    /// Disconnects, stops the network thread and journals what is buffered (the
    /// broker keeps a persistent session). While the hub is full this waits up to
    /// `stopGrace`, then drops the buffered QoS 0 messages.
    public func stop() {
        guard let m = handle else { return }
        inbox.beginStop(grace: options.stopGrace)
        mosquitto_disconnect(m)
        mosquitto_loop_stop(m, false)
        inbox.finishStop()
        mosquitto_destroy(m)
        handle = nil
        state.withLock { _connected = false }
    }

    private func connected(_ rc: Int32) {
        guard rc == 0, let m = handle else { return }
        state.withLock { _connected = true; _connects += 1 }
        // Re-subscribing is harmless with a kept session and needed without one.
        for s in options.subscriptions { mosquitto_subscribe(m, nil, s.filter, s.qos) }
    }

    private func deliver(_ m: OpaquePointer?, _ msg: UnsafePointer<mosquitto_message>) {
        defer { state.withLock { _received += 1 } }
        let payload = UnsafeRawBufferPointer(start: msg.pointee.payload, count: msg.pointee.payload == nil ? 0 : Int(max(0, msg.pointee.payloadlen)))
        guard msg.pointee.qos > 0 else {
            inbox.append(topic: msg.pointee.topic, payload: payload)
            return
        }
        // Giving up (stopping while the hub stays full): the queued ack must not be
        // written, so the broker keeps the message (see the type's documentation).
        if !inbox.appendAndFlush(topic: msg.pointee.topic, payload: payload), let m {
            shutdown(mosquitto_socket(m), Int32(SHUT_RDWR))
        }
    }
}

public struct MQTTError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}

enum MQTTLibrary {
    private static let once: Void = { mosquitto_lib_init(); return () }()
    static func initialize() { _ = once }
}
