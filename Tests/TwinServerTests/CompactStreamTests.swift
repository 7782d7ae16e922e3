import Foundation
import Testing
import TwinMath
import TwinRuntime
@testable import TwinServer

/// A viewer of the compact layout (`TWD2`, ``StreamFormat/compact(step:time:keyframe:records:removed:)``),
/// written from the README's table: it applies each message to its entity table the
/// way the web viewer does, and keeps what the last message said.
struct CompactViewer {
    struct Malformed: Error, CustomStringConvertible { var description: String }

    /// x, y, z, qx, qy, qz, qw, sx, sy, sz per entity id.
    var entities: [UInt64: [Double]] = [:]
    var keyframe = false
    var step: Int64 = -1
    var quantum = 0.0
    /// The last message's masks per entity and removed ids.
    var masks: [UInt64: UInt8] = [:]
    var removed: [UInt64] = []

    mutating func apply(_ b: [UInt8]) throws {
        var r = Reader(bytes: b)
        guard try r.take(4) == StreamFormat.compactMagic else { throw Malformed(description: "no TWD2 magic") }
        keyframe = try r.u32() & 1 == 1
        step = Int64(Double(bitPattern: try r.u64()))
        _ = try r.u64()
        let n = Int(try r.u32()), gone = Int(try r.u32())
        let origin = [Double(bitPattern: try r.u64()), Double(bitPattern: try r.u64()), Double(bitPattern: try r.u64())]
        quantum = Double(Float(bitPattern: try r.u32()))
        if keyframe { entities = [:] }
        masks = [:]
        removed = []
        var id: UInt64 = 0
        for _ in 0..<n {
            let mask = try r.u8(), raw = mask & 8 != 0
            id &+= try r.leb128()
            masks[id] = mask
            var t = entities[id] ?? [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
            if mask & 1 != 0 {
                for k in 0..<3 { t[k] = raw ? Double(try r.f32()) : origin[k] + quantum * Double(try r.u24()) }
            }
            if mask & 2 != 0 {
                for k in 3..<7 { t[k] = raw ? Double(try r.f32()) : Double(Int16(bitPattern: try r.u16())) / 32767 }
            }
            if mask & 4 != 0 { for k in 7..<10 { t[k] = Double(try r.f32()) } }
            entities[id] = t
        }
        id = 0
        for _ in 0..<gone {
            id &+= try r.leb128()
            removed.append(id)
            entities[id] = nil
        }
        guard r.offset == b.count else { throw Malformed(description: "\(b.count - r.offset) bytes after the removed ids") }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        mutating func take(_ n: Int) throws -> [UInt8] {
            guard offset + n <= bytes.count else { throw Malformed(description: "truncated at \(offset)") }
            defer { offset += n }
            return Array(bytes[offset..<(offset + n)])
        }
        private mutating func little(_ n: Int) throws -> UInt64 { try take(n).reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        mutating func u8() throws -> UInt8 { UInt8(try little(1)) }
        mutating func u16() throws -> UInt16 { UInt16(try little(2)) }
        mutating func u24() throws -> UInt32 { UInt32(try little(3)) }
        mutating func u32() throws -> UInt32 { UInt32(try little(4)) }
        mutating func u64() throws -> UInt64 { try little(8) }
        mutating func f32() throws -> Float { Float(bitPattern: try u32()) }
        mutating func leb128() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                let b = try u8()
                guard shift < 64 else { throw Malformed(description: "LEB128 longer than 64 bits") }
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
        }
    }
}

@Suite(.timeLimit(.minutes(3)))
struct CompactStreamTests {
    static func record(_ id: UInt64, _ p: Vec3, _ q: Quat = .identity, _ s: Vec3 = .one,
                       changed: StreamDelta.Fields = .all) -> StreamDelta.Record {
        .init(entity: id, position: p, rotation: q, scale: s, kind: "k", changed: changed)
    }

    static func delta(step: Int64 = 1, keyframe: Bool = false, _ records: [StreamDelta.Record], removed: [UInt64] = []) -> StreamDelta {
        StreamDelta(step: step, time: Double(step) / 20, keyframe: keyframe, records: records, removed: removed, spawned: [], kpis: [], events: [])
    }

    static func bytes(_ d: StreamDelta) -> [UInt8] { Array(d.binary(.compact).readableBytesView) }

