import Foundation

/// Options a run may override without editing the scene.
public struct SceneLoadOptions: Sendable {
    /// Replaces `world.seed`.
    public var seed: UInt64?
    /// Parameter values by name (`--set name=value`).
    public var parameterOverrides: [String: JSONValue]
    /// Worker threads for data-parallel systems (results do not depend on it).
    public var workers: Int

    public init(seed: UInt64? = nil, parameterOverrides: [String: JSONValue] = [:], workers: Int = 1) {
        self.seed = seed; self.parameterOverrides = parameterOverrides; self.workers = workers
    }
}

/// Turns a `twin-scene/1` document into a ready-to-step `Simulation`, reporting
/// every problem with file, line, column and JSON path.
public struct SceneLoader {
    public static let format = "twin-scene/1"
    public let catalog: SystemCatalog

    public init(catalog: SystemCatalog = .standard) { self.catalog = catalog }

    /// Loads a scene file. A missing or unreadable file is a `SceneError` too.
    public func load(file path: String, options: SceneLoadOptions = .init()) throws(SceneError) -> Simulation {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw SceneError([SceneIssue(file: path, location: SourceLocation(line: 0, column: 0), path: [], message: why)])
        }
        return try load(bytes: [UInt8](data), file: path, options: options)
    }

    public func load(text: String, file: String = "<scene>", options: SceneLoadOptions = .init()) throws(SceneError) -> Simulation {
        try load(bytes: Array(text.utf8), file: file, options: options)
    }

    public func load(bytes: [UInt8], file: String, options: SceneLoadOptions = .init()) throws(SceneError) -> Simulation {
        var b = SceneBuild(file: file, catalog: catalog, options: options)
        guard catalog.problems.isEmpty else {
            throw SceneError(catalog.problems.map { SceneIssue(file: file, location: .unknown, path: [], message: "catalog: " + $0) })
        }
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch {
            throw SceneError([SceneIssue(file: file, location: error.location, path: [], message: "malformed JSON: " + error.message)])
        }
        if let sim = b.build(root, origin: SceneOrigin(file: file, bytes: bytes, options: options)), b.issues.isEmpty { return sim }
        throw SceneError(b.issues)
    }
}

/// The state of one load: collects issues and keeps going where it can, so one
/// `twin validate` run reports as many problems as possible.
struct SceneBuild {
    let file: String
    let catalog: SystemCatalog
    let options: SceneLoadOptions
    var issues: [SceneIssue] = []

    init(file: String, catalog: SystemCatalog, options: SceneLoadOptions) {
        self.file = file; self.catalog = catalog; self.options = options
    }

    mutating func report(_ loc: SourceLocation, _ path: [JSONPathComponent], _ message: String) {
        issues.append(SceneIssue(file: file, location: loc, path: path, message: message))
    }

    mutating func report(_ e: JSONDecodingError) { report(e.location, e.path, e.message) }

    mutating func decode<T: Decodable>(_ type: T.Type, _ v: JSONValue, _ path: [JSONPathComponent]) -> T? {
        do { return try JSONValueDecoder(basePath: path).decode(type, from: v) } catch {
            report(error)
            return nil
        }
    }

