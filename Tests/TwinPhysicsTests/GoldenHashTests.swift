import Testing
import TwinCore
@testable import TwinPhysics

/// The golden run: the pile's state hash is fixed, so speed work on the pipeline cannot
/// silently change results. `twin bench physics` checks the same hash in release.
@Suite("physics golden hash")
struct GoldenHashTests {
    @Test("the 1,000 pile after 180 steps of 1/60 s has the golden state hash, with 1 and 2 workers")
    func goldenPile() {
        let one = PhysicsScenes.pileHash()
        let two = PhysicsScenes.pileHash(executor: ParallelExecutor(workers: 2))
        #expect(one == PhysicsScenes.goldenPileHash, "hash \(String(one, radix: 16)), golden \(String(PhysicsScenes.goldenPileHash, radix: 16))")
        #expect(two == one)
    }
}
