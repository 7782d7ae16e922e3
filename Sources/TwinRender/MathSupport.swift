import TwinMath

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Small math helpers TwinRender needs that TwinMath does not (yet) have. Candidates to
// move into TwinMath.

@inline(__always) func _pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }

extension Quat {
    /// The rotation whose matrix has the given orthonormal columns (right-handed basis).
    /// Shepperd's method: picks the largest diagonal term so the square root is well
    /// conditioned.
    init(rotationColumns x: Vec3, _ y: Vec3, _ z: Vec3) {
        let m00 = x.x, m11 = y.y, m22 = z.z
        let trace = m00 + m11 + m22
        var q: Quat
        if trace > 0 {
            let s = (trace + 1).squareRoot() * 2
            q = Quat(x: (y.z - z.y) / s, y: (z.x - x.z) / s, z: (x.y - y.x) / s, w: 0.25 * s)
        } else if m00 > m11 && m00 > m22 {
            let s = (1 + m00 - m11 - m22).squareRoot() * 2
            q = Quat(x: 0.25 * s, y: (y.x + x.y) / s, z: (z.x + x.z) / s, w: (y.z - z.y) / s)
        } else if m11 > m22 {
            let s = (1 + m11 - m00 - m22).squareRoot() * 2
            q = Quat(x: (y.x + x.y) / s, y: 0.25 * s, z: (z.y + y.z) / s, w: (z.x - x.z) / s)
        } else {
            let s = (1 + m22 - m00 - m11).squareRoot() * 2
            q = Quat(x: (z.x + x.z) / s, y: (z.y + y.z) / s, z: 0.25 * s, w: (x.y - y.x) / s)
        }
        if q.w < 0 { q = Quat(x: -q.x, y: -q.y, z: -q.z, w: -q.w) }
        self = q.normalized()
    }
}

extension Mat4 {
    var isFinite: Bool {
        c0.x.isFinite && c0.y.isFinite && c0.z.isFinite && c0.w.isFinite && c1.x.isFinite && c1.y.isFinite
            && c1.z.isFinite && c1.w.isFinite && c2.x.isFinite && c2.y.isFinite && c2.z.isFinite
            && c2.w.isFinite && c3.x.isFinite && c3.y.isFinite && c3.z.isFinite && c3.w.isFinite
    }
}

extension AABB {
    /// The box of `self` after an affine transform: the transformed centre plus the
    /// extent through the absolute values of the 3×3 part (Arvo's method; the same box
    /// as transforming the 8 corners, up to rounding, at a quarter of the work). Falls
    /// back to the corners when that is not finite (some corners may still be).
    func transformed(by m: Mat4) -> AABB {
        guard !isEmpty else { return self }
        let c = SIMD4<Float>((min.x + max.x) * 0.5, (min.y + max.y) * 0.5, (min.z + max.z) * 0.5, 1)
        let e = SIMD4<Float>((max.x - min.x) * 0.5, (max.y - min.y) * 0.5, (max.z - min.z) * 0.5, 0)
        var center = m.c3
        center += m.c0 * c.x
        center += m.c1 * c.y
        center += m.c2 * c.z
        func magnitude(_ v: SIMD4<Float>) -> SIMD4<Float> { v.replacing(with: -v, where: v .< 0) }
        var ext = magnitude(m.c0) * e.x
        ext += magnitude(m.c1) * e.y
        ext += magnitude(m.c2) * e.z
        let lo = center - ext, hi = center + ext
        let out = AABB(min: Vec3(lo.x, lo.y, lo.z), max: Vec3(hi.x, hi.y, hi.z))
        if out.min.isFinite && out.max.isFinite { return out }
        var corners = AABB.empty
        for i in 0..<8 {
            let p = Vec3(i & 1 == 0 ? min.x : max.x, i & 2 == 0 ? min.y : max.y, i & 4 == 0 ? min.z : max.z)
            let q = m.transformPoint(p)
            if q.isFinite { corners.formUnion(q) }
        }
        return corners
    }
}
