import TwinMath

/// Incremental 3-D convex hull in `Double`: a starting tetrahedron from extreme points,
/// then repeatedly the point farthest outside any face is added, replacing the faces it
/// sees by a fan over their horizon. O(n² · faces), meant for the ≤ 64 points a hull
/// keeps.
struct HullBuilder {
    private typealias D3 = SIMD3<Double>
    private struct Face {
        var v: (Int, Int, Int)
        var normal: D3
        var offset: Double
        var alive = true
    }

    private let p: [D3]
    private let eps: Double
    private var faces: [Face] = []

    init(_ points: [Vec3]) {
        p = points.map { D3(Double($0.x), Double($0.y), Double($0.z)) }
        var lo = p[0], hi = p[0]
        for q in p { lo = pointwiseMin(lo, q); hi = pointwiseMax(hi, q) }
        let d = hi - lo
        eps = 1e-7 * max(d.x, d.y, d.z, 1e-9)
    }

    /// Hull vertices and outward counter-clockwise triangles over them.
    mutating func build() throws(PhysicsError) -> (points: [Vec3], triangles: [(Int32, Int32, Int32)]) {
        let i0 = p.indices.min { p[$0].x < p[$1].x } ?? 0
        let i1 = farthest { length(p[$0] - p[i0]) }
        guard length(p[i1] - p[i0]) > eps else { throw PhysicsError("convex hull points all coincide") }
        let axis = normalize(p[i1] - p[i0])
        let i2 = farthest { length(cross(p[$0] - p[i0], axis)) }
        guard length(cross(p[i2] - p[i0], axis)) > eps else {
            throw PhysicsError("convex hull points all lie on a line (a hull needs volume)")
        }
        let n = normalize(cross(p[i1] - p[i0], p[i2] - p[i0]))
        let i3 = farthest { abs(dot(p[$0] - p[i0], n)) }
        guard abs(dot(p[i3] - p[i0], n)) > eps else {
            throw PhysicsError("convex hull points all lie on a plane (a hull needs volume)")
        }
        let tet = [i0, i1, i2, i3]
        for (a, b, c, d) in [(0, 1, 2, 3), (0, 3, 1, 2), (1, 3, 2, 0), (0, 2, 3, 1)] {
            addFace(tet[a], tet[b], tet[c], awayFrom: p[tet[d]])
        }
        var used = Set(tet)
        while true {
            var best = -1, bestDist = eps
            for i in p.indices where !used.contains(i) {
                for f in faces where f.alive {
                    let s = dot(f.normal, p[i]) - f.offset
                    if s > bestDist { bestDist = s; best = i }
                }
            }
            guard best >= 0 else { break }
            used.insert(best)
            add(best)
        }
        var remap: [Int: Int32] = [:]
        var points: [Vec3] = []
        var triangles: [(Int32, Int32, Int32)] = []
        func index(_ i: Int) -> Int32 {
            if let r = remap[i] { return r }
            let r = Int32(points.count)
            remap[i] = r
            points.append(Vec3(Float(p[i].x), Float(p[i].y), Float(p[i].z)))
            return r
        }
        for f in faces where f.alive {
            triangles.append((index(f.v.0), index(f.v.1), index(f.v.2)))
        }
        return (points, triangles)
    }

    private func farthest(_ key: (Int) -> Double) -> Int {
        var best = 0, bestKey = -Double.infinity
        for i in p.indices {
            let k = key(i)
            if k > bestKey { bestKey = k; best = i }
        }
        return best
    }

    /// Adds triangle a, b, c, reversed if `inside` lies in front of it.
    private mutating func addFace(_ a: Int, _ b: Int, _ c: Int, awayFrom inside: D3? = nil) {
        var n = normalize(cross(p[b] - p[a], p[c] - p[a]))
        var v = (a, b, c)
        if let inside, dot(n, inside - p[a]) > 0 { n = -n; v = (a, c, b) }
        faces.append(Face(v: v, normal: n, offset: dot(n, p[a])))
    }

    /// Replaces the faces `i` sees by triangles from their horizon edges to `i` (each
    /// keeps its edge's direction, so the new faces face outward like the old).
    private mutating func add(_ i: Int) {
        var visibleEdges = Set<Int>()
        var visible: [Int] = []
        let n = p.count
        for (k, f) in faces.enumerated() where f.alive && dot(f.normal, p[i]) - f.offset > eps {
            visible.append(k)
            for (a, b) in [(f.v.0, f.v.1), (f.v.1, f.v.2), (f.v.2, f.v.0)] { visibleEdges.insert(a * n + b) }
        }
        for k in visible {
            faces[k].alive = false
            let f = faces[k]
            for (a, b) in [(f.v.0, f.v.1), (f.v.1, f.v.2), (f.v.2, f.v.0)] where !visibleEdges.contains(b * n + a) {
                addFace(a, b, i)
            }
        }
    }
}

private func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
private func normalize(_ v: SIMD3<Double>) -> SIMD3<Double> { v / length(v) }
private func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// Groups the triangles of a hull into planar polygon faces: neighbours whose normals
/// agree within 0.8° join their seed's face; each face's boundary becomes one
/// counter-clockwise loop.
func mergeCoplanar(_ points: [Vec3], _ triangles: [(Int32, Int32, Int32)]) -> (points: [Vec3], faces: [Vec3], loops: [[Int32]]) {
    func normal(_ t: (Int32, Int32, Int32)) -> Vec3 {
        (points[Int(t.1)] - points[Int(t.0)]).cross(points[Int(t.2)] - points[Int(t.0)]).normalized()
    }
    func edges(_ t: (Int32, Int32, Int32)) -> [(Int32, Int32)] { [(t.0, t.1), (t.1, t.2), (t.2, t.0)] }
    func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
    var owner: [UInt64: Int] = [:]
    for (k, t) in triangles.enumerated() { for (a, b) in edges(t) { owner[key(a, b)] = k } }
    var group = [Int](repeating: -1, count: triangles.count)
    var faces: [Vec3] = []
    var loops: [[Int32]] = []
    var groups = 0
    for seed in triangles.indices where group[seed] < 0 {
        let g = groups
        groups += 1
        let n0 = normal(triangles[seed])
        var stack = [seed]
        var members: [Int] = []
        group[seed] = g
        while let t = stack.popLast() {
            members.append(t)
            for (a, b) in edges(triangles[t]) {
                guard let u = owner[key(b, a)], group[u] < 0, normal(triangles[u]).dot(n0) > 0.9999 else { continue }
                group[u] = g
                stack.append(u)
            }
        }
        // Boundary: edges whose twin lies outside the group, chained head to tail.
        var next: [Int32: Int32] = [:]
        var start = Int32.max
        for t in members {
            for (a, b) in edges(triangles[t]) {
                if let u = owner[key(b, a)], group[u] == g { continue }
                next[a] = b
                start = min(start, a)
            }
        }
        guard !next.isEmpty else { continue }  // no boundary: cannot happen for a solid
        var loop: [Int32] = [start]
        var v = next[start] ?? start
        while v != start, loop.count <= next.count {
            loop.append(v)
            v = next[v] ?? start
        }
        // Newell's normal of the loop: robust for slightly non-planar merged faces.
        var nn = Vec3.zero
        for k in loop.indices {
            let a = points[Int(loop[k])], b = points[Int(loop[(k + 1) % loop.count])]
            nn += Vec3((a.y - b.y) * (a.z + b.z), (a.z - b.z) * (a.x + b.x), (a.x - b.x) * (a.y + b.y))
        }
        faces.append(nn.normalized())
        loops.append(loop)
    }
    return (points, faces, loops)
}
