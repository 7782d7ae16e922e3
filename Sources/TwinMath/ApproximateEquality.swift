/// Approximate comparison for tests and validation. Reflexive and symmetric but not
/// transitive: never use it as `Equatable`.
extension Float {
    /// True when |a − b| ≤ max(absolute, relative · max(|a|, |b|)).
    public func isApproximatelyEqual(to b: Float, absolute: Float = 0, relative: Float = 1e-5) -> Bool {
        if self == b { return true }
        guard isFinite, b.isFinite else { return false }
        return abs(self - b) <= Swift.max(absolute, relative * Swift.max(abs(self), abs(b)))
    }
}

extension Double {
    public func isApproximatelyEqual(to b: Double, absolute: Double = 0, relative: Double = 1e-9) -> Bool {
        if self == b { return true }
        guard isFinite, b.isFinite else { return false }
        return abs(self - b) <= Swift.max(absolute, relative * Swift.max(abs(self), abs(b)))
    }
}

extension Vec3 {
    public func isApproximatelyEqual(to b: Vec3, absolute: Float = 1e-6, relative: Float = 1e-5) -> Bool {
        x.isApproximatelyEqual(to: b.x, absolute: absolute, relative: relative)
            && y.isApproximatelyEqual(to: b.y, absolute: absolute, relative: relative)
            && z.isApproximatelyEqual(to: b.z, absolute: absolute, relative: relative)
    }
}
