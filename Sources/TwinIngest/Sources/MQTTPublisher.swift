import TwinRuntime
import CMosquitto
import Foundation

/// A small MQTT publisher (libmosquitto) for feeding a broker: the benchmark's
/// load generator and the tests' device stand-in.
public final class MQTTPublisher: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let lock = NSLock()
    private var acked = 0

    public init(host: String = "127.0.0.1", port: Int32, clientId: String, maxInflight: UInt32 = 1000) throws(MQTTError) {
        MQTTLibrary.initialize()
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let m = mosquitto_new(clientId, true, me) else { throw MQTTError("mosquitto_new failed") }
        handle = m
        mosquitto_max_inflight_messages_set(m, maxInflight)
        mosquitto_publish_callback_set(m) { _, obj, _ in
            guard let obj else { return }
            let p = Unmanaged<MQTTPublisher>.fromOpaque(obj).takeUnretainedValue()
            p.lock.withLock { p.acked += 1 }
        }
        let rc = mosquitto_connect(m, host, port, 30)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            mosquitto_destroy(m); handle = nil
            throw MQTTError("connect to \(host):\(port): \(String(cString: mosquitto_strerror(rc)))")
        }
        mosquitto_loop_start(m)
    }

    deinit { close() }

    /// Queues one message; `waitForAcks` tells when the broker has them.
    public func publish(_ topic: String, _ payload: String, qos: Int32 = 1) throws(MQTTError) {
        guard let m = handle else { throw MQTTError("publisher closed") }
        let bytes = Array(payload.utf8)
        let rc = bytes.withUnsafeBytes { mosquitto_publish(m, nil, topic, Int32($0.count), $0.baseAddress, qos, false) }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError("publish: \(String(cString: mosquitto_strerror(rc)))") }
    }

    /// Waits until `count` publishes were acknowledged (QoS 1) or sent (QoS 0);
    /// false on timeout.
    public func waitForAcks(_ count: Int, timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if lock.withLock({ acked }) >= count { return true }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return false
    }

    public func close() {
        guard let m = handle else { return }
        mosquitto_disconnect(m)
        mosquitto_loop_stop(m, false)
        mosquitto_destroy(m)
        handle = nil
    }
}
