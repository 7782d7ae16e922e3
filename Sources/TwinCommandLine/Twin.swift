import ArgumentParser

struct Twin: ParsableCommand {
    static var subcommandList: [any ParsableCommand.Type] {
        var list: [any ParsableCommand.Type] = [
            RunCommand.self, LiveCommand.self, ValidateCommand.self, SystemsCommand.self, SchemaCommand.self, BenchCommand.self, ExportCommand.self, RenderCommand.self,
            SweepCommand.self, ServeCommand.self,
        ]
        #if canImport(TwinAssets)
        list.append(ImportCommand.self)
        #endif
        return list
    }

    static let configuration = CommandConfiguration(
        commandName: "twin",
        abstract: "TwinWorld: a headless 3D simulation world engine for digital twins.",
        discussion: "Run a scene: twin run Scenes/warehouse-arrivals.json",
        version: "0.1.0",
        subcommands: subcommandList)
}
