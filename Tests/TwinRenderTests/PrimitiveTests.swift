import Testing
import TwinMath
import TwinRender

@Suite("Primitives")
struct PrimitiveTests {
    static let all: [(String, RenderMesh)] = [
        ("box", Primitives.box(size: Vec3(1, 2, 3))),
        ("sphere", Primitives.sphere(radius: 1, segments: 48, rings: 24)),
        ("capsule", Primitives.capsule(radius: 0.3, height: 1.8)),
        ("cylinder", Primitives.cylinder(radius: 0.5, height: 2)),
        ("ground", Primitives.groundPlane(size: Vec2(4, 2))),
        ("walls", Primitives.walls(along: [Vec2(0, 0), Vec2(4, 0), Vec2(4, 3)], height: 2, thickness: 0.2)),
    ]

    @Test("every triangle winds counter-clockwise around its outward vertex normals", arguments: 0..<6)
    func windingMatchesNormals(index: Int) throws {
        let (name, m) = Self.all[index]
        #expect(m.triangleCount > 0)
        #expect(m.normals.count == m.positions.count && m.uvs.count == m.positions.count)
        for n in m.normals { #expect(abs(n.length - 1) < 1e-4, "\(name): normal \(n)") }
        for t in 0..<m.triangleCount {
            let i = (0..<3).map { Int(m.indices[t * 3 + $0]) }
            let face = (m.positions[i[1]] - m.positions[i[0]]).cross(m.positions[i[2]] - m.positions[i[0]])
            #expect(face.length > 0, "\(name): degenerate triangle \(t)")
            for k in i { #expect(face.dot(m.normals[k]) > 0, "\(name): triangle \(t) winds against its normals") }
        }
    }

    /// Signed volume by the divergence theorem: positive only for outward-facing closed meshes.
    func volume(_ m: RenderMesh) -> Float {
        var v: Float = 0
        for t in 0..<m.triangleCount {
            let a = m.positions[Int(m.indices[t * 3])], b = m.positions[Int(m.indices[t * 3 + 1])]
            let c = m.positions[Int(m.indices[t * 3 + 2])]
            v += a.dot(b.cross(c)) / 6
        }
        return v
    }

    @Test("closed primitives enclose their analytic volume with outward orientation")
    func volumes() {
        #expect(volume(Primitives.box(size: Vec3(1, 2, 3))).isApproximatelyEqual(to: 6, relative: 1e-5))
        #expect(volume(Primitives.sphere(radius: 1, segments: 128, rings: 64)).isApproximatelyEqual(to: 4 / 3 * .pi, relative: 2e-3))
        #expect(volume(Primitives.cylinder(radius: 0.5, height: 2, segments: 128)).isApproximatelyEqual(to: .pi * 0.5, relative: 2e-3))
        let capsule = Float.pi * 0.09 * 1.2 + 4 / 3 * Float.pi * 0.027
        #expect(volume(Primitives.capsule(radius: 0.3, height: 1.8, segments: 128, rings: 32)).isApproximatelyEqual(to: capsule, relative: 5e-3))
    }

    @Test("a 1024 × 640 UV sphere has 1.3 M triangles and no degenerate pole triangles")
    func sphereCount() {
        let s = Primitives.sphere(segments: 1024, rings: 640)
        #expect(s.triangleCount == 1024 * (2 * 640 - 2))
    }

    @Test("walls follow the polyline, stand on the ground and have the requested height")
    func wallBounds() {
        let w = Primitives.walls(along: [Vec2(0, 0), Vec2(4, 0), Vec2(4, 3)], height: 2, thickness: 0.2)
        let b = w.bounds
        #expect(b.min.isApproximatelyEqual(to: Vec3(-0.1, 0, -0.1), absolute: 1e-5))
        #expect(b.max.isApproximatelyEqual(to: Vec3(4.1, 2, 3.1), absolute: 1e-5))
    }
}
