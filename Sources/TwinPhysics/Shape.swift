import TwinMath

/// The geometry of a collider, in the body's local frame (metres).
public enum Shape: Sendable, Hashable {
    /// A sphere about the body origin.
    case sphere(radius: Float)
    /// A box centred on the body origin; half extents along local X, Y, Z.
    case box(halfExtents: Vec3)
    /// A capsule along local Y: a segment of half length `halfHeight` swept by `radius`.
    case capsule(radius: Float, halfHeight: Float)
    /// The infinite half-space below the local X–Z plane (normal local +Y); static only.
    case plane
    /// A convex polyhedron; its local frame is its principal frame (see `massFrame`).
    case hull(ConvexHull)
    /// Convex children at poses; its local frame is its principal frame.
    case compound(CompoundShape)
    /// A static triangle mesh (floors, ramps, racks); static only.
    case mesh(TriangleMesh)

    /// Where the shape's own frame (centre of mass, principal axes) sits in the frame its
    /// points or children were given in; the identity for primitives, whose frames are
    /// already principal.
    public var massFrame: (centre: Vec3, rotation: Quat) {
        switch self {
        case .hull(let h): return h.frame
        case .compound(let c): return c.frame
        default: return (.zero, .identity)
        }
    }

    /// Only static bodies may have this shape (it has no finite mass).
    var isStaticOnly: Bool {
        switch self {
        case .plane, .mesh: return true
        default: return false
        }
    }

    /// Why a shape cannot be simulated, or nil if it is fine.
    public var problem: String? {
        func bad(_ v: Float) -> Bool { !(v > 0) || !v.isFinite }
        switch self {
        case .sphere(let r): return bad(r) ? "sphere radius must be a positive finite number of metres, got \(r)" : nil
        case .box(let h):
            return bad(h.x) || bad(h.y) || bad(h.z) ? "box half extents must be positive finite metres, got \(h)" : nil
        case .capsule(let r, let hh):
            if bad(r) { return "capsule radius must be a positive finite number of metres, got \(r)" }
            return !(hh >= 0) || !hh.isFinite ? "capsule half height must be ≥ 0 m, got \(hh)" : nil
        case .plane, .hull, .compound, .mesh: return nil  // checked when built
        }
    }

    /// Volume in m³ (infinite for a plane).
    public var volume: Float {
        switch self {
        case .sphere(let r): return 4 / 3 * .pi * r * r * r
        case .box(let h): return 8 * h.x * h.y * h.z
        case .capsule(let r, let hh): return .pi * r * r * (2 * hh) + 4 / 3 * .pi * r * r * r
        case .plane, .mesh: return .infinity
        case .hull(let h): return h.volume
        case .compound(let c): return c.volume
        }
    }

    /// Principal moments of inertia per unit mass about the origin (m²).
    var unitInertia: Vec3 {
        switch self {
        case .sphere(let r): return Vec3(repeating: 0.4 * r * r)
        case .box(let h):
            let x = h.x * h.x, y = h.y * h.y, z = h.z * h.z
            return Vec3(y + z, x + z, x + y) / 3
        case .capsule(let r, let hh):
            // Cylinder and two hemispheres, weighted by volume (parallel-axis for the caps).
            let vc = Float.pi * r * r * 2 * hh, vs = 4 / 3 * Float.pi * r * r * r
            let fc = vc / (vc + vs), fs = vs / (vc + vs)
            let h2 = 2 * hh
            let axial = fc * 0.5 * r * r + fs * 0.4 * r * r
            let cyl = fc * (r * r / 4 + h2 * h2 / 12)
            let caps = fs * (0.4 * r * r + hh * hh + 0.375 * r * hh)
            return Vec3(cyl + caps, axial, cyl + caps)
        case .plane, .mesh: return .zero
        case .hull(let h): return h.unitInertia
        case .compound(let c): return c.unitInertia
        }
    }