    mutating func build(_ parsed: JSONValue, origin: SceneOrigin) -> Simulation? {
        guard let topMembers = parsed.members else {
            report(parsed.location, [], "a scene is a JSON object, found \(parsed.kindDescription)")
            return nil
        }
        let known = SystemCatalog.builtInSections + catalog.sections.map(\.name)
        for m in topMembers where !known.contains(m.key) {
            report(m.keyLocation, [.key(m.key)], Suggestions.unknownMessage(kind: "section", name: m.key, known: known))
        }
        if let f = parsed["format"], f.stringValue != SceneLoader.format {
            report(f.location, [.key("format")], "expected \"\(SceneLoader.format)\", found \(JSONWriter.string(f))")
        }

        // Parameters first: every other section may refer to them.
        var reports: [(SourceLocation, [JSONPathComponent], String)] = []
        let (defs, values) = SceneParameters.resolve(parsed["parameters"], overrides: options.parameterOverrides) {
            reports.append(($0, $1, $2))
        }
        var members = topMembers.filter { $0.key != "parameters" }
        members = members.map { m in
            JSONMember(key: m.key, keyLocation: m.keyLocation, value: SceneParameters.substitute(
                m.value, path: [.key(m.key)], values: values, report: { reports.append(($0, $1, $2)) }))
        }
        for r in reports { report(r.0, r.1, r.2) }
        // Unresolved references would only cause follow-on errors in every section.
        guard reports.isEmpty else { return nil }
        let root = JSONValue(.object(members), at: parsed.location)

        var settings = WorldSettings()
        if let w = root["world"], let s = decode(WorldSettings.self, w, [.key("world")]) { settings = s }
        if let seed = options.seed { settings.seed = seed }
        let name = root["name"]?.stringValue ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let description = root["description"]?.stringValue ?? ""
        for key in ["name", "description"] {
            if let v = root[key], v.stringValue == nil { report(v.location, [.key(key)], "expected a string, found \(v.kindDescription)") }
        }
        var outputs = OutputSpec()
        if let o = root["outputs"], let spec = decode(OutputSpec.self, o, [.key("outputs")]) { outputs = spec }

        let world = World()
        catalog.registerComponents(in: world)
        let context = SceneContext(file: file, settings: settings) { path in
            // At most 512 MiB: a scene names data files, not disk images.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? Int, size <= 512 << 20,
                  let data = FileManager.default.contents(atPath: path) else { return nil }
            return [UInt8](data)
        }
        let rootStream = RandomStream(seed: settings.seed)

        if let p = root["prefabs"] { buildPrefabs(p, world: world, context: context) }
        if let e = root["entities"] {
            var scatter = rootStream.derived("scene.entities")
            buildEntities(e, world: world, context: context, random: &scatter)
        }
        for section in catalog.sections {
            guard let v = root[section.name] ?? section.valueWhenAbsent else { continue }
            do { try section.apply(v, SceneSectionContext(world: world, scene: context, path: [.key(section.name)], root: root)) } catch {
                report(error)
            }
        }
        let executor = ParallelExecutor(workers: options.workers)
        let systems = buildSystems(root["systems"], world: world, context: context, root: rootStream, executor: executor)
        let recorder = buildMeasurements(root["measurements"], world: world, dt: settings.dt)
        for (i, c) in settings.stopWhen.enumerated() {
            let path: [JSONPathComponent] = [.key("world"), .key("stopWhen"), .index(i)]
            let loc = root.value(at: path)?.location ?? .unknown
            switch c {
            case .noEntitiesWith(let names):
                for n in names where world.registry.type(named: n) == nil {
                    report(loc, path, Suggestions.unknownMessage(kind: "component", name: n, known: world.registry.names))
                }
            case .kpiAtLeast(let k, _), .kpiAtMost(let k, _):
                if !recorder.series.contains(where: { $0.spec.name == k }) {
                    report(loc, path, Suggestions.unknownMessage(kind: "KPI", name: k, known: recorder.series.map(\.spec.name)))
                }
            }
        }
        guard issues.isEmpty else { return nil }
        let scene = SceneDescription(
            file: file, name: name, description: description, settings: settings, parameters: defs,
            parameterValues: values, outputs: outputs)
        return Simulation(world: world, catalog: catalog, scene: scene, systems: systems, measurements: recorder,
                          executor: executor, context: context, origin: origin)
    }

    // MARK: Components

