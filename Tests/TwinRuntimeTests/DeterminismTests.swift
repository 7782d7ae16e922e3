import Testing
import TwinRuntime
import TwinTesting

@Suite("Determinism")
struct DeterminismTests {
    static let scenes = ["warehouse-arrivals.json", "drone-swarm.json", "fountain.json"]

    func path(_ s: String) -> String { packageRoot() + "/Scenes/" + s }

    @Test("the same scene twice gives the identical hash after every step", arguments: scenes)
    func repeatable(scene: String) throws {
        let a = try SceneFixture(file: path(scene)).hashes(steps: 200)
        let b = try SceneFixture(file: path(scene)).hashes(steps: 200)
        #expect(a == b)
        #expect(Set(a).count > 1, "the scene must change state, or this test proves nothing")
    }

    @Test("1 and 2 worker threads give identical hashes", arguments: scenes + ["benchmarks/drift-100k.json"])
    func workers(scene: String) throws {
        let steps = scene.contains("100k") ? 8 : 150
        let one = try SceneFixture(file: path(scene), options: .init(workers: 1)).hashes(steps: steps)
        let two = try SceneFixture(file: path(scene), options: .init(workers: 2)).hashes(steps: steps)
        #expect(one == two)
    }

    @Test("another seed gives a different run", arguments: scenes)
    func seeds(scene: String) throws {
        let a = try SceneFixture(file: path(scene), options: .init(seed: 1)).hashes(steps: 100)
        let b = try SceneFixture(file: path(scene), options: .init(seed: 2)).hashes(steps: 100)
        #expect(a.last != b.last)
    }

    @Test("the benchmark scene matches its golden hash after 64 steps")
    func golden() throws {
        let f = try SceneFixture(file: path("benchmarks/drift-100k.json"))
        f.run(steps: 64)
        #expect(StableHasher.hex(f.world.stateHash()) == "9c07b8649c01ca23")
    }
}
