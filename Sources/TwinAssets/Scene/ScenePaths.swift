import Foundation
import TwinCore

/// Where files named in a scene live: paths are relative to the scene file's directory
/// (the working directory for scenes loaded from text); absolute paths stay as they are.
enum ScenePaths {
    /// The directory of the scene file, absolute.
    static func sceneDirectory(_ scene: SceneContext) -> String {
        URL(fileURLWithPath: scene.file).standardizedFileURL.deletingLastPathComponent().path
    }

    /// `file` resolved against the scene's directory, absolute and standardized.
    static func resolve(_ file: String, in scene: SceneContext) -> String {
        if file.hasPrefix("/") { return URL(fileURLWithPath: file).standardizedFileURL.path }
        return URL(fileURLWithPath: sceneDirectory(scene), isDirectory: true)
            .appendingPathComponent(file).standardizedFileURL.path
    }
}
