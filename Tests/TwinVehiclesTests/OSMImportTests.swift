import Foundation
import Testing
import TwinCore
import TwinRuntime
import TwinTesting
@testable import TwinVehicles

@Suite("OpenStreetMap import")
struct OSMImportTests {
    func readFile(_ path: String) throws(TrafficError) -> String {
        guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { throw TrafficError([], "cannot read \(path)") }
        return t
    }

    @Test("a small town: drivable ways split at shared nodes, one-way, lanes, maxspeed (km/h and mph), footways ignored; traffic flows on it")
    func town() throws {
        var spec = TrafficSpec()
        spec.import = .init(osm: packageRoot() + "/Tests/TwinVehiclesTests/Fixtures/town.osm")
        spec.routes = [.init(id: "a", from: "w103_0_r", to: "w102_0"), .init(id: "b", from: "w101_0", to: "w101_1")]
        spec.flows = [.init(route: "a", rate: 300), .init(route: "b", rate: 300)]
        let setup = try spec.setup(readFile: readFile)
        let net = setup.network
        #expect(Set(net.roads.map(\.id)) == ["w100_0", "w100_0_r", "w100_1", "w100_1_r", "w101_0", "w101_0_r", "w101_1", "w101_1_r", "w102_0", "w103_0", "w103_0_r"])
        let main = net.roads[net.road(named: "w100_0")!]
        #expect(main.lanes.count == 1)
        #expect(abs(main.speedLimit - 50 / 3.6) < 1e-3)
        #expect(abs(net.roads[net.road(named: "w102_0")!].speedLimit - 20 * 0.44704) < 1e-3)
        // 0.002° of longitude at 48° N ≈ 149 m, minus the junction radii.
        #expect(main.length > 135 && main.length < 149)
        #expect(net.nodes[net.node(named: "n2")!].kind == .priority)
        #expect(net.nodes[net.node(named: "n4")!].kind == NodeKind.none)
        #expect(setup.routes[0].roads.map { net.roads[$0].id } == ["w103_0_r", "w100_0", "w100_1", "w102_0"])
        let m = TrafficModel(setup, random: RandomStream(seed: 2))
        for k in 0..<(600 * 4) { m.step(dt: 0.25, time: Double(k) * 0.25) }
        #expect(m.stats.routeArrivals[0] > 30 && m.stats.routeArrivals[1] > 30, "\(m.stats.routeArrivals)")
        #expect(m.stats.removedStuck == 0)
    }

    @Test("bad OSM: missing node, not OSM, malformed, no drivable ways — errors name file and line")
    func bad() {
        let cases: [(String, String)] = [
            ("<osm><node id=\"1\" lat=\"48\" lon=\"11\"/><way id=\"7\"><nd ref=\"1\"/><nd ref=\"2\"/><tag k=\"highway\" v=\"residential\"/></way></osm>", "way 7 refers to node 2"),
            ("<net/>", "not OpenStreetMap XML"),
            ("<osm><node id=\"1\" lat=\"x\" lon=\"11\"/></osm>", "numeric lat"),
            ("<osm><way id=\"1\"><tag k=\"highway\" v=\"footway\"/></way></osm>", "no drivable ways"),
            ("<osm><node id=\"1\" lat=\"48\" lon=\"11\"", "unterminated"),
        ]
        for (xml, text) in cases {
            do {
                _ = try OSMImport.spec(xml, file: "t.osm", path: [])
                Issue.record("accepted \(xml)")
            } catch {
                #expect(error.message.contains(text) && error.message.hasPrefix("t.osm"), "\(error.message)")
            }
        }
        let found = trafficIssues(#"{"import": {"osm": "/nonexistent/t.osm"}}"#)
        #expect(found.count == 1 && found[0].path.jsonPath == "$.traffic.import", "\(found)")
    }
}