    /// Seeded random records: ids with gaps and generations, positions over ±500 m,
    /// unit rotations, scales; every field changed.
    static func randomRecords(count: Int, seed: UInt64) -> [StreamDelta.Record] {
        var rng = RandomStream(seed: seed)
        var id: UInt64 = 0
        return (0..<count).map { _ in
            id += UInt64.random(in: 1...40, using: &rng) + (Bool.random(using: &rng) ? 0 : 1 << 32)
            let p = Vec3(Float.random(in: -500...500, using: &rng), Float.random(in: 0...30, using: &rng), Float.random(in: -500...500, using: &rng))
            let a = Float.random(in: -3...3, using: &rng)
            let q = Quat(x: 0, y: sin(a / 2), z: 0, w: cos(a / 2))
            return record(id, p, q, Vec3(1, Float.random(in: 0.5...2, using: &rng), 1))
        }.shuffled(using: &rng)
    }

    @Test("records survive encode → decode: ids and scales exact, positions within quantum / 2, rotations within 1/65534")
    func roundTrip() throws {
        let records = Self.randomRecords(count: 2000, seed: 7)
        let removed: [UInt64] = [5, 1 << 33 | 17, 3, 900_000]
        var viewer = CompactViewer()
        try viewer.apply(Self.bytes(Self.delta(step: 42, records, removed: removed)))
        #expect(viewer.step == 42)
        #expect(viewer.keyframe == false)
        #expect(viewer.removed == removed.sorted())
        #expect(viewer.entities.count == records.count)
        // ±500 m spans 1000 m < 2²⁴ × 2⁻¹⁰ m: the finest grid.
        #expect(viewer.quantum == StreamFormat.finestQuantum)
        var worstPosition = 0.0, worstRotation = 0.0
        for r in records {
            let t = try #require(viewer.entities[r.entity], "entity \(r.entity)")
            #expect(viewer.masks[r.entity] == 7)
            for (k, v) in [r.position.x, r.position.y, r.position.z].enumerated() { worstPosition = max(worstPosition, abs(t[k] - Double(v))) }
            for (k, v) in [r.rotation.x, r.rotation.y, r.rotation.z, r.rotation.w].enumerated() { worstRotation = max(worstRotation, abs(t[3 + k] - Double(v))) }
            #expect(t[7...9].map { Float($0) } == [r.scale.x, r.scale.y, r.scale.z])
        }
        #expect(worstPosition <= StreamFormat.finestQuantum / 2 * (1 + 1e-9), "worst position error \(worstPosition) m")
        #expect(worstRotation <= 0.5 / 32767 * (1 + 1e-6), "worst rotation error \(worstRotation)")
        // Consecutive ids cost one LEB128 byte: 11 bytes a translating entity in a delta.
        let movers = (0..<10_000).map { Self.record(UInt64($0), Vec3(Float($0 % 100), 0, Float($0 / 100)), changed: .position) }
        #expect(Self.bytes(Self.delta(movers)).count == StreamFormat.compactHeaderSize + 10_000 * 11)
    }

    @Test("a wide world coarsens the grid to the finest power of two that spans it; the error stays within quantum / 2")
    func quantisationBound() throws {
        // 20 km in x: 20,000 m / 2⁻¹⁰ m > 2²⁴ − 1 steps, so the grid is 2⁻⁹ m (error ≤ 0.98 mm).
        let records = [Self.record(1, Vec3(-10_000, 0, 0)), Self.record(2, Vec3(10_000, 1.2345, -3.3333)),
                       Self.record(3, Vec3(1234.5678, 0.0001, 9.87654))]
        var viewer = CompactViewer()
        try viewer.apply(Self.bytes(Self.delta(records)))
        #expect(viewer.quantum == 1.0 / 512)
        for r in records {
            let t = try #require(viewer.entities[r.entity])
            for (k, v) in [r.position.x, r.position.y, r.position.z].enumerated() {
                #expect(abs(t[k] - Double(v)) <= viewer.quantum / 2, "entity \(r.entity) axis \(k): \(t[k]) vs \(v)")
            }
        }
        // What cannot be quantised travels as plain floats, and the others keep the grid.
        let odd = [Self.record(1, Vec3(.nan, 0, 1)), Self.record(2, Vec3(0, .infinity, 0)),
                   Self.record(3, Vec3(1, 2, 3), Quat(x: 2, y: 0, z: 0, w: 0)), Self.record(4, Vec3(0.5, 0.25, 0.125))]
        try viewer.apply(Self.bytes(Self.delta(odd)))
        #expect(viewer.masks[1] == 7 | 8 && viewer.masks[2] == 7 | 8 && viewer.masks[3] == 7 | 8 && viewer.masks[4] == 7)
        #expect(viewer.entities[1]?[0].isNaN == true)
        #expect(viewer.entities[2]?[1] == .infinity)
        #expect(viewer.entities[3]?[3] == 2)
        #expect(viewer.entities[4]?[0...2].map { $0 } == [0.5, 0.25, 0.125])
    }

