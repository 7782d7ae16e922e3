import TwinRuntime
import Foundation

/// A message read through one binding: which entity, when, and the converted values.
/// Pure: the same message and bindings always give the same result, which is what
/// lets a journal replay reproduce the live run.
struct MappedUpdate: Sendable {
    let binding: Int
    let externalId: String
    let entityName: String
    /// Source time, Unix s.
    let time: Double
    let values: [MappedValue]
}

struct MappedValue: Sendable {
    let field: Int
    /// What to set (after units, scaling, enumeration, frame transform).
    let value: JSONValue
    /// The same as numbers (bool → 0/1, point → x, y, z); empty for text.
    let numbers: MappedNumbers
    /// What was received: a value, or text made from several values.
    enum Received: Sendable {
        case value(JSONValue)
        case text(String)
    }
    let received: Received

    /// The reported text as received (`"RUN"`, `"21.5"`); made only when asked for
    /// (a reported binding or a message), not for every update.
    var text: String {
        switch received {
        case .value(let raw): raw.stringValue ?? JSONWriter.string(raw)
        case .text(let t): t
        }
    }

    init(field: Int, value: JSONValue, numbers: MappedNumbers, received: Received) {
        self.field = field; self.value = value; self.numbers = numbers; self.received = received
    }
}

/// None to three numbers (a scalar, a flag as 0/1, a point) held inline, so a mapped
/// value allocates nothing for them.
struct MappedNumbers: RandomAccessCollection, Sendable {
    private let storage: SIMD3<Double>
    let count: Int

    init() { storage = .zero; count = 0 }
    init(_ x: Double) { storage = SIMD3(x, 0, 0); count = 1 }
    init(_ x: Double, _ y: Double, _ z: Double) { storage = SIMD3(x, y, z); count = 3 }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(i: Int) -> Double { storage[i] }
}

enum Mapper {
    /// Every binding a message matches, read; or why it cannot be used. A message no
    /// binding takes is rejected, as is one that fails any binding it matches.
    static func map(_ m: IngestMessage, bindings: [BindingRef]) -> Result<[MappedUpdate], IngestRejection> {
        guard m.payload.members != nil else { return .failure(IngestRejection("the payload is a JSON object, found \(m.payload.kindDescription)")) }
        var out: [MappedUpdate] = []
        for (i, ref) in bindings.enumerated() {
            guard (ref.binding.source == nil || ref.binding.source == m.source) && ref.binding.topic.matches(m.topic) else { continue }
            switch map(m, binding: ref, index: i) {
            case .success(let u): out.append(u)
            case .failure(let r): return .failure(IngestRejection("binding \"\(ref.binding.name)\": \(r.reason)"))
            }
        }
        guard !out.isEmpty else { return .failure(IngestRejection("no binding takes source \"\(m.source)\" topic \"\(m.topic)\"")) }
        return .success(out)
    }

    /// One binding's reading of a message. Takes the binding's reference: a `Binding`
    /// passed on (even `borrowing`) was copied per message, retaining all its members.
    static func map(_ m: IngestMessage, binding ref: BindingRef, index: Int) -> Result<MappedUpdate, IngestRejection> {
        guard let idValue = ref.binding.id.value(in: m) else { return .failure(IngestRejection("no id at \(ref.binding.id)")) }
        let externalId: String
        if let s = idValue.stringValue, !s.isEmpty { externalId = s }
        else if let d = idValue.doubleValue, d == d.rounded(), abs(d) < 0x1p53 { externalId = String(Int64(d)) }
        else { return .failure(IngestRejection("the id at \(ref.binding.id) must be a non-empty string or an integer, found \(idValue.kindDescription)")) }
        // An empty table is skipped: looking a String up hashes it even then.
        let name = (ref.binding.lookup.isEmpty ? nil : ref.binding.lookup[externalId]) ?? (ref.binding.entityPrefix + externalId)

        var time = m.receivedAt
        if let t = ref.binding.time {
            guard let tv = t.value(in: m) else { return .failure(IngestRejection("no timestamp at \(t)")) }
            if let d = tv.doubleValue { time = d * ref.binding.timeScale }
            else if let s = tv.stringValue, let d = Timestamps.parseISO8601(s) { time = d }
            else { return .failure(IngestRejection("the timestamp at \(t) must be Unix seconds or ISO 8601, found \(JSONWriter.string(tv))")) }
            guard time.isFinite else { return .failure(IngestRejection("the timestamp at \(t) is not finite")) }
            if time > m.receivedAt + ref.binding.maxFuture {
                return .failure(IngestRejection("timestamp \(Timestamps.iso(time)) is more than \(JSONWriter.formatNumber(ref.binding.maxFuture)) s ahead of the receiving clock (\(Timestamps.iso(m.receivedAt)))"))
            }
        }
        var values: [MappedValue] = []
        values.reserveCapacity(ref.binding.fields.count)
        for fi in ref.binding.fields.indices {
            switch value(ref.binding.fields[fi], in: m) {
            case .success(let v): values.append(MappedValue(field: fi, value: v.value, numbers: v.numbers, received: v.received))
            case .failure(let r): return .failure(IngestRejection("\(ref.binding.fields[fi].target): \(r.reason)"))
            }
        }
        return .success(MappedUpdate(binding: index, externalId: externalId, entityName: name, time: time, values: values))
    }

