import TwinMath

/// Why a glTF document could not be built.
public enum GLTFError: Error, Equatable, CustomStringConvertible {
    /// A mesh index names a vertex that does not exist.
    case indexOutOfRange(mesh: String, position: Int, index: UInt32, vertexCount: Int)
    /// A mesh with no vertices or no whole triangle.
    case emptyMesh(String)
    /// A reference to a mesh, material, texture, camera or node that was never added.
    case unknownReference(kind: String, index: Int)
    /// Animation keyframes: counts differ, times not strictly increasing or not finite.
    case invalidAnimation(String)
    /// The binary chunk would exceed the GLB limit of 4 GiB.
    case tooLarge(bytes: Int)

    public var description: String {
        switch self {
        case .indexOutOfRange(let m, let p, let i, let n):
            return "mesh '\(m)': index \(i) at position \(p) is out of range (\(n) vertices)"
        case .emptyMesh(let m): return "mesh '\(m)' has no triangles"
        case .unknownReference(let k, let i): return "unknown \(k) \(i)"
        case .invalidAnimation(let s): return "invalid animation: \(s)"
        case .tooLarge(let b): return "GLB of \(b) bytes exceeds the 4 GiB format limit"
        }
    }
}

/// A PBR metallic-roughness material.
public struct PBRMaterial: Hashable, Sendable {
    public var name: String?
    /// sRGB colour; written as glTF's linear `baseColorFactor`.
    public var baseColor: RGBA8
    /// 0 (dielectric) ... 1 (metal).
    public var metallic: Float
    /// 0 (mirror) ... 1 (rough).
    public var roughness: Float
    /// A texture index from ``GLTFDocument/addTexture(png:name:)``.
    public var baseColorTexture: Int?
    public var doubleSided: Bool

    public init(
        name: String? = nil, baseColor: RGBA8 = .white, metallic: Float = 0, roughness: Float = 0.8,
        baseColorTexture: Int? = nil, doubleSided: Bool = false
    ) {
        self.name = name; self.baseColor = baseColor; self.metallic = metallic; self.roughness = roughness
        self.baseColorTexture = baseColorTexture; self.doubleSided = doubleSided
    }
}

/// A node: a transform (translation, rotation, scale), optionally a mesh or camera,
/// children, and `extras` for what a viewer should show on click.
public struct GLTFNode: Sendable {
    public var name: String?
    public var transform: Transform
    public var mesh: Int?
    public var camera: Int?
    public var children: [Int]
    public var extras: GLTFJSON?

    public init(
        name: String? = nil, transform: Transform = .identity, mesh: Int? = nil, camera: Int? = nil,
        children: [Int] = [], extras: GLTFJSON? = nil
    ) {
        self.name = name; self.transform = transform; self.mesh = mesh; self.camera = camera
        self.children = children; self.extras = extras
    }
}

/// One animated property of one node.
public struct GLTFChannel: Sendable {
    public enum Interpolation: String, Sendable { case linear = "LINEAR", step = "STEP" }
    public enum Values: Sendable {
        case translation([Vec3])
        case rotation([Quat])
        case scale([Vec3])

        var count: Int {
            switch self {
            case .translation(let v), .scale(let v): return v.count
            case .rotation(let q): return q.count
            }
        }
        var path: String {
            switch self {
            case .translation: return "translation"
            case .rotation: return "rotation"
            case .scale: return "scale"
            }
        }
    }

    public var node: Int
    /// Keyframe times in seconds, strictly increasing.
    public var times: [Float]
    public var values: Values
    public var interpolation: Interpolation

    public init(node: Int, times: [Float], values: Values, interpolation: Interpolation = .linear) {
        self.node = node; self.times = times; self.values = values; self.interpolation = interpolation
    }
}
