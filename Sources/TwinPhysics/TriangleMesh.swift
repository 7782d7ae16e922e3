import TwinMath

/// A static triangle mesh collider (floors, ramps, racks) with a bounding-volume tree
/// built once.
///
/// Why a static median-split BVH: the mesh never moves, so the tree is built once,
/// top-down, splitting each node's triangles at the median centroid along its longest
/// axis; leaves hold up to 4 triangles and nodes sit in one flat array in depth-first
/// order, so a query is a stack walk over contiguous memory and returns triangles in a
/// fixed order (deterministic contacts).
///
/// Why "active" edges: a box sliding across two coplanar triangles would otherwise hit
/// the shared edge with a sideways normal and snag. An edge is active only on the
/// mesh's boundary or where the neighbour bends away by more than `convexAngle`;
/// contacts whose normal comes from an inactive edge or vertex take the face normal
/// instead (the idea of Jolt's active edges and Bullet's internal-edge utility).
public final class TriangleMesh: Sendable, Hashable, CustomStringConvertible {
    let vertices: [Vec3]
    /// Three vertex indices per triangle, counter-clockwise seen from the front.
    let indices: [Int32]
    /// Unit front normal per triangle.
    let normals: [Vec3]
    /// Bit k set: edge k (vertex k to k+1) is active.
    let activeEdges: [UInt8]
    let nodes: [BVHNode]
    /// Triangle indices in leaf order.
    let leafTriangles: [Int32]
    /// Triangles dropped at build: zero area or not finite.
    public let skippedTriangles: Int
    public let boundsMin: Vec3
    public let boundsMax: Vec3

    /// Largest accepted triangle count: the build sorts every level (O(n log² n)) and
    /// needs roughly 150 bytes a triangle while building (300 MB at the cap); decimate
    /// bigger meshes for collision.
    public static let maxTriangles = 2_000_000
    /// An edge whose neighbour bends away by more than this (rad) is active.
    static let convexAngle: Float = 0.1

    public var triangleCount: Int { normals.count }
    public var description: String { "mesh(\(normals.count) triangles)" }

    /// Builds the mesh from positions (m) and triangle indices. Degenerate or non-finite
    /// triangles are skipped and counted; an index out of range, too many triangles or
    /// no usable triangle at all is an error.
    public init(vertices: [Vec3], indices: [UInt32]) throws(PhysicsError) {
        guard indices.count % 3 == 0 else { throw PhysicsError("triangle mesh index count \(indices.count) is not a multiple of 3") }
        guard indices.count / 3 <= Self.maxTriangles else {
            throw PhysicsError("triangle mesh has \(indices.count / 3) triangles, more than the \(Self.maxTriangles) allowed; decimate it for collision")
        }
        if let bad = indices.first(where: { Int($0) >= vertices.count }) {
            throw PhysicsError("triangle mesh index \(bad) is out of range (\(vertices.count) vertices)")
        }
        // Weld equal positions so neighbours are found across split vertices.
        var welded: [Vec3: Int32] = [:]
        var verts: [Vec3] = []
        var remap = [Int32](repeating: -1, count: vertices.count)
        for (i, v) in vertices.enumerated() where v.isFinite {
            if let w = welded[v] { remap[i] = w } else {
                remap[i] = Int32(verts.count); welded[v] = Int32(verts.count); verts.append(v)
            }
        }
        var tris: [Int32] = []
        var normals: [Vec3] = []
        var skipped = 0
        for t in 0..<(indices.count / 3) {
            let a = remap[Int(indices[3 * t])], b = remap[Int(indices[3 * t + 1])], c = remap[Int(indices[3 * t + 2])]
            guard a >= 0, b >= 0, c >= 0, a != b, b != c, a != c else { skipped += 1; continue }
            let n = (verts[Int(b)] - verts[Int(a)]).cross(verts[Int(c)] - verts[Int(a)])
            let area = n.length
            guard area > 1e-12, area.isFinite else { skipped += 1; continue }
            tris += [a, b, c]
            normals.append(n / area)
        }
        guard !normals.isEmpty else { throw PhysicsError("triangle mesh has no usable triangle (\(skipped) degenerate or not finite)") }
        self.vertices = verts
        self.indices = tris
        self.normals = normals
        skippedTriangles = skipped
        activeEdges = Self.findActiveEdges(verts, tris, normals)
        (nodes, leafTriangles) = buildBVH(verts, tris)
        boundsMin = nodes[0].min
        boundsMax = nodes[0].max
    }

