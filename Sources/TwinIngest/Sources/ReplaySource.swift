import TwinRuntime
import Foundation

/// Replays a recorded feed: JSON Lines or CSV with a timestamp per line, for tests
/// and for re-running a past day.
///
/// - JSON Lines: `{"time": 1765080000.5, "topic": "factory/p1/status", "payload": {…}}`
///   (`source` and `id` optional).
/// - CSV: a header with `time` and `topic` columns; every other column is a payload
///   member (numbers where the text is a number, empty cells left out).
///
/// Two pacings: `feed(through:)` stamps each line with the step its time falls in
/// (simulated time from `epoch`), so a run is reproducible whatever the machine's
/// speed; `run(speed:)` sends lines on a wall clock, at real time × speed.
/// The next line to send is stored in the journal with each batch, so a restarted
/// replay continues where it stopped.
public final class ReplaySource: @unchecked Sendable {
    public let path: String
    let hub: IngestHub
    let lines: [Substring]
    let csvHeader: [String]?
    /// Index in `lines` of the next line to send.
    public private(set) var next: Int
    var positionKey: String { "replay:" + path }
    private let lock = NSLock()
    private var stopped = false

    public init(path: String, hub: IngestHub) throws(IngestRejection) {
        guard let data = FileManager.default.contents(atPath: path) else { throw IngestRejection("\(path): cannot read the file") }
        let text = String(decoding: data, as: UTF8.self)
        var all = text.split(separator: "\n", omittingEmptySubsequences: false)
        if all.last?.isEmpty == true { all.removeLast() }
        self.path = path; self.hub = hub
        if path.hasSuffix(".csv") {
            guard let head = all.first else { throw IngestRejection("\(path): empty CSV, expected a header with time and topic") }
            let header = CSV.fields(head).map { $0.trimmingCharacters(in: .whitespaces) }
            guard header.contains("time"), header.contains("topic") else { throw IngestRejection("\(path):1: the CSV header needs \"time\" and \"topic\" columns") }
            csvHeader = header
            lines = Array(all.dropFirst())
        } else {
            csvHeader = nil
            lines = all
        }
        next = (try? hub.journal.position(of: "replay:" + path)).flatMap { $0.flatMap { Int($0) } } ?? 0
    }

    public var isFinished: Bool { next >= lines.count }

    /// Time of the file's first readable line (the natural epoch of a replay).
    public var firstTime: Double? {
        for i in lines.indices { if case .success(let x) = read(i) { return x.time } }
        return nil
    }

    /// The line's time and message, or why it cannot be read (1-based line numbers).
    func read(_ i: Int) -> Result<(time: Double, message: IngestMessage), IngestRejection> {
        let lineNumber = i + 1 + (csvHeader == nil ? 0 : 1)
        let where_ = "\(path):\(lineNumber)"
        if let header = csvHeader {
            let cells = CSV.fields(lines[i])
            guard cells.count == header.count else { return .failure(IngestRejection("\(where_): \(cells.count) cells, the header has \(header.count)")) }
            var time: Double?, topic = "", members: [(String, JSONValue)] = []
            for (h, c) in zip(header, cells) {
                switch h {
                case "time": time = Double(c.trimmingCharacters(in: .whitespaces))
                case "topic": topic = c
                default:
                    if c.isEmpty { continue }
                    if let d = Double(c), d.isFinite { members.append((h, .number(d))) } else { members.append((h, .string(c))) }
                }
            }
            guard let t = time, t.isFinite else { return .failure(IngestRejection("\(where_): \"time\" must be a number (Unix s)")) }
            return .success((t, IngestMessage(source: "replay", topic: topic, payload: .object(members))))
        }
        let v: JSONValue
        switch IngestMessage.parsePayload(Array(lines[i].utf8)) {
        case .success(let x): v = x
        case .failure(let r): return .failure(IngestRejection("\(where_): \(r.reason)"))
        }
        guard let t = v["time"]?.doubleValue, t.isFinite else { return .failure(IngestRejection("\(where_): expected \"time\" (Unix s)")) }
        guard let topic = v["topic"]?.stringValue else { return .failure(IngestRejection("\(where_): expected \"topic\" (a string)")) }
        guard let payload = v["payload"] else { return .failure(IngestRejection("\(where_): expected \"payload\"")) }
        return .success((t, IngestMessage(source: v["source"]?.stringValue ?? "replay", topic: topic, payload: payload, id: v["id"]?.stringValue)))
    }

    /// Sends every line whose time falls at or before `step` (simulated time
    /// `epoch + step × dt`), each stamped with its step. Returns false when the hub
    /// asked to retry (call again next step).
    @discardableResult
    public func feed(through step: Int64, epoch: Double, dt: Double) -> Bool {
        var batch: [IngestMessage] = [], bad: [UnparsedMessage] = []
        var end = next
        while end < lines.count, batch.count < 4096 {
            switch read(end) {
            case .success(let (t, m)):
                let due = Int64(((t - epoch) / dt).rounded(.up))
                guard due <= step else { break }
                var m = m
                m.dueStep = max(0, due)
                m.receivedAt = t
                batch.append(m)
                end += 1
                continue
            case .failure(let r):
                bad.append(UnparsedMessage(source: "replay", topic: path, raw: String(lines[end]), reason: r.reason))
                end += 1
                continue
            }
            break
        }
        guard end > next else { return true }
        let reply = hub.submit(batch, unparsed: bad, position: (positionKey, String(end)))
        guard reply.status == .accepted else { return false }
        next = end
        return end >= lines.count || feed(through: step, epoch: epoch, dt: dt)
    }

    /// Sends the lines on the wall clock, `speed` times faster than recorded, until
    /// the end or `stop()`. Blocks; run it on its own thread.
    public func run(speed: Double) {
        guard next < lines.count, case .success(let (t0, _)) = firstReadable() else { return }
        let start = Date().timeIntervalSince1970
        while next < lines.count, !lock.withLock({ stopped }) {
            switch read(next) {
            case .failure(let r):
                let reply = hub.submit([], unparsed: [UnparsedMessage(source: "replay", topic: path, raw: String(lines[next]), reason: r.reason)],
                                       position: (positionKey, String(next + 1)))
                if reply.status == .accepted { next += 1 }
            case .success(let (t, m)):
                let wait = start + (t - t0) / max(speed, 1e-9) - Date().timeIntervalSince1970
                if wait > 0 { Thread.sleep(forTimeInterval: min(wait, 0.05)); continue }
                switch hub.submit([m], position: (positionKey, String(next + 1))).status {
                case .accepted: next += 1
                case .retryAfter(let s): Thread.sleep(forTimeInterval: min(s, 0.05))
                case .failed: return
                }
            }
        }
    }

    public func stop() { lock.withLock { stopped = true } }

    private func firstReadable() -> Result<(time: Double, message: IngestMessage), IngestRejection> {
        for i in next..<lines.count { if case .success(let x) = read(i) { return .success(x) } }
        return .failure(IngestRejection("no readable line"))
    }
}

/// RFC 4180 fields of one line: commas, "quoted, fields" with "" for a quote.
enum CSV {
    static func fields(_ line: Substring) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        var it = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { cur.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
                } else { cur.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { out.append(cur); cur = "" }
            else if c != "\r" { cur.append(c) }
        }
        out.append(cur)
        return out
    }
}
