import Testing
import TwinMath
import TwinRender

/// Geometry and fill-rule behaviour of the rasterizer against analytic expectations.
@Suite("Rasterizer")
struct RasterTests {
    static let black = RGBA8(0, 0, 0)

    /// A scene with one mesh and one instance on a black background.
    func single(_ mesh: RenderMesh, _ transform: Transform = .identity) -> RenderScene {
        var s = RenderScene()
        s.background = Self.black
        s.addInstance(mesh: s.addMesh(mesh), transform: transform)
        return s
    }

    func covered(_ image: Image) -> Int { image.count { $0 != Self.black } }

    @Test("a box seen from above covers exactly its top face in an orthographic view")
    func orthographicSilhouette() throws {
        let scene = single(Primitives.box(size: Vec3(2, 1, 2)), Transform(translation: Vec3(0.13, 0, 0.27)))
        let camera = Camera(eye: Vec3(0, 10, 0), target: .zero, up: Vec3(0, 0, -1), projection: .orthographic(height: 10),
                            near: 1, far: 20)
        let image = try Rasterizer.render(scene, camera: camera, width: 200, height: 200,
                                          options: RenderOptions(supersampling: 1))
        // 20 px per metre: a 2 m × 2 m face is 40 × 40 px; the fill rule makes it exact.
        #expect(covered(image) == 1600)
    }

    @Test("a perspective box covers its analytic projected area within 1 %")
    func perspectiveSilhouette() throws {
        let scene = single(Primitives.box(size: Vec3(1, 1, 1)))
        let camera = Camera(eye: Vec3(2.2, 1.7, 3.1), target: Vec3(0, 0, 0), near: 0.1, far: 50)
        let (w, h) = (320, 240)
        let image = try Rasterizer.render(scene, camera: camera, width: w, height: h,
                                          options: RenderOptions(supersampling: 1))
        // Project the 8 corners and take the convex hull's area in pixels.
        let vp = camera.viewProjection(aspect: Float(w) / Float(h))
        var pts: [(Double, Double)] = []
        for i in 0..<8 {
            let p = Vec3(i & 1 == 0 ? -0.5 : 0.5, i & 2 == 0 ? -0.5 : 0.5, i & 4 == 0 ? -0.5 : 0.5)
            let c = vp * SIMD4(p.x, p.y, p.z, 1)
            pts.append((Double((c.x / c.w * 0.5 + 0.5) * Float(w)), Double((0.5 - c.y / c.w * 0.5) * Float(h))))
        }
        let area = convexHullArea(pts)
        let n = Double(covered(image))
        #expect(area > 2000)
        #expect(abs(n - area) / area < 0.01, "covered \(n) px, analytic \(area) px")
    }

    @Test("the nearer of two overlapping quads wins whatever the draw order")
    func depthOrdering() throws {
        let facing = Quat(axis: .unitX, angle: .pi / 2)  // plane normal +Y → +Z (towards the camera)
        let camera = Camera(eye: Vec3(0, 0, 5), target: .zero, near: 0.1, far: 20)
        for nearFirst in [true, false] {
            var s = RenderScene()
            s.background = Self.black
            let red = s.addMesh(Primitives.groundPlane(size: Vec2(2, 2), color: RGBA8(255, 0, 0)))
            let green = s.addMesh(Primitives.groundPlane(size: Vec2(1, 1), color: RGBA8(0, 255, 0)))
            let far = RenderInstance(mesh: red, transform: Transform(translation: Vec3(0, 0, 0), rotation: facing))
            let near = RenderInstance(mesh: green, transform: Transform(translation: Vec3(0, 0, 1), rotation: facing))
            s.instances = nearFirst ? [near, far] : [far, near]
            let image = try Rasterizer.render(s, camera: camera, width: 64, height: 64)
            let centre = try #require(image[32, 32])
            #expect(centre.g > 0 && centre.r == 0, "near-first \(nearFirst): centre \(centre)")
            let edge = try #require(image[32, 20])  // inside red, outside green
            #expect(edge.r > 0 && edge.g == 0)
        }
    }

