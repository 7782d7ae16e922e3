import Foundation
internal import CAssimp

/// Imports 3D model files through assimp, in this process.
///
/// Use it for trusted files (the scene author's own `Assets/`); anything else should go
/// through `IsolatedImporter`, because assimp 5.2.5 can crash the process on malformed
/// input. The assimp scene is released before `importModel` returns, and no assimp type
/// escapes this module.
///
/// Post-processing: triangulate, generate smooth normals where missing, join identical
/// vertices, validate the data structure, sort by primitive type (point and line meshes
/// are dropped with a warning) and flip UVs to the glTF convention. Then the unit scale
/// and up-axis rotation are baked in (see `ImportedModel`).
public enum ModelImporter {
    /// assimp keeps its last error in one global and is not documented as thread-safe:
    /// in-process imports run one at a time.
    static let lock = NSLock()

    /// assimp post-processing of every import (see above); `bareAssimpImport` uses the same.
    static let postProcessFlags: UInt32 =
        aiProcess_Triangulate.rawValue | aiProcess_GenSmoothNormals.rawValue
        | aiProcess_JoinIdenticalVertices.rawValue | aiProcess_ValidateDataStructure.rawValue
        | aiProcess_SortByPType.rawValue | aiProcess_FlipUVs.rawValue

    /// Lower-cased extensions (without the dot) that assimp can read.
    public static func isSupported(extension ext: String) -> Bool {
        guard !ext.isEmpty else { return false }
        return aiIsExtensionSupported("." + ext.lowercased()) != 0
    }

    /// Imports the model at `path`. Throws `AssetImportError` for every kind of bad input
    /// that assimp reports; a missing texture is a warning on the result.
    public static func importModel(at path: String, options: ModelImportOptions = ModelImportOptions()) throws(AssetImportError) -> ImportedModel {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let absolute = url.path
        try checkReadableFile(absolute)
        let ext = url.pathExtension.lowercased()
        guard isSupported(extension: ext) else {
            throw .unsupportedFormat(path: absolute, format: ext.isEmpty ? "(no extension)" : ext)
        }
        guard options.scale.isFinite, options.scale > 0 else {
            throw .malformed(path: absolute, reason: "import scale must be a positive number, got \(options.scale)")
        }

        let flags = postProcessFlags
        lock.lock()
        defer { lock.unlock() }
        var imported = aiImportFile(absolute, flags)
        if imported == nil {
            let reason = String(cString: aiGetErrorString())
            // assimp 5.2 builds face-less meshes for point clouds (OBJ `v` only, PLY without
            // faces) and then rejects them in validation; retry unvalidated so the points can be
            // dropped with a warning. Our converter bounds-checks every index itself.
            if reason.contains("contains no faces") {
                imported = aiImportFile(absolute, flags & ~aiProcess_ValidateDataStructure.rawValue)
            }
            if imported == nil { throw classify(reason: reason, path: absolute) }
        }
        guard let scene = imported else { throw .malformed(path: absolute, reason: "assimp returned no scene") }
        defer { aiReleaseImport(scene) }
        if scene.pointee.mFlags & UInt32(AI_SCENE_FLAGS_INCOMPLETE) != 0 {
            throw .malformed(path: absolute, reason: "the file describes an incomplete scene (no usable geometry)")
        }
        let format = formatName(extension: ext)
        return try AssimpSceneConverter.convert(
            scene: scene.pointee, sourcePath: absolute, format: format, options: options)
    }

    /// Throws when `path` is missing, a directory, unreadable or empty.
    static func checkReadableFile(_ path: String) throws(AssetImportError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingFile(path: path)
        }
        if isDirectory.boolValue { throw .io(path: path, reason: "is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .io(path: path, reason: "permission denied")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
        if size == 0 { throw .emptyFile(path: path) }
    }

    /// Turns assimp's error text into a typed error.
    private static func classify(reason: String, path: String) -> AssetImportError {
        if reason.hasPrefix("Unable to open file") { return .missingFile(path: path) }
        if reason.hasPrefix("No suitable reader found") {
            return .malformed(path: path, reason: "content does not match any known format (\(reason))")
        }
        return .malformed(path: path, reason: reason.isEmpty ? "assimp rejected the file" : reason)
    }

    /// assimp's name for the importer of `ext`, e.g. "Wavefront Object Importer".
    private static func formatName(extension ext: String) -> String {
        if let desc = aiGetImporterDesc(ext), let name = desc.pointee.mName {
            let text = String(cString: name).replacingOccurrences(of: "Importer", with: "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { return text }
        }
        return ext
    }
}
