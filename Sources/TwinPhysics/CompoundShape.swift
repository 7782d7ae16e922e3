import TwinMath

/// Several convex shapes rigidly joined (a pallet with its load, an L-shaped bracket).
///
/// Mass properties add up with the parallel-axis theorem; the children are then stored
/// in the compound's principal frame (centre of mass, principal axes), like a hull's
/// vertices, with `frame` giving that frame in the frame the children were placed in.
/// The broadphase sees one box around all children: compounds are few and small, and
/// one proxy keeps one contact (one manifold) per body pair, which the solver expects.
public final class CompoundShape: Sendable, Hashable {
    /// A child shape and its pose in the compound's frame.
    public struct Child: Sendable {
        public var shape: Shape
        public var position: Vec3
        public var rotation: Quat
        public init(shape: Shape, position: Vec3 = .zero, rotation: Quat = .identity) {
            self.shape = shape; self.position = position; self.rotation = rotation
        }
    }

    /// Children in the principal frame (poses of the children's own principal frames).
    let children: [Child]
    public let volume: Float
    let unitInertia: Vec3
    public let frame: (centre: Vec3, rotation: Quat)
    let radius: Float

    /// Most children a compound may have.
    public static let maxChildren = 64

    public init(_ parts: [Child]) throws(PhysicsError) {
        guard !parts.isEmpty else { throw PhysicsError("a compound shape needs at least one child") }
        guard parts.count <= Self.maxChildren else {
            throw PhysicsError("a compound shape may have at most \(Self.maxChildren) children, got \(parts.count)")
        }
        var placed: [Child] = []
        for (k, c) in parts.enumerated() {
            switch c.shape {
            case .sphere, .box, .capsule, .hull: break
            default: throw PhysicsError("compound child \(k) must be a sphere, box, capsule or hull")
            }
            if let p = c.shape.problem { throw PhysicsError("compound child \(k): \(p)") }
            guard c.position.isFinite, c.rotation.vector.isFinite, c.rotation.w.isFinite, c.rotation.vector.length > 0 || c.rotation.w != 0 else {
                throw PhysicsError("compound child \(k) pose must be finite, got \(c.position)")
            }
            let q = c.rotation.normalized()
            let f = c.shape.massFrame
            placed.append(Child(shape: c.shape, position: c.position + q.rotate(f.centre), rotation: (q * f.rotation).normalized()))
        }
        var volume: Float = 0
        var centre = Vec3.zero
        for c in placed {
            volume += c.shape.volume
            centre += c.position * c.shape.volume
        }
        centre = centre / volume
        var inertia = Tensor3()
        for c in placed {
            let v = c.shape.volume
            inertia = inertia + Tensor3.diagonal(c.shape.unitInertia * v).rotated(Mat3(c.rotation))
                + Tensor3.pointMass(Double(v), at: c.position - centre)
        }
        let (moments, rotation) = principalAxes(inertia)
        let r = Mat3(rotation)
        children = placed.map {
            Child(shape: $0.shape, position: r.transposedTimes($0.position - centre), rotation: (rotation.conjugate * $0.rotation).normalized())
        }
        self.volume = volume
        unitInertia = moments / volume
        frame = (centre, rotation)
        radius = children.reduce(0) { max($0, $1.position.length + $1.shape.boundingRadius) }
    }

    public static func == (a: CompoundShape, b: CompoundShape) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }

    /// Child `k` placed in the world, for a compound at `position`, `rotation`.
    @inline(__always) func placedChild(_ k: Int, _ position: Vec3, _ rotation: Mat3) -> PlacedShape {
        let c = children[k]
        let local = Mat3(c.rotation)
        return PlacedShape(shape: c.shape, position: position + rotation * c.position,
                           rotation: Mat3(c0: rotation * local.c0, c1: rotation * local.c1, c2: rotation * local.c2))
    }
}
