import Foundation

/// A minimal WebSocket client (RFC 6455) on ``Socket``: handshake, masked client
/// frames, fragmented messages reassembled. For tests and benchmarks.
public final class WebSocketClient: @unchecked Sendable {
    public enum Message: Sendable {
        case text(String)
        case binary([UInt8])
    }

    let socket: Socket
    public let status: Int

    /// Connects and upgrades; `status` is 101 on success (otherwise the HTTP status).
    public static func connect(port: Int, path: String, timeout: Double = 30) async throws -> WebSocketClient {
        try await LoopbackClient.onThread { try WebSocketClient(port: port, path: path, timeout: timeout) }
    }

    init(port: Int, path: String, timeout: Double) throws {
        socket = try Socket(port: port, timeout: timeout)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try socket.send(Array(head.utf8))
        var data = try socket.readUntil(Array("\r\n\r\n".utf8))
        guard let end = LoopbackClient.find(Array("\r\n\r\n".utf8), in: data) else { throw LoopbackClient.Failure(description: "no upgrade reply") }
        let statusLine = String(decoding: data[..<end], as: UTF8.self).split(separator: "\r\n").first ?? ""
        status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        data.removeFirst(end + 4)
        if !data.isEmpty { try socket.pushBack(data) }
    }

    /// The next whole message (pings answered, close → nil).
    public func receive() async throws -> Message? {
        try await LoopbackClient.onThread { try self.receiveBlocking() }
    }

    func receiveBlocking() throws -> Message? {
        var payload: [UInt8] = []
        var opcode: UInt8 = 0
        while true {
            let h = try socket.read(2)
            let fin = h[0] & 0x80 != 0, op = h[0] & 0x0F
            var len = Int(h[1] & 0x7F)
            if len == 126 { let b = try socket.read(2); len = Int(b[0]) << 8 | Int(b[1]) }
            else if len == 127 { len = try socket.read(8).reduce(0) { $0 << 8 | Int($1) } }
            let data = len > 0 ? try socket.read(len) : []
            switch op {
            case 0x8: return nil
            case 0x9: try sendFrame(opcode: 0xA, data); continue
            case 0xA: continue
            case 0x0: payload += data
            default: opcode = op; payload = data
            }
            if fin { break }
        }
        return opcode == 0x1 ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload)
    }

    public func send(text: String) async throws {
        try await LoopbackClient.onThread { try self.sendFrame(opcode: 0x1, Array(text.utf8)) }
    }

    func sendFrame(opcode: UInt8, _ data: [UInt8]) throws {
        var f: [UInt8] = [0x80 | opcode]
        if data.count < 126 { f.append(0x80 | UInt8(data.count)) }
        else if data.count < 65536 { f += [0x80 | 126, UInt8(data.count >> 8), UInt8(data.count & 0xFF)] }
        else { f.append(0x80 | 127); for i in (0..<8).reversed() { f.append(UInt8((data.count >> (8 * i)) & 0xFF)) } }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        f += mask
        f += data.enumerated().map { $1 ^ mask[$0 % 4] }
        try socket.send(f)
    }

    /// Sends a close frame and closes the connection.
    public func close() {
        try? sendFrame(opcode: 0x8, [0x03, 0xE8])
        socket.close()
    }

    /// Closes the connection without a close frame (a viewer that vanished).
    public func drop() { socket.close() }

    /// Sends a close frame and ends the connection for a thread in ``drain(_:)``, which
    /// then releases the descriptor itself — closing it under a blocked reader would let
    /// a new connection reuse the number and lose its bytes to that reader.
    public func hangUp() {
        try? sendFrame(opcode: 0x8, [0x03, 0xE8])
        socket.shutdown()
    }
}

extension WebSocketClient {
    /// Reads messages on the calling thread until the connection ends, reporting each
    /// message's size (benchmarks: a viewer that keeps up as well as it can), then
    /// closes the connection (end it with ``hangUp()``).
    public func drain(_ bytes: (Int) -> Void) {
        defer { socket.close() }
        while let m = try? receiveBlocking() {
            switch m {
            case .text(let t): bytes(t.utf8.count)
            case .binary(let b): bytes(b.count)
            }
        }
    }
}
