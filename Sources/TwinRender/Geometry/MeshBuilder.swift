import TwinMath

/// Accumulates vertices and triangles for the primitive generators.
struct MeshBuilder {
    var positions: [Vec3] = []
    var normals: [Vec3] = []
    var uvs: [Vec2] = []
    var indices: [UInt32] = []

    var nextIndex: UInt32 { UInt32(positions.count) }

    mutating func vertex(_ p: Vec3, _ n: Vec3, _ uv: Vec2) -> UInt32 {
        positions.append(p); normals.append(n); uvs.append(uv)
        return UInt32(positions.count - 1)
    }

    mutating func triangle(_ a: UInt32, _ b: UInt32, _ c: UInt32) {
        indices.append(a); indices.append(b); indices.append(c)
    }

    /// A quad centred at `c` with half-axes `u` and `v` (u × v points along the normal,
    /// so the corners run counter-clockwise seen from the front).
    mutating func quad(center c: Vec3, u: Vec3, v: Vec3, normal n: Vec3) {
        let i0 = vertex(c - u - v, n, Vec2(0, 1))
        let i1 = vertex(c + u - v, n, Vec2(1, 1))
        let i2 = vertex(c + u + v, n, Vec2(1, 0))
        let i3 = vertex(c - u + v, n, Vec2(0, 0))
        triangle(i0, i1, i2)
        triangle(i0, i2, i3)
    }

    /// An axis-aligned box of half-extents `h` around `c`, rotated by `r`.
    mutating func box(center c: Vec3, halfExtents h: Vec3, rotation r: Quat = .identity) {
        let faces: [(Vec3, Vec3, Vec3)] = [
            (Vec3(1, 0, 0), Vec3(0, 0, -1), Vec3(0, 1, 0)), (Vec3(-1, 0, 0), Vec3(0, 0, 1), Vec3(0, 1, 0)),
            (Vec3(0, 1, 0), Vec3(1, 0, 0), Vec3(0, 0, -1)), (Vec3(0, -1, 0), Vec3(1, 0, 0), Vec3(0, 0, 1)),
            (Vec3(0, 0, 1), Vec3(1, 0, 0), Vec3(0, 1, 0)), (Vec3(0, 0, -1), Vec3(-1, 0, 0), Vec3(0, 1, 0)),
        ]
        for (n, u, v) in faces {
            quad(
                center: c + r.rotate(n * h), u: r.rotate(u * h), v: r.rotate(v * h), normal: r.rotate(n))
        }
    }

    func mesh(color: RGBA8) -> RenderMesh {
        RenderMesh(positions: positions, normals: normals, uvs: uvs, indices: indices, baseColor: color)
    }
}
