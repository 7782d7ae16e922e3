/// An axis-aligned bounding box in metres.
public struct AxisAlignedBox: Sendable, Hashable {
    public var min: SIMD3<Float>
    public var max: SIMD3<Float>

    public init(min: SIMD3<Float>, max: SIMD3<Float>) {
        self.min = min
        self.max = max
    }

    /// Edge lengths (`max - min`).
    public var size: SIMD3<Float> { max - min }

    /// The smallest box containing both boxes.
    public func union(_ other: AxisAlignedBox) -> AxisAlignedBox {
        AxisAlignedBox(min: pointwiseMin(min, other.min), max: pointwiseMax(max, other.max))
    }
}
