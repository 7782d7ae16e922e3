import TwinMath

/// Meshes for scene geometry and for entities without an asset. All are centred on the
/// origin unless stated, Y up, sizes in metres, with outward unit normals, texture
/// coordinates and counter-clockwise front faces (glTF conventions).
public enum Primitives {
    /// A box of the given full size: 24 vertices (flat faces), 12 triangles.
    public static func box(size: Vec3 = .one, color: RGBA8 = .white) -> RenderMesh {
        var b = MeshBuilder()
        b.box(center: .zero, halfExtents: size * 0.5)
        return b.mesh(color: color)
    }

    /// A UV sphere: `segments` around the Y axis (at least 3), `rings` from pole to pole
    /// (at least 2); `segments × (2·rings − 2)` triangles (no degenerate pole triangles).
    public static func sphere(radius: Float = 0.5, segments: Int = 32, rings: Int = 16, color: RGBA8 = .white)
        -> RenderMesh
    {
        var b = MeshBuilder()
        let seg = max(3, segments), ring = max(2, rings)
        let profile: [(Float, Float, Vec2)] = (0...ring).map { i in
            // Exact poles: sin(π) is not 0 in Float, and the lathe detects poles by r == 0.
            if i == 0 { return (0, radius, Vec2(0, 1)) }
            if i == ring { return (0, -radius, Vec2(0, -1)) }
            let a = Float.pi * Float(i) / Float(ring)
            return (radius * _sin(a), radius * _cos(a), Vec2(_sin(a), _cos(a)))
        }
        lathe(&b, profile: profile, segments: seg)
        return b.mesh(color: color)
    }

    /// A capsule along Y: a cylinder capped by two hemispheres, `height` from tip to tip
    /// (at least 2·radius). `rings` per hemisphere.
    public static func capsule(
        radius: Float = 0.25, height: Float = 1.8, segments: Int = 16, rings: Int = 6, color: RGBA8 = .white
    ) -> RenderMesh {
        var b = MeshBuilder()
        let seg = max(3, segments), ring = max(1, rings)
        let half = max(0, height * 0.5 - radius)
        var profile: [(Float, Float, Vec2)] = []
        for i in 0...ring {  // top hemisphere, pole to equator
            let a = Float.pi * 0.5 * Float(i) / Float(ring)
            profile.append((radius * _sin(a), half + radius * _cos(a), Vec2(_sin(a), _cos(a))))
        }
        for i in 0...ring {  // bottom hemisphere, equator to pole
            let a = Float.pi * 0.5 + Float.pi * 0.5 * Float(i) / Float(ring)
            let r = i == ring ? 0 : _sin(a)  // exact pole
            profile.append((radius * r, -half + radius * _cos(a), Vec2(r, _cos(a))))
        }
        lathe(&b, profile: profile, segments: seg)
        return b.mesh(color: color)
    }

    /// A closed cylinder along Y of the given full height.
    public static func cylinder(radius: Float = 0.5, height: Float = 1, segments: Int = 24, color: RGBA8 = .white)
        -> RenderMesh
    {
        var b = MeshBuilder()
        let seg = max(3, segments), h = height * 0.5
        // Side: a lathe with two rings, normals radial.
        lathe(&b, profile: [(radius, h, Vec2(1, 0)), (radius, -h, Vec2(1, 0))], segments: seg)
        // Caps: fans around a centre vertex.
        for top in [true, false] {
            let y = top ? h : -h
            let n = Vec3(0, top ? 1 : -1, 0)
            let c = b.vertex(Vec3(0, y, 0), n, Vec2(0.5, 0.5))
            var ring: [UInt32] = []
            for j in 0...seg {
                let phi = 2 * Float.pi * Float(j) / Float(seg)
                let (s, co) = (_sin(phi), _cos(phi))
                ring.append(b.vertex(Vec3(radius * s, y, radius * co), n, Vec2(0.5 + 0.5 * s, 0.5 - 0.5 * co)))
            }
            for j in 0..<seg {
                if top { b.triangle(c, ring[j], ring[j + 1]) } else { b.triangle(c, ring[j + 1], ring[j]) }
            }
        }
        return b.mesh(color: color)
    }

    /// A horizontal rectangle at y = 0 facing up, `size.x` along X and `size.y` along Z.
    public static func groundPlane(size: Vec2 = Vec2(10, 10), color: RGBA8 = .white) -> RenderMesh {
        var b = MeshBuilder()
        b.quad(center: .zero, u: Vec3(size.x * 0.5, 0, 0), v: Vec3(0, 0, -size.y * 0.5), normal: .up)
        return b.mesh(color: color)
    }

    /// Walls along a ground polyline (x, z points): one box per segment, `thickness`
    /// across, standing on y = `base`, extended by half the thickness at each end so
    /// corners close. Zero-length segments are skipped.
    public static func walls(
        along points: [Vec2], height: Float = 2.5, thickness: Float = 0.2, closed: Bool = false, base: Float = 0,
        color: RGBA8 = .white
    ) -> RenderMesh {
        var b = MeshBuilder()
        let n = points.count
        let segments = closed && n > 2 ? n : max(0, n - 1)
        for i in 0..<segments {
            let a = points[i], c = points[(i + 1) % n]
            let d = c - a
            let len = d.length
            guard len > 0, len.isFinite else { continue }
            let mid = (a + c) * 0.5
            // Yaw that maps local +X onto the segment direction (x, z).
            let yaw = _atan2(-d.y / len, d.x / len)
            b.box(
                center: Vec3(mid.x, base + height * 0.5, mid.y),
                halfExtents: Vec3((len + thickness) * 0.5, height * 0.5, thickness * 0.5), rotation: Quat(yaw: yaw))
        }
        return b.mesh(color: color)
    }

    /// Revolves a profile (radius, y, 2D normal (radial, y)) around the Y axis; profile
    /// runs from top to bottom. Rings of zero radius (poles) get one triangle per segment.
    private static func lathe(_ b: inout MeshBuilder, profile: [(Float, Float, Vec2)], segments: Int) {
        let first = b.nextIndex
        let cols = segments + 1
        for (i, (r, y, n)) in profile.enumerated() {
            for j in 0...segments {
                let phi = 2 * Float.pi * Float(j) / Float(segments)
                let (s, c) = (_sin(phi), _cos(phi))
                _ = b.vertex(
                    Vec3(r * s, y, r * c), Vec3(n.x * s, n.y, n.x * c),
                    Vec2(Float(j) / Float(segments), Float(i) / Float(max(1, profile.count - 1))))
            }
        }
        for i in 0..<(profile.count - 1) {
            let topPole = profile[i].0 == 0, bottomPole = profile[i + 1].0 == 0
            for j in 0..<segments {
                let a = first + UInt32(i * cols + j), b2 = a + 1
                let c = first + UInt32((i + 1) * cols + j), d = c + 1
                // Seen from outside: a (top-left), c (bottom-left), d (bottom-right), b2 (top-right).
                if !bottomPole { b.triangle(a, c, d) }
                if !topPole { b.triangle(a, d, b2) }
            }
        }
    }
}
