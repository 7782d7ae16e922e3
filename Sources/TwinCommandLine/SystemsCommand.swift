import ArgumentParser
import TwinRuntime

struct SystemsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systems", abstract: "List plugins, systems, components and scene sections, with parameters, defaults and units.")

    @Flag(help: "Print JSON instead of text.") var json = false
    @Flag(help: "Print the catalog as Markdown (the reference of every system, parameter and component).") var markdown = false

    func run() throws {
        let catalog = SystemCatalog.standard
        let world = World()
        catalog.registerComponents(in: world)
        if json { print(JSONWriter.string(Self.describe(catalog, world), style: .pretty)); return }
        if markdown { print(SystemsMarkdown.render(catalog, world)); return }
        for plugin in catalog.plugins {
            print("plugin \(plugin)")
            for s in catalog.systems where s.plugin == plugin {
                print("  system \(s.id)\(s.isDefault ? " (default)" : "")  phases: \(s.phases.map(\.rawValue).joined(separator: ", "))  priority: \(s.defaultPriority.value)")
                print("    \(s.summary)")
                if !s.reads.isEmpty { print("    reads:  \(s.reads.joined(separator: ", "))") }
                if !s.writes.isEmpty { print("    writes: \(s.writes.joined(separator: ", "))") }
                if !s.emits.isEmpty { print("    emits:  \(s.emits.joined(separator: ", "))") }
                for m in s.defaultParameters.members ?? [] {
                    let unit = s.parameterUnits[m.key].map { " \($0)" } ?? ""
                    let doc = s.parameterDocs[m.key].map { "  — \($0)" } ?? ""
                    print("    param \(m.key) = \(JSONWriter.string(m.value))\(unit)\(doc)")
                }
            }
            for (c, owner) in zip(catalog.components, catalog.componentPlugins) where owner == plugin {
                guard let t = world.registry.type(named: c.componentName) else { continue }
                let def = t.defaultJSON.map { " default \(JSONWriter.string($0))" } ?? ""
                let units = t.fieldUnits.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                print("  component \(t.name)\(def)\(units.isEmpty ? "" : "  [\(units)]")")
                if !t.summary.isEmpty { print("    \(t.summary)") }
            }
            for s in catalog.sections where s.plugin == plugin {
                print("  section \"\(s.name)\"  \(s.summary)")
            }
        }
    }

    static func describe(_ catalog: SystemCatalog, _ world: World) -> JSONValue {
        .object([
            ("plugins", .array(catalog.plugins.map { .string($0) })),
            ("systems", .array(catalog.systems.map { s in
                .object([
                    ("id", .string(s.id.rawValue)), ("plugin", .string(s.plugin)), ("summary", .string(s.summary)),
                    ("default", .bool(s.isDefault)), ("priority", .number(Double(s.defaultPriority.value))),
                    ("phases", .array(s.phases.map { .string($0.rawValue) })),
                    ("reads", .array(s.reads.map { .string($0) })), ("writes", .array(s.writes.map { .string($0) })),
                    ("emits", .array(s.emits.map { .string($0) })),
                    ("parameters", .array((s.defaultParameters.members ?? []).map { m in
                        .object([
                            ("name", .string(m.key)), ("default", m.value),
                            ("unit", s.parameterUnits[m.key].map { .string($0) } ?? .null),
                            ("description", s.parameterDocs[m.key].map { .string($0) } ?? .null),
                        ])
                    })),
                ])
            })),
            ("components", .array(world.registry.types.map { t in
                .object([
                    ("name", .string(t.name)), ("summary", .string(t.summary)), ("default", t.defaultJSON ?? .null),
                    ("units", .object(t.fieldUnits.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ])
            })),
            ("sections", .array(catalog.sections.map { .object([("name", .string($0.name)), ("plugin", .string($0.plugin)), ("summary", .string($0.summary))]) })),
        ])
    }
}
