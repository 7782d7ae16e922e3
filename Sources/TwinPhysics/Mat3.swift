import TwinMath

/// A 3×3 matrix by columns: rotation matrices and world-space inverse inertia tensors.
struct Mat3: Sendable {
    var c0: Vec3, c1: Vec3, c2: Vec3

    static let zero = Mat3(c0: .zero, c1: .zero, c2: .zero)

    @inline(__always) init(c0: Vec3, c1: Vec3, c2: Vec3) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    /// The rotation matrix of a unit quaternion.
    @inline(__always) init(_ q: Quat) {
        let x2 = q.x + q.x, y2 = q.y + q.y, z2 = q.z + q.z
        let xx = q.x * x2, yy = q.y * y2, zz = q.z * z2
        let xy = q.x * y2, xz = q.x * z2, yz = q.y * z2
        let wx = q.w * x2, wy = q.w * y2, wz = q.w * z2
        c0 = Vec3(1 - yy - zz, xy + wz, xz - wy)
        c1 = Vec3(xy - wz, 1 - xx - zz, yz + wx)
        c2 = Vec3(xz + wy, yz - wx, 1 - xx - yy)
    }

    @inline(__always) func column(_ i: Int) -> Vec3 { i == 0 ? c0 : (i == 1 ? c1 : c2) }

    @inline(__always) static func * (m: Mat3, v: Vec3) -> Vec3 { m.c0 * v.x + m.c1 * v.y + m.c2 * v.z }

    /// `Mᵀ v`: a world vector in the matrix's local frame.
    @inline(__always) func transposedTimes(_ v: Vec3) -> Vec3 { Vec3(c0.dot(v), c1.dot(v), c2.dot(v)) }

    /// `R diag(d) Rᵀ`: a local diagonal tensor (principal inertia) expressed in the world frame.
    @inline(__always) static func rotatedDiagonal(_ r: Mat3, _ d: Vec3) -> Mat3 {
        let a = r.c0 * d.x, b = r.c1 * d.y, c = r.c2 * d.z
        return Mat3(
            c0: a * r.c0.x + b * r.c1.x + c * r.c2.x,
            c1: a * r.c0.y + b * r.c1.y + c * r.c2.y,
            c2: a * r.c0.z + b * r.c1.z + c * r.c2.z)
    }
}

extension Vec3 {
    @inline(__always) subscript(i: Int) -> Float { i == 0 ? x : (i == 1 ? y : z) }
}

/// An orthonormal tangent pair for a unit normal, chosen deterministically.
@inline(__always) func tangentBasis(_ n: Vec3) -> (Vec3, Vec3) {
    let t1: Vec3
    if abs(n.x) >= 0.57735 {
        t1 = Vec3(n.y, -n.x, 0).normalized()
    } else {
        t1 = Vec3(0, n.z, -n.y).normalized()
    }
    return (t1, n.cross(t1))
}
