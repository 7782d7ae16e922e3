import Foundation
import Synchronization
import Hummingbird
import TwinRuntime

/// What a viewer follows: only entities of some kinds, only inside an X–Z
/// rectangle, at most one update per `interval` seconds, in a binary layout.
struct Subscription: Sendable {
    var kinds: Set<String>?
    /// minX, minZ, maxX, maxZ, metres.
    var area: (Float, Float, Float, Float)?
    var interval: Double = 0
    var format: StreamFormat.Version = .full
    var isFiltered: Bool { kinds != nil || area != nil }

    func accepts(kind: String) -> Bool { kinds?.contains(kind) ?? true }

    func accepts(_ r: StreamDelta.Record) -> Bool {
        guard accepts(kind: r.kind) else { return false }
        guard let a = area else { return true }
        return r.position.x >= a.0 && r.position.z >= a.1 && r.position.x <= a.2 && r.position.z <= a.3
    }

    /// From a viewer's message `{"type": "subscribe", "kinds": [..] | null,
    /// "area": [minX, minZ, maxX, maxZ] | null, "interval": s, "format": 1 | 2}` —
    /// members left out keep their current value; null clears a filter.
    func changed(by message: JSONValue) throws(APIError) -> Subscription {
        guard let members = message.members else { throw APIError(.badRequest, "expected a JSON object") }
        let allowed = ["type", "kinds", "area", "interval", "format"]
        if let extra = members.first(where: { !allowed.contains($0.key) }) {
            throw APIError(.badRequest, Suggestions.unknownMessage(kind: "member", name: extra.key, known: allowed))
        }
        guard message["type"]?.stringValue == "subscribe" else {
            throw APIError(.badRequest, "$.type: the only message a viewer sends is {\"type\": \"subscribe\", …}")
        }
        var s = self
        if let k = message["kinds"] {
            if k.isNull { s.kinds = nil } else {
                guard let list = k.elements?.compactMap(\.stringValue), list.count == k.elements?.count else {
                    throw APIError(.badRequest, "$.kinds: expected an array of strings or null")
                }
                s.kinds = Set(list)
            }
        }
        if let a = message["area"] {
            if a.isNull { s.area = nil } else {
                let v = (a.elements ?? []).compactMap(\.doubleValue).map { Float($0) }
                guard v.count == a.elements?.count, let area = Self.area(v) else {
                    throw APIError(.badRequest, "$.area: expected [minX, minZ, maxX, maxZ] in metres with min ≤ max, or null")
                }
                s.area = area
            }
        }
        if let i = message["interval"] {
            guard let v = i.doubleValue, Self.validInterval(v) else {
                throw APIError(.badRequest, "$.interval: expected seconds in 0…3600")
            }
            s.interval = v
        }
        if let f = message["format"] {
            guard let v = f.doubleValue, let version = StreamFormat.Version(rawValue: Int(exactly: v) ?? 0) else {
                throw APIError(.badRequest, "$.format: expected 1 (TWD1) or 2 (TWD2)")
            }
            s.format = version
        }
        return s
    }

    var json: JSONValue {
        .object([
            ("kinds", kinds.map { .array($0.sorted().map { .string($0) }) } ?? .null),
            ("area", area.map { a in .array([a.0, a.1, a.2, a.3].map { .number(Double($0)) }) } ?? .null),
            ("interval", .number(interval)),
            ("format", .number(Double(format.rawValue))),
        ])
    }

    /// From query parameters `kinds=a,b`, `area=minX,minZ,maxX,maxZ`, `interval=s`, `format=1|2`.
    static func parse(_ q: (String) -> String?) throws(APIError) -> Subscription {
        var s = Subscription()
        if let k = q("kinds") { s.kinds = Set(k.split(separator: ",").map(String.init)) }
        if let a = q("area") {
            guard let area = Self.area(a.split(separator: ",").compactMap { Float($0) }) else {
                throw APIError(.badRequest, "area must be minX,minZ,maxX,maxZ in metres with min ≤ max, got \"\(a)\"")
            }
            s.area = area
        }
        if let i = q("interval") {
            guard let v = Double(i), Self.validInterval(v) else {
                throw APIError(.badRequest, "interval must be seconds in 0…3600, got \"\(i)\"")
            }
            s.interval = v
        }
        if let f = q("format") {
            guard let version = Int(f).flatMap(StreamFormat.Version.init(rawValue:)) else {
                throw APIError(.badRequest, "format must be 1 (TWD1) or 2 (TWD2), got \"\(f)\"")
            }
            s.format = version
        }
        return s
    }

    /// minX, minZ, maxX, maxZ: four finite numbers with min ≤ max (query and messages alike).
    static func area(_ v: [Float]) -> (Float, Float, Float, Float)? {
        guard v.count == 4, v.allSatisfy(\.isFinite), v[0] <= v[2], v[1] <= v[3] else { return nil }
        return (v[0], v[1], v[2], v[3])
    }

    static func validInterval(_ v: Double) -> Bool { v.isFinite && v >= 0 && v <= 3600 }
}

/// A frame for a viewer's connection.
enum StreamMessage: Sendable {
    case text(String)
    case binary(ByteBuffer)
}

