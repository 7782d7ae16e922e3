#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TwinCore

/// Reads OpenStreetMap XML (`.osm`: `<node lat lon>`, `<way>` with `<nd ref>` and tags)
/// into inline nodes and roads, so the section's own rules (lane offsets, junction
/// trimming, automatic connections, shortest paths) apply to real street layouts.
///
/// Ways tagged `highway` = motorway, trunk, primary, secondary, tertiary, unclassified,
/// residential, living_street, service and the `_link` variants become roads, split at
/// every node shared with another such way; `oneway=yes/1/true/-1` gives one road,
/// otherwise one per direction. `lanes` (split between directions, at least 1),
/// `maxspeed` (km/h, or `mph`) with defaults per class, and priority by class are read.
/// Coordinates: metres east → X, north → −Z, around the mean of the used nodes
/// (equirectangular; fine for a town). Junctions are priority junctions (a
/// `traffic_signals` node too — its program is not in OSM); ends are `none`. Road ids
/// are `w<way>_<k>` (+ `_r` for the reverse direction), node ids `n<node>`.
enum OSMImport {
    static let classes: [String: (priority: Int, speed: Float)] = [
        "motorway": (9, 33.33), "trunk": (8, 27.78), "primary": (7, 22.22), "secondary": (6, 16.67), "tertiary": (5, 13.89),
        "unclassified": (4, 13.89), "residential": (3, 13.89), "living_street": (2, 5.56), "service": (1, 8.33),
        "motorway_link": (8, 22.22), "trunk_link": (7, 22.22), "primary_link": (6, 16.67), "secondary_link": (5, 13.89),
        "tertiary_link": (4, 13.89),
    ]

