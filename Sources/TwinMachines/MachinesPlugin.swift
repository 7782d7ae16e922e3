import TwinCore

/// The `machines` plugin: process lines of sources, buffers, stations, conveyors,
/// splitters, mergers, assemblers and sinks, simulated as exact discrete events inside
/// the fixed step (`machines.process`), declared in the scene's `machines` section.
public enum MachinesPlugin: TwinPlugin {
    public static let name = "machines"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: MachineStatus.self)
        catalog.register(component: MachineLine.self)
        catalog.register(component: MachineControl.self)
        catalog.register(component: ConveyorItem.self)
        catalog.register(component: TransferPoint.self)
        catalog.register(component: MachineItemRef.self)
        catalog.register(MachinesSystem.self, isDefault: true)
        catalog.register(
            section: "machines",
            summary: "A process line: elements (source, buffer, station, conveyor, splitter, merger, assembler, sink) with their connections (to), timings, failures and calendars; warmup (s).",
            schema: schema, apply: apply)
    }

    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        let model = try LineModel.parse(json, ctx)
        ctx.world.setResource(model)
    }

    static var schema: JSONValue {
        var members = Set<String>(LineModel.common)
        for list in LineModel.allowed.values { members.formUnion(list) }
        let props: [(String, JSONValue)] = members.sorted().map { key in
            switch key {
            case "name": return (key, .object([("type", .string("string"))]))
            case "type": return (key, .object([("enum", .array(LineModel.ElementKind.allCases.map { .string($0.rawValue) }))]))
            default: return (key, .object([]))
            }
        }
        let element: JSONValue = .object([
            ("type", .string("object")), ("properties", .object(props)), ("additionalProperties", .bool(false)),
            ("required", .array([.string("name"), .string("type")])),
        ])
        return .object([
            ("type", .string("object")),
            ("properties", .object([
                ("name", .object([("type", .string("string"))])),
                ("warmup", .object([("type", .string("number")), ("minimum", .number(0)), ("description", .string("Statistics exclude [0, warmup) [s]"))])),
                ("elements", .object([("type", .string("array")), ("items", element)])),
            ])),
            ("additionalProperties", .bool(false)),
            ("required", .array([.string("elements")])),
        ])
    }
}