    /// Decodes a `{"ComponentName": value, …}` object, laying each value over the
    /// component's defaults and over `base` (a prefab's values).
    mutating func decodeComponents(
        _ v: JSONValue, path: [JSONPathComponent], world: World, base: [String: JSONValue] = [:]
    ) -> (values: [any Component], json: [String: JSONValue])? {
        guard let members = v.members else {
            report(v.location, path, "expected an object of components by name, found \(v.kindDescription)")
            return nil
        }
        var json = base
        var locations: [String: SourceLocation] = [:]
        for m in members {
            guard let type = world.registry.type(named: m.key) else {
                report(m.keyLocation, path + [.key(m.key)],
                       Suggestions.unknownMessage(kind: "component", name: m.key, known: world.registry.names))
                continue
            }
            let start = json[m.key] ?? type.defaultJSON
            json[m.key] = start.map { $0.merging(m.value) } ?? m.value
            locations[m.key] = m.keyLocation
        }
        var values: [any Component] = []
        var ok = true
        for key in json.keys.sorted() {
            guard let type = world.registry.type(named: key), let value = json[key] else { continue }
            do {
                values.append(try type.decode(value, decoder: JSONValueDecoder(basePath: path + [.key(key)])))
            } catch let e as JSONDecodingError {
                report(e); ok = false
            } catch {
                report(locations[key] ?? v.location, path + [.key(key)], "\(error)"); ok = false
            }
        }
        return ok ? (values, json) : nil
    }

    mutating func buildPrefabs(_ v: JSONValue, world: World, context: SceneContext) {
        guard let members = v.members else {
            report(v.location, [.key("prefabs")], "expected an object of prefabs by name, found \(v.kindDescription)")
            return
        }
        for m in members {
            let path: [JSONPathComponent] = [.key("prefabs"), .key(m.key)]
            guard let pm = m.value.members else {
                report(m.value.location, path, "expected an object with \"components\", found \(m.value.kindDescription)")
                continue
            }
            for x in pm where x.key != "components" && x.key != "extends" {
                report(x.keyLocation, path + [.key(x.key)], Suggestions.unknownMessage(kind: "member", name: x.key, known: ["components", "extends"]))
            }
            var base: [String: JSONValue] = [:]
            if let ext = m.value["extends"] {
                guard let parent = ext.stringValue.flatMap({ context.prefabs[$0] }) else {
                    report(ext.location, path + [.key("extends")], Suggestions.unknownMessage(
                        kind: "prefab", name: ext.stringValue ?? JSONWriter.string(ext), known: Array(context.prefabs.keys))
                        + " (a prefab may extend only one declared before it)")
                    continue
                }
                base = parent.json
            }
            let comps = m.value["components"] ?? JSONValue(.object([]))
            if let (values, json) = decodeComponents(comps, path: path + [.key("components")], world: world, base: base) {
                context.addPrefab(Prefab(name: m.key, components: values, json: json))
            }
        }
    }

    struct EntitySpec: Decodable {
        struct Range: Decodable { var min: Vec3; var max: Vec3 }
        var name: String?
        var prefab: String?
        var kind: String?
        var components: JSONValue?
        var count: Int?
        /// Vector components drawn uniformly per instance: `{"Position": {"min": …, "max": …}}`.
        var scatter: [String: Range]?
    }