    static func value(_ f: borrowing FieldMap, in m: IngestMessage) -> Result<MappedValue, IngestRejection> {
        switch f.source {
        case .one:
            return .success(MappedValue(field: 0, value: .number(1), numbers: MappedNumbers(1), received: .text("1")))
        case .field(let ref):
            return field(f, ref, in: m)
        case .position(let ra, let rb, let rc, let frame):
            var n: [Double] = []
            for r in [ra, rb] + (rc.map { [$0] } ?? []) {
                switch coordinate(r, in: m) {
                case .success(let d): n.append(d)
                case .failure(let why): return .failure(why)
                }
            }
            if case .gps = frame.kind, abs(n[0]) > 90 || abs(n[1]) > 180 {
                return .failure(IngestRejection("latitude \(JSONWriter.formatNumber(n[0])) / longitude \(JSONWriter.formatNumber(n[1])) out of range"))
            }
            let p = frame.world(n[0], n[1], n.count > 2 ? n[2] : 0)
            let text = n.map { JSONWriter.formatNumber($0) }.joined(separator: ",")
            for (axis, v) in [("x", p.x), ("y", p.y), ("z", p.z)] {
                if let lo = f.min, v < lo { return .failure(IngestRejection("\(axis) = \(JSONWriter.formatNumber(v)) m is below the minimum \(JSONWriter.formatNumber(lo))")) }
                if let hi = f.max, v > hi { return .failure(IngestRejection("\(axis) = \(JSONWriter.formatNumber(v)) m is above the maximum \(JSONWriter.formatNumber(hi))")) }
            }
            return .success(MappedValue(field: 0, value: .array([.number(p.x), .number(p.y), .number(p.z)]), numbers: MappedNumbers(p.x, p.y, p.z), received: .text(text)))
        }
    }
}

// The helpers below are out of line because, inlined into `value`, they crashed
// the Swift 6.3.1 optimiser (an ownership-verifier failure in release builds).
extension Mapper {
    @inline(never)
    static func field(_ f: FieldMap, _ ref: FieldRef, in m: IngestMessage) -> Result<MappedValue, IngestRejection> {
        guard let raw = ref.value(in: m) else { return .failure(IngestRejection("missing \(ref)")) }
        if let table = f.enumeration {
            let text = raw.stringValue ?? JSONWriter.string(raw)
            guard let v = table[text] else {
                return .failure(IngestRejection("\(JSONWriter.string(raw)) is not one of \(table.keys.sorted().joined(separator: ", "))"))
            }
            let n = numbers(v)
            return .success(MappedValue(field: 0, value: v, numbers: n, received: .value(raw)))
        }
        if let b = raw.boolValue { return .success(MappedValue(field: 0, value: .bool(b), numbers: MappedNumbers(b ? 1 : 0), received: .value(raw))) }
        if f.acceptsText, raw.stringValue != nil { return .success(MappedValue(field: 0, value: raw, numbers: MappedNumbers(), received: .value(raw))) }
        guard let d = raw.doubleValue else { return .failure(IngestRejection("expected a number, found \(raw.kindDescription) \(JSONWriter.string(raw))")) }
        let si = f.converted(d)
        guard si.isFinite else { return .failure(IngestRejection("\(JSONWriter.string(raw)) converts to a non-finite value")) }
        if let why = f.outOfRange(si) { return .failure(why) }
        return .success(MappedValue(field: 0, value: .number(si), numbers: MappedNumbers(si), received: .value(raw)))
    }

    /// A set value as numbers: a number, a flag as 0/1, nothing for text.
    @inline(never)
    static func numbers(_ v: JSONValue) -> MappedNumbers {
        switch v.kind {
        case .number(let d): MappedNumbers(d)
        case .bool(let b): MappedNumbers(b ? 1 : 0)
        default: MappedNumbers()
        }
    }

    @inline(never)
    static func coordinate(_ r: FieldRef, in m: IngestMessage) -> Result<Double, IngestRejection> {
        guard let v = r.value(in: m) else { return .failure(IngestRejection("missing \(r)")) }
        guard case .number(let d) = v.kind, d.isFinite else { return .failure(IngestRejection("\(r) must be a number, found \(v.kindDescription)")) }
        return .success(d)
    }
}

/// Source timestamps: Unix seconds or ISO 8601 text.
enum Timestamps {
    /// `2026-12-07T04:22:46Z`, `…46.250+01:00`; nil when not that form.
    static func parseISO8601(_ s: String) -> Double? {
        let f = ISO8601DateFormatter()
        f.formatOptions = s.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f.date(from: s)?.timeIntervalSince1970
    }

    static func iso(_ t: Double) -> String {
        guard t.isFinite, abs(t) < 1e12 else { return JSONWriter.formatNumber(t) }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
