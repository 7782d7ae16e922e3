/// An axis-aligned bounding box in metres. `empty` has min > max and contains nothing.
public struct AABB: Hashable, Sendable, Codable {
    public var min: Vec3
    public var max: Vec3

    public init(min: Vec3, max: Vec3) { self.min = min; self.max = max }

    public static let empty = AABB(
        min: Vec3(repeating: .greatestFiniteMagnitude), max: Vec3(repeating: -.greatestFiniteMagnitude))

    public init<S: Sequence>(points: S) where S.Element == Vec3 {
        var b = AABB.empty
        for p in points { b.formUnion(p) }
        self = b
    }

    public var isEmpty: Bool { min.x > max.x || min.y > max.y || min.z > max.z }
    public var center: Vec3 { (min + max) * 0.5 }
    public var size: Vec3 { isEmpty ? .zero : max - min }

    public mutating func formUnion(_ p: Vec3) {
        min = min.pointwiseMin(p); max = max.pointwiseMax(p)
    }

    public func union(_ b: AABB) -> AABB {
        if isEmpty { return b }
        if b.isEmpty { return self }
        return AABB(min: min.pointwiseMin(b.min), max: max.pointwiseMax(b.max))
    }

    public func contains(_ p: Vec3) -> Bool {
        p.x >= min.x && p.y >= min.y && p.z >= min.z && p.x <= max.x && p.y <= max.y && p.z <= max.z
    }

    public func intersects(_ b: AABB) -> Bool {
        !(isEmpty || b.isEmpty) && min.x <= b.max.x && max.x >= b.min.x && min.y <= b.max.y
            && max.y >= b.min.y && min.z <= b.max.z && max.z >= b.min.z
    }
}
