import Foundation
import TwinCore

/// How a scene's model file is imported: in this process, or in a crash-isolated
/// `twin import --worker` child process (assimp 5.2.5 can crash on malformed files).
///
/// The rule (`choose`): a file whose real path (symbolic links resolved) lies under the
/// scene file's directory, or under the project's `Assets/` folder beside it (the
/// `Scenes/x.json` + `Assets/` layout: `<scene dir>/../Assets/`), is the scene author's
/// own and imports in process. Anything else — other `../` paths, absolute paths
/// elsewhere, links pointing out — goes through the worker when a `twin` executable is
/// known (`currentTwinExecutable`: this process, when it is the `twin` CLI), and in
/// process otherwise (a host program embedding the engine decides its own isolation).
public enum AssetImportRoute: Sendable, Hashable {
    case inProcess
    case isolated(executable: URL)

    /// The route for `file` (absolute) in a scene whose file lies in `sceneDirectory`.
    public static func choose(for file: String, sceneDirectory: String, worker: URL? = currentTwinExecutable) -> AssetImportRoute {
        guard let worker, !isAuthorOwned(file, sceneDirectory: sceneDirectory) else { return .inProcess }
        return .isolated(executable: worker)
    }

    /// Whether `file` lies under `sceneDirectory` or `sceneDirectory/../Assets` (real paths).
    public static func isAuthorOwned(_ file: String, sceneDirectory: String) -> Bool {
        let target = realPath(file)
        let scene = URL(fileURLWithPath: sceneDirectory, isDirectory: true)
        let roots = [scene, scene.deletingLastPathComponent().appendingPathComponent("Assets", isDirectory: true)]
        return roots.contains { root in
            let r = realPath(root.path)
            return target.hasPrefix(r.hasSuffix("/") ? r : r + "/")
        }
    }

    /// The `twin` CLI's own executable (`/proc/self/exe`) when this process is `twin`; else nil.
    public static let currentTwinExecutable: URL? = {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let url = URL(fileURLWithPath: exe)
        return url.lastPathComponent == "twin" ? url : nil
    }()

    /// Imports `path` along this route.
    public func importModel(at path: String, options: ModelImportOptions) throws(AssetImportError) -> ImportedModel {
        switch self {
        case .inProcess: return try ModelImporter.importModel(at: path, options: options)
        case .isolated(let exe): return try IsolatedImporter(executable: exe).importModel(at: path, options: options)
        }
    }

    private static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