    static func spec(_ text: String, file: String, path: [JSONPathComponent]) throws(TrafficError) -> (nodes: [TrafficSpec.NodeSpec], roads: [TrafficSpec.RoadSpec]) {
        let els: [XMLElement]
        do { els = try MiniXML.elements(text) } catch { throw TrafficError(path, "\(file):\(error.line): \(error.message)") }
        guard let root = els.first, root.name == "osm" else { throw TrafficError(path, "\(file): not OpenStreetMap XML (the root element is not <osm>)") }
        _ = root
        struct Way { var id: String; var refs: [String]; var tags: [String: String]; var line: Int }
        var coords: [String: (Double, Double)] = [:]
        var ways: [Way] = []
        var current: Way?
        for e in els {
            switch e.name {
            case "node":
                if let w = current { ways.append(w); current = nil }
                guard let id = e["id"], let lat = e["lat"].flatMap(Double.init), let lon = e["lon"].flatMap(Double.init),
                      lat.isFinite, lon.isFinite, abs(lat) <= 90, abs(lon) <= 180 else {
                    throw TrafficError(path, "\(file):\(e.line): <node> needs an id and numeric lat (±90) and lon (±180)")
                }
                coords[id] = (lat, lon)
            case "way":
                if let w = current { ways.append(w) }
                guard let id = e["id"] else { throw TrafficError(path, "\(file):\(e.line): <way> without an id") }
                current = Way(id: id, refs: [], tags: [:], line: e.line)
            case "nd":
                if let r = e["ref"] { current?.refs.append(r) }
            case "tag":
                guard let k = e["k"], let v = e["v"] else { continue }
                if current != nil { current?.tags[k] = v }
            case "relation":
                if let w = current { ways.append(w); current = nil }
            default: break
            }
        }
        if let w = current { ways.append(w) }
        let roadsWays = ways.filter { classes[$0.tags["highway"] ?? ""] != nil }
        for w in roadsWays {
            for r in w.refs where coords[r] == nil {
                throw TrafficError(path, "\(file):\(w.line): way \(w.id) refers to node \(r), which the file does not contain")
            }
        }
        guard !roadsWays.isEmpty else { throw TrafficError(path, "\(file): no drivable ways (highway=residential, primary, …)") }
        // Nodes used by several ways (or twice by one) and way ends become junctions.
        var uses: [String: Int] = [:]
        for w in roadsWays { for r in w.refs { uses[r, default: 0] += 1 } }
        var lat0 = 0.0, lon0 = 0.0, n = 0.0
        for (r, _) in uses.sorted(by: { $0.key < $1.key }) { lat0 += coords[r]?.0 ?? 0; lon0 += coords[r]?.1 ?? 0; n += 1 }
        lat0 /= n; lon0 /= n
        let mPerDegLat = 111_320.0, mPerDegLon = 111_320.0 * cos(lat0 * .pi / 180)
        func xz(_ r: String) -> Vec2 {
            let c = coords[r] ?? (lat0, lon0)
            return Vec2(Float((c.1 - lon0) * mPerDegLon), Float(-(c.0 - lat0) * mPerDegLat))
        }
        var junctions = Set<String>()
        var roads: [TrafficSpec.RoadSpec] = []
        for w in roadsWays {
            guard let first = w.refs.first, let last = w.refs.last else { continue }
            junctions.insert(first); junctions.insert(last)
            for r in w.refs where (uses[r] ?? 0) > 1 { junctions.insert(r) }
        }
        for w in roadsWays where w.refs.count >= 2 {
            let cls = classes[w.tags["highway"] ?? ""] ?? (0, 13.89)
            let oneway = w.tags["oneway"].map { ["yes", "1", "true", "-1"].contains($0) } ?? (w.tags["highway"] == "motorway")
            let reversed = w.tags["oneway"] == "-1"
            var speed = cls.speed
            if let m = w.tags["maxspeed"] {
                let parts = m.split(separator: " ")
                if let v = parts.first.flatMap({ Float($0) }), v > 0 { speed = parts.count > 1 && parts[1] == "mph" ? v * 0.44704 : v / 3.6 }
            }
            let total = w.tags["lanes"].flatMap { Int($0) } ?? (oneway ? 1 : 2)
            let lanes = max(1, min(8, oneway ? total : total / 2))
            var segment: [String] = []
            var k = 0
            let refs = reversed ? Array(w.refs.reversed()) : w.refs
            for r in refs {
                segment.append(r)
                if segment.count >= 2, junctions.contains(r) {
                    guard let a = segment.first, a != r || segment.count > 2 else { segment = [r]; continue }
                    let shape = segment.dropFirst().dropLast().map(xz)
                    let id = "w\(w.id)_\(k)"
                    roads.append(.init(id: id, from: "n\(a)", to: "n\(r)", lanes: lanes, speedLimit: speed, priority: cls.priority, shape: shape))
                    if !oneway {
                        roads.append(.init(id: id + "_r", from: "n\(r)", to: "n\(a)", lanes: lanes, speedLimit: speed, priority: cls.priority, shape: shape.reversed()))
                    }
                    k += 1
                    segment = [r]
                }
            }
        }
        // Junction radius: as the section's default, but at most 40 % of the shortest adjacent road.
        var shortest: [String: Float] = [:]
        var widest: [String: Float] = [:]
        for r in roads {
            let pts = [xz(String(r.from.dropFirst()))] + (r.shape ?? []) + [xz(String(r.to.dropFirst()))]
            let len = LaneShape(pts).drawnLength
            for nd in [r.from, r.to] {
                shortest[nd] = min(shortest[nd] ?? .infinity, len)
                widest[nd] = max(widest[nd] ?? 0, Float(r.lanes ?? 1) * TrafficSpec.defaultLaneWidth * 2 / 2 + 1)
            }
        }
        var neighbours: [String: Set<String>] = [:]
        for r in roads { neighbours[r.from, default: []].insert(r.to); neighbours[r.to, default: []].insert(r.from) }
        var nodes: [TrafficSpec.NodeSpec] = []
        for j in junctions.sorted() {
            let id = "n\(j)"
            guard let nb = neighbours[id] else { continue }
            let isEnd = nb.count <= 1
            let r = isEnd ? 0 : min(widest[id] ?? 0, 0.4 * (shortest[id] ?? 0))
            nodes.append(.init(id: id, position: xz(j), type: isEnd ? NodeKind.none : .priority, radius: r))
        }
        // Roads too short to drive (after trimming) are left out.
        let radius = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.radius ?? 0) })
        roads = roads.filter { r in
            let pts = [xz(String(r.from.dropFirst()))] + (r.shape ?? []) + [xz(String(r.to.dropFirst()))]
            return LaneShape(pts).drawnLength - (radius[r.from] ?? 0) - (radius[r.to] ?? 0) > 6
        }
        return (nodes, roads)
    }
}
