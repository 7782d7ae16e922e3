import Testing
import TwinRuntime
import TwinTesting
@testable import TwinVehicles

/// The issues of a scene.
func issues(_ text: String) -> [SceneIssue] {
    do { _ = try SceneLoader().load(text: text, file: "t.json"); return [] } catch { return error.issues }
}

/// The issues of a scene with the given `traffic` section (and the traffic system).
func trafficIssues(_ traffic: String, world: String = #"{"dt": 0.125}"#) -> [SceneIssue] {
    do {
        _ = try SceneLoader().load(text: #"{"world": \#(world), "systems": [{"id": "vehicles.traffic"}], "traffic": \#(traffic)}"#, file: "t.json")
        return []
    } catch { return error.issues }
}

let twoNodes = #""nodes": [{"id": "A", "position": [0, 0], "type": "none"}, {"id": "B", "position": [100, 0], "type": "none"}]"#

@Suite("traffic section: bad input is a clear error naming the element")
struct BadInputTests {
    func expectIssue(_ traffic: String, path: String, contains text: String, world: String = #"{"dt": 0.125}"#) {
        let found = trafficIssues(traffic, world: world)
        #expect(found.count == 1, "\(found)")
        guard let i = found.first else { return }
        #expect(i.path.jsonPath == path, "\(i)")
        #expect(i.message.contains(text), "\(i)")
    }

    @Test("unknown node, unknown road in a route, duplicate ids")
    func unknownNames() {
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "X"}]}"#, path: "$.traffic.roads[0].to", contains: "unknown node \"X\"")
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B"}], "routes": [{"id": "r", "roads": ["ab", "bc"]}]}"#,
                    path: "$.traffic.routes[0].roads[1]", contains: "unknown road \"bc\"")
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B"}, {"id": "ab", "from": "B", "to": "A"}]}"#,
                    path: "$.traffic.roads[1].id", contains: "duplicate road id")
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B"}], "routes": [{"id": "r", "roads": ["ab"]}], "flows": [{"route": "q", "rate": 100}]}"#,
                    path: "$.traffic.flows[0].route", contains: "unknown route \"q\"")
    }

    @Test("disconnected network: a route between unconnected roads, and roads that do not meet")
    func disconnected() {
        let nodes = #""nodes": [{"id": "A", "position": [0, 0], "type": "none"}, {"id": "B", "position": [100, 0], "type": "none"}, {"id": "C", "position": [300, 0], "type": "none"}, {"id": "D", "position": [400, 0], "type": "none"}]"#
        let roads = #""roads": [{"id": "ab", "from": "A", "to": "B"}, {"id": "cd", "from": "C", "to": "D"}]"#
        expectIssue(#"{\#(nodes), \#(roads), "routes": [{"id": "r", "from": "ab", "to": "cd"}]}"#, path: "$.traffic.routes[0]", contains: "no path from road \"ab\" to \"cd\"")
        expectIssue(#"{\#(nodes), \#(roads), "routes": [{"id": "r", "roads": ["ab", "cd"]}]}"#, path: "$.traffic.routes[0].roads[1]", contains: "does not connect")
        expectIssue(#"{\#(nodes), \#(roads), "connections": [{"from": "ab", "to": "cd"}]}"#, path: "$.traffic.connections[0]", contains: "ends at node \"B\" but \"cd\" starts at \"C\"")
    }

    @Test("vehicles longer than their lane, negative lengths and speeds")
    func sizes() {
        let net = #"\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B"}], "routes": [{"id": "r", "roads": ["ab"]}]"#
        expectIssue(#"{\#(net), "vehicleTypes": [{"id": "train", "length": 150}], "vehicles": [{"type": "train", "route": "r"}]}"#,
                    path: "$.traffic.vehicleTypes[0].length", contains: "length must be ≤ 100")
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B", "length": 50}], "routes": [{"id": "r", "roads": ["ab"]}], "vehicleTypes": [{"id": "bus", "length": 60}], "flows": [{"type": "bus", "route": "r", "rate": 60}]}"#,
                    path: "$.traffic.flows[0]", contains: "longer than lane \"ab_0\"")
        expectIssue(#"{\#(net), "vehicleTypes": [{"id": "neg", "length": -5}]}"#, path: "$.traffic.vehicleTypes[0].length", contains: "positive")
        expectIssue(#"{\#(net), "vehicleTypes": [{"id": "slow", "maxSpeed": -1}]}"#, path: "$.traffic.vehicleTypes[0].maxSpeed", contains: "positive")
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B", "speedLimit": -3}]}"#, path: "$.traffic.roads[0].speedLimit", contains: "positive")
        expectIssue(#"{\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B", "length": -10}]}"#, path: "$.traffic.roads[0].length", contains: "positive")
        expectIssue(#"{\#(net), "vehicles": [{"route": "r", "speed": -2}]}"#, path: "$.traffic.vehicles[0].speed", contains: "≥ 0")
        expectIssue(#"{\#(net), "flows": [{"route": "r", "rate": -60}]}"#, path: "$.traffic.flows[0].rate", contains: "rate must be")
    }

    @Test("signal programs whose phases do not cover every connection; a green entry that matches nothing")
    func signals() {
        let nodes = #""nodes": [{"id": "W", "position": [-100, 0], "type": "none"}, {"id": "E", "position": [100, 0], "type": "none"}, {"id": "N", "position": [0, -100], "type": "none"}, {"id": "C", "position": [0, 0], "type": "signal", "signal": {"phases": PHASES}}]"#
        let roads = #""roads": [{"id": "WC", "from": "W", "to": "C"}, {"id": "CE", "from": "C", "to": "E"}, {"id": "NC", "from": "N", "to": "C"}]"#
        let uncovered = nodes.replacingOccurrences(of: "PHASES", with: #"[{"duration": 30, "green": ["WC"]}, {"duration": 3, "yellow": ["WC"]}]"#)
        expectIssue(#"{\#(uncovered), \#(roads)}"#, path: "$.traffic.nodes[3].signal.phases", contains: "connection NC_0>CE_0 is never green")
        let typo = nodes.replacingOccurrences(of: "PHASES", with: #"[{"duration": 30, "green": ["WC", "XC"]}]"#)
        expectIssue(#"{\#(typo), \#(roads)}"#, path: "$.traffic.nodes[3].signal.phases[0].green[1]", contains: "\"XC\" matches no connection")
        let noProgram = #""nodes": [{"id": "A", "position": [0, 0], "type": "signal"}]"#
        expectIssue(#"{\#(noProgram)}"#, path: "$.traffic.nodes[0]", contains: "needs a \"signal\" program")
        let zero = nodes.replacingOccurrences(of: "PHASES", with: #"[{"duration": 0, "green": ["WC", "NC"]}]"#)
        expectIssue(#"{\#(zero), \#(roads)}"#, path: "$.traffic.nodes[3].signal.phases[0].duration", contains: "positive")
    }

    @Test("crossings and detectors outside their road; dt outside the supported range; unknown parameters")
    func ranges() {
        let net = #"\#(twoNodes), "roads": [{"id": "ab", "from": "A", "to": "B"}]"#
        expectIssue(#"{\#(net), "crossings": [{"id": "z", "road": "ab", "at": 99}]}"#, path: "$.traffic.crossings[0].at", contains: "must lie inside road")
        expectIssue(#"{\#(net), "detectors": [{"id": "d", "road": "ab", "at": 500}]}"#, path: "$.traffic.detectors[0].at", contains: "within road")
        let found = trafficIssues(#"{\#(net)}"#, world: #"{"dt": 2}"#)
        #expect(found.count == 1 && found[0].message == "system vehicles.traffic cannot start: it supports world.dt in (0, 1.0] s, got 2.0", "\(found)")
        let noSection = issues(#"{"systems": [{"id": "vehicles.traffic"}]}"#)
        #expect(noSection.count == 1 && noSection[0].message.contains("needs a \"traffic\" section") && noSection[0].path.jsonPath == "$.systems[0]", "\(noSection)")
        let unknown = trafficIssues(#"{\#(net), "lanes": 2}"#)
        #expect(unknown.count == 1 && unknown[0].message.contains("lanes"), "\(unknown)")
    }

    @Test("SUMO files: missing file, malformed XML, not a network, unknown edge in routes — errors name the file and line, no crash")
    func sumo() {
        expectIssue(#"{"import": {"sumoNet": "/nonexistent/x.net.xml"}}"#, path: "$.traffic.import", contains: "cannot read")
        let bad: [(String, String)] = [
            ("<net><edge id=\"a\" from=\"A\" to=\"B\"><lane id=\"a_0\" length=\"x\" speed=\"13\" shape=\"0,0 1,0\"/></edge></net>", "length=\"x\" is not a number"),
            ("<net><edge id=\"a\"", "unterminated tag"),
            ("<routes/>", "not a SUMO network"),
            ("<net><edge id=\"a\" from=\"A\" to=\"B\"><lane id=\"a_0\" length=\"10\" speed=\"13\" shape=\"0,0\"/></edge></net>", "at least 2 points"),
            ("<net></edge></net>", "does not match"),
            (String(repeating: "<net>", count: 3), "never closed"),
        ]
        for (xml, text) in bad {
            do {
                _ = try SumoImport.network(xml, file: "x.net.xml", path: [.key("import")])
                Issue.record("accepted \(xml)")
            } catch {
                #expect(error.message.contains(text), "\(error.message)")
                #expect(error.message.hasPrefix("x.net.xml"))
            }
        }
        do {
            _ = try SumoImport.routes("<routes><vehicle id=\"v\" depart=\"-1\"/></routes>", file: "r.rou.xml", path: [])
            Issue.record("accepted a negative depart")
        } catch { #expect(error.message.contains("r.rou.xml:1")) }
    }

    @Test("fuzzed SUMO input never crashes or hangs")
    func fuzz() {
        let seed = "<net><edge id=\"a\" from=\"A\" to=\"B\" priority=\"1\"><lane id=\"a_0\" index=\"0\" speed=\"13.89\" length=\"100\" shape=\"0,0 100,0\"/></edge><junction id=\"A\" type=\"priority\" x=\"0\" y=\"0\"/><junction id=\"B\" type=\"dead_end\" x=\"100\" y=\"0\"/><connection from=\"a\" to=\"a\" fromLane=\"0\" toLane=\"0\"/></net>"
        var rng = RandomStream(seed: 5)
        let bytes = Array(seed.utf8)
        for _ in 0..<400 {
            var b = bytes
            for _ in 0..<4 {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 3 {
                case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b.remove(at: i)
                default: b.insert(b[Int(rng.next() % UInt64(b.count))], at: i)
                }
            }
            let text = String(decoding: b, as: UTF8.self)
            if let raw = try? SumoImport.network(text, file: "f", path: []) { _ = try? Network.build(raw) }
        }
    }
}
