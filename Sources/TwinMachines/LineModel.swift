import TwinCore

/// The validated process model of a scene's `machines` section: what the
/// `machines.process` system turns into a running line. Stored as a world resource.
public struct LineModel: Sendable {
    public enum ElementKind: String, Sendable, CaseIterable { case source, buffer, station, conveyor, splitter, merger, assembler, sink }
    public enum Discipline: String, Sendable { case fifo, lifo, priority }
    public enum Transfer: String, Sendable, CaseIterable { case pickUp, dropOff }
    public enum Rule: String, Sendable { case roundRobin, probability, byType, shortestQueue, fifo, priority }

    public struct Failure: Sendable {
        public var upTime: Distribution
        public var repairTime: Distribution
        /// Up-time counts only while the station processes (else calendar time).
        public var operating: Bool
    }

    public struct Element: Sendable {
        public var name: String
        public var kind: ElementKind
        public var entity: Entity
        /// Downstream element indices (one, or several for a splitter; none for a sink).
        public var to: [Int] = []
        public var position: Vec3 = .zero
        public var rotation: Quat = .identity
        // Source.
        public var interarrival: Distribution?
        public var schedule: [Double] = []
        public var scheduleRepeat: Double?
        public var infinite = false
        /// Items are created only when `MachineControl.release` asks (live data, other plugins).
        public var live = false
        /// Items are the people standing in this pedestrian queue stage (its name), taken
        /// one by one when the next element takes them (see `MachinesSystem`).
        public var pedestrianQueue: String?
        /// The queue stage's entity (`Name` + `WalkerStage`), when `pedestrianQueue` is set.
        public var stageEntity: Entity?
        public var start = 0.0
        public var limit: Int?
        public var itemTypes: [Int32] = [0]
        public var typeCumulative: [Double] = [1.0000000001]
        // Buffer.
        public var capacity = Int.max
        public var discipline = Discipline.fifo
        /// Priority per item type index (higher leaves first).
        public var priorities: [Double] = []
        /// Hand-over with carriers (forklifts/AGVs of the vehicles plugin) through a
        /// `TransferPoint`: `pickUp` (carriers take its items; no `to`) or `dropOff` (carriers
        /// deliver into it).
        public var transfer: Transfer?
        // Station / assembler.
        public var servers = 1
        public var process: Distribution?
        public var setup: Distribution?
        public var setupEveryJob = false
        public var batch = 1
        public var accepts: [Int32]?
        public var failures: [Failure] = []
        public var calendar: MachineCalendar?
        public var requires: [(element: Int, count: Int)] = []
        public var outputType: Int32 = 0
        // Conveyor.
        public var length = 0.0
        public var speed = 0.0
        public var spacing = 0.0
        public var accumulating = true
        // Splitter / merger.
        public var rule = Rule.roundRobin
        public var weightsCumulative: [Double] = []
        /// Output slot (index into `to`) per item type, −1 when unrouted.
        public var routes: [Int] = []
    }

    public var name: String
    public var warmup: Double
    public var elements: [Element]
    public var typeNames: [String]
    public var lineEntity: Entity
}

extension LineModel {
    static let common = ["name", "type", "position", "rotation", "components", "to"]
    static let allowed: [ElementKind: [String]] = [
        .source: ["interarrival", "schedule", "repeat", "infinite", "live", "pedestrianQueue", "start", "limit", "itemType", "mix"],
        .buffer: ["capacity", "discipline", "priorities", "transfer"],
        .station: ["servers", "process", "setup", "setupOn", "batch", "accepts", "failures", "calendar"],
        .conveyor: ["length", "speed", "spacing", "accumulating", "calendar"],
        .splitter: ["rule", "weights", "routes"],
        .merger: ["rule"],
        .assembler: ["process", "requires", "itemType", "failures", "calendar"],
        .sink: [],
    ]

