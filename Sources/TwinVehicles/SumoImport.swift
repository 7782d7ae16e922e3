import TwinCore

/// A minimal XML reader for SUMO's files: elements with attributes, comments,
/// declarations; text content is ignored. Errors name the line.
struct XMLElement {
    var name: String
    var attributes: [(String, String)]
    var line: Int
    /// Depth (0 = root).
    var depth: Int
    subscript(_ key: String) -> String? { attributes.first { $0.0 == key }?.1 }
}

struct XMLError: Error { var line: Int; var message: String }

enum MiniXML {
    /// Start tags (and self-closing tags) in document order.
    static func elements(_ text: String) throws(XMLError) -> [XMLElement] {
        let b = Array(text.utf8)
        var i = 0, line = 1, depth = 0
        var out: [XMLElement] = []
        var stack: [String] = []
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        func isName(_ c: UInt8) -> Bool { !(isSpace(c) || c == 61 || c == 62 || c == 47 || c == 60 || c == 34 || c == 39) }
        while i < b.count {
            if b[i] == 10 { line += 1 }
            guard b[i] == 60 else { i += 1; continue }   // '<'
            let startLine = line
            if i + 3 < b.count, b[i + 1] == 33, b[i + 2] == 45, b[i + 3] == 45 {   // <!--
                var j = i + 4
                while j + 2 < b.count, !(b[j] == 45 && b[j + 1] == 45 && b[j + 2] == 62) { if b[j] == 10 { line += 1 }; j += 1 }
                guard j + 2 < b.count else { throw XMLError(line: startLine, message: "unterminated comment") }
                i = j + 3; continue
            }
            if i + 1 < b.count, b[i + 1] == 63 || b[i + 1] == 33 {   // <? or <!
                var j = i + 2
                while j < b.count, b[j] != 62 { if b[j] == 10 { line += 1 }; j += 1 }
                guard j < b.count else { throw XMLError(line: startLine, message: "unterminated declaration") }
                i = j + 1; continue
            }
            if i + 1 < b.count, b[i + 1] == 47 {   // </name>
                var j = i + 2
                while j < b.count, isName(b[j]) { j += 1 }
                let name = String(decoding: b[(i + 2)..<j], as: UTF8.self)
                while j < b.count, b[j] != 62 { if b[j] == 10 { line += 1 }; j += 1 }
                guard j < b.count else { throw XMLError(line: startLine, message: "unterminated end tag </\(name)") }
                guard let open = stack.popLast() else { throw XMLError(line: startLine, message: "end tag </\(name)> without a start tag") }
                guard open == name else { throw XMLError(line: startLine, message: "end tag </\(name)> does not match <\(open)>") }
                depth -= 1
                i = j + 1; continue
            }
            var j = i + 1
            while j < b.count, isName(b[j]) { j += 1 }
            guard j > i + 1 else { throw XMLError(line: startLine, message: "malformed tag") }
            let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
            var attrs: [(String, String)] = []
            var selfClosing = false
            while true {
                while j < b.count, isSpace(b[j]) { if b[j] == 10 { line += 1 }; j += 1 }
                guard j < b.count else { throw XMLError(line: startLine, message: "unterminated tag <\(name)") }
                if b[j] == 62 { j += 1; break }
                if b[j] == 47 {
                    guard j + 1 < b.count, b[j + 1] == 62 else { throw XMLError(line: line, message: "malformed tag <\(name)") }
                    selfClosing = true; j += 2; break
                }
                let k0 = j
                while j < b.count, isName(b[j]) { j += 1 }
                guard j > k0 else { throw XMLError(line: line, message: "malformed attribute in <\(name)>") }
                let key = String(decoding: b[k0..<j], as: UTF8.self)
                while j < b.count, isSpace(b[j]) { j += 1 }
                guard j < b.count, b[j] == 61 else { throw XMLError(line: line, message: "attribute \(key) of <\(name)> has no value") }
                j += 1
                while j < b.count, isSpace(b[j]) { j += 1 }
                guard j < b.count, b[j] == 34 || b[j] == 39 else { throw XMLError(line: line, message: "attribute \(key) of <\(name)> is not quoted") }
                let q = b[j]; j += 1
                let v0 = j
                while j < b.count, b[j] != q { if b[j] == 10 { line += 1 }; j += 1 }
                guard j < b.count else { throw XMLError(line: line, message: "unterminated value of \(key) in <\(name)>") }
                attrs.append((key, unescape(String(decoding: b[v0..<j], as: UTF8.self))))
                j += 1
            }
            out.append(XMLElement(name: name, attributes: attrs, line: startLine, depth: depth))
            if !selfClosing { stack.append(name); depth += 1 }
            i = j
        }
        if let open = stack.last { throw XMLError(line: line, message: "<\(open)> is never closed") }
        return out
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingAll("&lt;", "<").replacingAll("&gt;", ">").replacingAll("&quot;", "\"").replacingAll("&apos;", "'").replacingAll("&amp;", "&")
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        guard contains(a) else { return self }
        return split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}

/// Reads SUMO networks (`.net.xml`, as written by netconvert/netgenerate) and
/// route files (`<vehicle>` with `<route edges>`, `<route id>` references).
///
/// Mapping: normal edges → roads (lane shapes and lengths kept); internal lanes
/// (`:J_k_i`, followed through `via` chains) → internal lanes of the connection;
/// `traffic_light` junctions with a static `tlLogic` → signal nodes whose link
/// indices are SUMO's `linkIndex`; other junction types → priority nodes
/// (`dead_end` and junctions without connections → none). Coordinates: SUMO x → X,
/// SUMO y → −Z.
enum SumoImport {
    static func network(_ text: String, file: String, path: [JSONPathComponent]) throws(TrafficError) -> RawNetwork {
        let els: [XMLElement]
        do { els = try MiniXML.elements(text) } catch { throw TrafficError(path, "\(file):\(error.line): \(error.message)") }
        func fail(_ e: XMLElement, _ m: String) -> TrafficError { TrafficError(path, "\(file):\(e.line): <\(e.name)>: \(m)") }
        func num(_ e: XMLElement, _ k: String, _ def: Float? = nil) throws(TrafficError) -> Float {
            guard let s = e[k] else {
                if let def { return def }
                throw fail(e, "missing attribute \(k)")
            }
            guard let v = Float(s), v.isFinite else { throw fail(e, "\(k)=\"\(s)\" is not a number") }
            return v
        }
        func shape(_ e: XMLElement) throws(TrafficError) -> [Vec2] {
            guard let s = e["shape"] else { throw fail(e, "missing attribute shape") }
            var pts: [Vec2] = []
            for p in s.split(separator: " ") {
                let xy = p.split(separator: ",")
                guard xy.count >= 2, let x = Float(xy[0]), let y = Float(xy[1]) else { throw fail(e, "bad shape point \"\(p)\"") }
                pts.append(Vec2(x, -y))
            }
            guard pts.count >= 2 else { throw fail(e, "a lane shape needs at least 2 points") }
            return pts
        }
        guard let root = els.first, root.name == "net" else {
            throw TrafficError(path, "\(file): not a SUMO network (the root element is not <net>)")
        }
        _ = root
        var raw = RawNetwork()
        raw.shapesFinal = true
        struct Internal { var shape: [Vec2]; var length: Float }
        var internalLanes: [String: Internal] = [:]
        var programs: [String: SignalProgram] = [:]
        var currentEdge: (id: String, from: String, to: String, priority: Int, isInternal: Bool)?
        var currentTL: String?
        var edgeLanes: [String: [RawNetwork.RawLane]] = [:]
        var edgeOrder: [(String, String, String, Int)] = []
        var junctions: [(XMLElement)] = []
        var conns: [XMLElement] = []
        for e in els {
            switch e.name {
            case "edge":
                guard let id = e["id"] else { throw fail(e, "missing attribute id") }
                let isInternal = e["function"] == "internal"
                if isInternal { currentEdge = (id, "", "", 0, true); continue }
                if let f = e["function"], f != "normal" { currentEdge = nil; continue }   // walkingarea, crossing
                guard let from = e["from"], let to = e["to"] else { throw fail(e, "edge \(id) needs from and to") }
                let prio = Int(e["priority"] ?? "0") ?? 0
                currentEdge = (id, from, to, prio, false)
                edgeOrder.append((id, from, to, prio))
            case "lane":
                guard let edge = currentEdge else { continue }
                guard let id = e["id"] else { throw fail(e, "missing attribute id") }
                let len = try num(e, "length")
                guard len > 0 else { throw fail(e, "lane \(id) has length \(len)") }
                let pts = try shape(e)
                if edge.isInternal {
                    internalLanes[id] = Internal(shape: pts, length: len)
                } else {
                    let speed = try num(e, "speed")
                    let width = try num(e, "width", 3.2)
                    var allow: [String]?
                    if let a = e["allow"] { allow = a.split(separator: " ").map(String.init) }
                    if let d = e["disallow"] {
                        let dis = Set(d.split(separator: " ").map(String.init))
                        if dis.contains("passenger") { allow = ["pedestrian"] } else if dis.contains("all") { allow = [] }
                    }
                    if let a = allow { allow = a.map { $0 == "passenger" ? "car" : $0 } }
                    edgeLanes[edge.id, default: []].append(.init(id: id, shape: pts, length: len, width: width, speed: speed, allow: allow, path: path))
                }
            case "tlLogic":
                guard let id = e["id"] else { throw fail(e, "missing attribute id") }
                currentTL = id
                programs[id] = SignalProgram(offset: Double(try num(e, "offset", 0)), phases: [])
            case "phase":
                guard let tl = currentTL, let state = e["state"] else { continue }
                let d = Double(try num(e, "duration"))
                guard d > 0 else { throw fail(e, "phase duration must be positive") }
                var states: [LinkState] = []
                for ch in state {
                    switch ch {
                    case "G": states.append(.green)
                    case "g": states.append(.greenMinor)
                    case "y", "Y": states.append(.yellow)
                    case "r", "R", "u", "s", "o", "O": states.append(.red)
                    default: throw fail(e, "unknown signal state '\(ch)'")
                    }
                }
                programs[tl]?.phases.append(SignalPhase(duration: d, states: states))
            case "junction":
                if e["type"] != "internal" { junctions.append(e) }
            case "connection":
                conns.append(e)
            default:
                if e.depth <= 1 { currentEdge = nil; if e.name != "phase" { currentTL = nil } }
            }
        }
        for j in junctions {
            guard let id = j["id"] else { throw fail(j, "missing attribute id") }
            let x = try num(j, "x"), y = try num(j, "y")
            let type = j["type"] ?? "priority"
            var kind: NodeKind = .priority
            var program: SignalProgram?
            if type.hasPrefix("traffic_light"), let p = programs[id] { kind = .signal; program = p }
            if type == "dead_end" { kind = .none }
            raw.nodes.append(.init(id: id, position: Vec2(x, -y), kind: kind, radius: 0, program: program, path: path))
        }
        for (id, from, to, prio) in edgeOrder {
            let lanes = edgeLanes[id] ?? []
            raw.roads.append(.init(id: id, from: from, to: to, priority: prio, lanes: lanes, path: path))
        }
        // Connections between normal edges; via chains through internal lanes.
        var internalNext: [String: String] = [:]   // internal lane → next internal lane (via chain)
        for c in conns {
            guard let from = c["from"], from.hasPrefix(":"), let via = c["via"], let fl = c["fromLane"] else { continue }
            internalNext["\(from)_\(fl)"] = via
        }
        for c in conns {
            guard let from = c["from"], let to = c["to"], !from.hasPrefix(":") else { continue }
            guard let fl = Int(c["fromLane"] ?? ""), let tl = Int(c["toLane"] ?? "") else { throw fail(c, "fromLane/toLane missing or not integers") }
            var shape: [Vec2] = []
            var length: Float = 0
            var viaId: String?
            var v = c["via"]
            var guardCount = 0
            while let lane = v, let inner = internalLanes[lane], guardCount < 8 {
                if viaId == nil { viaId = lane }
                shape += shape.isEmpty ? inner.shape : Array(inner.shape.dropFirst())
                length += inner.length
                v = internalNext[lane]
                guardCount += 1
            }
            let link = c["linkIndex"].flatMap { Int($0) } ?? -1
            raw.connections.append(.init(
                fromRoad: from, fromLane: fl, toRoad: to, toLane: tl, via: shape, viaLength: shape.isEmpty ? nil : length,
                viaId: viaId, link: c["tl"] != nil ? link : -1, path: path))
        }
        return raw
    }