    @Test("a delta record carries only the fields that changed; the viewer keeps the others")
    func changeMasks() throws {
        let turned = Quat(x: 0, y: 0.6, z: 0, w: 0.8)
        var viewer = CompactViewer()
        try viewer.apply(Self.bytes(Self.delta(step: 1, keyframe: true, [
            Self.record(1, Vec3(1, 0, 0), turned, Vec3(2, 2, 2)), Self.record(2, Vec3(2, 0, 0), turned), Self.record(3, Vec3(3, 0, 0)),
        ])))
        // A keyframe sends the position and only non-default rotation and scale.
        #expect(viewer.masks == [1: 7, 2: 3, 3: 1])
        try viewer.apply(Self.bytes(Self.delta(step: 2, [
            Self.record(1, Vec3(1.5, 0, 0), .identity, .one, changed: .position),
            Self.record(2, Vec3(0, 0, 0), .identity, .one, changed: .rotation),
            Self.record(3, Vec3(0, 0, 0), .identity, Vec3(3, 3, 3), changed: .scale),
        ])))
        #expect(viewer.masks == [1: 1, 2: 2, 3: 4])
        let first = try #require(viewer.entities[1])
        #expect(first[0...2] == [1.5, 0, 0] && first[7...9] == [2, 2, 2], "moved; scale kept from the keyframe")
        #expect(abs(first[4] - 0.6) <= 0.5 / 32767 + 1e-7 && abs(first[6] - 0.8) <= 0.5 / 32767 + 1e-7, "rotation kept from the keyframe")
        #expect(viewer.entities[2]?[0] == 2 && viewer.entities[2]?[6] == 1, "position kept, rotation now identity")
        #expect(viewer.entities[3]?[0] == 3 && viewer.entities[3]?[7] == 3, "position kept, scale changed")
    }

    @Test("a slow viewer's coalesced backlog leaves it where the separate deltas would")
    func coalescedMasks() throws {
        let turned = Quat(x: 0, y: 0.6, z: 0, w: 0.8)
        let start = Self.delta(step: 1, keyframe: true, [Self.record(1, Vec3(0, 0, 0)), Self.record(2, Vec3(5, 0, 0)), Self.record(3, Vec3(9, 0, 0))])
        let a = Self.delta(step: 2, [Self.record(1, Vec3(1, 0, 0), changed: .position),
                                     Self.record(2, Vec3(5, 0, 0), turned, changed: .rotation)])
        let b = Self.delta(step: 3, [Self.record(2, Vec3(6, 0, 0), turned, changed: .position),
                                     Self.record(4, Vec3(7, 0, 0), turned, Vec3(2, 1, 1), changed: .all)], removed: [3])
        var separate = CompactViewer(), merged = CompactViewer()
        for d in [start, a, b] { try separate.apply(Self.bytes(d)) }
        try merged.apply(Self.bytes(start))
        let c = try #require(StreamDelta.coalesced([a, b]))
        #expect(c.records.first { $0.entity == 2 }?.changed == [.position, .rotation])
        try merged.apply(Self.bytes(c))
        #expect(merged.masks == [1: 1, 2: 3, 4: 7])
        #expect(merged.entities == separate.entities)
        #expect(merged.entities[3] == nil && merged.entities.count == 3)
    }

    @Test("an entity that loses its Position and gets it back within a coalesced backlog stays, with every field")
    func coalescedRemoveAndBack() throws {
        let turned = Quat(x: 0, y: 0.6, z: 0, w: 0.8)
        let start = Self.delta(step: 1, keyframe: true, [Self.record(1, Vec3(0, 0, 0), turned), Self.record(2, Vec3(5, 0, 0))])
        let gone = Self.delta(step: 2, [Self.record(2, Vec3(6, 0, 0), changed: .position)], removed: [1])
        let back = Self.delta(step: 3, [Self.record(1, Vec3(3, 0, 0), turned, changed: .position)])
        let moved = Self.delta(step: 4, [Self.record(1, Vec3(4, 0, 0), turned, changed: .position)])
        var separate = CompactViewer(), merged = CompactViewer()
        for d in [start, gone, back, moved] { try separate.apply(Self.bytes(d)) }
        try merged.apply(Self.bytes(start))
        let c = try #require(StreamDelta.coalesced([gone, back, moved]))
        #expect(c.removed.isEmpty)
        #expect(c.records.filter { $0.entity == 1 }.count == 1)
        #expect(c.records.first { $0.entity == 1 }?.changed == .all)
        try merged.apply(Self.bytes(c))
        #expect(merged.entities[1] != nil)
        // The rotation survives: the viewer that saw the removal rebuilt the entity from
        // a position-only record, the merged one from every field.
        #expect(abs((merged.entities[1]?[4] ?? 0) - 0.6) < 1e-3)
        #expect(merged.entities[2] == separate.entities[2])
        // Removed for good within the backlog: removed once.
        let twice = try #require(StreamDelta.coalesced([gone, Self.delta(step: 3, [], removed: [1])]))
        #expect(twice.removed == [1])
    }

