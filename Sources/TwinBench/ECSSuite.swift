import Foundation
import TwinRuntime

/// `twin bench ecs`: the ecs_bench_suite workloads, each against a plain Swift loop
/// over `Float` arrays doing the same work in the same run.
public enum ECSSuite: BenchmarkSuite {
    public static let name = "ecs"
    public static let summary = "ECS micro-benchmarks (ecs_bench_suite) and a whole step of a 100k-entity scene"

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let samples = options.quick ? 3 : 15
        var out: [BenchResult] = []
        func add(_ name: String, _ value: Double, _ baseline: Double?, _ target: Double?, _ note: String?) {
            let r = BenchResult(
                suite: Self.name, name: name, metric: "median thread-CPU time", unit: "µs", value: value * 1e6,
                baseline: baseline.map { $0 * 1e6 }, target: target, note: note)
            out.append(r)
            log(String(format: "  %-20@ %10.2f µs   baseline %10.2f µs", name as NSString, r.value, r.baseline ?? .nan))
        }

        // simple_insert: 10,000 entities with Transform, Position, Rotation, Velocity.
        let n = 10_000
        if options.includes("simple_insert") {
        add("simple_insert", CPUTimer.median(samples: samples) {
            let w = World()
            for _ in 0..<n { w.spawn(BenchTransform(), BenchPosition(), BenchRotation(), BenchVelocity()) }
            blackHole(w)
        }, CPUTimer.median(samples: samples) {
            var t: [BenchTransform] = [], p: [BenchPosition] = [], r: [BenchRotation] = [], v: [BenchVelocity] = []
            for _ in 0..<n { t.append(.init()); p.append(.init()); r.append(.init()); v.append(.init()) }
            blackHole((t, p, r, v))
        }, 1000, nil)
        add("simple_insert_batch", CPUTimer.median(samples: samples) {
            let w = World()
            w.spawnBatch(count: n, BenchTransform(), BenchPosition(), BenchRotation(), BenchVelocity())
            blackHole(w)
        }, CPUTimer.median(samples: samples) {
            var t: [BenchTransform] = [], p: [BenchPosition] = [], r: [BenchRotation] = [], v: [BenchVelocity] = []
            t.reserveCapacity(n); p.reserveCapacity(n); r.reserveCapacity(n); v.reserveCapacity(n)
            for _ in 0..<n { t.append(.init()); p.append(.init()); r.append(.init()); v.append(.init()) }
            blackHole((t, p, r, v))
        }, 150, nil)
        }

        // simple_iter: position += velocity × dt.
        for (label, count, target) in [("simple_iter_10k", 10_000, 3.0), ("simple_iter_1m", 1_000_000, 1000.0)]
        where options.includes(label) {
            let w = World()
            w.spawnBatch(
                [BenchTransform](repeating: .init(), count: count), (0..<count).map { BenchPosition(x: Float($0)) },
                [BenchRotation](repeating: .init(), count: count),
                [BenchVelocity](repeating: BenchVelocity(x: 1, y: 0.5, z: -1), count: count))
            let q = w.query(Mut<BenchPosition>.self, BenchVelocity.self)
            let dt: Float = 1.0 / 64
            let reps = max(1, 2_000_000 / count)
            // Position and velocity are packed 3-float structs, so the update is one
            // element-wise loop over the columns seen as flat Float arrays.
            let ours = CPUTimer.medianRepeated(samples: samples, repeats: reps) {
                q.forEachChunk { chunk, pos, vel in
                    pos.withMemoryRebound(to: Float.self) { p in
                        vel.withMemoryRebound(to: Float.self) { v in
                            for j in 0..<p.count { p[j] += v[j] * dt }
                        }
                    }
                }
            }
            var px = [Float](repeating: 0, count: count), py = px, pz = px
            var vx = [Float](repeating: 1, count: count), vy = [Float](repeating: 0.5, count: count), vz = [Float](repeating: -1, count: count)
            let base = CPUTimer.medianRepeated(samples: samples, repeats: reps) {
                plainIntegrate(&px, &py, &pz, &vx, &vy, &vz, dt)
            }
            blackHole((px, py, pz, vx, vy, vz))
            add(label, ours, base, target, nil)
        }

