import ArgumentParser
import TwinRuntime

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scene files; print each error as FILE:LINE:COLUMN: JSONPATH: message.",
        discussion: "Exit status: 0 when every file is valid, 1 when any is invalid, 2 on a usage error.")

    @Argument(help: "Scene files.") var scenes: [String]
    @Option(name: .customLong("set"), help: ArgumentHelp("Parameter value to validate with: name=value.", valueName: "name=value"))
    var assignments: [String] = []
    @Flag(name: .shortAndLong, help: "Print nothing for valid files.") var quiet = false

    func validate() throws {
        if scenes.isEmpty { throw ValidationError("give at least one scene file") }
        _ = try RunCommand.parseAssignments(assignments)
    }

    func run() throws {
        let overrides = try RunCommand.parseAssignments(assignments)
        var failed = false
        for file in scenes {
            do {
                _ = try SceneLoader().load(file: file, options: SceneLoadOptions(parameterOverrides: overrides))
                if !quiet { print("\(file): ok") }
            } catch {
                failed = true
                for issue in error.issues { FileHandleOutput.standardError(issue.description) }
            }
        }
        if failed { throw ExitCode(1) }
    }
}