    @Test("back faces are culled when culling is on and lit from behind when it is off")
    func backFaceCulling() throws {
        // The quad's front faces −Z; the camera looks at it from +Z.
        let scene = single(Primitives.groundPlane(size: Vec2(2, 2)), Transform(rotation: Quat(axis: .unitX, angle: -.pi / 2)))
        let camera = Camera(eye: Vec3(0, 0, 4), target: .zero)
        let culled = try Rasterizer.render(scene, camera: camera, width: 32, height: 32)
        #expect(covered(culled) == 0)
        let shown = try Rasterizer.render(scene, camera: camera, width: 32, height: 32,
                                          options: RenderOptions(backfaceCulling: false))
        #expect(covered(shown) > 200)
    }

    @Test("a ground plane crossing the near plane fills exactly the lower half")
    func nearPlaneClipping() throws {
        var ground = Primitives.groundPlane(size: Vec2(1000, 1000), color: RGBA8(90, 160, 60))
        ground.unlit = true
        let scene = single(ground)
        let camera = Camera(eye: Vec3(0, 1, 0), target: Vec3(0, 1, -10), near: 0.05, far: 2000)
        let (w, h) = (160, 100)
        let image = try Rasterizer.render(scene, camera: camera, width: w, height: h,
                                          options: RenderOptions(supersampling: 1))
        for y in 0..<h {
            for x in 0..<w {
                let p = try #require(image[x, y])
                if y < h / 2 - 1 {
                    #expect(p == Self.black, "above the horizon at (\(x), \(y)): \(p)")
                } else if y > h / 2 {
                    #expect(p == RGBA8(90, 160, 60), "ground at (\(x), \(y)): \(p)")
                }
            }
        }
    }

    @Test("the image is byte-identical for 1 or 2 threads and any band height")
    func deterministicBands() throws {
        let scene = TestScenes.factory()
        let camera = Camera.fitted(to: scene.bounds, view: .threeQuarter, aspect: 1.6)
        let a = try Rasterizer.render(scene, camera: camera, width: 256, height: 160,
                                      options: RenderOptions(threads: 1, bandRows: 32))
        let b = try Rasterizer.render(scene, camera: camera, width: 256, height: 160,
                                      options: RenderOptions(threads: 2, bandRows: 32))
        let c = try Rasterizer.render(scene, camera: camera, width: 256, height: 160,
                                      options: RenderOptions(threads: 2, bandRows: 7))
        #expect(a.pixels == b.pixels)
        #expect(a.pixels == c.pixels)
    }

    @Test("skipping hidden instances changes no pixel: a 1,000-box lattice from three sides, culling on and off")
    func occlusionCullingIsExact() throws {
        let (scene, side) = TestScenes.boxLattice(1000)
        let c = Vec3(Float(side - 1), Float(side - 1), Float(side - 1))
        let ext = Float(side) * 2
        // From the far corner (scene order is then back to front, the case culling is
        // for), from the origin's side (front to back already) and from above.
        let cameras = [Vec3(0.95, 0.75, 1.15), Vec3(-1.1, 0.6, -0.9), Vec3(0.05, 1.6, 0.1)].map { dir in
            Camera(eye: c + dir * ext, target: c, projection: .perspective(fovY: .pi / 3), near: 0.5, far: ext * 6)
        }
        for camera in cameras {
            let plain = try Rasterizer.render(scene, camera: camera, width: 320, height: 200,
                                              options: RenderOptions(threads: 1, occlusionCulling: false))
            let culled = try Rasterizer.render(scene, camera: camera, width: 320, height: 200,
                                               options: RenderOptions(threads: 1))
            let culled2 = try Rasterizer.render(scene, camera: camera, width: 320, height: 200,
                                                options: RenderOptions(threads: 2, bandRows: 7))
            #expect(culled.pixels == plain.pixels, "camera at \(camera.eye)")
            #expect(culled2.pixels == plain.pixels, "camera at \(camera.eye)")
            #expect(plain.count { $0 != plain[0, 0] } > 320 * 200 / 10, "the lattice is in view")
        }
    }

