import Foundation
import Testing
import TwinRuntime
@testable import TwinServer

/// A decoded `TWD1` binary message (layout in ``StreamFormat``).
struct DecodedDelta {
    var keyframe: Bool
    var step: Int64
    var records: [UInt64: [Float]] = [:]
    var removed: [UInt64] = []

    init?(_ b: [UInt8]) {
        guard b.count >= 32, Array(b[0..<4]) == StreamFormat.magic else { return nil }
        func u32(_ o: Int) -> UInt32 { b[o..<(o + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        func u64(_ o: Int) -> UInt64 { b[o..<(o + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        keyframe = u32(4) & 1 == 1
        step = Int64(Double(bitPattern: u64(8)))
        let n = Int(u32(24)), r = Int(u32(28))
        guard b.count == 32 + n * 48 + r * 8 else { return nil }
        for i in 0..<n {
            let o = 32 + i * 48
            records[UInt64(u32(o + 4)) << 32 | UInt64(u32(o))] = (0..<10).map { Float(bitPattern: u32(o + 8 + 4 * $0)) }
        }
        for i in 0..<r { let o = 32 + n * 48 + i * 8; removed.append(UInt64(u32(o + 4)) << 32 | UInt64(u32(o))) }
    }
}

@Suite(.timeLimit(.minutes(3)))
struct StreamTests {
    /// Reads messages until a binary one arrives; returns it with the JSON texts before it.
    static func nextBinary(_ ws: WebSocketClient) async throws -> (DecodedDelta?, [JSONValue]) {
        var texts: [JSONValue] = []
        while let m = try await ws.receive() {
            switch m {
            case .text(let t): texts.append(try JSONParser.parse(t))
            case .binary(let b): return (DecodedDelta(b), texts)
            }
        }
        return (nil, texts)
    }

    @Test func keyframeThenPerStepDeltas() async throws {
        try await withServer { s in
            let ids = try await s.json("GET", "/api/worlds/movers/entities")["entities"]?.elements ?? []
            func id(_ name: String) -> UInt64 {
                UInt64(ids.first { $0["components"]?["Name"]?.stringValue == name }?["id"]?.doubleValue ?? 0)
            }
            let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?token=\(ServerFixture.reader)")
            defer { ws.close() }
            #expect(ws.status == 101)
            let (key, hello) = try await Self.nextBinary(ws)
            #expect(hello.first?["type"]?.stringValue == "hello")
            #expect(key?.keyframe == true)
            #expect(key?.records.count == 3)
            let spawned = hello.last?["spawned"]?.elements?.compactMap { $0["kind"]?.stringValue }.sorted()
            #expect(spawned == ["machine", "static", "vehicle"])
            _ = try await s.step(1)
            let (delta, texts) = try await Self.nextBinary(ws)
            #expect(delta?.keyframe == false)
            #expect(delta?.step == 1)
            // Only the movers changed; the cart moved by exactly dt = 1/64 m.
            #expect(Set(delta?.records.keys.map { $0 } ?? []) == [id("cart"), id("robot")])
            #expect(delta?.records[id("cart")]?[0] == 0.015625)
            #expect(delta?.records[id("cart")]?[6] == 1, "identity rotation w")
            #expect(texts.last?["kpis"]?["moving"]?.doubleValue == 2)
            _ = try await s.json("POST", "/api/worlds/movers/commands", json: #"{"op": "despawn", "entity": "pillar"}"#, expect: 202)
            _ = try await s.step(1)
            let (gone, events) = try await Self.nextBinary(ws)
            #expect(gone?.removed == [id("pillar")])
            #expect(events.last?["events"]?.elements?.first?["type"]?.stringValue == "command.applied")
        }
    }

    @Test func subscriptionFiltersByKindAndArea() async throws {
        try await withServer { s in
            let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?kinds=vehicle&token=\(ServerFixture.reader)")
            defer { ws.close() }
            let (key, _) = try await Self.nextBinary(ws)
            #expect(key?.records.count == 1)
            let area = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?area=-1,-1,1,1&token=\(ServerFixture.reader)")
            defer { area.close() }
            let (inside, _) = try await Self.nextBinary(area)
            #expect(inside?.records.count == 1, "only the cart starts in the area")
            let cart = inside?.records.keys.first
            // After 1.5 s the cart is at x = 1.5, outside: the viewer is told it left — as a
            // removal, or by a keyframe without it when the viewer fell behind.
            _ = try await s.step(96)
            var left = false
            for _ in 0..<200 where !left {
                let (d, _) = try await Self.nextBinary(area)
                left = d?.removed.contains(cart ?? 0) == true || (d?.keyframe == true && d?.records[cart ?? 0] == nil)
            }
            #expect(left)
        }
    }

    @Test func aViewerChangesItsSubscriptionWhileConnected() async throws {
        try await withServer { s in
            let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?kinds=vehicle&token=\(ServerFixture.reader)")
            defer { ws.close() }
            let (first, _) = try await Self.nextBinary(ws)
            #expect(first?.records.count == 1)
            try await ws.send(text: #"{"type": "subscribe", "kinds": ["machine", "static"]}"#)
            // The reply, then a keyframe of the new subset (the viewer drops what it is not sent).
            var key: DecodedDelta?
            var texts: [JSONValue] = []
            for _ in 0..<20 where key?.keyframe != true {
                let (d, t) = try await Self.nextBinary(ws)
                key = d; texts += t
            }
            let reply = texts.first { $0["type"]?.stringValue == "subscribed" }
            #expect(reply?["subscription"]?["kinds"]?.elements?.compactMap(\.stringValue) == ["machine", "static"])
            #expect(key?.keyframe == true)
            #expect(key?.records.count == 2)
            // Bad requests are answered and change nothing.
            try await ws.send(text: #"{"type": "subscribe", "area": [1, 2]}"#)
            try await ws.send(text: "nonsense")
            try await ws.send(text: #"{"type": "unsubscribe"}"#)
            var errors: [String] = []
            while errors.count < 3, let m = try await ws.receive() {
                if case .text(let t) = m, let v = try? JSONParser.parse(t), v["type"]?.stringValue == "error" {
                    errors.append(v["message"]?.stringValue ?? "")
                }
            }
            #expect(errors.count == 3)
            #expect(errors.first?.contains("area") == true)
            #expect(errors.last?.contains("subscribe") == true)
            _ = try await s.step(1)
            let (delta, _) = try await Self.nextBinary(ws)
            #expect(delta?.keyframe == false)
            #expect(delta?.records.count == 1, "only the robot moves among machines and statics")
            // null clears a filter: everything again.
            try await ws.send(text: #"{"type": "subscribe", "kinds": null}"#)
            var all: DecodedDelta?
            var replies: [JSONValue] = []
            for _ in 0..<20 where all?.keyframe != true {
                let (d, t) = try await Self.nextBinary(ws)
                all = d; replies += t
            }
            #expect(replies.first?["type"]?.stringValue == "subscribed")
            #expect(all?.records.count == 3)
        }
    }

    @Test func serverSentEventsCarryJSON() async throws {
        try await withServer { s in
            let socket = try Socket(port: s.port, timeout: 10)
            defer { socket.close() }
            try socket.send(Array("GET /api/worlds/movers/events?token=\(ServerFixture.reader) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let first = String(decoding: try socket.readUntil(Array("\"keyframe\":true".utf8)), as: UTF8.self)
            #expect(first.contains("text/event-stream"))
            #expect(first.contains("data: {\"type\":\"hello\""))
            _ = try await s.step(1)
            // The step's event may share a read with the keyframe: look in what came so far first.
            var next = first.components(separatedBy: "\"keyframe\":true").dropFirst().joined()
            if !next.contains("\"step\":1,") {
                next += String(decoding: try socket.readUntil(Array("\"step\":1,".utf8)), as: UTF8.self)
            }
            #expect(next.contains("\"step\":1,"))
            #expect(next.contains("\"records\":[["))
        }
    }

    /// A viewer that never reads costs at most `maxPending` deltas: its backlog
    /// collapses into a keyframe instead of growing.
    @Test func slowViewerBacklogIsBounded() {
        let box = ViewerMailbox(id: 1, maxPending: 8)
        for step in 1...1000 {
            box.offer(StreamDelta(step: Int64(step), time: 0, keyframe: false, records: [], removed: [], spawned: [], kpis: [], events: []))
        }
        #expect(box.overflows == 1000 / 9)
        let pending = box.pendingCount
        #expect(pending <= 8)
    }

    @Test func coalescingKeepsTheLatestTransformAndDropsTheDeparted() {
        func rec(_ id: UInt64, _ x: Float) -> StreamDelta.Record {
            .init(entity: id, position: Vec3(x, 0, 0), rotation: .identity, scale: .one, kind: "k")
        }
        let a = StreamDelta(step: 1, time: 0, keyframe: false, records: [rec(1, 1), rec(2, 1)], removed: [], spawned: [], kpis: [], events: [])
        let b = StreamDelta(step: 2, time: 0, keyframe: false, records: [rec(1, 2)], removed: [2, 7], spawned: [], kpis: [], events: [])
        let c = StreamDelta.coalesced([a, b])
        #expect(c?.step == 2)
        #expect(c?.records.map(\.entity) == [1])
        #expect(c?.records.first?.position.x == 2)
        #expect(c?.removed == [2, 7])
        #expect(DecodedDelta(Array(c?.binary(.full).readableBytesView ?? [])  )?.records[1]?[0] == 2)
    }

    @Test func aThousandConnectsAndDisconnectsLeaveNoViewers() async throws {
        try await withServer { s in
            _ = try await s.json("POST", "/api/worlds/movers/play", json: #"{"speed": 1}"#)
            for i in 0..<1000 {
                let ws = try await WebSocketClient.connect(port: s.port, path: "/api/worlds/movers/stream?token=\(ServerFixture.reader)")
                #expect(ws.status == 101)
                if i % 2 == 0 { ws.close() } else { ws.drop() }
            }
            var viewers = -1
            for _ in 0..<100 where viewers != 0 {
                try await Task.sleep(nanoseconds: 50_000_000)
                viewers = try s.server.registry.world("movers").streams.viewerCount
            }
            #expect(viewers == 0)
            let status = try await s.json("GET", "/api/worlds/movers")
            #expect(status["lagSeconds"]?.doubleValue ?? 1 < 0.5, "the world kept up: \(status)")
        }
    }
}

@Suite("stream events for external commands")
struct CommandEventTests {
    static func applied(_ n: Int, rejectedEvery k: Int) -> ArraySlice<AppliedCommand> {
        ArraySlice((0..<n).map { i in
            AppliedCommand(step: Int64(10 + i / 10), index: i % 10, command: .despawn(entity: .name("e-\(i)")),
                           rejection: i % k == 0 ? "no live e-\(i)" : nil)
        })
    }

    @Test("live-data commands are counted in one live.summary per delta; a reset starts from the world as it is")
    func liveSummary() throws {
        let sim = try SceneLoader().load(text: """
            {"format": "twin-scene/1", "world": {"dt": 0.1, "seed": 1},
             "entities": [{"name": "cart", "components": {"Position": [0, 0, 0]}}]}
            """, file: "<live-summary>")
        let move = { (x: Double) in WorldCommand.set(entity: .name("cart"), component: "Position", value: .array([.number(x), .number(0), .number(0)])) }
        sim.commandQueue.enqueue(.despawn(entity: .name("nobody")))
        sim.step()
        var tracker = ChangeTracker()
        tracker.reset(to: sim)
        _ = sim.commandQueue.enqueueNumbered(contentsOf: [move(1), move(2), .despawn(entity: .name("ghost"))], journaled: true)
        sim.commandQueue.enqueue(move(3))
        sim.step()
        let events = tracker.delta(of: sim).events
        #expect(events.map { $0["type"]?.stringValue } == ["command.applied", "live.summary"], "\(events)")
        #expect(events.last?["applied"]?.doubleValue == 2 && events.last?["rejected"]?.doubleValue == 1)
        sim.step()
        #expect(tracker.delta(of: sim).events.isEmpty)
    }

    @Test("up to 32 commands: one event each, in order")
    func listed() {
        let events = ChangeTracker.events(Self.applied(32, rejectedEvery: 5))
        #expect(events.count == 32)
        #expect(events.map { $0["type"]?.stringValue } == (0..<32).map { $0 % 5 == 0 ? "command.rejected" : "command.applied" })
        #expect(events[0]["reason"]?.stringValue == "no live e-0")
    }

    @Test("a live feed's thousands: one summary with the counts, then the first 32 rejections")
    func summarised() {
        let events = ChangeTracker.events(Self.applied(1000, rejectedEvery: 10))
        #expect(events.count == 33)
        let summary = events[0]
        #expect(summary["type"]?.stringValue == "commands.summary")
        #expect(summary["applied"]?.doubleValue == 900 && summary["rejected"]?.doubleValue == 100)
        #expect(summary["fromStep"]?.doubleValue == 10 && summary["toStep"]?.doubleValue == 109)
        #expect(summary["rejectionsListed"]?.doubleValue == 32)
        #expect(events.dropFirst().allSatisfy { $0["type"]?.stringValue == "command.rejected" })
        #expect(events[1]["reason"]?.stringValue == "no live e-0" && events[32]["reason"]?.stringValue == "no live e-310")
        #expect(ChangeTracker.events(Self.applied(40, rejectedEvery: 1000)).map { $0["type"]?.stringValue } == ["commands.summary", "command.rejected"])
    }
}
