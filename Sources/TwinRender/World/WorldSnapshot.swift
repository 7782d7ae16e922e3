import TwinCore
import TwinMath

/// A world at one instant, reduced to what the glTF writer and the rasterizer draw:
/// shared meshes, one "appearance" per distinct look (a kind's primitive or an asset's
/// meshes), one item per visible entity, static scene geometry and cameras.
///
/// Built by ``SnapshotBuilder``; turned into a `.glb` by ``SnapshotExporter`` and into a
/// ``RenderScene`` by ``SnapshotRenderer``. Units: metres, seconds, Y up.
public struct WorldSnapshot: Sendable {
    /// A look shared by many entities: meshes placed relative to the entity's origin.
    public struct Appearance: Sendable {
        /// "kind:pedestrian", "asset:forklift".
        public var name: String
        /// Indices into ``WorldSnapshot/meshes``; each is drawn at the entity's transform.
        public var meshes: [Int]
        public init(name: String, meshes: [Int]) { self.name = name; self.meshes = meshes }
    }

    /// One visible entity.
    public struct Item: Sendable {
        public var entity: Entity
        public var kind: String?
        public var name: String?
        /// Index into ``WorldSnapshot/appearances``.
        public var appearance: Int
        /// The entity's world transform (`Position`, `Rotation`, `Scale`), metres.
        public var transform: Transform
        /// RGB multiplier from `Visual.tint` (linear 0…1), nil for none.
        public var tint: Vec3?
        /// Every component by name, for glTF `extras`; filled only for appearances shared
        /// by fewer entities than the instancing threshold (see ``SnapshotOptions``).
        public var components: [(name: String, value: JSONValue)]?
    }

    /// A static mesh already in world space (floor, walls, obstacles, exits).
    public struct GeometryPart: Sendable {
        public var name: String
        public var mesh: RenderMesh
    }

    public var meshes: [RenderMesh] = []
    /// Textures of imported assets (base colour); ``RenderMesh/texture`` indexes them.
    public var textures: [RenderTexture] = []
    public var meshNames: [String] = []
    public var appearances: [Appearance] = []
    public var items: [Item] = []
    public var geometry: [GeometryPart] = []
    /// Cameras from the scene's `cameras` section, in scene order.
    public var cameras: [NamedCamera] = []
    /// Simulated time, s, and step of the snapshot.
    public var time: Double = 0
    public var step: Int64 = 0
    /// Entities left out because their transform was not finite (NaN or infinite).
    public var skippedNonFinite: Int = 0

    public init() {}

    /// World bounds of every item (mesh bounds under its transform) and of the geometry;
    /// empty when there is nothing.
    public var bounds: AABB {
        let meshBounds = meshes.map(\.bounds)
        var box = AABB.empty
        for item in items {
            let m = item.transform.matrix
            for mesh in appearances[item.appearance].meshes { box = box.union(meshBounds[mesh].transformed(by: m)) }
        }
        for g in geometry { box = box.union(g.mesh.bounds) }
        return box
    }

    /// What the default cameras frame: ``bounds`` and the ground grid the renderer draws
    /// under them (``GroundGrid/fitted(to:)``, which reaches past the bounds by a margin),
    /// so the whole world and its ground fit in the image.
    public var framingBounds: AABB {
        let b = bounds
        let g = GroundGrid.fitted(to: b)
        return b.union(AABB(min: Vec3(g.min.x, g.height, g.min.y), max: Vec3(g.max.x, g.height, g.max.y)))
    }

    /// A camera by name: a scene camera, or one of the defaults `top-down` and
    /// `three-quarter` fitted to ``framingBounds`` for an image of aspect `width / height`.
    /// - Throws: ``SnapshotError/unknownCamera(_:known:)``.
    public func camera(named name: String?, aspect: Float) throws(SnapshotError) -> Camera {
        if let name, let c = cameras.first(where: { $0.name == name }) { return c.camera }
        switch name {
        case nil:
            return cameras.first?.camera ?? Camera.fitted(to: framingBounds, view: .threeQuarter, aspect: aspect)
        case "three-quarter": return Camera.fitted(to: framingBounds, view: .threeQuarter, aspect: aspect)
        case "top-down": return Camera.fitted(to: framingBounds, view: .topDown, aspect: aspect)
        case let other?:
            throw .unknownCamera(other, known: cameras.map(\.name) + ["top-down", "three-quarter"])
        }
    }
}

/// Why a snapshot, export or render of a world was refused.
public enum SnapshotError: Error, Equatable, CustomStringConvertible {
    case unknownCamera(String, known: [String])

    public var description: String {
        switch self {
        case .unknownCamera(let n, let known):
            return "unknown camera \"\(n)\"; known: \(known.joined(separator: ", "))"
        }
    }
}
