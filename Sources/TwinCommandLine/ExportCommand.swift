import ArgumentParser
import Foundation
import TwinRender
import TwinRuntime

/// `twin export SCENE --glb OUT`: a binary glTF snapshot of the world at a moment.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a glTF 2.0 (.glb) snapshot of a scene's world.",
        discussion: """
            Entities with an asset (Visual) become that asset's meshes; others a primitive per Kind, sized by \
            Scale. 1024 or more entities sharing a mesh become one EXT_mesh_gpu_instancing node. Nodes carry \
            extras (entity id, kind, name, components); the scene's cameras (or a default three-quarter and \
            top-down view) are included.
            """)

    @OptionGroup var moment: SceneMoment
    @Option(help: ArgumentHelp("The .glb file to write.", valueName: "OUT.glb")) var glb: String
    @Flag(help: "Print one JSON object describing what was written.") var json = false

    func run() throws {
        let sim = try moment.load()
        moment.advance(sim)
        let snap = SnapshotBuilder.snapshot(of: WorldReader(sim.world), time: sim.time, step: sim.stepCount)
        let bytes: [UInt8]
        let doc: GLTFDocument
        do {
            doc = try SnapshotExporter.document(snap)
            bytes = try doc.glb()
            try writeFile(bytes, to: glb)
        } catch { throw commandFailure("export", error) }
        if snap.skippedNonFinite > 0 {
            FileHandleOutput.standardError("twin export: left out \(snap.skippedNonFinite) entities with a non-finite transform")
        }
        if json {
            print(JSONWriter.string(.object([
                ("file", .string(glb)), ("bytes", .number(Double(bytes.count))), ("step", .number(Double(sim.stepCount))),
                ("time", .number(sim.time)), ("entities", .number(Double(snap.items.count))),
                ("nodes", .number(Double(doc.nodeCount))), ("meshes", .number(Double(doc.meshCount))),
                ("skippedNonFinite", .number(Double(snap.skippedNonFinite))),
            ])))
        } else {
            print("wrote \(glb): \(bytes.count) bytes, \(snap.items.count) entities in \(doc.nodeCount) nodes, \(doc.meshCount) meshes (t = \(sim.time) s, step \(sim.stepCount))")
        }
    }
}
