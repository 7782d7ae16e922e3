import TwinCore

extension TrafficSpec {
    public static func noFiles(_ name: String) throws(TrafficError) -> String { throw TrafficError([.key("import")], "cannot read \(name): no file access here") }

    /// Validates the section and builds the network, types, routes, flows and placed vehicles.
    /// `readFile` loads an imported file (path as written in the scene) or throws a message.
    public func setup(readFile: (String) throws(TrafficError) -> String = TrafficSpec.noFiles) throws(TrafficError) -> TrafficSetup {
        if let f = self.import?.osm {
            // OSM ways become inline nodes and roads, then everything else applies as written.
            let text = try readFile(f)
            let osm = try OSMImport.spec(text, file: f, path: [.key("import"), .key("osm")])
            var merged = self
            merged.import?.osm = nil
            merged.nodes = (nodes ?? []) + osm.nodes
            merged.roads = (roads ?? []) + osm.roads
            return try merged.setup(readFile: readFile)
        }
        var raw = try rawNetwork()
        var importedVehicles: [SumoImport.RouteFileVehicle] = []
        if let imp = self.import {
            if let f = imp.sumoNet {
                let text = try readFile(f)
                let net = try SumoImport.network(text, file: f, path: [.key("import"), .key("sumoNet")])
                raw.nodes += net.nodes; raw.roads += net.roads; raw.connections += net.connections
            }
            if let f = imp.sumoRoutes {
                let text = try readFile(f)
                importedVehicles = try SumoImport.routes(text, file: f, path: [.key("import"), .key("sumoRoutes")])
            }
        }
        let net = try Network.build(raw)
        try assignSignals(net, raw)
        try buildCrossings(net)
        try buildDetectors(net)

        // Vehicle types.
        var types = VehicleType.presets
        var declared = Set<String>()
        for (i, t) in (vehicleTypes ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("vehicleTypes"), .index(i)]
            if let (member, message) = t.problem() { throw TrafficError(path + [.key(member)], "vehicle type \"\(t.id)\": \(message)") }
            guard declared.insert(t.id).inserted else { throw TrafficError(path + [.key("id")], "duplicate vehicle type \"\(t.id)\"") }
            if let k = types.firstIndex(where: { $0.id == t.id }) { types[k] = t } else { types.append(t) }
        }
        func typeIndex(_ id: String?, _ path: [JSONPathComponent]) throws(TrafficError) -> Int {
            guard let id else { return 0 }
            guard let k = types.firstIndex(where: { $0.id == id }) else {
                throw TrafficError(path, Suggestions.unknownMessage(kind: "vehicle type", name: id, known: types.map(\.id)))
            }
            return k
        }