    @Test("TWD2 over the socket: per-step records carry only positions, a set rotation only the rotation, and an entity entering a viewer's area every field")
    func liveCompactStream() async throws {
        try await withServer { s in
            let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?format=2&token=\(ServerFixture.reader)")
            defer { ws.close() }
            // The robot starts outside z ≤ 4.9 and moves −z at 0.5 m/s: it enters this area at step 13.
            let area = try await WebSocketClient.connect(
                port: s.port, path: "/api/worlds/movers/stream?format=2&area=9,-1,11,4.9&token=\(ServerFixture.reader)")
            defer { area.close() }
            var watcher = CompactViewer()
            try watcher.apply(try #require(await Self.nextBinary(area)))
            #expect(watcher.keyframe && watcher.entities.isEmpty)
            var viewer = CompactViewer()
            try viewer.apply(try #require(await Self.nextBinary(ws)))
            #expect(viewer.keyframe && viewer.entities.count == 3 && Set(viewer.masks.values) == [1])
            _ = try await s.step(64)
            // The viewer may get 64 deltas or fewer coalesced ones: either way the cart is at x = 1 m.
            while viewer.step < 64 { try viewer.apply(try #require(await Self.nextBinary(ws))) }
            let cart = try #require(viewer.entities.first { $0.value[0] > 0.5 && $0.value[0] < 1.5 })
            #expect(abs(cart.value[0] - 1) <= viewer.quantum / 2)
            #expect(Set(viewer.masks.values) == [1], "only positions changed")
            while watcher.entities.isEmpty { try watcher.apply(try #require(await Self.nextBinary(area))) }
            #expect(watcher.masks.values.first == 7 || watcher.keyframe, "new to the viewer: every field")
            _ = try await s.json("POST", "/api/worlds/movers/commands",
                                 json: #"{"op": "set", "entity": "pillar", "component": "Rotation", "value": [0, 0.6, 0, 0.8]}"#, expect: 202)
            _ = try await s.step(1)
            try viewer.apply(try #require(await Self.nextBinary(ws)))
            let pillar = try #require(viewer.entities.first { $0.value[0] == 5 && $0.value[2] == 5 })
            #expect(viewer.masks[pillar.key] == 2)
            #expect(abs(pillar.value[4] - 0.6) <= 0.5 / 32767 + 1e-7)

        }
    }

    @Test("a bad format is a 400 and a bad format in a subscribe message an error reply; format can change mid-stream")
    func badFormats() async throws {
        try await withServer { s in
            let bad = try await s.request("GET", "/api/worlds/movers/stream?format=3", token: ServerFixture.reader)
            #expect(bad.status == 400)
            #expect(bad.text.contains("format must be 1 (TWD1) or 2 (TWD2)"))
            let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?token=\(ServerFixture.reader)")
            defer { ws.close() }
            let first = try #require(await Self.nextBinary(ws))
            #expect(Array(first[0..<4]) == StreamFormat.magic)
            try await ws.send(text: #"{"type": "subscribe", "format": "two"}"#)
            try await ws.send(text: #"{"type": "subscribe", "format": 2}"#)
            var error: String?, next: [UInt8]?
            while next == nil, let m = try await ws.receive() {
                switch m {
                case .text(let t):
                    let v = try JSONParser.parse(t)
                    if v["type"]?.stringValue == "error" { error = v["message"]?.stringValue }
                case .binary(let b): next = b
                }
            }
            #expect(error?.contains("$.format") == true)
            var viewer = CompactViewer()
            try viewer.apply(try #require(next))
            #expect(viewer.keyframe && viewer.entities.count == 3)
        }
    }

    /// The next binary message's bytes (JSON texts before it skipped).
    static func nextBinary(_ ws: WebSocketClient) async throws -> [UInt8]? {
        while let m = try await ws.receive() { if case .binary(let b) = m { return b } }
        return nil
    }
}