/// Feeds one viewer: a keyframe first, then each step's delta — coalesced when the
/// viewer is slower than the world, filtered by its subscription — until the
/// connection or the world goes away.
struct ViewerSession {
    let world: HostedWorld
    /// Changed by the viewer's `subscribe` messages while the stream runs.
    let subscription: SubscriptionState
    /// Also send transforms as JSON (`"records"`), for clients without binary frames (SSE).
    var jsonRecords = false
    var maxPending = 64
    /// Records in a backlog above which a viewer gets a keyframe instead of a merged delta.
    static let coalesceLimit = 4096

    init(world: HostedWorld, subscription: Subscription, jsonRecords: Bool = false, maxPending: Int = 64) {
        self.world = world
        self.subscription = SubscriptionState(subscription)
        self.jsonRecords = jsonRecords
        self.maxPending = maxPending
        self.box = world.streams.add(maxPending: max(maxPending, Int(subscription.interval * 100)))
    }

    private let box: ViewerMailbox

    /// A text message from the viewer: a valid `subscribe` changes what it follows and
    /// is answered `{"type": "subscribed", …}` followed by a keyframe of the new subset;
    /// anything else is answered `{"type": "error", "message": …}` and changes nothing.
    func received(_ text: String) {
        let reply: JSONValue
        do throws(APIError) {
            let message: JSONValue
            do { message = try JSONParser.parse(Array(text.utf8)) } catch {
                throw APIError(.badRequest, "malformed JSON at \(error.location): \(error.message)")
            }
            let next = try subscription.current.changed(by: message)
            subscription.current = next
            reply = .object([("type", .string("subscribed")), ("subscription", next.json)])
            box.notify(JSONWriter.string(reply))
            box.resync()
        } catch {
            box.notify(JSONWriter.string(.object([("type", .string("error")), ("message", .string(error.message))])))
        }
    }

    func run(send: (StreamMessage) async throws -> Void) async throws {
        defer { world.streams.remove(box) }
        var visible = Set<UInt64>()
        try await send(.text(JSONWriter.string(.object([("type", .string("hello")), ("world", world.currentStatus.json)]))))
        while !Task.isCancelled {
            let delta: StreamDelta
            switch await box.next() {
            case .closed: return
            case .notices(let list):
                for t in list { try await send(.text(t)) }
                continue
            case .keyframe:
                delta = try await world.keyframe()
                box.keyframeSent(at: delta.step)
            case .deltas(let list):
                // A long backlog of big deltas: one shared keyframe is cheaper than merging them per viewer.
                if list.count > 1 && list.reduce(0, { $0 + $1.records.count }) > Self.coalesceLimit {
                    box.resync()
                    continue
                }
                guard let d = StreamDelta.coalesced(list) else { continue }
                delta = d
            }
            let current = subscription.current
            for m in messages(for: delta, subscription: current, visible: &visible) { try await send(m) }
            if current.interval > 0 { try await Task.sleep(nanoseconds: UInt64(current.interval * 1e9)) }
        }
    }

    private func messages(for d: StreamDelta, subscription: Subscription, visible: inout Set<UInt64>) -> [StreamMessage] {
        var records = d.records, removed = d.removed, spawned = d.spawned
        var text = d.json
        if subscription.isFiltered {
            if d.keyframe { visible = [] }
            records = []
            removed = []
            for var r in d.records {
                if subscription.accepts(r) {
                    // New to this viewer (entered the area): it needs every field, not just what changed.
                    if visible.insert(r.entity).inserted { r.changed = .all }
                    records.append(r)
                } else if visible.remove(r.entity) != nil {
                    removed.append(r.entity)
                }
            }
            for e in d.removed where visible.remove(e) != nil { removed.append(e) }
            spawned = spawned.filter { subscription.accepts(kind: $0.kind) }
            text = StreamFormat.json(step: d.step, time: d.time, keyframe: d.keyframe, spawned: spawned, kpis: d.kpis, events: d.events)
        }
        if jsonRecords {
            return [.text(Self.jsonWithRecords(d, records: records, removed: removed, spawned: spawned))]
        }
        var out: [StreamMessage] = []
        if let text { out.append(.text(text)) }
        if d.keyframe || !records.isEmpty || !removed.isEmpty {
            out.append(.binary(subscription.isFiltered
                ? StreamFormat.binary(subscription.format, step: d.step, time: d.time, keyframe: d.keyframe, records: records, removed: removed)
                : d.binary(subscription.format)))
        }
        return out
    }

    static func jsonWithRecords(_ d: StreamDelta, records: [StreamDelta.Record], removed: [UInt64],
                                spawned: [StreamDelta.Spawned]) -> String {
        func n(_ f: Float) -> JSONValue { .number(Double(f)) }
        var v = StreamFormat.jsonValue(step: d.step, time: d.time, keyframe: d.keyframe, spawned: spawned, kpis: d.kpis, events: d.events)
        v.setMember("records", .array(records.map { r in
            .array([.number(Double(r.entity)), n(r.position.x), n(r.position.y), n(r.position.z),
                    n(r.rotation.x), n(r.rotation.y), n(r.rotation.z), n(r.rotation.w), n(r.scale.x), n(r.scale.y), n(r.scale.z)])
        }))
        v.setMember("removed", .array(removed.map { .number(Double($0)) }))
        return JSONWriter.string(v)
    }
}

/// A viewer's subscription, read by its stream and replaced by its messages.
final class SubscriptionState: Sendable {
    private let value: Mutex<Subscription>
    init(_ s: Subscription) { value = Mutex(s) }
    var current: Subscription {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
