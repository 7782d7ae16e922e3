import Synchronization
import TwinMath

/// A convex polyhedron collider, built from a point cloud (an imported mesh's vertices or
/// a point list in the scene).
///
/// Why this construction: the input is first reduced to at most `maxVertices` support
/// points along a fixed set of directions (a real mesh of thousands of vertices becomes
/// a small hull the SAT in `CollidePolytopes.swift` can afford; a box stays its 8
/// corners), then an incremental hull in `Double` adds the farthest outside point
/// first (Quickhull's order, so slivers are rare), and coplanar triangles are merged
/// into polygon faces so a resting hull gets one clipped face contact, not a fan of
/// triangle contacts that rock.
///
/// The vertices are stored in the hull's principal frame: origin at the centre of mass,
/// axes along the principal axes of inertia, so the solver's diagonal inertia applies.
/// `frame` says where that frame sits in the frame the points were given in.
public final class ConvexHull: Sendable, Hashable, CustomStringConvertible {
    /// Vertices in the principal frame (m).
    let vertices: [Vec3]
    /// Faces: outward unit normal and offset (`normal · x = offset` on the face) and the
    /// range of their counter-clockwise vertex loop in `faceVertices`.
    let faces: [HullFace]
    let faceVertices: [Int32]
    /// Unique edges with their two adjacent faces (for the Gauss-map edge test).
    let edges: [HullEdge]
    /// Volume (m³) and principal moments of inertia per unit mass (m²).
    public let volume: Float
    let unitInertia: Vec3
    /// The principal frame in the input frame: centre of mass (m) and rotation.
    public let frame: (centre: Vec3, rotation: Quat)
    /// Largest distance of a vertex from the centre of mass (m).
    let radius: Float

    /// Most vertices kept; more input points are reduced to support points.
    public static let maxVertices = 64

    public var vertexCount: Int { vertices.count }
    public var faceCount: Int { faces.count }
    public var description: String { "hull(\(vertices.count) vertices, \(faces.count) faces)" }

    /// Builds the hull of `points` (input frame, m). Throws when there are fewer than four
    /// points, a point is not finite, or all points lie on a line or a plane (a hull needs
    /// volume), naming which.
    public init(points: [Vec3]) throws(PhysicsError) {
        guard points.count >= 4 else {
            throw PhysicsError("a convex hull needs at least 4 points, got \(points.count)")
        }
        if let bad = points.firstIndex(where: { !$0.isFinite }) {
            throw PhysicsError("convex hull point \(bad) is not finite: \(points[bad])")
        }
        let reduced = Self.supportPoints(points, cap: Self.maxVertices)
        var builder = HullBuilder(reduced)
        let tri = try builder.build()
        let merged = mergeCoplanar(tri.points, tri.triangles)
        let mass = polyhedronMass(merged.points, merged.faces, merged.loops)
        guard mass.volume > 1e-12 else { throw PhysicsError("convex hull has no volume (all points on a plane)") }
        let (principal, rotation) = principalAxes(mass.inertiaAboutCentre)
        let r = Mat3(rotation)
        let centre = mass.centre
        vertices = merged.points.map { r.transposedTimes($0 - centre) }
        var faces: [HullFace] = []
        var loop: [Int32] = []
        for (f, indices) in merged.loops.enumerated() {
            let n = r.transposedTimes(merged.faces[f])
            let offset = n.dot(vertices[Int(indices[0])])
            faces.append(HullFace(normal: n, offset: offset, first: Int32(loop.count), count: Int32(indices.count)))
            loop += indices
        }
        self.faces = faces
        faceVertices = loop
        edges = hullEdges(faces, loop)
        volume = mass.volume
        unitInertia = principal / mass.volume
        frame = (centre, rotation)
        radius = vertices.reduce(0) { max($0, $1.length) }
    }

    /// A box as a hull in its own frame (for box–hull and capsule–box contacts).
    static func box(_ h: Vec3) -> ConvexHull {
        BoxHulls.shared.hull(h)
    }

