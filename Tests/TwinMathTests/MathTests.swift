import Testing
import TwinMath

@Suite("Vectors, quaternions and transforms")
struct MathTests {
    @Test("quaternion rotation matches the rotation matrix and keeps length", arguments: 0..<50)
    func quaternionRotation(seed: Int) {
        var r = RandomStream(seed: UInt64(seed))
        let axis = Vec3(r.uniform(-1, 1), r.uniform(-1, 1), r.uniform(-1, 1))
        let q = Quat(axis: axis, angle: r.uniform(-3.14, 3.14))
        let v = Vec3(r.uniform(-5, 5), r.uniform(-5, 5), r.uniform(-5, 5))
        let a = q.rotate(v), b = Mat4.rotation(q).transformDirection(v)
        #expect(a.isApproximatelyEqual(to: b, absolute: 1e-4), "seed \(seed)")
        #expect(a.length.isApproximatelyEqual(to: v.length, relative: 1e-4), "seed \(seed)")
    }

    @Test("90° about +Y turns +X into −Z (right-handed, Y up)")
    func handedness() {
        let q = Quat(yaw: .pi / 2)
        #expect(q.rotate(.unitX).isApproximatelyEqual(to: Vec3(0, 0, -1), absolute: 1e-6))
    }

    @Test("transform composed with its inverse is the identity (uniform scale)", arguments: 0..<30)
    func inverse(seed: Int) {
        var r = RandomStream(seed: UInt64(seed) + 100)
        let t = Transform(
            translation: Vec3(r.uniform(-9, 9), r.uniform(-9, 9), r.uniform(-9, 9)),
            rotation: Quat(axis: Vec3(r.uniform(-1, 1), 1, r.uniform(-1, 1)), angle: r.uniform(-3, 3)),
            scale: Vec3(repeating: r.uniform(0.2, 4)))
        let p = Vec3(r.uniform(-5, 5), r.uniform(-5, 5), r.uniform(-5, 5))
        #expect(t.inverse.apply(t.apply(p)).isApproximatelyEqual(to: p, absolute: 1e-3), "seed \(seed)")
        #expect(t.matrix.transformPoint(p).isApproximatelyEqual(to: t.apply(p), absolute: 1e-3))
        let inv = t.matrix.affineInverse
        #expect(inv != nil)
        if let inv { #expect(inv.transformPoint(t.apply(p)).isApproximatelyEqual(to: p, absolute: 1e-3)) }
    }

    @Test("AABB union contains both inputs")
    func aabbUnion() {
        var r = RandomStream(seed: 9)
        for _ in 0..<100 {
            let a = AABB(points: (0..<3).map { _ in Vec3(r.uniform(-5, 5), r.uniform(-5, 5), r.uniform(-5, 5)) })
            let b = AABB(points: (0..<3).map { _ in Vec3(r.uniform(-5, 5), r.uniform(-5, 5), r.uniform(-5, 5)) })
            let u = a.union(b)
            #expect(u.contains(a.min) && u.contains(a.max) && u.contains(b.min) && u.contains(b.max))
        }
        #expect(AABB.empty.isEmpty && AABB.empty.union(AABB(min: .zero, max: .one)) == AABB(min: .zero, max: .one))
    }

    @Test("polygon area and containment, holes excluded")
    func polygon() {
        let square = Polygon(outline: [Vec2(0, 0), Vec2(4, 0), Vec2(4, 4), Vec2(0, 4)], holes: [[Vec2(1, 1), Vec2(2, 1), Vec2(2, 2), Vec2(1, 2)]])
        #expect(square.area == 15)
        #expect(square.contains(Vec2(3, 3)))
        #expect(!square.contains(Vec2(1.5, 1.5)))
        #expect(!square.contains(Vec2(5, 1)))
    }
}

@Suite("Random streams")
struct RandomStreamTests {
    @Test("same seed, same sequence; derived streams are independent of each other")
    func determinism() {
        var a = RandomStream(seed: 42), b = RandomStream(seed: 42)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        let root = RandomStream(seed: 1)
        var x = root.derived("core.spawner"), y = root.derived("core.integrate")
        #expect(x.next() != y.next())
        var x2 = root.derived("core.spawner"), x3 = root.derived("core.spawner")
        #expect(x2.next() == x3.next())
        // First output for seed 0, computed with an independent Python implementation of
        // xoshiro256** seeded by SplitMix64: pins the generator across releases.
        var pinned = RandomStream(seed: 0)
        #expect(pinned.next() == 0x99EC_5F36_CB75_F2B4)
    }

    @Test("uniform and exponential draws have the right mean and variance (n = 200,000, ±4σ)")
    func distributions() {
        var r = RandomStream(seed: 7)
        let n = 200_000
        var s = 0.0, s2 = 0.0, e = 0.0, e2 = 0.0
        for _ in 0..<n {
            let u = r.unitDouble(); s += u; s2 += u * u
            let x = r.exponential(rate: 2); e += x; e2 += x * x
        }
        let mean = s / Double(n), variance = s2 / Double(n) - mean * mean
        #expect(abs(mean - 0.5) < 4 * (1.0 / 12).squareRoot() / Double(n).squareRoot())
        #expect(abs(variance - 1.0 / 12) < 0.002)
        let em = e / Double(n)
        // Exponential(rate 2): mean 0.5, sd 0.5.
        #expect(abs(em - 0.5) < 4 * 0.5 / Double(n).squareRoot())
        #expect(abs((e2 / Double(n) - em * em) - 0.25) < 0.01)
    }
}
