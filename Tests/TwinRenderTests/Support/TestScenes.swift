import TwinMath
import TwinRender

/// Scenes shared by the raster, golden and timing tests.
enum TestScenes {
    /// The peer benchmark's layout: n unit boxes on a cubic lattice with 2 m spacing
    /// (side = ceil(n^(1/3))), each a separate instance of one box mesh, coloured by
    /// layer.
    static func boxLattice(_ n: Int) -> (scene: RenderScene, side: Int) {
        var side = 1
        while side * side * side < n { side += 1 }
        var scene = RenderScene()
        let box = scene.addMesh(Primitives.box(color: .white))
        let palette: [RGBA8] = [
            RGBA8(rgb: 0xE4572E), RGBA8(rgb: 0x29335C), RGBA8(rgb: 0xF3A712), RGBA8(rgb: 0x669BBC), RGBA8(rgb: 0x4C9F70),
        ]
        for i in 0..<n {
            let p = Vec3(Float(i % side), Float((i / side) % side), Float(i / (side * side))) * 2
            scene.addInstance(mesh: box, transform: Transform(translation: p + Vec3(0, 0.5, 0)), color: palette[(i / side) % side % palette.count])
        }
        return (scene, side)
    }

    /// A small "factory floor": a ground grid, walls, machines (boxes), a conveyor
    /// (cylinder), pedestrians (capsules), a density heatmap, two trajectories and a
    /// zone outline.
    static func factory() -> RenderScene {
        var s = RenderScene()
        let wall = s.addMesh(Primitives.walls(
            along: [Vec2(-10, -6), Vec2(10, -6), Vec2(10, 6), Vec2(-10, 6)], height: 2.5, thickness: 0.25, closed: true,
            color: RGBA8(rgb: 0xB8B2A7)))
        s.addInstance(mesh: wall, transform: .identity)
        let machine = s.addMesh(Primitives.box(size: Vec3(2, 1.6, 1.2)))
        for (i, x) in [Float(-6), -2, 2, 6].enumerated() {
            s.addInstance(mesh: machine, transform: Transform(translation: Vec3(x, 0.8, -3)),
                          color: i == 2 ? RGBA8(rgb: 0xE8A33D) : RGBA8(rgb: 0x3B6EA5))
        }
        let conveyor = s.addMesh(Primitives.cylinder(radius: 0.3, height: 14, segments: 20, color: RGBA8(rgb: 0x555555)))
        s.addInstance(mesh: conveyor, transform: Transform(
            translation: Vec3(0, 0.6, 0), rotation: Quat(axis: .unitZ, angle: .pi / 2)))
        let person = s.addMesh(Primitives.capsule(radius: 0.25, height: 1.75, color: RGBA8(rgb: 0xC0392B)))
        for i in 0..<12 {
            let x = -8 + Float(i) * 1.4, z = 2.5 + Float(i % 3) * 0.9
            s.addInstance(mesh: person, transform: Transform(translation: Vec3(x, 0.875, z)))
        }
        let sphere = s.addMesh(Primitives.sphere(radius: 0.6, segments: 24, rings: 12, color: RGBA8(rgb: 0x27AE60)))
        s.addInstance(mesh: sphere, transform: Transform(translation: Vec3(8, 0.6, 3.5)))
        s.grid = GroundGrid(min: Vec2(-14, -10), max: Vec2(14, 10), spacing: 1)
        s.grid?.lineWidth = 0.03
        var values = [Float]()
        for r in 0..<10 { for c in 0..<20 {
            let dx = Float(c) - 6, dz = Float(r) - 7
            values.append(_exp(-(dx * dx + dz * dz) / 12))
        } }
        var heat = Heatmap(min: Vec2(-10, -6), max: Vec2(10, 6), columns: 20, rows: 10, values: values)
        heat.colorMap = .heat
        heat.opacity = 0.85
        heat.smooth = true
        s.heatmap = heat
        s.polylines.append(Polyline(points: [Vec2(-9, 5), Vec2(-4, 1), Vec2(0, 1.5), Vec2(4, -1), Vec2(9, 0)],
                                    width: 0.18, color: RGBA8(rgb: 0x8E44AD)))
        s.polylines.append(Polyline(points: [Vec2(-9, -1), Vec2(-5, -1.2), Vec2(-1, 4)], width: 0.18,
                                    color: RGBA8(rgb: 0x16A085)))
        s.polylines.append(Polyline(points: [Vec2(3, 1.5), Vec2(9, 1.5), Vec2(9, 5.5), Vec2(3, 5.5)], width: 0.12,
                                    color: RGBA8(rgb: 0xF1C40F), closed: true))
        return s
    }
}

#if canImport(Glibc)
import Glibc
#endif
func _exp(_ x: Float) -> Float { expf(x) }