    /// Parses and checks the `machines` section, spawning one entity per element and one
    /// for the line. Errors name the element's JSON path.
    static func parse(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) -> LineModel {
        guard let top = json.members else { throw ctx.error("the machines section is an object {\"elements\": […]}", at: json) }
        for m in top where !["name", "warmup", "elements"].contains(m.key) {
            throw ctx.error(Suggestions.unknownMessage(kind: "member", name: m.key, known: ["name", "warmup", "elements"]), at: m.value, path: [.key(m.key)])
        }
        var lineName = "line"
        if let n = json["name"] {
            guard let s = n.stringValue, !s.isEmpty else { throw ctx.error("name must be a non-empty string", at: n, path: [.key("name")]) }
            lineName = s
        }
        var warmup = 0.0
        if let w = json["warmup"] {
            guard let d = w.doubleValue, d.isFinite, d >= 0 else { throw ctx.error("warmup must be a finite number ≥ 0 s", at: w, path: [.key("warmup")]) }
            warmup = d
        }
        guard let list = json["elements"]?.elements else {
            throw ctx.error("the machines section needs \"elements\": an array of elements", at: json["elements"] ?? json, path: [.key("elements")])
        }
        // First pass: names and kinds, so `to` may refer forward.
        var names: [String] = []
        var kinds: [ElementKind] = []
        for (i, e) in list.enumerated() {
            let p: [JSONPathComponent] = [.key("elements"), .index(i)]
            guard e.members != nil else { throw ctx.error("an element is an object", at: e, path: p) }
            guard let n = e["name"]?.stringValue, !n.isEmpty else { throw ctx.error("every element needs a non-empty \"name\"", at: e, path: p + [.key("name")]) }
            guard !names.contains(n) else { throw ctx.error("element name \"\(n)\" is used twice", at: e["name"] ?? e, path: p + [.key("name")]) }
            guard let t = e["type"]?.stringValue else {
                throw ctx.error("element \"\(n)\" needs \"type\": one of \(ElementKind.allCases.map(\.rawValue).joined(separator: ", "))", at: e, path: p + [.key("type")])
            }
            guard let k = ElementKind(rawValue: t) else {
                throw ctx.error(Suggestions.unknownMessage(kind: "element type", name: t, known: ElementKind.allCases.map(\.rawValue)), at: e["type"] ?? e, path: p + [.key("type")])
            }
            names.append(n); kinds.append(k)
        }
        var typeNames: [String] = []
        func typeIndex(_ s: String) -> Int32 {
            if let i = typeNames.firstIndex(of: s) { return Int32(i) }
            typeNames.append(s)
            return Int32(typeNames.count - 1)
        }
        var elements: [Element] = []
        for (i, e) in list.enumerated() {
            let p: [JSONPathComponent] = [.key("elements"), .index(i)]
            let kind = kinds[i], name = names[i]
            func fail(_ msg: String, _ key: String? = nil, _ extra: [JSONPathComponent] = []) -> JSONDecodingError {
                let at = key.flatMap { e[$0] } ?? e
                return ctx.error("element \"\(name)\": \(msg)", at: at, path: p + (key.map { [.key($0)] } ?? []) + extra)
            }
            let ok = common + (allowed[kind] ?? [])
            for m in e.members ?? [] where !ok.contains(m.key) {
                throw ctx.error(
                    "element \"\(name)\": " + Suggestions.unknownMessage(kind: "member of a \(kind.rawValue)", name: m.key, known: ok),
                    at: m.value, path: p + [.key(m.key)])
            }
            func number(_ key: String) throws(JSONDecodingError) -> Double? {
                guard let v = e[key] else { return nil }
                guard let d = v.doubleValue, d.isFinite else { throw fail("\(key) must be a finite number", key) }
                return d
            }
            func integer(_ key: String, min: Int) throws(JSONDecodingError) -> Int? {
                guard let d = try number(key) else { return nil }
                guard d == d.rounded(), d >= Double(min), d < 1e15 else { throw fail("\(key) must be a whole number ≥ \(min), got \(d)", key) }
                return Int(d)
            }
            func bool(_ key: String) throws(JSONDecodingError) -> Bool? {
                guard let v = e[key] else { return nil }
                guard case .bool(let b) = v.kind else { throw fail("\(key) must be true or false", key) }
                return b
            }
            func string(_ key: String) throws(JSONDecodingError) -> String? {
                guard let v = e[key] else { return nil }
                guard let s = v.stringValue else { throw fail("\(key) must be a string", key) }
                return s
            }
            func dist(_ key: String) throws(JSONDecodingError) -> Distribution? {
                guard let v = e[key] else { return nil }
                return try Distribution.parse(v, ctx, p + [.key(key)])
            }
            func ref(_ s: String, _ at: JSONValue, _ path: [JSONPathComponent]) throws(JSONDecodingError) -> Int {
                guard let j = names.firstIndex(of: s) else {
                    throw ctx.error("element \"\(name)\": " + Suggestions.unknownMessage(kind: "element", name: s, known: names), at: at, path: p + path)
                }
                return j
            }

            let entity = ctx.world.spawn()
            var el = Element(name: name, kind: kind, entity: entity)
            if let v = e["position"] {
                do { el.position = try ctx.decoder.decode(Vec3.self, from: v) } catch { throw fail("position must be [x, y, z] (m)", "position") }
            }
            if let v = e["rotation"] {
                do { el.rotation = try ctx.decoder.decode(Quat.self, from: v).normalized() } catch { throw fail("rotation must be a quaternion [x, y, z, w]", "rotation") }
                guard el.rotation.x.isFinite, el.rotation.y.isFinite, el.rotation.z.isFinite, el.rotation.w.isFinite else {
                    throw fail("rotation must be a non-zero quaternion [x, y, z, w]", "rotation")
                }
            }
            // Connections.
            if let t = e["to"] {
                if let s = t.stringValue {
                    el.to = [try ref(s, t, [.key("to")])]
                } else if let arr = t.elements {
                    for (j, v) in arr.enumerated() {
                        guard let s = v.stringValue else { throw fail("to must list element names", "to", [.index(j)]) }
                        el.to.append(try ref(s, v, [.key("to"), .index(j)]))
                    }
                } else {
                    throw fail("to must be an element name or a list of names", "to")
                }
                if el.to.contains(i) { throw fail("an element cannot feed itself", "to") }
            }
            if kind == .buffer, let t = try string("transfer") {
                guard let x = Transfer(rawValue: t) else {
                    throw fail(Suggestions.unknownMessage(kind: "transfer role", name: t, known: Transfer.allCases.map(\.rawValue)), "transfer")
                }
                el.transfer = x
            }
            switch kind {
            case .sink:
                if !el.to.isEmpty { throw fail("a sink has no \"to\"", "to") }
            case .buffer where el.transfer == .pickUp:
                if !el.to.isEmpty { throw fail("a pick-up buffer (\"transfer\": \"pickUp\") hands its items to carriers, so it has no \"to\"", "to") }
            case .splitter:
                if el.to.isEmpty && e["routes"] == nil { throw fail("a splitter needs \"to\": a list of outputs", "to") }
            default:
                if el.to.isEmpty { throw fail("needs \"to\": the element that takes its items", nil) }
                if el.to.count > 1 { throw fail("only a splitter has several outputs; put a splitter after it", "to") }
            }
            if kinds[i] != .splitter, kinds[i] != .sink, let d = el.to.first, kinds[d] == .source {
                throw fail("a source has no inputs (\"to\": \"\(names[d])\")", "to")
            }

            switch kind {
            case .source:
                el.interarrival = try dist("interarrival")
                el.infinite = try bool("infinite") ?? false
                el.live = try bool("live") ?? false
                if let s = e["schedule"] {
                    guard let arr = s.elements else { throw fail("schedule must be an array of arrival times (s)", "schedule") }
                    var last = -Double.infinity
                    for (j, v) in arr.enumerated() {
                        guard let d = v.doubleValue, d.isFinite, d >= 0, d >= last else {
                            throw fail("schedule times must be finite, ≥ 0 s and non-decreasing", "schedule", [.index(j)])
                        }
                        el.schedule.append(d); last = d
                    }
                    if let r = try number("repeat") {
                        guard r > 0, r > (el.schedule.last ?? 0) else { throw fail("repeat must be > 0 s and after the last schedule time", "repeat") }
                        el.scheduleRepeat = r
                    }
                } else if e["repeat"] != nil {
                    throw fail("repeat needs a schedule", "repeat")
                }
                if let q = e["pedestrianQueue"] {
                    guard let s = q.stringValue, !s.isEmpty else { throw fail("pedestrianQueue must be the name of a pedestrians queue stage", "pedestrianQueue") }
                    el.pedestrianQueue = s
                    el.stageEntity = try pedestrianStage(s, q, ctx, p + [.key("pedestrianQueue")], element: name, claimed: elements)
                    for key in ["start", "limit"] where e[key] != nil {
                        throw fail("\(key) does not apply to a pedestrian-queue source (everyone who joins the queue is served; close the station with a calendar instead)", key)
                    }
                }
                let modes = (el.interarrival != nil ? 1 : 0) + (e["schedule"] != nil ? 1 : 0) + (el.infinite ? 1 : 0) + (el.live ? 1 : 0)
                    + (el.pedestrianQueue != nil ? 1 : 0)
                guard modes == 1 else {
                    throw fail("a source needs exactly one of \"interarrival\", \"schedule\", \"infinite\": true, \"live\": true and \"pedestrianQueue\"", nil)
                }
                if el.interarrival == .deterministic(0) {
                    throw fail("an interarrival time of 0 s would create items without end; use \"infinite\": true (items made on demand)", "interarrival")
                }
                if let s = try number("start") {
                    guard s >= 0 else { throw fail("start must be ≥ 0 s", "start") }
                    el.start = s
                }
                el.limit = try integer("limit", min: 0)
                if let m = e["mix"] {
                    if e["itemType"] != nil { throw fail("give either itemType or mix", "mix") }
                    guard let arr = m.elements, !arr.isEmpty else { throw fail("mix must be a non-empty array of {\"type\", \"weight\"}", "mix") }
                    var ws: [Double] = []
                    el.itemTypes = []
                    for (j, v) in arr.enumerated() {
                        guard let t = v["type"]?.stringValue, let w = v["weight"]?.doubleValue, w.isFinite, w >= 0, v.members?.count == 2 else {
                            throw fail("each mix entry is {\"type\": name, \"weight\": number ≥ 0}", "mix", [.index(j)])
                        }
                        el.itemTypes.append(typeIndex(t)); ws.append(w)
                    }
                    let total = ws.reduce(0, +)
                    guard total > 0 else { throw fail("mix weights must not all be 0", "mix") }
                    var c = 0.0
                    el.typeCumulative = ws.map { c += $0 / total; return c }
                    el.typeCumulative[el.typeCumulative.count - 1] = 1.0000000001
                } else {
                    el.itemTypes = [typeIndex(try string("itemType") ?? "part")]
                }
            case .buffer:
                if let v = e["capacity"], v.kind != .null {
                    guard let c = try integer("capacity", min: 1) else { throw fail("capacity must be a whole number ≥ 1 (or null: unlimited)", "capacity") }
                    el.capacity = c
                }
                if let d = try string("discipline") {
                    guard let x = Discipline(rawValue: d) else {
                        throw fail(Suggestions.unknownMessage(kind: "discipline", name: d, known: ["fifo", "lifo", "priority"]), "discipline")
                    }
                    el.discipline = x
                }
                if let pr = e["priorities"] {
                    guard el.discipline == .priority else { throw fail("priorities need \"discipline\": \"priority\"", "priorities") }
                    guard let ms = pr.members else { throw fail("priorities is an object {itemType: number}", "priorities") }
                    for m in ms {
                        guard let d = m.value.doubleValue, d.isFinite else { throw fail("a priority must be a finite number", "priorities", [.key(m.key)]) }
                        let t = Int(typeIndex(m.key))
                        if el.priorities.count <= t { el.priorities += Array(repeating: 0, count: t + 1 - el.priorities.count) }
                        el.priorities[t] = d
                    }
                } else if el.discipline == .priority {
                    throw fail("a priority buffer needs \"priorities\": {itemType: number}", "discipline")
                }
            case .station, .assembler:
                if kind == .station {
                    el.servers = try integer("servers", min: 1) ?? 1
                    el.batch = try integer("batch", min: 1) ?? 1
                    guard el.servers <= 10_000 else { throw fail("servers must be ≤ 10000", "servers") }
                    guard el.batch <= 1_000_000 else { throw fail("batch must be ≤ 1000000", "batch") }
                    el.setup = try dist("setup")
                    if let s = try string("setupOn") {
                        guard s == "typeChange" || s == "everyJob" else {
                            throw fail(Suggestions.unknownMessage(kind: "setupOn", name: s, known: ["typeChange", "everyJob"]), "setupOn")
                        }
                        el.setupEveryJob = s == "everyJob"
                    }
                    if let a = e["accepts"] {
                        guard let arr = a.elements else { throw fail("accepts must be a list of item types", "accepts") }
                        var types: [Int32] = []
                        for (j, v) in arr.enumerated() {
                            guard let s = v.stringValue else { throw fail("accepts must list item type names", "accepts", [.index(j)]) }
                            types.append(typeIndex(s))
                        }
                        el.accepts = types
                    }
                } else {
                    el.outputType = typeIndex(try string("itemType") ?? "assembly")
                    guard let r = e["requires"]?.members, !r.isEmpty else {
                        throw fail("an assembler needs \"requires\": {inputElement: count, …}", "requires")
                    }
                    for m in r {
                        let j = try ref(m.key, m.value, [.key("requires"), .key(m.key)])
                        guard let d = m.value.doubleValue, d == d.rounded(), d >= 1, d < 1e6 else {
                            throw fail("a required count must be a whole number ≥ 1", "requires", [.key(m.key)])
                        }
                        el.requires.append((j, Int(d)))
                    }
                }
                guard let pr = try dist("process") else { throw fail("needs \"process\": a processing time (s) or distribution", nil) }
                el.process = pr
                if let fs = e["failures"] {
                    guard let arr = fs.elements else { throw fail("failures must be an array of {upTime, repairTime, clock}", "failures") }
                    for (j, f) in arr.enumerated() {
                        let fp = p + [.key("failures"), .index(j)]
                        guard let fm = f.members else { throw ctx.error("element \"\(name)\": a failure mode is an object", at: f, path: fp) }
                        for m in fm where !["upTime", "repairTime", "clock"].contains(m.key) {
                            throw ctx.error(Suggestions.unknownMessage(kind: "failure member", name: m.key, known: ["upTime", "repairTime", "clock"]), at: m.value, path: fp + [.key(m.key)])
                        }
                        guard let u = f["upTime"], let r = f["repairTime"] else {
                            throw ctx.error("element \"\(name)\": a failure mode needs \"upTime\" and \"repairTime\"", at: f, path: fp)
                        }
                        let up = try Distribution.parse(u, ctx, fp + [.key("upTime")])
                        let rep = try Distribution.parse(r, ctx, fp + [.key("repairTime")])
                        guard up.mean > 0 else { throw ctx.error("element \"\(name)\": upTime must have a mean > 0 s", at: u, path: fp + [.key("upTime")]) }
                        var operating = false
                        if let c = f["clock"] {
                            guard let s = c.stringValue, s == "calendar" || s == "operating" else {
                                throw ctx.error("clock must be \"calendar\" or \"operating\"", at: c, path: fp + [.key("clock")])
                            }
                            operating = s == "operating"
                        }
                        el.failures.append(Failure(upTime: up, repairTime: rep, operating: operating))
                    }
                }
                if let c = e["calendar"] { el.calendar = try MachineCalendar.parse(c, ctx, p + [.key("calendar")]) }
            case .conveyor:
                guard let l = try number("length"), l > 0 else { throw fail("needs \"length\" > 0 m", "length") }
                guard let s = try number("speed"), s > 0 else { throw fail("needs \"speed\" > 0 m/s", "speed") }
                let d = try number("spacing") ?? 0.5
                guard d > 0, d <= l else { throw fail("spacing must be > 0 m and ≤ length", "spacing") }
                el.length = l; el.speed = s; el.spacing = d
                el.accumulating = try bool("accumulating") ?? true
                if let c = e["calendar"] { el.calendar = try MachineCalendar.parse(c, ctx, p + [.key("calendar")]) }
            case .splitter:
                let r = try string("rule") ?? "roundRobin"
                guard let rule = Rule(rawValue: r), [.roundRobin, .probability, .byType, .shortestQueue].contains(rule) else {
                    throw fail(Suggestions.unknownMessage(kind: "splitter rule", name: r, known: ["roundRobin", "probability", "byType", "shortestQueue"]), "rule")
                }
                el.rule = rule
                if rule == .probability {
                    guard let ws = e["weights"]?.elements, ws.count == el.to.count else {
                        throw fail("a probability splitter needs \"weights\": one number ≥ 0 per output in \"to\"", "weights")
                    }
                    var vals: [Double] = []
                    for (j, w) in ws.enumerated() {
                        guard let d = w.doubleValue, d.isFinite, d >= 0 else { throw fail("weights must be finite numbers ≥ 0", "weights", [.index(j)]) }
                        vals.append(d)
                    }
                    let total = vals.reduce(0, +)
                    guard total > 0 else { throw fail("weights must not all be 0", "weights") }
                    var c = 0.0
                    el.weightsCumulative = vals.map { c += $0 / total; return c }
                    el.weightsCumulative[el.weightsCumulative.count - 1] = 1.0000000001
                } else if e["weights"] != nil {
                    throw fail("weights apply to the probability rule only", "weights")
                }
                if rule == .byType {
                    guard let rs = e["routes"]?.members, !rs.isEmpty else { throw fail("a byType splitter needs \"routes\": {itemType: element}", "routes") }
                    for m in rs {
                        guard let s = m.value.stringValue else { throw fail("a route names an element", "routes", [.key(m.key)]) }
                        let j = try ref(s, m.value, [.key("routes"), .key(m.key)])
                        if !el.to.contains(j) { el.to.append(j) }
                        let t = Int(typeIndex(m.key))
                        if el.routes.count <= t { el.routes += Array(repeating: -1, count: t + 1 - el.routes.count) }
                        el.routes[t] = el.to.firstIndex(of: j) ?? 0
                    }
                } else if e["routes"] != nil {
                    throw fail("routes apply to the byType rule only", "routes")
                }
                if el.to.contains(i) { throw fail("a splitter cannot feed itself", "to") }
            case .merger:
                let r = try string("rule") ?? "fifo"
                guard let rule = Rule(rawValue: r), [.fifo, .roundRobin, .priority].contains(rule) else {
                    throw fail(Suggestions.unknownMessage(kind: "merger rule", name: r, known: ["fifo", "roundRobin", "priority"]), "rule")
                }
                el.rule = rule
            case .sink:
                break
            }

            ctx.world.insert(Name(name), on: entity)
            ctx.world.insert(Kind(kind == .conveyor ? "conveyor" : kind == .sink || kind == .source ? "dock" : "machine"), on: entity)
            if kind == .conveyor {
                // Drawn as a 1 m box scaled to the belt: centred on its middle, just below the
                // items (which ride at the system's itemHeight, default 0.9 m, from `position`).
                let dir = el.rotation.rotate(Vec3(1, 0, 0))
                ctx.world.insert(Position(el.position + dir * Float(el.length / 2) + Vec3(0, 0.6, 0)), on: entity)
                ctx.world.insert(Scale(Vec3(Float(el.length), 0.1, 0.6)), on: entity)
            } else {
                ctx.world.insert(Position(el.position), on: entity)
            }
            ctx.world.insert(Rotation(el.rotation), on: entity)
            ctx.world.insert(MachineStatus(element: kind.rawValue), on: entity)
            if kind == .station || kind == .assembler || el.live { ctx.world.insert(MachineControl(), on: entity) }
            if let t = el.transfer { ctx.world.insert(TransferPoint(role: t.rawValue), on: entity) }
            if let comps = e["components"] {
                guard let ms = comps.members else { throw fail("components is an object {ComponentName: value}", "components") }
                for m in ms {
                    do {
                        try ctx.world.insert(componentNamed: m.key, value: m.value, on: entity, decoder: JSONValueDecoder(basePath: p + [.key("components"), .key(m.key)]))
                    } catch let err as JSONDecodingError {
                        throw err
                    } catch {
                        throw ctx.error("element \"\(name)\": component \(m.key): \(error)", at: m.value, path: p + [.key("components"), .key(m.key)])
                    }
                }
            }
            elements.append(el)
        }
        let lineEntity = ctx.world.spawn()
        ctx.world.insert(Name(lineName), on: lineEntity)
        ctx.world.insert(MachineLine(), on: lineEntity)
        let model = LineModel(name: lineName, warmup: warmup, elements: elements, typeNames: typeNames, lineEntity: lineEntity)
        try model.check(list, ctx)
        return model
    }

