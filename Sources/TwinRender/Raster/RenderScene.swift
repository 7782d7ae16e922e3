import TwinMath

/// One placement of a mesh: a model matrix (object → world) and a tint multiplied
/// with the mesh's colours. 10,000 boxes are one mesh and 10,000 instances; the
/// kernel never expands them into separate geometry.
public struct RenderInstance: Sendable {
    public var mesh: Int
    public var matrix: Mat4
    public var color: RGBA8

    public init(mesh: Int, matrix: Mat4, color: RGBA8 = .white) {
        self.mesh = mesh; self.matrix = matrix; self.color = color
    }

    public init(mesh: Int, transform: Transform, color: RGBA8 = .white) {
        self.init(mesh: mesh, matrix: transform.matrix, color: color)
    }
}

/// One directional light plus ambient light. Shading is
/// `colour × (ambient + diffuse × max(0, n · −direction))`.
public struct DirectionalLight: Hashable, Sendable {
    /// The direction the light travels (from the sun towards the ground), world space.
    public var direction: Vec3
    /// 0...1.
    public var ambient: Float
    /// 0...1.
    public var diffuse: Float

    public init(direction: Vec3 = Vec3(-0.35, -1, -0.55), ambient: Float = 0.35, diffuse: Float = 0.65) {
        self.direction = direction; self.ambient = ambient; self.diffuse = diffuse
    }
}

/// Everything the rasterizer draws: meshes with their instances, textures, one light,
/// and the world-space overlays drawn after the meshes (grid, heatmap, polylines).
public struct RenderScene: Sendable {
    public var meshes: [RenderMesh] = []
    public var textures: [RenderTexture] = []
    public var instances: [RenderInstance] = []
    public var light = DirectionalLight()
    public var background = RGBA8(rgb: 0xDCE6F0)
    public var grid: GroundGrid?
    public var heatmap: Heatmap?
    public var polylines: [Polyline] = []

    public init() {}

    /// Adds a mesh and returns its index for ``RenderInstance/mesh``.
    @discardableResult
    public mutating func addMesh(_ mesh: RenderMesh) -> Int {
        meshes.append(mesh)
        return meshes.count - 1
    }

    public mutating func addInstance(mesh: Int, transform: Transform, color: RGBA8 = .white) {
        instances.append(RenderInstance(mesh: mesh, transform: transform, color: color))
    }

    /// World bounds of all valid instances (finite matrices, existing meshes) and the
    /// overlays' areas; empty when there is nothing.
    public var bounds: AABB {
        var meshBounds = [AABB?](repeating: nil, count: meshes.count)
        var box = AABB.empty
        for inst in instances where inst.mesh >= 0 && inst.mesh < meshes.count && inst.matrix.isFinite {
            let b: AABB
            if let cached = meshBounds[inst.mesh] {
                b = cached
            } else {
                b = meshes[inst.mesh].bounds
                meshBounds[inst.mesh] = b
            }
            box = box.union(b.transformed(by: inst.matrix))
        }
        if let h = heatmap {
            box = box.union(AABB(min: h.min.onGround(height: h.height), max: h.max.onGround(height: h.height)))
        }
        for p in polylines {
            box = box.union(AABB(points: p.points.lazy.filter { $0.x.isFinite && $0.y.isFinite }
                .map { $0.onGround(height: p.height) }))
        }
        return box
    }
}

/// A ground plane with grid lines, drawn wherever nothing is in front of it.
public struct GroundGrid: Hashable, Sendable {
    /// The area covered, on the ground plane (x, z), metres.
    public var min: Vec2
    public var max: Vec2
    /// World y of the plane, metres.
    public var height: Float = 0
    /// Metres between lines.
    public var spacing: Float = 1
    /// A major line every this many lines.
    public var majorEvery: Int = 10
    /// Line width in metres; lines are never drawn thinner than one sample.
    public var lineWidth: Float = 0.02
    public var groundColor = RGBA8(rgb: 0xC8CCC4)
    public var lineColor = RGBA8(rgb: 0xA4A9A2)
    public var majorColor = RGBA8(rgb: 0x7C827A)

    public init(min: Vec2, max: Vec2, height: Float = 0, spacing: Float = 1) {
        self.min = min; self.max = max; self.height = height; self.spacing = spacing
    }

    /// A grid under `bounds` with a margin of 10 % (at least 2 m) and a spacing that
    /// gives roughly 10–100 lines across.
    public static func fitted(to bounds: AABB) -> GroundGrid {
        let b = bounds.isEmpty ? AABB(min: Vec3(-5, 0, -5), max: Vec3(5, 0, 5)) : bounds
        let margin = Swift.max(2, Swift.max(b.size.x, b.size.z) * 0.1)
        var g = GroundGrid(
            min: Vec2(b.min.x - margin, b.min.z - margin), max: Vec2(b.max.x + margin, b.max.z + margin),
            height: Swift.min(0, b.min.y))
        let extent = Swift.max(g.max.x - g.min.x, g.max.y - g.min.y)
        var spacing: Float = 1
        while extent / spacing > 100 { spacing *= 10 }
        while extent / spacing < 10 && spacing > 0.01 { spacing /= 10 }
        g.spacing = spacing
        g.lineWidth = spacing * 0.02
        return g
    }
}

/// A scalar field over a rectangle of a horizontal plane (density, utilisation…),
/// coloured through a colour map and blended over the visible ground.
public struct Heatmap: Sendable {
    public var min: Vec2
    public var max: Vec2
    /// World y of the plane, metres (a little above the ground so it wins the depth test).
    public var height: Float = 0.01
    public var columns: Int
    public var rows: Int
    /// `rows * columns` values, row-major; row 0 at `min.y` (world z), column 0 at
    /// `min.x`. NaN means "no data" and stays transparent.
    public var values: [Float]
    /// Mapped to the two ends of the colour map; nil: the finite minimum and maximum.
    public var range: ClosedRange<Float>?
    public var colorMap: ColorMap = .viridis
    /// 0...1.
    public var opacity: Float = 0.7
    /// Bilinear between cell centres instead of flat cells.
    public var smooth: Bool = false

    public init(min: Vec2, max: Vec2, columns: Int, rows: Int, values: [Float]) {
        self.min = min; self.max = max; self.columns = columns; self.rows = rows; self.values = values
    }
}

/// A line on a horizontal plane with a width in metres: a trajectory or, closed, a zone
/// outline.
public struct Polyline: Sendable {
    /// Ground-plane points (x, z), metres.
    public var points: [Vec2]
    /// Metres.
    public var width: Float
    public var color: RGBA8
    public var closed: Bool
    /// World y, metres.
    public var height: Float

    public init(points: [Vec2], width: Float = 0.2, color: RGBA8 = RGBA8(220, 40, 40), closed: Bool = false,
                height: Float = 0.02) {
        self.points = points; self.width = width; self.color = color; self.closed = closed; self.height = height
    }
}
