/// A rotation quaternion (x, y, z, w), w the scalar part. Codable as `[x, y, z, w]`
/// (glTF's order).
@frozen
public struct Quat: Hashable, Sendable {
    public var x: Float
    public var y: Float
    public var z: Float
    public var w: Float

    @inlinable public init(x: Float, y: Float, z: Float, w: Float) {
        self.x = x; self.y = y; self.z = z; self.w = w
    }

    public static let identity = Quat(x: 0, y: 0, z: 0, w: 1)

    /// Rotation by `angle` radians about `axis` (right-handed; the axis need not be unit length).
    @inlinable public init(axis: Vec3, angle: Float) {
        let a = axis.normalized()
        let h = angle * 0.5
        let s = _sin(h)
        self.init(x: a.x * s, y: a.y * s, z: a.z * s, w: _cos(h))
    }

    /// Rotation about +Y (the up axis) by `angle` radians — a heading on the ground plane.
    @inlinable public init(yaw angle: Float) { self.init(axis: .up, angle: angle) }

    @inlinable public var vector: Vec3 { Vec3(x, y, z) }
    @inlinable public var lengthSquared: Float { x * x + y * y + z * z + w * w }
    @inlinable public var conjugate: Quat { Quat(x: -x, y: -y, z: -z, w: w) }

    @inlinable public func normalized() -> Quat {
        let l = lengthSquared.squareRoot()
        guard l > 0, l.isFinite else { return .identity }
        return Quat(x: x / l, y: y / l, z: z / l, w: w / l)
    }

    /// Hamilton product: `a * b` applies `b` first, then `a`.
    @inlinable public static func * (a: Quat, b: Quat) -> Quat {
        Quat(
            x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
            y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
            z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
            w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z)
    }

    /// Rotates `v` (assumes a unit quaternion).
    @inlinable public func rotate(_ v: Vec3) -> Vec3 {
        // v' = v + 2 q × (q × v + w v)
        let q = vector
        let t = q.cross(v) * 2
        return v + t * w + q.cross(t)
    }

    /// Spherical linear interpolation along the shorter arc.
    public func slerp(to b: Quat, _ t: Float) -> Quat {
        var b = b
        var d = x * b.x + y * b.y + z * b.z + w * b.w
        if d < 0 { b = Quat(x: -b.x, y: -b.y, z: -b.z, w: -b.w); d = -d }
        if d > 0.9995 {
            return Quat(x: x + (b.x - x) * t, y: y + (b.y - y) * t, z: z + (b.z - z) * t, w: w + (b.w - w) * t)
                .normalized()
        }
        let theta = _acos(d)
        let s = _sin(theta)
        let wa = _sin((1 - t) * theta) / s, wb = _sin(t * theta) / s
        return Quat(x: x * wa + b.x * wb, y: y * wa + b.y * wb, z: z * wa + b.z * wb, w: w * wa + b.w * wb)
    }

    /// Integrates an angular velocity `omega` (rad/s, world frame) over `dt` seconds.
    @inlinable public func integrated(angularVelocity omega: Vec3, dt: Float) -> Quat {
        let h = dt * 0.5
        let dq = Quat(x: omega.x, y: omega.y, z: omega.z, w: 0) * self
        return Quat(x: x + dq.x * h, y: y + dq.y * h, z: z + dq.z * h, w: w + dq.w * h).normalized()
    }
}

extension Quat: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let x = try c.decode(Float.self), y = try c.decode(Float.self)
        let z = try c.decode(Float.self), w = try c.decode(Float.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected exactly 4 numbers [x, y, z, w]")
        }
        self.init(x: x, y: y, z: z, w: w)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(x); try c.encode(y); try c.encode(z); try c.encode(w)
    }
}