    /// The entity of the pedestrians queue stage a source takes its people from.
    ///
    /// The `pedestrians` section applies before this one (plugin registration order), so
    /// its stage entities (`Name` + `WalkerStage`) exist; nothing else of that plugin is
    /// used. The stage must be a queue released only by others (`"release": "manual"`,
    /// the default) and may feed one source only.
    static func pedestrianStage(
        _ stage: String, _ at: JSONValue, _ ctx: SceneSectionContext, _ path: [JSONPathComponent], element: String, claimed: [Element]
    ) throws(JSONDecodingError) -> Entity {
        var found: (Entity, WalkerStage)?
        var known: [String] = []
        ctx.world.query(Name.self, WalkerStage.self).forEach { e, n, s in
            known.append(n.value)
            if n.value == stage, found == nil { found = (e, s) }
        }
        guard let (entity, ws) = found else {
            let msg = known.isEmpty
                ? (ctx.root["pedestrians"] == nil
                    ? "no pedestrians stage named \"\(stage)\": the scene has no pedestrians section (add one with a queue stage of that name)"
                    : "no pedestrians stage named \"\(stage)\" (the pedestrians section has no stages, or did not load)")
                : Suggestions.unknownMessage(kind: "pedestrians stage", name: stage, known: known.sorted())
            throw ctx.error("element \"\(element)\": " + msg, at: at, path: path)
        }
        guard ws.type == "queue" else {
            throw ctx.error("element \"\(element)\": pedestrians stage \"\(stage)\" is of type \(ws.type); a counter serves a queue stage", at: at, path: path)
        }
        if let other = claimed.first(where: { $0.pedestrianQueue == stage }) {
            throw ctx.error("element \"\(element)\": pedestrians queue \"\(stage)\" already feeds source \"\(other.name)\"; a queue feeds one source (put a splitter after it for several counters)", at: at, path: path)
        }
        // A queue with its own timer would let people go unserved.
        if let stages = ctx.root["pedestrians"]?["stages"]?.elements,
           let spec = stages.first(where: { $0["name"]?.stringValue == stage }),
           let r = spec["release"], r.stringValue != "manual" {
            throw ctx.error("element \"\(element)\": pedestrians queue \"\(stage)\" has its own release timer; the counter releases it, so give it \"release\": \"manual\" (or none)", at: at, path: path)
        }
        return entity
    }

