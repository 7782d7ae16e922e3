import ArgumentParser
import TwinCore
import TwinIngest
import TwinRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The `twin` command line as a library, so that a Swift package depending on
/// TwinWorld builds its own `twin` with its plugins added to the built-in ones:
///
/// ```swift
/// import TwinCommandLine
/// TwinCommandLine.main(plugins: [EnergyPlugin.self])
/// ```
///
/// Every command — `run`, `validate`, `systems`, `schema`, `bench`, … — then knows the
/// added systems, components and scene sections.
public enum TwinCommandLine {
    /// Registers `plugins` after the built-ins and runs the command line with the
    /// process's arguments. Exit codes: 0 success, 1 invalid input or failed run, 2 usage
    /// error (ArgumentParser's own usage code, 64, is mapped to 2, as `twin validate`
    /// promises).
    public static func main(plugins: [any TwinPlugin.Type] = []) -> Never {
        IngestPlugin.enable()
        SystemCatalog.addPlugins(plugins)
        do {
            var command = try Twin.parseAsRoot()
            do {
                try command.run()
            } catch {
                Twin.exit(withError: error)
            }
            exit(0)
        } catch {
            let code = Twin.exitCode(for: error)
            if code == .success {
                print(Twin.fullMessage(for: error))
                exit(0)
            }
            FileHandleOutput.standardError(Twin.fullMessage(for: error))
            exit(2)
        }
    }
}
