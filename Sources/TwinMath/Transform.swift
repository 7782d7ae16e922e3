/// A rigid transform with scale: `p' = translation + rotation · (scale ⊙ p)`.
/// Translation in metres; scale unitless.
public struct Transform: Hashable, Sendable, Codable {
    public var translation: Vec3
    public var rotation: Quat
    public var scale: Vec3

    public init(translation: Vec3 = .zero, rotation: Quat = .identity, scale: Vec3 = .one) {
        self.translation = translation; self.rotation = rotation; self.scale = scale
    }

    public static let identity = Transform()

    @inlinable public func apply(_ p: Vec3) -> Vec3 { translation + rotation.rotate(scale * p) }

    /// `self ∘ inner`: applies `inner` first. Exact for uniform scale; for non-uniform
    /// scale combined with rotation the result is the usual TRS approximation.
    public func composed(with inner: Transform) -> Transform {
        Transform(
            translation: apply(inner.translation),
            rotation: (rotation * inner.rotation).normalized(),
            scale: scale * inner.scale)
    }

    /// The inverse; exact for uniform scale. Zero scale components invert to zero.
    public var inverse: Transform {
        let invScale = Vec3(
            scale.x != 0 ? 1 / scale.x : 0, scale.y != 0 ? 1 / scale.y : 0, scale.z != 0 ? 1 / scale.z : 0)
        let invRot = rotation.conjugate
        return Transform(translation: invScale * invRot.rotate(-translation), rotation: invRot, scale: invScale)
    }

    public var matrix: Mat4 { .translation(translation) * .rotation(rotation) * .scale(scale) }
}
