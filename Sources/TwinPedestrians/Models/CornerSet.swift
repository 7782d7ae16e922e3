import TwinCore

/// The wall points already acting on one agent this step (a few at most), so that a
/// corner shared by two wall segments pushes once. Fixed storage: no allocation.
struct CornerSet {
    private var points: (Vec2, Vec2, Vec2, Vec2, Vec2, Vec2, Vec2, Vec2) = (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
    private var count = 0

    /// False when `p` (within 0.1 mm) is already in the set.
    @inline(__always)
    mutating func insert(_ p: Vec2) -> Bool {
        let n = min(count, 8)
        for k in 0..<n {
            let q = withUnsafeBytes(of: points) { $0.load(fromByteOffset: k * MemoryLayout<Vec2>.stride, as: Vec2.self) }
            if abs(q.x - p.x) < 1e-4 && abs(q.y - p.y) < 1e-4 { return false }
        }
        if count < 8 {
            withUnsafeMutableBytes(of: &points) { $0.storeBytes(of: p, toByteOffset: count * MemoryLayout<Vec2>.stride, as: Vec2.self) }
        }
        count += 1
        return true
    }
}