    @Test("a 2×2 checker texture maps texel (0, 0) to the top-left with nearest sampling")
    func checkerTexture() throws {
        let texels: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]
        var s = RenderScene()
        s.background = Self.black
        s.textures = [RenderTexture(width: 2, height: 2, pixels: texels, filter: .nearest, wrap: .clamp)]
        var quad = Primitives.groundPlane(size: Vec2(2, 2))
        quad.texture = 0
        quad.unlit = true
        s.addInstance(mesh: s.addMesh(quad), transform: Transform(rotation: Quat(axis: .unitX, angle: .pi / 2)))
        let camera = Camera(eye: Vec3(0, 0, 5), target: .zero, projection: .orthographic(height: 2), near: 1, far: 10)
        let image = try Rasterizer.render(s, camera: camera, width: 40, height: 40, options: RenderOptions(supersampling: 1))
        #expect(image[5, 5] == RGBA8(255, 0, 0))
        #expect(image[34, 5] == RGBA8(0, 255, 0))
        #expect(image[5, 34] == RGBA8(0, 0, 255))
        #expect(image[34, 34] == RGBA8(255, 255, 255))

        // Bilinear blends across the texel boundary at the centre.
        s.textures[0].filter = .bilinear
        let smooth = try Rasterizer.render(s, camera: camera, width: 40, height: 40, options: RenderOptions(supersampling: 1))
        let mid = try #require(smooth[20, 20])
        #expect(mid.r > 60 && mid.g > 60 && mid.b > 60 && mid != .white)
    }

    @Test("sizes outside 1...8192, bad options and a degenerate camera are typed errors")
    func badRequests() {
        let scene = single(Primitives.box())
        let camera = Camera(eye: Vec3(3, 3, 3), target: .zero)
        #expect(throws: RenderError.invalidSize(width: 0, height: 10)) {
            try Rasterizer.render(scene, camera: camera, width: 0, height: 10)
        }
        #expect(throws: RenderError.invalidSize(width: 100_000, height: 100_000)) {
            try Rasterizer.render(scene, camera: camera, width: 100_000, height: 100_000)
        }
        #expect(throws: RenderError.self) {
            try Rasterizer.render(scene, camera: camera, width: 10, height: 10, options: RenderOptions(supersampling: 9))
        }
        #expect(throws: RenderError.invalidCamera) {
            try Rasterizer.render(scene, camera: Camera(eye: .zero, target: .zero), width: 10, height: 10)
        }
        #expect(throws: RenderError.invalidCamera) {
            try Rasterizer.render(scene, camera: Camera(eye: Vec3(.nan, 0, 0), target: .zero), width: 10, height: 10)
        }
    }

    @Test("bad geometry gives an error or a sensible image, never a crash")
    func badGeometry() throws {
        let camera = Camera(eye: Vec3(3, 3, 3), target: .zero)
        // NaN transform: skipped, the other instance still drawn.
        var s = single(Primitives.box())
        s.addInstance(mesh: 0, transform: Transform(translation: Vec3(.nan, 0, 0)))
        let prepared = try PreparedScene(s)
        #expect(prepared.skippedInstances == 1)
        #expect(covered(try Rasterizer.render(prepared, camera: camera, width: 64, height: 64)) > 80)

        // Out-of-range index: a typed error naming the mesh.
        let broken = RenderMesh(positions: [.zero, .unitX, .unitY], indices: [0, 1, 7])
        #expect(throws: RenderError.indexOutOfRange(mesh: 0, position: 2, index: 7, vertexCount: 3)) {
            try Rasterizer.render(single(broken), camera: camera, width: 16, height: 16)
        }
        // Unknown mesh in an instance.
        var unknown = RenderScene()
        unknown.instances = [RenderInstance(mesh: 3, matrix: .identity)]
        #expect(throws: RenderError.unknownMesh(instance: 0, mesh: 3)) {
            try Rasterizer.render(unknown, camera: camera, width: 16, height: 16)
        }
        // Degenerate triangles draw nothing; NaN positions draw nothing.
        let degenerate = RenderMesh(positions: [.zero, .unitX, Vec3(2, 0, 0), Vec3(.nan, 1, 1)], indices: [0, 1, 2, 0, 1, 3])
        #expect(covered(try Rasterizer.render(single(degenerate), camera: camera, width: 32, height: 32,
                                               options: RenderOptions(backfaceCulling: false))) == 0)
        // No normals: flat shading, faces distinguishable.
        var flat = Primitives.box()
        flat.normals = []
        let image = try Rasterizer.render(single(flat), camera: camera, width: 64, height: 64)
        var shades = Set<RGBA8>()
        for y in 0..<64 { for x in 0..<64 { if let p = image[x, y], p != Self.black { shades.insert(p) } } }
        #expect(covered(image) > 100 && shades.count >= 3)
        // A missing texture renders the base colour.
        var textured = Primitives.box(color: RGBA8(200, 30, 30))
        textured.texture = 5
        #expect(covered(try Rasterizer.render(single(textured), camera: camera, width: 32, height: 32)) > 20)
        // A camera inside a box sees nothing of it (back faces culled) — and does not crash.
        let inside = try Rasterizer.render(single(Primitives.box(size: Vec3(4, 4, 4))),
                                           camera: Camera(eye: .zero, target: Vec3(1, 0, 0)), width: 32, height: 32)
        #expect(covered(inside) == 0)
        // An empty scene and a camera looking at nothing give the background.
        #expect(covered(try Rasterizer.render(RenderScene(), camera: camera, width: 8, height: 8)) == 64)
    }

    @Test("overlays: grid below, heatmap and polylines on the ground, hidden behind boxes")
    func overlays() throws {
        var s = RenderScene()
        s.background = Self.black
        s.grid = GroundGrid(min: Vec2(-5, -5), max: Vec2(5, 5))
        s.polylines = [Polyline(points: [Vec2(-4, 0), Vec2(4, 0)], width: 0.5, color: RGBA8(255, 0, 255))]
        let camera = Camera(eye: Vec3(0, 10, 0), target: .zero, up: Vec3(0, 0, -1), projection: .orthographic(height: 12),
                            near: 1, far: 20)
        let image = try Rasterizer.render(s, camera: camera, width: 120, height: 120, options: RenderOptions(supersampling: 1))
        #expect(image[60, 60] == RGBA8(255, 0, 255))     // on the line
        #expect(image[60, 30] != Self.black)             // ground
        #expect(image[2, 2] == Self.black)               // outside the grid's extent
        s.addInstance(mesh: s.addMesh(Primitives.box(size: Vec3(2, 1, 2), color: RGBA8(0, 0, 255))), transform: .identity)
        let occluded = try Rasterizer.render(s, camera: camera, width: 120, height: 120, options: RenderOptions(supersampling: 1))
        let centre = try #require(occluded[60, 60])
        #expect(centre.b > 0 && centre.r == 0)
    }
}

/// Area of the convex hull of `points` (monotone chain), in the points' units².
func convexHullArea(_ points: [(Double, Double)]) -> Double {
    let p = points.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    }
    var lower: [(Double, Double)] = [], upper: [(Double, Double)] = []
    for q in p {
        while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
        lower.append(q)
    }
    for q in p.reversed() {
        while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
        upper.append(q)
    }
    let hull = Array(lower.dropLast() + upper.dropLast())
    var area = 0.0
    for i in hull.indices {
        let a = hull[i], b = hull[(i + 1) % hull.count]
        area += a.0 * b.1 - b.0 * a.1
    }
    return abs(area) / 2
}
