/// A 2D vector of `Float`, used for ground-plane geometry (x, z) in metres.
/// Codable as `[x, z]`.
@frozen
public struct Vec2: Hashable, Sendable {
    public var x: Float
    /// The second ground coordinate; it maps to world Z.
    public var y: Float

    @inlinable @inline(__always)
    public init(_ x: Float, _ y: Float) { self.x = x; self.y = y }

    public static let zero = Vec2(0, 0)

    @inlinable public static func + (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x + b.x, a.y + b.y) }
    @inlinable public static func - (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x - b.x, a.y - b.y) }
    @inlinable public static func * (a: Vec2, s: Float) -> Vec2 { Vec2(a.x * s, a.y * s) }
    @inlinable public static func / (a: Vec2, s: Float) -> Vec2 { Vec2(a.x / s, a.y / s) }
    @inlinable public func dot(_ b: Vec2) -> Float { x * b.x + y * b.y }
    /// The z component of the 3D cross product (positive when `b` is counter-clockwise of `self`).
    @inlinable public func cross(_ b: Vec2) -> Float { x * b.y - y * b.x }
    @inlinable public var length: Float { dot(self).squareRoot() }

    /// The point on the ground plane (y = `height`).
    @inlinable public func onGround(height: Float = 0) -> Vec3 { Vec3(x, height, y) }
}

extension Vec2: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let x = try c.decode(Float.self), y = try c.decode(Float.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected exactly 2 numbers [x, z]")
        }
        self.init(x, y)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(x); try c.encode(y)
    }
}
