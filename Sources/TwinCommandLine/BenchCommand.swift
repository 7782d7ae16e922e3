import ArgumentParser
import Foundation
import TwinBench
import TwinRuntime

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmark suites (build with -c release) and compare with plain loops or peer tools in the same run.",
        discussion: "Suites: " + BenchCommand.suites.map { "\($0.name) (\($0.summary))" }.joined(separator: "; "))

    static let suites: [any BenchmarkSuite.Type] = [
        ECSSuite.self, AssetsSuite.self, RenderSuite.self, PedestriansSuite.self, MachinesSuite.self, VehiclesSuite.self,
        PluginsSuite.self, SweepSuite.self, IngestSuite.self, ServerSuite.self, PhysicsSuite.self,
    ]

    @Argument(help: "Suites to run (default: all).") var names: [String] = []
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Fewer repetitions (rough figures; for smoke tests).") var quick = false
    @Option(help: "Directory of benchmark scenes and golden.json.") var scenes = "Scenes/benchmarks"
    @Option(help: "Run only benchmarks whose name contains this text (for profiling).") var only: String?

    func validate() throws {
        for n in names where !Self.suites.contains(where: { $0.name == n }) {
            throw ValidationError(Suggestions.unknownMessage(kind: "suite", name: n, known: Self.suites.map { $0.name }))
        }
    }

    func run() throws {
        #if DEBUG
        FileHandleOutput.standardError("twin bench: this is a debug build; figures are meaningless. Use: swift run -c release twin bench …")
        #endif
        let chosen = names.isEmpty ? Self.suites : Self.suites.filter { names.contains($0.name) }
        var results: [BenchResult] = []
        let options = BenchOptions(scenesDirectory: scenes, quick: quick, only: only)
        for suite in chosen {
            if !json { print("suite \(suite.name): \(suite.summary)") }
            do {
                results += try suite.run(options: options) { line in if !json { print(line) } }
            } catch {
                FileHandleOutput.standardError("twin bench \(suite.name): \(error)")
                throw ExitCode(1)
            }
        }
        if json {
            print(JSONWriter.string(.object([("machine", Self.machine()), ("results", .array(results.map(\.json)))])))
        } else {
            print("")
            print("suite  name                      value        baseline     ratio   target   ok")
            for r in results {
                let line = String(
                    format: "%-6@ %-22@ %10.3f %@ %10@ %7@ %8@  %@",
                    r.suite as NSString, r.name as NSString, r.value, r.unit as NSString,
                    (r.baseline.map { String(format: "%.3f", $0) } ?? "-") as NSString,
                    (r.ratio.map { String(format: "%.2f×", $0) } ?? "-") as NSString,
                    (r.target.map { String(format: "%.3g", $0) } ?? "-") as NSString,
                    (r.meetsTarget.map { $0 ? "yes" : "NO" } ?? "") as NSString)
                print(line)
            }
        }
    }

    static func machine() -> JSONValue {
        var cpu = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return .object([
            ("cpu", .string(cpu)), ("cores", .number(Double(ProcessInfo.processInfo.activeProcessorCount))),
            ("memoryBytes", .number(Double(ProcessInfo.processInfo.physicalMemory))),
            ("os", .string(ProcessInfo.processInfo.operatingSystemVersionString)), ("build", .string(build)),
        ])
    }
}