    /// Radius of the smallest origin-centred sphere holding the shape (m), for speculative
    /// margins and sleep thresholds.
    var boundingRadius: Float {
        switch self {
        case .sphere(let r): return r
        case .box(let h): return h.length
        case .capsule(let r, let hh): return r + hh
        case .plane, .mesh: return 0
        case .hull(let h): return h.radius
        case .compound(let c): return c.radius
        }
    }

    /// Radius of the largest origin-centred sphere inside the shape (m): how far the
    /// body may move in a step before its centre could pass through a thin wall.
    var innerRadius: Float {
        switch self {
        case .sphere(let r), .capsule(let r, _): return r
        case .box(let h): return min(h.x, h.y, h.z)
        case .hull(let h): return max(0, h.faces.reduce(Float.infinity) { min($0, $1.offset) })
        case .compound(let c): return c.children.reduce(Float.infinity) { min($0, $1.shape.innerRadius) }
        case .plane, .mesh: return 0
        }
    }

    /// World-space bounds at a pose.
    func bounds(position p: Vec3, rotation r: Mat3) -> (min: Vec3, max: Vec3) {
        switch self {
        case .sphere(let rad):
            return (p - Vec3(repeating: rad), p + Vec3(repeating: rad))
        case .box(let h):
            let e = Vec3(
                abs(r.c0.x) * h.x + abs(r.c1.x) * h.y + abs(r.c2.x) * h.z,
                abs(r.c0.y) * h.x + abs(r.c1.y) * h.y + abs(r.c2.y) * h.z,
                abs(r.c0.z) * h.x + abs(r.c1.z) * h.y + abs(r.c2.z) * h.z)
            return (p - e, p + e)
        case .capsule(let rad, let hh):
            let a = r.c1 * hh
            let e = Vec3(abs(a.x) + rad, abs(a.y) + rad, abs(a.z) + rad)
            return (p - e, p + e)
        case .plane:
            let big: Float = 1e9
            return (Vec3(repeating: -big), Vec3(repeating: big))
        case .hull(let h):
            var lo = p + r * h.vertices[0], hi = lo
            for v in h.vertices {
                let w = p + r * v
                lo = lo.pointwiseMin(w); hi = hi.pointwiseMax(w)
            }
            return (lo, hi)
        case .compound(let c):
            var lo = Vec3(repeating: .infinity), hi = -lo
            for k in c.children.indices {
                let child = c.placedChild(k, p, r)
                let b = child.shape.bounds(position: child.position, rotation: child.rotation)
                lo = lo.pointwiseMin(b.min); hi = hi.pointwiseMax(b.max)
            }
            return (lo, hi)
        case .mesh(let m):
            let c = (m.boundsMin + m.boundsMax) * 0.5, h = (m.boundsMax - m.boundsMin) * 0.5
            let e = Vec3(
                abs(r.c0.x) * h.x + abs(r.c1.x) * h.y + abs(r.c2.x) * h.z,
                abs(r.c0.y) * h.x + abs(r.c1.y) * h.y + abs(r.c2.y) * h.z,
                abs(r.c0.z) * h.x + abs(r.c1.z) * h.y + abs(r.c2.z) * h.z)
            let centre = p + r * c
            return (centre - e, centre + e)
        }
    }
}

/// Surface properties; a contact combines its two materials (friction: geometric mean,
/// restitution: maximum — Box2D's rules, so a bouncy ball bounces on any floor).
public struct Material: Sendable, Hashable {
    /// Coulomb friction coefficient (unitless, ≥ 0).
    public var friction: Float = 0.6
    /// Coefficient of restitution (0 = no bounce, 1 = elastic).
    public var restitution: Float = 0
    /// Rolling resistance coefficient μr (unitless, ≥ 0; pairs take the larger): a
    /// rolling body meets a torque of at most μr × normal force × its rolling radius.
    public var rollingResistance: Float = 0
    public init(friction: Float = 0.6, restitution: Float = 0, rollingResistance: Float = 0) {
        self.friction = friction; self.restitution = restitution; self.rollingResistance = rollingResistance
    }
}
