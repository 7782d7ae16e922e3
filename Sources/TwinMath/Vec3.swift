/// A 3D vector of `Float`, packed in 12 bytes.
///
/// Why not `SIMD3<Float>`: on Linux `SIMD3<Float>` has a stride of 16 bytes and the
/// compiler processes it lane by lane, so columns of it cost 1.6–2.4× a packed
/// layout in the ECS hot loops (measured, see README "Benchmarks"). Arithmetic
/// here is written component-wise so loops over `Vec3` columns auto-vectorise.
///
/// Units are whatever the component says (metres for positions, m/s for velocities).
/// Codable as a JSON array `[x, y, z]`.
@frozen
public struct Vec3: Hashable, Sendable {
    public var x: Float
    public var y: Float
    public var z: Float

    @inlinable @inline(__always)
    public init(_ x: Float, _ y: Float, _ z: Float) {
        self.x = x; self.y = y; self.z = z
    }

    @inlinable @inline(__always)
    public init(x: Float, y: Float, z: Float) {
        self.x = x; self.y = y; self.z = z
    }

    @inlinable public init(repeating v: Float) { self.init(v, v, v) }
    @inlinable public init(_ v: SIMD3<Float>) { self.init(v.x, v.y, v.z) }

    public static let zero = Vec3(0, 0, 0)
    public static let one = Vec3(1, 1, 1)
    /// World up (+Y).
    public static let up = Vec3(0, 1, 0)
    public static let unitX = Vec3(1, 0, 0)
    public static let unitY = Vec3(0, 1, 0)
    public static let unitZ = Vec3(0, 0, 1)

    @inlinable public var simd: SIMD3<Float> { SIMD3(x, y, z) }

    @inlinable @inline(__always)
    public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable @inline(__always)
    public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable @inline(__always)
    public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable @inline(__always)
    public static func * (a: Vec3, s: Float) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable @inline(__always)
    public static func * (s: Float, a: Vec3) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    /// Component-wise product.
    @inlinable @inline(__always)
    public static func * (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x * b.x, a.y * b.y, a.z * b.z) }
    @inlinable @inline(__always)
    public static func / (a: Vec3, s: Float) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    @inlinable @inline(__always)
    public static func += (a: inout Vec3, b: Vec3) { a = a + b }
    @inlinable @inline(__always)
    public static func -= (a: inout Vec3, b: Vec3) { a = a - b }
    @inlinable @inline(__always)
    public static func *= (a: inout Vec3, s: Float) { a = a * s }

    @inlinable public func dot(_ b: Vec3) -> Float { x * b.x + y * b.y + z * b.z }
    @inlinable public func cross(_ b: Vec3) -> Vec3 {
        Vec3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x)
    }
    @inlinable public var lengthSquared: Float { dot(self) }
    @inlinable public var length: Float { lengthSquared.squareRoot() }

    /// The unit vector in this direction, or `.zero` for a zero (or non-finite) vector.
    @inlinable public func normalized() -> Vec3 {
        let l = length
        return l > 0 && l.isFinite ? self / l : .zero
    }
    @inlinable public mutating func normalize() { self = normalized() }

    @inlinable public func pointwiseMin(_ b: Vec3) -> Vec3 { Vec3(min(x, b.x), min(y, b.y), min(z, b.z)) }
    @inlinable public func pointwiseMax(_ b: Vec3) -> Vec3 { Vec3(max(x, b.x), max(y, b.y), max(z, b.z)) }
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }

    /// Linear interpolation: `self` at t = 0, `b` at t = 1.
    @inlinable public func mix(_ b: Vec3, _ t: Float) -> Vec3 { self + (b - self) * t }

    @inlinable public subscript(i: Int) -> Float {
        get { i == 0 ? x : (i == 1 ? y : z) }
        set { if i == 0 { x = newValue } else if i == 1 { y = newValue } else { z = newValue } }
    }
}

extension Vec3: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let x = try c.decode(Float.self), y = try c.decode(Float.self), z = try c.decode(Float.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected exactly 3 numbers [x, y, z]")
        }
        self.init(x, y, z)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(x); try c.encode(y); try c.encode(z)
    }
}

extension Vec3: CustomStringConvertible {
    public var description: String { "(\(x), \(y), \(z))" }
}