    /// Graph checks: inputs of assemblers, sources feeding on demand, cycles without
    /// storage, item types nothing accepts or routes.
    func check(_ list: [JSONValue], _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        func at(_ i: Int, _ key: String? = nil) -> (JSONValue, [JSONPathComponent]) {
            let e = list[i]
            let p: [JSONPathComponent] = [.key("elements"), .index(i)]
            if let k = key, let v = e[k] { return (v, p + [.key(k)]) }
            return (e, p)
        }
        var inputs = [[Int]](repeating: [], count: elements.count)
        for (i, e) in elements.enumerated() { for d in e.to { inputs[d].append(i) } }
        for (i, e) in elements.enumerated() {
            let (v, p) = at(i)
            if e.kind == .source, !inputs[i].isEmpty {
                throw ctx.error("element \"\(e.name)\": a source has no inputs, but \(elements[inputs[i][0]].name) feeds it", at: v, path: p)
            }
            if e.kind == .assembler {
                for r in e.requires where !inputs[i].contains(r.element) {
                    let (rv, rp) = at(i, "requires")
                    throw ctx.error("element \"\(e.name)\": requires \"\(elements[r.element].name)\", which does not feed it (its \"to\" is elsewhere)", at: rv, path: rp)
                }
                for u in inputs[i] where !e.requires.contains(where: { $0.element == u }) {
                    let (rv, rp) = at(i, "requires")
                    throw ctx.error("element \"\(e.name)\": \"\(elements[u].name)\" feeds it but is not in requires", at: rv, path: rp)
                }
            }
            if e.kind == .source, e.pedestrianQueue != nil, let d = e.to.first {
                let dk = elements[d].kind
                if dk == .sink || (dk == .buffer && elements[d].capacity == Int.max) {
                    let (tv, tp) = at(i, "to")
                    throw ctx.error("element \"\(e.name)\": a pedestrian-queue source feeds the counter (a station, or a splitter to several), not \(dk == .sink ? "a sink" : "an unlimited buffer") (it would take everyone out of the queue at once)", at: tv, path: tp)
                }
            }
            if e.kind == .source, e.infinite, let d = e.to.first {
                let dk = elements[d].kind
                guard dk == .station || dk == .assembler || dk == .conveyor || (dk == .buffer && elements[d].capacity < Int.max) else {
                    let (tv, tp) = at(i, "to")
                    throw ctx.error("element \"\(e.name)\": an infinite source must feed a station, assembler, conveyor or finite buffer, not a \(dk.rawValue) (it would make items without end)", at: tv, path: tp)
                }
            }
        }
        // Cycles: every cycle needs a buffer or conveyor (storage), else items can lock it.
        // Iterative DFS over elements without storage.
        let storage: (Int) -> Bool = { [elements] in elements[$0].kind == .buffer || elements[$0].kind == .conveyor }
        var color = [UInt8](repeating: 0, count: elements.count)
        for s in elements.indices where color[s] == 0 && !storage(s) {
            var stack: [(Int, Int)] = [(s, 0)]
            color[s] = 1
            while let (n, k) = stack.last {
                let outs = elements[n].to
                if k < outs.count {
                    stack[stack.count - 1].1 += 1
                    let m = outs[k]
                    if storage(m) { continue }
                    if color[m] == 1 {
                        let cycle = stack.map { elements[$0.0].name }.drop { $0 != elements[m].name }
                        let (v, p) = at(m)
                        throw ctx.error("element \"\(elements[m].name)\": the cycle \((Array(cycle) + [elements[m].name]).joined(separator: " → ")) has no buffer or conveyor; it can lock up and never drain", at: v, path: p)
                    }
                    if color[m] == 0 { color[m] = 1; stack.append((m, 0)) }
                } else {
                    color[n] = 2
                    stack.removeLast()
                }
            }
        }
        // Item types: propagate what can reach each element; stations must accept them,
        // byType splitters must route them.
        var reach = [[Int32]](repeating: [], count: elements.count)
        var work: [Int] = []
        for (i, e) in elements.enumerated() where e.kind == .source { reach[i] = e.itemTypes; work.append(i) }
        for (i, e) in elements.enumerated() where e.kind == .assembler { reach[i] = [e.outputType]; work.append(i) }
        var guardCount = 0
        while let n = work.popLast(), guardCount < 1_000_000 {
            guardCount += 1
            let e = elements[n]
            var outs: [(Int, [Int32])] = []
            if e.kind == .splitter, e.rule == .byType {
                for t in reach[n] {
                    let slot = Int(t) < e.routes.count ? e.routes[Int(t)] : -1
                    guard slot >= 0 else {
                        let (v, p) = at(n, "routes")
                        throw ctx.error("element \"\(e.name)\": item type \"\(typeNames[Int(t)])\" reaches this byType splitter but has no route", at: v, path: p)
                    }
                    outs.append((e.to[slot], [t]))
                }
            } else if e.kind != .assembler || reach[n] == [e.outputType] {
                for d in e.to { outs.append((d, e.kind == .assembler ? [e.outputType] : reach[n])) }
            }
            for (d, types) in outs {
                if elements[d].kind == .assembler { continue }
                var changed = false
                for t in types where !reach[d].contains(t) { reach[d].append(t); changed = true }
                if changed { work.append(d) }
            }
        }
        for (i, e) in elements.enumerated() where e.kind == .station {
            guard let acc = e.accepts else { continue }
            for t in reach[i] where !acc.contains(t) {
                let (v, p) = at(i, "accepts")
                throw ctx.error("element \"\(e.name)\": item type \"\(typeNames[Int(t)])\" reaches this station, which does not accept it (accepts \(acc.map { typeNames[Int($0)] }))", at: v, path: p)
            }
        }
    }
}
