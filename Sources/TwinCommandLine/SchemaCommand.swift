import ArgumentParser
import TwinRuntime

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the twin-scene/1 JSON Schema, generated from the system catalog.")

    func run() throws {
        print(JSONWriter.string(SceneSchema.generate(catalog: .standard), style: .pretty))
    }
}
