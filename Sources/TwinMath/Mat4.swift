/// A 4×4 `Float` matrix, column-major (glTF and OpenGL order): `columns[c][r]`.
@frozen
public struct Mat4: Hashable, Sendable {
    public var c0: SIMD4<Float>
    public var c1: SIMD4<Float>
    public var c2: SIMD4<Float>
    public var c3: SIMD4<Float>

    @inlinable public init(_ c0: SIMD4<Float>, _ c1: SIMD4<Float>, _ c2: SIMD4<Float>, _ c3: SIMD4<Float>) {
        self.c0 = c0; self.c1 = c1; self.c2 = c2; self.c3 = c3
    }

    /// From 16 numbers in column-major order (glTF `matrix`).
    public init?(columnMajor m: [Float]) {
        guard m.count == 16 else { return nil }
        self.init(
            SIMD4(m[0], m[1], m[2], m[3]), SIMD4(m[4], m[5], m[6], m[7]),
            SIMD4(m[8], m[9], m[10], m[11]), SIMD4(m[12], m[13], m[14], m[15]))
    }

    public static let identity = Mat4(
        SIMD4(1, 0, 0, 0), SIMD4(0, 1, 0, 0), SIMD4(0, 0, 1, 0), SIMD4(0, 0, 0, 1))

    public var columnMajor: [Float] {
        [c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w, c2.x, c2.y, c2.z, c2.w, c3.x, c3.y, c3.z, c3.w]
    }

    @inlinable public static func * (a: Mat4, b: Mat4) -> Mat4 {
        Mat4(a * b.c0, a * b.c1, a * b.c2, a * b.c3)
    }

    @inlinable public static func * (a: Mat4, v: SIMD4<Float>) -> SIMD4<Float> {
        a.c0 * v.x + a.c1 * v.y + a.c2 * v.z + a.c3 * v.w
    }

    @inlinable public func transformPoint(_ p: Vec3) -> Vec3 {
        let r = self * SIMD4(p.x, p.y, p.z, 1)
        return Vec3(r.x, r.y, r.z)
    }

    @inlinable public func transformDirection(_ d: Vec3) -> Vec3 {
        let r = self * SIMD4(d.x, d.y, d.z, 0)
        return Vec3(r.x, r.y, r.z)
    }

    @inlinable public static func translation(_ t: Vec3) -> Mat4 {
        Mat4(SIMD4(1, 0, 0, 0), SIMD4(0, 1, 0, 0), SIMD4(0, 0, 1, 0), SIMD4(t.x, t.y, t.z, 1))
    }

    @inlinable public static func scale(_ s: Vec3) -> Mat4 {
        Mat4(SIMD4(s.x, 0, 0, 0), SIMD4(0, s.y, 0, 0), SIMD4(0, 0, s.z, 0), SIMD4(0, 0, 0, 1))
    }

    @inlinable public static func rotation(_ q: Quat) -> Mat4 {
        let x = q.x, y = q.y, z = q.z, w = q.w
        return Mat4(
            SIMD4(1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w), 0),
            SIMD4(2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w), 0),
            SIMD4(2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y), 0),
            SIMD4(0, 0, 0, 1))
    }

    public var transposed: Mat4 {
        Mat4(
            SIMD4(c0.x, c1.x, c2.x, c3.x), SIMD4(c0.y, c1.y, c2.y, c3.y),
            SIMD4(c0.z, c1.z, c2.z, c3.z), SIMD4(c0.w, c1.w, c2.w, c3.w))
    }

    /// The inverse of an affine matrix (rotation/scale/translation, last row 0 0 0 1),
    /// or nil when singular.
    public var affineInverse: Mat4? {
        let a = Vec3(c0.x, c0.y, c0.z), b = Vec3(c1.x, c1.y, c1.z), c = Vec3(c2.x, c2.y, c2.z)
        let r0 = b.cross(c), r1 = c.cross(a), r2 = a.cross(b)
        let det = a.dot(r0)
        guard det != 0, det.isFinite else { return nil }
        let inv = 1 / det
        let i0 = r0 * inv, i1 = r1 * inv, i2 = r2 * inv
        let t = Vec3(c3.x, c3.y, c3.z)
        return Mat4(
            SIMD4(i0.x, i1.x, i2.x, 0), SIMD4(i0.y, i1.y, i2.y, 0), SIMD4(i0.z, i1.z, i2.z, 0),
            SIMD4(-i0.dot(t), -i1.dot(t), -i2.dot(t), 1))
    }

    /// Right-handed view matrix looking from `eye` at `target`.
    public static func lookAt(eye: Vec3, target: Vec3, up: Vec3 = .up) -> Mat4 {
        let f = (target - eye).normalized()
        var s = f.cross(up).normalized()
        if s == .zero { s = f.cross(.unitZ).normalized() }
        let u = s.cross(f)
        return Mat4(
            SIMD4(s.x, u.x, -f.x, 0), SIMD4(s.y, u.y, -f.y, 0), SIMD4(s.z, u.z, -f.z, 0),
            SIMD4(-s.dot(eye), -u.dot(eye), f.dot(eye), 1))
    }

    /// OpenGL-style perspective projection (clip z in [-w, w]); `fovY` in radians.
    public static func perspective(fovY: Float, aspect: Float, near: Float, far: Float) -> Mat4 {
        let f = 1 / _tan(fovY / 2)
        return Mat4(
            SIMD4(f / aspect, 0, 0, 0), SIMD4(0, f, 0, 0),
            SIMD4(0, 0, (far + near) / (near - far), -1),
            SIMD4(0, 0, 2 * far * near / (near - far), 0))
    }

    /// OpenGL-style orthographic projection.
    public static func orthographic(
        left: Float, right: Float, bottom: Float, top: Float, near: Float, far: Float
    ) -> Mat4 {
        Mat4(
            SIMD4(2 / (right - left), 0, 0, 0), SIMD4(0, 2 / (top - bottom), 0, 0),
            SIMD4(0, 0, -2 / (far - near), 0),
            SIMD4(-(right + left) / (right - left), -(top + bottom) / (top - bottom), -(far + near) / (far - near), 1))
    }
}