    private init(boxHalfExtents h: Vec3) {
        vertices = (0..<8).map { boxVertex(h, $0) }
        // Faces −x, +x, −y, +y, −z, +z with counter-clockwise loops seen from outside.
        let loops: [[Int32]] = [[0, 4, 6, 2], [1, 3, 7, 5], [0, 1, 5, 4], [2, 6, 7, 3], [0, 2, 3, 1], [4, 5, 7, 6]]
        var faces: [HullFace] = []
        for (f, l) in loops.enumerated() {
            let n = f < 2 ? Vec3(f == 0 ? -1 : 1, 0, 0) : (f < 4 ? Vec3(0, f == 2 ? -1 : 1, 0) : Vec3(0, 0, f == 4 ? -1 : 1))
            faces.append(HullFace(normal: n, offset: n.dot(vertices[Int(l[0])]), first: Int32(f * 4), count: 4))
        }
        self.faces = faces
        faceVertices = loops.flatMap { $0 }
        edges = hullEdges(faces, faceVertices)
        volume = 8 * h.x * h.y * h.z
        unitInertia = Shape.box(halfExtents: h).unitInertia
        frame = (.zero, .identity)
        radius = h.length
    }

    static func makeBox(_ h: Vec3) -> ConvexHull { ConvexHull(boxHalfExtents: h) }

    /// A mesh triangle as a flat two-faced hull: face 0 the front (counter-clockwise
    /// a, b, c), face 1 the back.
    init(triangle a: Vec3, _ b: Vec3, _ c: Vec3, normal n: Vec3) {
        vertices = [a, b, c]
        faces = [HullFace(normal: n, offset: n.dot(a), first: 0, count: 3), HullFace(normal: -n, offset: -n.dot(a), first: 3, count: 3)]
        faceVertices = [0, 1, 2, 0, 2, 1]
        edges = hullEdges(faces, faceVertices)
        volume = 0
        unitInertia = .zero
        frame = ((a + b + c) / 3, .identity)
        radius = 0
    }

    /// The input point farthest along each of a fixed set of directions (a Fibonacci
    /// sphere), deduplicated in input order; all points when they are few.
    static func supportPoints(_ points: [Vec3], cap: Int) -> [Vec3] {
        guard points.count > cap else { return points }
        var chosen: [Int] = []
        var directions = 2 * cap
        while directions >= 8 {
            chosen = []
            var seen = Set<Int>()
            for k in 0..<directions {
                let y = 1 - 2 * (Float(k) + 0.5) / Float(directions)
                let r = (1 - y * y).squareRoot()
                let phi = Float(k) * 2.399963
                let d = Vec3(r * _cos(phi), y, r * _sin(phi))
                var best = 0, bestDot = -Float.infinity
                for (i, p) in points.enumerated() {
                    let s = p.dot(d)
                    if s > bestDot { bestDot = s; best = i }
                }
                if seen.insert(best).inserted { chosen.append(best) }
            }
            if chosen.count <= cap { break }
            directions = directions * 3 / 4
        }
        return chosen.sorted().map { points[$0] }
    }

    public static func == (a: ConvexHull, b: ConvexHull) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

struct HullFace: Sendable {
    var normal: Vec3
    var offset: Float
    var first: Int32
    var count: Int32
}

struct HullEdge: Sendable {
    var v0: Int32, v1: Int32
    /// The face left of v0→v1 (whose loop runs v0→v1) and the face on the other side.
    var face0: Int32, face1: Int32
}

/// One box hull per distinct half-extents, made on first use (boxes are few and their
/// sizes repeat).
final class BoxHulls: Sendable {
    static let shared = BoxHulls()
    private let hulls = Mutex<[Vec3: ConvexHull]>([:])

    func hull(_ h: Vec3) -> ConvexHull {
        hulls.withLock { table in
            if let found = table[h] { return found }
            let made = ConvexHull.makeBox(h)
            table[h] = made
            return made
        }
    }
}

/// Undirected edges of the faces' loops, each with the face on either side, in the order
/// the loops first name them.
func hullEdges(_ faces: [HullFace], _ loop: [Int32]) -> [HullEdge] {
    var index: [UInt64: Int] = [:]
    var edges: [HullEdge] = []
    for (f, face) in faces.enumerated() {
        let n = Int(face.count), first = Int(face.first)
        for k in 0..<n {
            let a = loop[first + k], b = loop[first + (k + 1) % n]
            let key = UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b)))
            if let e = index[key] {
                edges[e].face1 = Int32(f)
            } else {
                index[key] = edges.count
                edges.append(HullEdge(v0: a, v1: b, face0: Int32(f), face1: Int32(f)))
            }
        }
    }
    return edges
}
