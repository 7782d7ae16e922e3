import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// Sleeping bodies cost no pair search (the broadphase sorts only moving bodies' cells),
/// yet a moving body still finds them: the resting-body path of `BroadPhase`.
@Suite("physics sleeping cost")
struct SleepingCostTests {
    @Test("an asleep pile sorts no cell words and keeps its contacts; a box dropped on it touches the top box and wakes it")
    func sleepingPile() throws {
        let (w, ids) = PhysicsScenes.pile(1000)
        for _ in 0..<1800 { w.step(dt: 1.0 / 60) }
        #expect(RestReport(w).awake == 0, "\(RestReport(w))")
        let contacts = w.contactCount
        w.step(dt: 1.0 / 60)
        #expect(w.broadphase.entries.isEmpty, "no moving body, no cell words")
        #expect(w.contactCount == contacts && contacts > 1000, "resting contacts kept: \(contacts) → \(w.contactCount)")

        guard let top = ids.max(by: { w.position(of: $0).y < w.position(of: $1).y }) else { return }
        let p = w.position(of: top)
        let box = try w.createBody(BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.25)), position: p + Vec3(0, 1, 0)))
        var touched = false
        for _ in 0..<60 {
            w.step(dt: 1.0 / 60)
            if w.events.contactBegan.contains(ContactPair(a: min(top, box), b: max(top, box))) {
                touched = true
                #expect(w.isAwake(top), "the top box wakes when the new one lands")
            }
        }
        #expect(touched, "the falling box never touched the sleeping top box")
        #expect(w.position(of: box).y > p.y, "the box fell through: \(w.position(of: box).y) ≤ \(p.y)")
    }
}
