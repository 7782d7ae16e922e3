import ArgumentParser
import Foundation
import TwinAssets

/// `twin import`: inspect a 3D model or extract a 2D floor plan.
///
///     twin import FILE [--json]                      model summary (assimp formats)
///     twin import PLAN --floor-plan [--scale M] [--json] [--out FILE]
///
/// A hidden worker mode (`--worker FILE --worker-output OUT`) is what `IsolatedImporter`
/// runs in a child process; it is not meant to be called by hand.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a 3D model or a 2D floor plan and print what was found.",
        discussion: """
            Models (OBJ, FBX, glTF/GLB, COLLADA, STL, PLY, 3DS, OFF, DXF, … — anything assimp reads) are \
            converted to metres and Y up. Floor plans (--floor-plan) are DXF files (layers map to walls, \
            walkable areas, obstacles, exits, doors) or PNG images (dark pixels become obstacles).
            """)

    @Argument(help: "The model or floor-plan file.")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(name: .customLong("floor-plan"), help: "Read FILE as a 2D floor plan (.dxf or .png).")
    var floorPlan = false

    @Option(help: ArgumentHelp(
        "Floor plans: metres per pixel (PNG) or per drawing unit (DXF, default from $INSUNITS). Models: extra scale on the file's unit.",
        valueName: "M_PER_PX"))
    var scale: Double?

    @Option(name: .customLong("up-axis"), help: "Models: override the file's up axis (x, y, z, -x, -y, -z).")
    var upAxis: String?

    @Option(help: ArgumentHelp("Floor plans: write the scene geometry fragment (JSON) to this file.", valueName: "FILE"))
    var out: String?

    @Option(help: "Floor plans from PNG: luma threshold 0…255 below which pixels are solid.")
    var threshold: Int = 128

    @Flag(help: .hidden)
    var worker = false

    @Option(name: .customLong("worker-output"), help: .hidden)
    var workerOutput: String?

    @Option(name: .customLong("memory-limit"), help: .hidden)
    var memoryLimit: UInt64?

    @Option(name: .customLong("cpu-limit"), help: .hidden)
    var cpuLimit: UInt64?

    func run() throws {
        if worker {
            guard let output = workerOutput else { throw fail("--worker needs --worker-output") }
            let code = ImportWorker.run(
                path: file, options: try modelOptions(), outputPath: output, memoryLimitBytes: memoryLimit, cpuSeconds: cpuLimit)
            if code != 0 { throw ExitCode(code) }
            return
        }
        if floorPlan {
            try runFloorPlan()
        } else {
            try runModel()
        }
    }

    private func modelOptions() throws -> ModelImportOptions {
        var options = ModelImportOptions(scale: Float(scale ?? 1))
        if let axis = upAxis {
            guard let parsed = UpAxis(rawValue: axis.lowercased()) else {
                throw fail("--up-axis must be one of x, y, z, -x, -y, -z (got '\(axis)')")
            }
            options.upAxis = parsed
        }
        return options
    }

    private func runModel() throws {
        let options = try modelOptions()
        let model: ImportedModel
        do throws(AssetImportError) {
            model = try ModelImporter.importModel(at: file, options: options)
        } catch {
            throw fail(error.description)
        }
        let report = ModelReport.report(model)
        if json {
            print(String(decoding: FloorPlanFragment.jsonData(report), as: UTF8.self))
            return
        }
        print("\(model.sourcePath)")
        print("  format     \(model.metadata.sourceFormat) (unit scale \(model.metadata.appliedScale), up axis \(model.metadata.sourceUpAxis.rawValue))")
        print("  nodes      \(model.nodes.count)")
        print("  meshes     \(model.meshes.count)  triangles \(model.triangleCount)  vertices \(model.vertexCount)")
        print("  materials  \(model.materials.count)  textures \(model.textureCount)")
        if let b = model.bounds {
            print("  bounds     min \(format(b.min))  max \(format(b.max))  size \(format(b.size)) m")
        } else {
            print("  bounds     (no geometry)")
        }
        for warning in model.warnings { print("  warning: \(warning)") }
    }

    private func runFloorPlan() throws {
        guard (0...255).contains(threshold) else { throw fail("--threshold must be in 0…255") }
        let plan: FloorPlan
        do throws(AssetImportError) {
            plan = try FloorPlanImporter.importPlan(
                at: file, options: FloorPlanImporter.Options(scale: scale, threshold: UInt8(threshold)))
        } catch {
            throw fail(error.description)
        }
        if let out {
            do {
                try FloorPlanFragment.jsonData(FloorPlanFragment.sceneFragment(plan))
                    .write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw fail("\(out): cannot write: \(error.localizedDescription)")
            }
        }
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        if json {
            print(String(decoding: FloorPlanFragment.jsonData(FloorPlanFragment.report(plan, file: absolute)), as: UTF8.self))
            return
        }
        print("\(absolute)")
        print("  scale          \(plan.metresPerUnit) m per unit")
        print("  walls          \(plan.walls.count)")
        print("  walkable areas \(plan.walkableAreas.count) (holes \(plan.walkableAreas.reduce(0) { $0 + $1.holes.count }))")
        print("  obstacles      \(plan.obstacles.count)")
        print("  exits          \(plan.exits.count)")
        print("  doors          \(plan.doors.count)")
        if let b = plan.bounds {
            print("  bounds (x, z)  min (\(b.min.x), \(b.min.y))  max (\(b.max.x), \(b.max.y)) m")
        }
        if let out { print("  wrote          \(out)") }
        for warning in plan.warnings { print("  warning: \(warning)") }
    }

    private func format(_ v: SIMD3<Float>) -> String {
        "(\(v.x), \(v.y), \(v.z))"
    }

    /// Prints the reason on stderr and returns exit code 1.
    private func fail(_ reason: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(reason)\n".utf8))
        return ExitCode(1)
    }
}