    mutating func buildEntities(_ v: JSONValue, world: World, context: SceneContext, random: inout RandomStream) {
        guard let list = v.elements else {
            report(v.location, [.key("entities")], "expected an array of entities, found \(v.kindDescription)")
            return
        }
        var names: [String: [JSONPathComponent]] = [:]
        for (i, item) in list.enumerated() {
            let path: [JSONPathComponent] = [.key("entities"), .index(i)]
            guard let spec = decode(EntitySpec.self, item, path) else { continue }
            var base: [String: JSONValue] = [:]
            if let p = spec.prefab {
                guard let prefab = context.prefabs[p] else {
                    report(item["prefab"]?.location ?? item.location, path + [.key("prefab")],
                           Suggestions.unknownMessage(kind: "prefab", name: p, known: Array(context.prefabs.keys)))
                    continue
                }
                base = prefab.json
            }
            let count = spec.count ?? 1
            guard count >= 0, world.aliveCount + count <= context.settings.maxEntities else {
                report(item["count"]?.location ?? item.location, path + [.key("count")],
                       "count \(count) is negative or exceeds world.maxEntities (\(context.settings.maxEntities)) with the entities before it")
                continue
            }
            if let n = spec.name {
                if let other = names[n] {
                    report(item["name"]?.location ?? item.location, path + [.key("name")], "name \"\(n)\" is already used by \(other.jsonPath)")
                    continue
                }
                if count != 1 {
                    report(item["name"]?.location ?? item.location, path + [.key("name")], "a named entity cannot have count \(count); names are unique")
                    continue
                }
                names[n] = path
            }
            guard let (values, _) = decodeComponents(
                spec.components ?? JSONValue(.object([])), path: path + [.key("components")], world: world, base: base)
            else { continue }
            var scatter: [(any Vec3Component.Type, SceneBuild.EntitySpec.Range)] = []
            for (key, range) in (spec.scatter ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let t = world.registry.type(named: key)?.swiftType as? any Vec3Component.Type else {
                    report(item["scatter"]?[key]?.location ?? item.location, path + [.key("scatter"), .key(key)],
                           "scatter works on vector components (\(Self.vectorComponents.joined(separator: ", "))), not \"\(key)\"")
                    continue
                }
                scatter.append((t, range))
            }
            for _ in 0..<count {
                let e = world.spawn()
                for c in values { world.insertAny(c, on: e) }
                for (t, r) in scatter {
                    let v = Vec3(random.uniform(r.min.x, r.max.x), random.uniform(r.min.y, r.max.y), random.uniform(r.min.z, r.max.z))
                    world.insertAny(t.init(v), on: e)
                }
                if let n = spec.name { world.insert(Name(n), on: e) }
                if let k = spec.kind { world.insert(Kind(k), on: e) }
            }
        }
    }

    static let vectorComponents = ["Position", "Velocity", "Acceleration", "AngularVelocity", "Scale"]

    // MARK: Systems

    struct SystemEntry: Decodable {
        var id: String
        var priority: Int?
        var params: JSONValue?
        var enabled: Bool?
    }

    mutating func buildSystems(
        _ v: JSONValue?, world: World, context: SceneContext, root: RandomStream, executor: ParallelExecutor
    ) -> [ScheduledSystem] {
        var entries: [(SystemEntry, [JSONPathComponent], JSONValue?)] = []
        if let v {
            guard let list = v.elements else {
                report(v.location, [.key("systems")], "expected an array of {\"id\": …} entries, found \(v.kindDescription)")
                return []
            }
            for (i, item) in list.enumerated() {
                let path: [JSONPathComponent] = [.key("systems"), .index(i)]
                if let e = decode(SystemEntry.self, item, path) { entries.append((e, path, item)) }
            }
        } else {
            entries = catalog.systems.filter(\.isDefault).map { (SystemEntry(id: $0.id.rawValue), [], nil) }
        }
        var out: [ScheduledSystem] = []
        var seen: [String: Int] = [:]
        for (order, (entry, path, item)) in entries.enumerated() where entry.enabled ?? true {
            guard let reg = catalog.system(entry.id) else {
                report(item?["id"]?.location ?? .unknown, path + [.key("id")],
                       Suggestions.unknownMessage(kind: "system", name: entry.id, known: catalog.systems.map(\.id.rawValue)))
                continue
            }
            let instance = seen[entry.id, default: 0]
            seen[entry.id] = instance + 1
            var setup = SystemSetup(
                world: world, random: root.derived("system:\(entry.id)#\(instance)"), scene: context, executor: executor)
            do {
                let built = try reg.build(params: entry.params, path: path, setup: &setup)
                out.append(ScheduledSystem(
                    id: reg.id, priority: entry.priority.map(SystemPriority.init) ?? reg.defaultPriority, order: order,
                    phases: reg.phases, built: built))
            } catch let e as JSONDecodingError {
                report(e)
            } catch {
                report(item?.location ?? .unknown, path, "system \(entry.id) cannot start: \(error)")
            }
        }
        return out
    }