        if options.includes("fragmented_iter") { try fragmented(samples: samples, add: add) }
        if options.includes("add_remove") { try addRemove(samples: samples, add: add) }
        if options.includes("schedule") { schedule(samples: samples, add: add) }
        if options.includes("step") { try step(options: options, samples: samples, add: add) }
        return out
    }

    @inline(never)
    static func plainIntegrate(
        _ px: inout [Float], _ py: inout [Float], _ pz: inout [Float],
        _ vx: inout [Float], _ vy: inout [Float], _ vz: inout [Float], _ dt: Float
    ) {
        let n = px.count
        px.withUnsafeMutableBufferPointer { px in
            py.withUnsafeMutableBufferPointer { py in
                pz.withUnsafeMutableBufferPointer { pz in
                    vx.withUnsafeBufferPointer { vx in
                        vy.withUnsafeBufferPointer { vy in
                            vz.withUnsafeBufferPointer { vz in
                                for i in 0..<n {
                                    px[i] += vx[i] * dt
                                    py[i] += vy[i] * dt
                                    pz[i] += vz[i] * dt
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // fragmented_iter: 26 archetypes × 20 entities, data *= 2.
    static func fragmented(samples: Int, add: (String, Double, Double?, Double?, String?) -> Void) throws {
        let w = World()
        func twenty<let L: Int>(_ t: FragmentTag<L>.Type) {
            for _ in 0..<20 { w.spawn(FragmentTag<L>(), FragmentData()) }
        }
        twenty(FragmentTag<0>.self); twenty(FragmentTag<1>.self); twenty(FragmentTag<2>.self); twenty(FragmentTag<3>.self)
        twenty(FragmentTag<4>.self); twenty(FragmentTag<5>.self); twenty(FragmentTag<6>.self); twenty(FragmentTag<7>.self)
        twenty(FragmentTag<8>.self); twenty(FragmentTag<9>.self); twenty(FragmentTag<10>.self); twenty(FragmentTag<11>.self)
        twenty(FragmentTag<12>.self); twenty(FragmentTag<13>.self); twenty(FragmentTag<14>.self); twenty(FragmentTag<15>.self)
        twenty(FragmentTag<16>.self); twenty(FragmentTag<17>.self); twenty(FragmentTag<18>.self); twenty(FragmentTag<19>.self)
        twenty(FragmentTag<20>.self); twenty(FragmentTag<21>.self); twenty(FragmentTag<22>.self); twenty(FragmentTag<23>.self)
        twenty(FragmentTag<24>.self); twenty(FragmentTag<25>.self)
        let q = w.query(Mut<FragmentData>.self)
        guard q.count == 520, w.tableCount == 27 else { throw BenchError("fragmented_iter: expected 26 tables of 20 entities") }
        let ours = CPUTimer.medianRepeated(samples: samples, repeats: 20_000) {
            q.forEachChunk { chunk, data in
                for i in 0..<chunk.count { data[i].value *= 2 }
            }
        }
        var plain = [[Float]](repeating: [Float](repeating: 1, count: 20), count: 26)
        let base = CPUTimer.medianRepeated(samples: samples, repeats: 20_000) {
            for k in 0..<26 {
                plain[k].withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] *= 2 } }
            }
        }
        blackHole(plain)
        add("fragmented_iter", ours, base, 0.35, nil)
    }

    // add_remove: 10,000 entities; add a component to each, then remove it.
    static func addRemove(samples: Int, add: (String, Double, Double?, Double?, String?) -> Void) throws {
        let n = 10_000
        let w = World()
        let ents = w.spawnBatch((0..<n).map { BenchPosition(x: Float($0)) })
        let ours = CPUTimer.median(samples: samples) {
            for e in ents { w.insert(BenchVelocity(), on: e) }
            for e in ents { w.remove(BenchVelocity.self, from: e) }
        }
        guard w.query(BenchPosition.self).without(BenchVelocity.self).count == n else {
            throw BenchError("add_remove: entities lost their components")
        }
        // Plain equivalent of an archetype move: each row moves to a second array
        // of structs and back (append + swap-remove).
        var a = (0..<n).map { BenchPosition(x: Float($0)) }
        var b: [(BenchPosition, BenchVelocity)] = []
        let base = CPUTimer.median(samples: samples) {
            b.reserveCapacity(n)
            while let p = a.popLast() { b.append((p, BenchVelocity())) }
            a.reserveCapacity(n)
            while let pv = b.popLast() { a.append(pv.0) }
        }
        blackHole((a, b))
        add("add_remove", ours, base, 500, nil)
    }

    // schedule: five systems over 100,000 entities in five component mixes.
    static func schedule(samples: Int, add: (String, Double, Double?, Double?, String?) -> Void) {
        let w = World()
        let per = 20_000
        w.spawnBatch(count: per, SA(), SB())
        w.spawnBatch(count: per, SA(), SB(), SC())
        w.spawnBatch(count: per, SA(), SB(), SC(), SD())
        w.spawnBatch(count: per, SA(), SB(), SC(), SE())
        w.spawnBatch(count: per, SA(), SB(), SC(), SD(), SE())
        let ab = w.query(Mut<SA>.self, Mut<SB>.self)
        let cd = w.query(Mut<SC>.self, Mut<SD>.self)
        let ce = w.query(Mut<SC>.self, Mut<SE>.self)
        let ac = w.query(Mut<SA>.self, SC.self)
        let bd = w.query(Mut<SB>.self, SD.self)
        let ours = CPUTimer.medianRepeated(samples: samples, repeats: 50) {
            w.advanceChangeTick()
            ab.forEachChunk { c, a, b in for i in 0..<c.count { swap(&a[i].v, &b[i].v) } }
            w.advanceChangeTick()
            cd.forEachChunk { c, x, d in for i in 0..<c.count { swap(&x[i].v, &d[i].v) } }
            w.advanceChangeTick()
            ce.forEachChunk { c, x, e in for i in 0..<c.count { swap(&x[i].v, &e[i].v) } }
            w.advanceChangeTick()
            ac.forEachChunk { c, a, x in for i in 0..<c.count { a[i].v += x[i].v * 0.5 } }
            w.advanceChangeTick()
            bd.forEachChunk { c, b, d in for i in 0..<c.count { b[i].v -= d[i].v * 0.5 } }
            w.applyCommands()
        }
        // Plain arrays per mix: A,B in all five; C in mixes 2–5; D in 3 and 5; E in 4 and 5.
        var a = [[Float]](repeating: [Float](repeating: 1, count: per), count: 5), b = a, c = a, d = a, e = a
        let base = CPUTimer.medianRepeated(samples: samples, repeats: 50) {
            for m in 0..<5 { swapArrays(&a[m], &b[m]) }
            for m in [2, 4] { swapArrays(&c[m], &d[m]) }
            for m in [3, 4] { swapArrays(&c[m], &e[m]) }
            for m in 1..<5 { axpy(&a[m], c[m], 0.5) }
            for m in [2, 4] { axpy(&b[m], d[m], -0.5) }
        }
        blackHole((a, b, c, d, e))
        add("schedule", ours, base, 60, nil)
    }

    @inline(never) static func swapArrays(_ x: inout [Float], _ y: inout [Float]) {
        x.withUnsafeMutableBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in for i in 0..<x.count { swap(&x[i], &y[i]) } }
        }
    }

    @inline(never) static func axpy(_ y: inout [Float], _ x: [Float], _ s: Float) {
        y.withUnsafeMutableBufferPointer { y in x.withUnsafeBufferPointer { x in for i in 0..<y.count { y[i] += x[i] * s } } }
    }

    // step: one whole fixed step of the 100k-entity benchmark scene.
    static func step(options: BenchOptions, samples: Int, add: (String, Double, Double?, Double?, String?) -> Void) throws {
        let file = (options.scenesDirectory as NSString).appendingPathComponent("drift-100k.json")
        let golden = try Golden.load(options.scenesDirectory)
        let sim: Simulation
        do { sim = try SceneLoader().load(file: file) } catch { throw BenchError("step: \(error)") }
        let steps = 64
        var times: [Double] = []
        for _ in 0..<steps {
            let s = CPUTimer.threadNanoseconds()
            sim.step()
            times.append(Double(CPUTimer.threadNanoseconds() - s) / 1e9)
        }
        times.sort()
        let hash = StableHasher.hex(sim.world.stateHash())
        guard let expected = golden["drift-100k"], expected.steps == steps else {
            throw BenchError("step: no golden hash for drift-100k after \(steps) steps in golden.json (this run: \(hash))")
        }
        guard expected.stateHash == hash else {
            throw BenchError("step: state hash \(hash) after \(steps) steps differs from the golden \(expected.stateHash): a fast wrong answer")
        }
        let count = sim.world.aliveCount
        var px = [Float](repeating: 0, count: count), py = px, pz = px, vx = px, vy = px, vz = px
        let base = CPUTimer.medianRepeated(samples: samples, repeats: 20) {
            plainIntegrate(&px, &py, &pz, &vx, &vy, &vz, 1.0 / 64)
        }
        blackHole((px, py, pz, vx, vy, vz))
        add("step", times[times.count / 2], base, nil, "golden hash ok")
    }
}

/// Golden state hashes of the benchmark scenes (`Scenes/benchmarks/golden.json`).
enum Golden {
    struct Entry: Decodable { var steps: Int; var stateHash: String }

    static func load(_ dir: String) throws -> [String: Entry] {
        let path = (dir as NSString).appendingPathComponent("golden.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("missing \(path)") }
        do {
            return try JSONValueDecoder().decode([String: Entry].self, from: try JSONParser.parse([UInt8](data)))
        } catch {
            throw BenchError("\(path): \(error)")
        }
    }
}
