import Foundation

/// The `twin import FILE --json` report of an imported model.
public enum ModelReport {
    /// `file`, `format`, `nodes`, `meshes`, `triangles`, `vertices`, `materials`, `textures`,
    /// `bounds` {`min`, `max`} (metres, Y up; null without geometry), `warnings`, plus the
    /// applied unit scale and the file's up axis.
    public static func report(_ model: ImportedModel) -> [String: Any] {
        var report: [String: Any] = [
            "file": model.sourcePath,
            "format": model.metadata.sourceFormat,
            "nodes": model.nodes.count,
            "meshes": model.meshes.count,
            "triangles": model.triangleCount,
            "vertices": model.vertexCount,
            "materials": model.materials.count,
            "textures": model.textureCount,
            "unitScale": Double(model.metadata.appliedScale),
            "sourceUpAxis": model.metadata.sourceUpAxis.rawValue,
            "warnings": model.warnings,
        ]
        if let b = model.bounds {
            func v(_ p: SIMD3<Float>) -> [Double] { [Double(p.x), Double(p.y), Double(p.z)] }
            report["bounds"] = ["min": v(b.min), "max": v(b.max)]
        } else {
            report["bounds"] = NSNull()
        }
        return report
    }
}
