import TwinCore

/// Meshes for a scene's static ground-plane geometry (`SceneGeometry`), in world space:
/// walkable areas as a light floor just above y = 0 (holes left darker), walls 2.5 m high
/// and 0.2 m thick along their centre lines, obstacles as 1 m high prisms, exits as
/// green patches and doors as low green bars.
public enum GeometryMeshes {
    /// Wall height and thickness, metres.
    public static let wallHeight: Float = 2.5, wallThickness: Float = 0.2
    /// Obstacle prism height, metres.
    public static let obstacleHeight: Float = 1

    public static func parts(for g: SceneGeometry) -> [WorldSnapshot.GeometryPart] {
        var out: [WorldSnapshot.GeometryPart] = []
        func add(_ name: String, _ mesh: RenderMesh) { if mesh.triangleCount > 0 { out.append(.init(name: name, mesh: mesh)) } }
        add("floor", flat(g.walkableAreas.map(\.outline), y: 0.002, color: RGBA8(rgb: 0xE9E4D8)))
        add("holes", flat(g.walkableAreas.flatMap(\.holes), y: 0.004, color: RGBA8(rgb: 0x9A9A92)))
        add("exits", flat(g.exits.map(\.outline), y: 0.006, color: RGBA8(rgb: 0x4CAF50)))
        var walls = RenderMesh(positions: [], indices: [], baseColor: RGBA8(rgb: 0xB8B2A7))
        for w in g.walls {
            append(Primitives.walls(along: w.points, height: wallHeight, thickness: wallThickness), to: &walls)
        }
        add("walls", walls)
        var doors = RenderMesh(positions: [], indices: [], baseColor: RGBA8(rgb: 0x2E7D32))
        for d in g.doors { append(Primitives.walls(along: d.points, height: 0.05, thickness: 0.1), to: &doors) }
        add("doors", doors)
        var obstacles = RenderMesh(positions: [], indices: [], baseColor: RGBA8(rgb: 0x7B6F62))
        for o in g.obstacles { append(prism(o.outline, height: obstacleHeight), to: &obstacles) }
        add("obstacles", obstacles)
        return out
    }

    /// Horizontal polygons at height `y`, facing up.
    static func flat(_ rings: [[Vec2]], y: Float, color: RGBA8) -> RenderMesh {
        var m = RenderMesh(positions: [], indices: [], baseColor: color)
        for ring in rings {
            let tris = EarClipping.triangulate(ring)
            guard !tris.isEmpty else { continue }
            let base = UInt32(m.positions.count)
            m.positions += ring.map { $0.onGround(height: y) }
            m.normals += ring.map { _ in Vec3.up }
            // Counter-clockwise in (x, z) is clockwise seen from +Y: swap to face up.
            for t in stride(from: 0, to: tris.count, by: 3) {
                m.indices += [base + tris[t], base + tris[t + 2], base + tris[t + 1]]
            }
        }
        return m
    }

    /// A vertical prism over `ring` from 0 to `height`: sides (one wall segment each) and a top.
    static func prism(_ ring: [Vec2], height: Float) -> RenderMesh {
        var m = Primitives.walls(along: ring, height: height, thickness: 0.02, closed: true)
        append(flat([ring], y: height, color: .white), to: &m)
        return m
    }

    static func append(_ part: RenderMesh, to m: inout RenderMesh) {
        let base = UInt32(m.positions.count)
        let withNormals = part.hasNormals
        m.positions += part.positions
        m.normals += withNormals ? part.normals : part.positions.map { _ in .up }
        m.indices += part.indices.map { $0 + base }
    }
}
