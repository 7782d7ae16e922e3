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
/// - Nothing lost, back-pressure: a message is journaled inside the message callback,
///   and libmosquitto sends the QoS 1 acknowledgement only when the callback returns
///   (a crash before that makes the broker send it again). When the hub is full the
///   callback waits, so acks are withheld, the broker's in-flight window fills, and
///   the broker queues instead of us.
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

        public init(clientId: String, subscriptions: [(filter: String, qos: Int32)], port: Int32 = 1883) {
            self.clientId = clientId; self.subscriptions = subscriptions; self.port = port
        }
    }

    public let options: Options
    let hub: IngestHub
    private var handle: OpaquePointer?
    private let state = NSLock()
    private var _connected = false
    private var _received = 0
    private var _connects = 0
    private var _subacks = 0
    private var stopping = false

    public init(hub: IngestHub, options: Options) {
        self.hub = hub; self.options = options
    }

    deinit { stop() }

    public var isConnected: Bool { state.withLock { _connected } }
    /// Messages delivered by the broker (accepted or refused).
    public var received: Int { state.withLock { _received } }
    /// Successful connections so far (reconnects included).
    public var connections: Int { state.withLock { _connects } }
    /// Subscriptions the broker has acknowledged (all of them, on every connection).
    public var subscriptionsAcknowledged: Int { state.withLock { _subacks } }

    /// Starts the network thread. The first connection is retried in the
    /// background too, so a broker that is not up yet is not an error.
    public func start() throws(MQTTError) {
        MQTTLibrary.initialize()
        guard handle == nil else { return }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let m = mosquitto_new(options.clientId, options.cleanSession, me) else { throw MQTTError("mosquitto_new failed (client id \"\(options.clientId)\")") }
        handle = m
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
        mosquitto_message_callback_set(m) { _, obj, msg in
            guard let obj, let msg else { return }
            Unmanaged<MQTTSource>.fromOpaque(obj).takeUnretainedValue().deliver(msg.pointee)
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

    /// Disconnects and stops the network thread (the broker keeps a persistent session).
    public func stop() {
        guard let m = handle else { return }
        state.withLock { stopping = true }
        mosquitto_disconnect(m)
        mosquitto_loop_stop(m, false)
        mosquitto_destroy(m)
        handle = nil
        state.withLock { _connected = false; stopping = false }
    }

    private func connected(_ rc: Int32) {
        guard rc == 0, let m = handle else { return }
        state.withLock { _connected = true; _connects += 1 }
        // Re-subscribing is harmless with a kept session and needed without one.
        for s in options.subscriptions { mosquitto_subscribe(m, nil, s.filter, s.qos) }
    }

    private func deliver(_ msg: mosquitto_message) {
        state.withLock { _received += 1 }
        let topic = msg.topic.map { String(cString: $0) } ?? ""
        let bytes: [UInt8] = msg.payloadlen > 0 && msg.payload != nil
            ? Array(UnsafeRawBufferPointer(start: msg.payload, count: Int(msg.payloadlen))) : []
        switch IngestMessage.parsePayload(bytes) {
        case .failure(let why):
            hub.refuse(UnparsedMessage(source: "mqtt", topic: topic, raw: String(decoding: bytes, as: UTF8.self), reason: why.reason))
        case .success(let payload):
            let m = IngestMessage(source: "mqtt", topic: topic, payload: payload)
            // Waiting here withholds the ack (see the type's documentation).
            while case .retryAfter(let s) = hub.submit([m]).status, !state.withLock({ stopping }) {
                Thread.sleep(forTimeInterval: min(s, 0.01))
            }
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