    public static func == (a: TriangleMesh, b: TriangleMesh) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }

    @inline(__always) func corner(_ t: Int, _ k: Int) -> Vec3 { vertices[Int(indices[3 * t + k])] }

    private static func findActiveEdges(_ v: [Vec3], _ tris: [Int32], _ normals: [Vec3]) -> [UInt8] {
        func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b))) }
        var firstOwner: [UInt64: Int] = [:]
        var neighbour = [Int](repeating: -1, count: tris.count)
        for t in 0..<normals.count {
            for k in 0..<3 {
                let e = key(tris[3 * t + k], tris[3 * t + (k + 1) % 3])
                if let u = firstOwner[e] {
                    if neighbour[u] < 0 { neighbour[u] = 3 * t + k }
                    neighbour[3 * t + k] = u
                } else {
                    firstOwner[e] = 3 * t + k
                }
            }
        }
        let cosLimit = _cos(convexAngle)
        var active = [UInt8](repeating: 0, count: normals.count)
        for t in 0..<normals.count {
            for k in 0..<3 {
                let other = neighbour[3 * t + k]
                guard other >= 0 else { active[t] |= 1 << k; continue }
                let u = other / 3
                let n = normals[t], m = normals[u]
                // Convex when the neighbour's far vertex lies behind this triangle's plane.
                let far = v[Int(tris[3 * u + (other % 3 + 2) % 3])]
                let convex = n.dot(far - v[Int(tris[3 * t])]) < 0
                if convex && n.dot(m) < cosLimit { active[t] |= 1 << k }
            }
        }
        return active
    }

    /// Triangles whose bounds overlap the box, in tree order, into `out`.
    func query(min lo: Vec3, max hi: Vec3, into out: inout [Int32]) {
        var stack: [Int32] = [0]
        while let n = stack.popLast() {
            let node = nodes[Int(n)]
            guard node.min.x <= hi.x, lo.x <= node.max.x, node.min.y <= hi.y, lo.y <= node.max.y,
                  node.min.z <= hi.z, lo.z <= node.max.z else { continue }
            if node.count > 0 {
                for k in 0..<Int(node.count) {
                    let t = Int(leafTriangles[Int(node.first) + k])
                    let a = corner(t, 0), b = corner(t, 1), c = corner(t, 2)
                    let tlo = a.pointwiseMin(b).pointwiseMin(c), thi = a.pointwiseMax(b).pointwiseMax(c)
                    if tlo.x <= hi.x, lo.x <= thi.x, tlo.y <= hi.y, lo.y <= thi.y, tlo.z <= hi.z, lo.z <= thi.z { out.append(Int32(t)) }
                }
            } else {
                stack.append(node.first)  // right child (pushed first, visited second)
                stack.append(n + 1)           // left child follows its parent
            }
        }
    }
}

/// A BVH node: bounds, and either a leaf range (`count` > 0) or, for an inner node, the
/// right child's index in `first` (the left child is the next node).
struct BVHNode: Sendable {
    var min: Vec3
    var max: Vec3
    var first: Int32
    var count: Int32
}

private func buildBVH(_ v: [Vec3], _ tris: [Int32]) -> ([BVHNode], [Int32]) {
    let n = tris.count / 3
    var order = (0..<n).map { Int32($0) }
    var centroids = [Vec3](repeating: .zero, count: n)
    var lo = [Vec3](repeating: .zero, count: n), hi = [Vec3](repeating: .zero, count: n)
    for t in 0..<n {
        let a = v[Int(tris[3 * t])], b = v[Int(tris[3 * t + 1])], c = v[Int(tris[3 * t + 2])]
        lo[t] = a.pointwiseMin(b).pointwiseMin(c)
        hi[t] = a.pointwiseMax(b).pointwiseMax(c)
        centroids[t] = (a + b + c) / 3
    }
    var nodes: [BVHNode] = []
    nodes.reserveCapacity(2 * n / 4 + 1)
    func build(_ start: Int, _ end: Int) {
        var bmin = lo[Int(order[start])], bmax = hi[Int(order[start])]
        var cmin = centroids[Int(order[start])], cmax = cmin
        for i in start..<end {
            let t = Int(order[i])
            bmin = bmin.pointwiseMin(lo[t]); bmax = bmax.pointwiseMax(hi[t])
            cmin = cmin.pointwiseMin(centroids[t]); cmax = cmax.pointwiseMax(centroids[t])
        }
        let me = nodes.count
        nodes.append(BVHNode(min: bmin, max: bmax, first: Int32(start), count: Int32(end - start)))
        guard end - start > 4 else { return }
        let ext = cmax - cmin
        let axis = ext.x >= ext.y && ext.x >= ext.z ? 0 : (ext.y >= ext.z ? 1 : 2)
        order[start..<end].sort { a, b in
            let ca = centroids[Int(a)][axis], cb = centroids[Int(b)][axis]
            return ca < cb || (ca == cb && a < b)
        }
        let mid = (start + end) / 2
        build(start, mid)
        nodes[me].first = Int32(nodes.count)
        nodes[me].count = 0
        build(mid, end)
    }
    build(0, n)
    return (nodes, order)
}
