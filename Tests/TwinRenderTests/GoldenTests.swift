import Testing
import TwinMath
import TwinRender

/// Fixed scenes and cameras compared with golden PNGs (see ``Goldens`` for the tolerance
/// and how to re-record).
@Suite("Golden images")
struct GoldenTests {
    @Test("factory floor, default three-quarter view")
    func factoryThreeQuarter() throws {
        let scene = TestScenes.factory()
        let camera = Camera.fitted(to: scene.bounds, view: .threeQuarter, aspect: 480 / 300)
        try Goldens.check(try Rasterizer.render(scene, camera: camera, width: 480, height: 300), named: "factory-three-quarter")
    }

    @Test("factory floor, default top-down view with heatmap and trajectories")
    func factoryTopDown() throws {
        let scene = TestScenes.factory()
        let camera = Camera.fitted(to: scene.bounds, view: .topDown, aspect: 480 / 300)
        try Goldens.check(try Rasterizer.render(scene, camera: camera, width: 480, height: 300), named: "factory-top-down")
    }

    @Test("1,000 boxes as separate instances, peer benchmark layout")
    func boxLattice() throws {
        var (scene, _) = TestScenes.boxLattice(1000)
        scene.grid = GroundGrid.fitted(to: scene.bounds)
        let camera = Camera.fitted(to: scene.bounds, view: .threeQuarter, aspect: 1.6)
        try Goldens.check(try Rasterizer.render(scene, camera: camera, width: 320, height: 200), named: "box-lattice-1000")
    }
}
