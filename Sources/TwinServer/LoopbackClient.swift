import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 and WebSocket client over plain sockets, for tests and
/// `twin bench server` against a server on 127.0.0.1 (no TLS, no redirects). Calls
/// block a dedicated thread, never Swift's cooperative pool.
public enum LoopbackClient {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// One request on a fresh connection (`Connection: close`).
    public static func request(
        port: Int, _ method: String, _ path: String, token: String? = nil, body: [UInt8]? = nil,
        headers: [String: String] = [:], timeout: Double = 30
    ) async throws -> Reply {
        try await onThread { try requestBlocking(port: port, method, path, token: token, body: body, headers: headers, timeout: timeout) }
    }

    /// The same request on the calling thread (load generators on their own threads).
    public static func requestBlocking(
        port: Int, _ method: String, _ path: String, token: String? = nil, body: [UInt8]? = nil,
        headers: [String: String] = [:], timeout: Double = 30
    ) throws -> Reply {
        let s = try Socket(port: port, timeout: timeout)
        defer { s.close() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        try s.send(Array((head + "\r\n").utf8) + (body ?? []))
        return try readReply(s)
    }

    static func readReply(_ s: Socket) throws -> Reply {
        var data = try s.readUntil(Array("\r\n\r\n".utf8))
        guard let end = find(Array("\r\n\r\n".utf8), in: data) else { throw Failure(description: "no HTTP header") }
        let lines = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line") }
        var headers: [String: String] = [:]
        for l in lines.dropFirst() {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        data.removeFirst(end + 4)
        if let n = headers["content-length"].flatMap({ Int($0) }) {
            while data.count < n { guard let more = try s.receive() else { break }; data += more }
            return Reply(status: status, headers: headers, body: Array(data.prefix(n)))
        }
        while let more = try s.receive() { data += more }
        if headers["transfer-encoding"]?.lowercased() == "chunked" { data = dechunk(data) }
        return Reply(status: status, headers: headers, body: data)
    }

    static func dechunk(_ d: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < d.count, let lineEnd = find([13, 10], in: Array(d[i...])) {
            let size = Int(String(decoding: d[i..<(i + lineEnd)], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
            i += lineEnd + 2
            if size == 0 { break }
            out += d[i..<min(d.count, i + size)]
            i += size + 2
        }
        return out
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }

    /// Runs blocking work on its own thread.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { k in
            Thread.detachNewThread {
                do { k.resume(returning: try work()) } catch { k.resume(throwing: error) }
            }
        }
    }
}

/// A blocking TCP connection to 127.0.0.1 with send/receive timeouts.
final class Socket: @unchecked Sendable {
    let fd: Int32
    private var buffered: [UInt8] = []

    init(port: Int, timeout: Double) throws {
        #if canImport(Glibc)
        fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LoopbackClient.Failure(description: "socket() failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { Glibc.close(fd); throw LoopbackClient.Failure(description: "connect to port \(port) failed") }
    }

    func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LoopbackClient.Failure(description: "send failed (errno \(errno))") }
            off += n
        }
    }

    /// Next bytes (buffered first); nil at end of stream.
    func receive() throws -> [UInt8]? {
        if !buffered.isEmpty { defer { buffered = [] }; return buffered }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return nil }
        guard n > 0 else { throw LoopbackClient.Failure(description: errno == EAGAIN ? "timed out" : "recv failed (errno \(errno))") }
        return Array(chunk[..<n])
    }

    /// Reads until `marker` has arrived; returns everything read.
    func readUntil(_ marker: [UInt8]) throws -> [UInt8] {
        var data: [UInt8] = []
        while LoopbackClient.find(marker, in: data) == nil {
            guard let more = try receive() else { break }
            data += more
        }
        return data
    }

    /// Exactly `n` bytes.
    func read(_ n: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < n {
            guard let more = try receive() else { throw LoopbackClient.Failure(description: "connection closed") }
            out += more
        }
        if out.count > n { buffered = Array(out[n...]) + buffered; out = Array(out[..<n]) }
        return out
    }

    /// Bytes read past an HTTP header, returned by the next `receive`.
    func pushBack(_ bytes: [UInt8]) throws { buffered = bytes + buffered }

    func close() { Glibc.close(fd) }

    /// Ends the connection both ways but keeps the descriptor: a thread blocked reading
    /// it wakes up at end of stream.
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}