        // Routes.
        var routes: [TrafficSetup.Route] = []
        func road(_ id: String, _ path: [JSONPathComponent]) throws(TrafficError) -> Int {
            guard let r = net.road(named: id) else {
                throw TrafficError(path, Suggestions.unknownMessage(kind: "road", name: id, known: net.roads.map(\.id)))
            }
            return r
        }
        for (i, r) in (self.routes ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("routes"), .index(i)]
            if routes.contains(where: { $0.id == r.id }) { throw TrafficError(path + [.key("id")], "duplicate route \"\(r.id)\"") }
            var roads: [Int] = []
            if let list = r.roads {
                guard r.from == nil, r.to == nil, r.via == nil else { throw TrafficError(path, "give either roads or from/to, not both") }
                guard !list.isEmpty else { throw TrafficError(path + [.key("roads")], "route \"\(r.id)\" has no roads") }
                for (k, id) in list.enumerated() { roads.append(try road(id, path + [.key("roads"), .index(k)])) }
                for k in 1..<max(1, roads.count) where !net.roadConnects(roads[k - 1], roads[k]) {
                    throw TrafficError(path + [.key("roads"), .index(k)], "route \"\(r.id)\": road \"\(list[k - 1])\" does not connect to \"\(list[k])\"")
                }
                if r.repeat == true, let l = roads.last, let f = roads.first, !net.roadConnects(l, f) {
                    throw TrafficError(path + [.key("repeat")], "route \"\(r.id)\" repeats but its last road \"\(list.last ?? "")\" does not connect to its first")
                }
            } else {
                guard let f = r.from, let t = r.to else { throw TrafficError(path, "route \"\(r.id)\" needs roads, or from and to") }
                let stops = [try road(f, path + [.key("from")])]
                    + (try (r.via ?? []).enumerated().map { (k, v) throws(TrafficError) in try road(v, path + [.key("via"), .index(k)]) })
                    + [try road(t, path + [.key("to")])]
                roads = [stops[0]]
                for k in 1..<stops.count {
                    guard let p = net.shortestPath(from: stops[k - 1], to: stops[k]) else {
                        throw TrafficError(path, "route \"\(r.id)\": no path from road \"\(net.roads[stops[k - 1]].id)\" to \"\(net.roads[stops[k]].id)\" (the network is disconnected there)")
                    }
                    roads += p.dropFirst()
                }
            }
            var stops: [TrafficSetup.Stop] = []
            var from = 0
            for (k, st) in (r.stops ?? []).enumerated() {
                let sp = path + [.key("stops"), .index(k)]
                let rd = try road(st.road, sp + [.key("road")])
                guard let ri = roads[from...].firstIndex(of: rd) else {
                    throw TrafficError(sp + [.key("road")], "route \"\(r.id)\" does not pass road \"\(st.road)\" (after its previous stop)")
                }
                let len = net.roads[rd].length
                let at = st.at ?? max(0.5, len - 1)
                guard at > 0, at <= len else { throw TrafficError(sp + [.key("at")], "at must be within road \"\(st.road)\" (0…\(len) m), got \(at)") }
                guard st.duration.isFinite, st.duration >= 0 else { throw TrafficError(sp + [.key("duration")], "duration must be ≥ 0, got \(st.duration)") }
                if let prev = stops.last, prev.routeIndex == ri, prev.at >= at {
                    throw TrafficError(sp + [.key("at")], "stops on one road must be in driving order")
                }
                var transfer: TrafficSetup.Transfer?
                if st.pickUp != nil, st.dropOff != nil {
                    throw TrafficError(sp + [.key("dropOff")], "a stop either picks up or drops off; split it into two stops")
                }
                if let name = st.pickUp ?? st.dropOff {
                    let pick = st.pickUp != nil
                    let allowed: [TrafficSetup.WaitUntil] = pick ? [.any, .full, .none] : [.empty, .none]
                    var rule = pick ? TrafficSetup.WaitUntil.any : .empty
                    if let w = st.waitUntil {
                        guard let x = TrafficSetup.WaitUntil(rawValue: w), allowed.contains(x) else {
                            throw TrafficError(sp + [.key("waitUntil")], Suggestions.unknownMessage(kind: pick ? "pick-up waitUntil" : "drop-off waitUntil", name: w, known: allowed.map(\.rawValue)))
                        }
                        rule = x
                    }
                    guard !name.isEmpty else { throw TrafficError(sp + [.key(pick ? "pickUp" : "dropOff")], "the transfer point's name must not be empty") }
                    transfer = .init(point: name, pickUp: pick, waitUntil: rule, path: sp + [.key(pick ? "pickUp" : "dropOff")])
                } else if st.waitUntil != nil {
                    throw TrafficError(sp + [.key("waitUntil")], "waitUntil applies to stops with pickUp or dropOff")
                }
                stops.append(.init(id: st.id ?? "\(st.road)@\(at)", routeIndex: ri, at: at, duration: Float(st.duration), transfer: transfer))
                from = ri
            }
            routes.append(.init(id: r.id, roads: roads, repeats: r.repeat ?? false, stops: stops))
        }
        func routeIndex(_ id: String, _ path: [JSONPathComponent]) throws(TrafficError) -> Int {
            guard let k = routes.firstIndex(where: { $0.id == id }) else {
                throw TrafficError(path, Suggestions.unknownMessage(kind: "route", name: id, known: routes.map(\.id)))
            }
            return k
        }
        func checkFits(_ type: Int, _ route: Int, _ path: [JSONPathComponent]) throws(TrafficError) {
            let t = types[type]
            for r in routes[route].roads {
                for l in net.roads[r].lanes where net.lanes[l].length < t.length {
                    throw TrafficError(path, "vehicle type \"\(t.id)\" (\(t.length) m) is longer than lane \"\(net.lanes[l].id)\" (\(net.lanes[l].length) m) on route \"\(routes[route].id)\"")
                }
                if !net.roads[r].lanes.contains(where: { net.lanes[$0].allowMask & net.classBit(t.class) != 0 }) {
                    throw TrafficError(path, "vehicle class \"\(t.class)\" is not allowed on road \"\(net.roads[r].id)\" of route \"\(routes[route].id)\"")
                }
            }
        }

        // Flows.
        var flows: [TrafficSetup.Flow] = []
        for (i, f) in (self.flows ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("flows"), .index(i)]
            let r = try routeIndex(f.route, path + [.key("route")])
            let t = try typeIndex(f.type, path + [.key("type")])
            try checkFits(t, r, path)
            guard f.rate.isFinite, f.rate >= 0, f.rate <= 36000 else { throw TrafficError(path + [.key("rate")], "rate must be 0…36000 veh/h, got \(f.rate)") }
            if let s = f.departSpeed, !(s.isFinite && s >= 0) { throw TrafficError(path + [.key("departSpeed")], "departSpeed must be ≥ 0, got \(s)") }
            if let l = f.departLane, !(l >= 0 && l < net.roads[routes[r].roads[0]].lanes.count) {
                throw TrafficError(path + [.key("departLane")], "road \"\(net.roads[routes[r].roads[0]].id)\" has no lane \(l)")
            }
            if let l = f.limit, l < 0 { throw TrafficError(path + [.key("limit")], "limit must be ≥ 0") }
            let delay = f.maxDepartDelay ?? 60
            guard delay.isFinite || delay == .infinity, delay >= 0 else { throw TrafficError(path + [.key("maxDepartDelay")], "maxDepartDelay must be ≥ 0") }
            flows.append(.init(
                id: f.id ?? "flow\(i)", route: r, type: t, rate: f.rate, poisson: f.arrivals == .poisson, start: f.start ?? 0,
                stop: f.stop, limit: f.limit, departSpeed: f.departSpeed, departLane: f.departLane, maxDepartDelay: delay))
        }

        // Placed vehicles.
        var placed: [TrafficSetup.Placed] = []
        for (i, v) in (self.vehicles ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("vehicles"), .index(i)]
            let r = try routeIndex(v.route, path + [.key("route")])
            let t = try typeIndex(v.type, path + [.key("type")])
            try checkFits(t, r, path)
            let first = net.roads[routes[r].roads[0]]
            let laneIdx = v.lane ?? 0
            guard laneIdx >= 0, laneIdx < first.lanes.count else { throw TrafficError(path + [.key("lane")], "road \"\(first.id)\" has no lane \(laneIdx)") }
            let speed = v.speed ?? 0
            guard speed.isFinite, speed >= 0 else { throw TrafficError(path + [.key("speed")], "speed must be ≥ 0, got \(speed)") }
            let positions = v.positions ?? [v.position ?? types[t].length]
            for (k, p) in positions.enumerated() {
                guard p.isFinite, p >= 0 else { throw TrafficError(path + [.key(v.positions == nil ? "position" : "positions")] + (v.positions == nil ? [] : [.index(k)]), "position must be ≥ 0, got \(p)") }
                placed.append(.init(type: t, route: r, lane: first.lanes[laneIdx], position: p, speed: speed, depart: 0))
            }
        }
        let declaredRoutes = routes.count
        // Imported demand: one placed vehicle per <vehicle>, departing at its time.
        for v in importedVehicles {
            let path: [JSONPathComponent] = [.key("import"), .key("sumoRoutes")]
            var roads: [Int] = []
            for e in v.edges {
                guard let r = net.road(named: e) else { throw TrafficError(path, "vehicle \(v.id) (line \(v.line)): unknown edge \"\(e)\"") }
                roads.append(r)
            }
            guard !roads.isEmpty else { throw TrafficError(path, "vehicle \(v.id) (line \(v.line)) has no route edges") }
            for k in 1..<roads.count where !net.roadConnects(roads[k - 1], roads[k]) {
                throw TrafficError(path, "vehicle \(v.id) (line \(v.line)): edge \"\(v.edges[k - 1])\" does not connect to \"\(v.edges[k])\"")
            }
            routes.append(.init(id: v.id, roads: roads, repeats: false))
            let t = try typeIndex(types.contains { $0.id == v.type } ? v.type : nil, path)
            placed.append(.init(type: t, route: routes.count - 1, lane: -1, position: -1, speed: v.departSpeed ?? 0, depart: v.depart))
        }
        return TrafficSetup(network: net, types: types, routes: routes, flows: flows, vehicles: placed, declaredRoutes: declaredRoutes)
    }

    /// Signal link indices and phase states for inline signal nodes; coverage check for all.
    func assignSignals(_ net: Network, _ raw: RawNetwork) throws(TrafficError) {
        let specs = nodes ?? []
        for n in net.nodes.indices where net.nodes[n].kind == .signal {
            let id = net.nodes[n].id
            let conns = net.nodes[n].connections
            if let k = specs.firstIndex(where: { $0.id == id }), let s = specs[k].signal {
                let path: [JSONPathComponent] = [.key("nodes"), .index(k), .key("signal")]
                for (li, c) in conns.enumerated() { net.connections[c].link = li }
                guard !s.phases.isEmpty else { throw TrafficError(path + [.key("phases")], "signal \"\(id)\" has no phases") }
                var phases: [SignalPhase] = []
                for (pi, p) in s.phases.enumerated() {
                    let pp = path + [.key("phases"), .index(pi)]
                    guard p.duration.isFinite, p.duration > 0 else { throw TrafficError(pp + [.key("duration")], "duration must be positive, got \(p.duration)") }
                    var states = Array(repeating: LinkState.red, count: conns.count)
                    for (key, state) in [("green", LinkState.green), ("yellow", LinkState.yellow)] {
                        for (gi, g) in ((key == "green" ? p.green : p.yellow) ?? []).enumerated() {
                            let parts = g.split(separator: ">").map(String.init)
                            var hit = false
                            for (li, c) in conns.enumerated() {
                                let fromRoad = net.roads[net.lanes[net.connections[c].fromLane].road].id
                                let toRoad = net.roads[net.lanes[net.connections[c].toLane].road].id
                                if parts[0] == fromRoad, parts.count == 1 || parts[1] == toRoad { states[li] = state; hit = true }
                            }
                            guard hit else {
                                throw TrafficError(pp + [.key(key), .index(gi)], "\"\(g)\" matches no connection through node \"\(id)\" (write \"from\" or \"from>to\" road ids)")
                            }
                        }
                    }
                    phases.append(SignalPhase(duration: p.duration, states: states))
                }
                net.nodes[n].program = SignalProgram(offset: s.offset ?? 0, phases: phases)
                // Permissive green: a green connection with a green, higher-ranked foe in the same phase yields.
                for pi in phases.indices {
                    for (li, c) in conns.enumerated() where phases[pi].states[li] == .green {
                        for f in net.connections[c].foes {
                            let lf = net.connections[f].link
                            if lf >= 0, phases[pi].states[lf] == .green, net.connections[f].rank > net.connections[c].rank {
                                net.nodes[n].program?.phases[pi].states[li] = .greenMinor
                            }
                        }
                    }
                }
                for (li, c) in conns.enumerated() where !phases.contains(where: { $0.states[li] == .green }) {
                    throw TrafficError(path + [.key("phases")], "signal \"\(id)\": connection \(net.connections[c].label) is never green in any phase")
                }
            } else if let program = net.nodes[n].program {
                // Imported: links from the file.
                for c in conns {
                    let l = net.connections[c].link
                    guard l >= 0, program.phases.allSatisfy({ l < $0.states.count }) else {
                        throw TrafficError([.key("import"), .key("sumoNet")], "signal \"\(id)\": connection \(net.connections[c].label) has link index \(l) outside the program's states")
                    }
                }
            }
        }
    }

    func buildCrossings(_ net: Network) throws(TrafficError) {
        for (i, c) in (crossings ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("crossings"), .index(i)]
            guard let r = net.road(named: c.road) else {
                throw TrafficError(path + [.key("road")], Suggestions.unknownMessage(kind: "road", name: c.road, known: net.roads.map(\.id)))
            }
            let w = c.width ?? 4
            guard w.isFinite, w > 0 else { throw TrafficError(path + [.key("width")], "width must be positive, got \(w)") }
            let len = net.roads[r].length
            guard c.at - w / 2 > 0, c.at + w / 2 < len else {
                throw TrafficError(path + [.key("at")], "crossing \"\(c.id)\" (\(c.at) ± \(w / 2) m) must lie inside road \"\(c.road)\" (0…\(len) m)")
            }
            var center = Vec2.zero, axis = Vec2.zero, width: Float = 0
            for l in net.roads[r].lanes {
                let lane = net.lanes[l]
                let p = lane.shape.sample(lane.drawn(c.at))
                center = center + p.point; axis = axis + p.direction; width += lane.width
            }
            let n = Float(net.roads[r].lanes.count)
            center = center / n
            axis = axis / max(axis.length, 1e-6)
            let ci = net.crossings.count
            net.crossings.append(Crossing(id: c.id, road: r, at: c.at, width: w, center: center, axis: axis, halfAlong: w / 2, halfAcross: width / 2 + 1.5))
            for l in net.roads[r].lanes { net.lanes[l].crossings.append(ci) }
        }
        for l in net.lanes.indices { net.lanes[l].crossings.sort { net.crossings[$0].at < net.crossings[$1].at } }
    }

    func buildDetectors(_ net: Network) throws(TrafficError) {
        for (i, d) in (detectors ?? []).enumerated() {
            let path: [JSONPathComponent] = [.key("detectors"), .index(i)]
            guard let r = net.road(named: d.road) else {
                throw TrafficError(path + [.key("road")], Suggestions.unknownMessage(kind: "road", name: d.road, known: net.roads.map(\.id)))
            }
            var lanes = net.roads[r].lanes
            if let l = d.lane {
                guard l >= 0, l < lanes.count else { throw TrafficError(path + [.key("lane")], "road \"\(d.road)\" has no lane \(l)") }
                lanes = [lanes[l]]
            }
            let at = d.at ?? net.roads[r].length
            guard at >= 0, at <= net.roads[r].length + 1e-3 else {
                throw TrafficError(path + [.key("at")], "at must be within road \"\(d.road)\" (0…\(net.roads[r].length) m), got \(at)")
            }
            let len = d.length ?? 20
            guard len.isFinite, len > 0 else { throw TrafficError(path + [.key("length")], "length must be positive") }
            net.detectors.append(Detector(id: d.id, lanes: lanes, at: min(at, net.roads[r].length), length: len))
        }
    }
}