    struct RouteFileVehicle { var id: String; var depart: Double; var edges: [String]; var type: String?; var line: Int; var departLane: Int?; var departSpeed: Float? }

    /// `<vehicle id depart><route edges/></vehicle>` and `<vehicle route="id">` with top-level `<route id edges>`.
    static func routes(_ text: String, file: String, path: [JSONPathComponent]) throws(TrafficError) -> [RouteFileVehicle] {
        let els: [XMLElement]
        do { els = try MiniXML.elements(text) } catch { throw TrafficError(path, "\(file):\(error.line): \(error.message)") }
        var named: [String: [String]] = [:]
        var out: [RouteFileVehicle] = []
        var inVehicle = false
        for e in els {
            switch e.name {
            case "vehicle":
                guard let id = e["id"], let d = e["depart"], let depart = Double(d), depart.isFinite, depart >= 0 else {
                    throw TrafficError(path, "\(file):\(e.line): <vehicle> needs an id and a numeric depart time ≥ 0")
                }
                var edges: [String] = []
                if let r = e["route"] {
                    guard let n = named[r] else { throw TrafficError(path, "\(file):\(e.line): vehicle \(id) uses unknown route \"\(r)\"") }
                    edges = n
                }
                let lane = e["departLane"].flatMap { Int($0) }
                let speed = e["departSpeed"].flatMap { Float($0) }
                out.append(RouteFileVehicle(id: id, depart: depart, edges: edges, type: e["type"], line: e.line, departLane: lane, departSpeed: speed))
                inVehicle = true
            case "route":
                let edges = (e["edges"] ?? "").split(separator: " ").map(String.init)
                if e.depth >= 2 || (inVehicle && e["id"] == nil), !out.isEmpty {
                    out[out.count - 1].edges = edges
                } else if let id = e["id"] {
                    named[id] = edges
                }
            default:
                if e.depth <= 1 { inVehicle = false }
            }
        }
        return out
    }
}
