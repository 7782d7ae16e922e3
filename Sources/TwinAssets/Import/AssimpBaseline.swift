import Foundation
internal import CAssimp

extension ModelImporter {
    /// The benchmark baseline for `importModel`: assimp alone reads `path` with the same
    /// post-processing flags and the scene is released at once — no conversion to Swift
    /// values, no unit or axis handling. Returns the number of triangles assimp produced.
    /// Use it only on trusted files (it runs assimp in this process).
    public static func bareAssimpImport(at path: String) throws(AssetImportError) -> Int {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        try checkReadableFile(absolute)
        lock.lock()
        defer { lock.unlock() }
        guard let scene = aiImportFile(absolute, postProcessFlags) else {
            throw .malformed(path: absolute, reason: String(cString: aiGetErrorString()))
        }
        defer { aiReleaseImport(scene) }
        var triangles = 0
        let triangleBit = UInt32(aiPrimitiveType_TRIANGLE.rawValue)
        if let meshes = scene.pointee.mMeshes {
            for i in 0..<Int(scene.pointee.mNumMeshes) {
                guard let mesh = meshes[i]?.pointee, mesh.mPrimitiveTypes & triangleBit != 0 else { continue }
                triangles += Int(mesh.mNumFaces)
            }
        }
        return triangles
    }
}