    // MARK: Measurements

    mutating func buildMeasurements(_ v: JSONValue?, world: World, dt: Double) -> MeasurementRecorder {
        var series: [MeasurementRecorder.Series] = []
        // KPIs that plugins declared while their sections loaded come first.
        if let published = world.resource(PluginReports.self) {
            for k in published.kpis {
                let spec = MeasurementSpec(name: k.name, kind: .published, every: k.every)
                series.append(MeasurementRecorder.Series(
                    spec: spec, everySteps: max(1, WorldSettings(dt: dt).steps(for: k.every)), with: [], without: [],
                    component: nil, memberPath: []))
            }
        }
        guard let v else { return MeasurementRecorder(series: series) }
        guard let specs = decode([MeasurementSpec].self, v, [.key("measurements")]) else { return MeasurementRecorder(series: series) }
        var names = Set(series.map(\.spec.name))
        for (i, s) in specs.enumerated() {
            let path: [JSONPathComponent] = [.key("measurements"), .index(i)]
            let item = v.elements?[i] ?? v
            guard names.insert(s.name).inserted, !s.name.isEmpty, !s.name.contains(",") else {
                report(item["name"]?.location ?? item.location, path + [.key("name")],
                       "measurement names must be unique, non-empty and free of commas: \"\(s.name)\"")
                continue
            }
            func ids(_ list: [String]?, _ key: String) -> [ComponentID]? {
                var out: [ComponentID] = []
                for (j, n) in (list ?? []).enumerated() {
                    guard let t = world.registry.type(named: n) else {
                        report(item[key]?.elements?[j].location ?? item.location, path + [.key(key), .index(j)],
                               Suggestions.unknownMessage(kind: "component", name: n, known: world.registry.names))
                        return nil
                    }
                    out.append(t.id)
                }
                return out
            }
            guard var with = ids(s.with, "with"), let without = ids(s.without, "without") else { continue }
            var component: String?
            var member: [String] = []
            if let of = s.of {
                let parts = of.split(separator: ".").map(String.init)
                guard let first = parts.first, let t = world.registry.type(named: first) else {
                    report(item["of"]?.location ?? item.location, path + [.key("of")],
                           Suggestions.unknownMessage(kind: "component", name: parts.first ?? of, known: world.registry.names))
                    continue
                }
                component = first
                member = Array(parts.dropFirst())
                if !with.contains(t.id) { with.append(t.id) }
            } else if s.kind == .published {
                report(item["kind"]?.location ?? item.location, path + [.key("kind")],
                       "\"published\" KPIs come from plugins (declared by their scene sections), not from measurements")
                continue
            } else if s.kind != .count {
                report(item.location, path, "a \(s.kind.rawValue) measurement needs \"of\": \"Component[.member]\"")
                continue
            }
            let every = s.every ?? 1
            guard every > 0, every.isFinite else {
                report(item["every"]?.location ?? item.location, path + [.key("every")], "every must be > 0 seconds")
                continue
            }
            var one: Entity?
            if let name = s.entity {
                let named = world.entities.filter { world.get(Name.self, of: $0)?.value == name }
                guard let e = named.first else {
                    let known = world.entities.compactMap { world.get(Name.self, of: $0)?.value }
                    report(item["entity"]?.location ?? item.location, path + [.key("entity")],
                           Suggestions.unknownMessage(kind: "entity", name: name, known: known))
                    continue
                }
                one = e
            }
            series.append(MeasurementRecorder.Series(
                spec: s, everySteps: max(1, WorldSettings(dt: dt).steps(for: every)), with: with, without: without,
                component: component, memberPath: member, entity: one))
        }
        return MeasurementRecorder(series: series)
    }
}
