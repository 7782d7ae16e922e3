import TwinMath

/// How an entity without an asset is drawn: a primitive chosen by its `Kind`, sized in
/// metres at `Scale` 1 (the entity's `Scale` multiplies it), coloured by kind.
///
/// | kinds | shape | size at scale 1 (m) | origin |
/// |---|---|---|---|
/// | pedestrian, person, agent | capsule | 0.5 × 1.8 × 0.5 | feet |
/// | machine, station | box | 1.6 × 1.2 × 1.6 | bottom centre |
/// | vehicle, car, truck | box | 4.5 × 1.5 × 1.9 | bottom centre |
/// | droplet, ball, body, sphere | sphere | 1 (diameter) | centre |
/// | crate, part, box, drone, anything else | box | 1 × 1 × 1 | centre |
///
/// Unknown kinds get a colour derived from the kind's text (stable across runs).
public struct KindStyle: Hashable, Sendable {
    public enum Shape: String, Hashable, Sendable { case box, capsule, sphere }

    public var shape: Shape
    /// Full size at `Scale` 1, metres.
    public var size: Vec3
    /// True when the entity's `Position` is the bottom centre of the shape (things that
    /// stand on the ground); false when it is the centre.
    public var standsOnGround: Bool
    public var color: RGBA8

    public init(shape: Shape, size: Vec3, standsOnGround: Bool, color: RGBA8) {
        self.shape = shape; self.size = size; self.standsOnGround = standsOnGround; self.color = color
    }

    /// The style for a `Kind` value (nil: an entity without `Kind`).
    public static func forKind(_ kind: String?) -> KindStyle {
        guard let kind else { return KindStyle(shape: .box, size: .one, standsOnGround: false, color: RGBA8(rgb: 0x95A5A6)) }
        switch kind.lowercased() {
        case "pedestrian", "person", "agent":
            return KindStyle(shape: .capsule, size: Vec3(0.5, 1.8, 0.5), standsOnGround: true, color: RGBA8(rgb: 0xC0392B))
        case "machine", "station":
            return KindStyle(shape: .box, size: Vec3(1.6, 1.2, 1.6), standsOnGround: true, color: RGBA8(rgb: 0x3B6EA5))
        case "vehicle", "car", "truck":
            return KindStyle(shape: .box, size: Vec3(4.5, 1.5, 1.9), standsOnGround: true, color: RGBA8(rgb: 0xE8A33D))
        case "droplet":
            return KindStyle(shape: .sphere, size: .one, standsOnGround: false, color: RGBA8(rgb: 0x2E86DE))
        case "ball", "body", "sphere":
            return KindStyle(shape: .sphere, size: .one, standsOnGround: false, color: RGBA8(rgb: 0x27AE60))
        case "crate", "box":
            return KindStyle(shape: .box, size: .one, standsOnGround: false, color: RGBA8(rgb: 0xB5835A))
        case "part":
            return KindStyle(shape: .box, size: .one, standsOnGround: false, color: RGBA8(rgb: 0x7F8C8D))
        case "drone":
            return KindStyle(shape: .box, size: .one, standsOnGround: false, color: RGBA8(rgb: 0x34495E))
        default:
            return KindStyle(shape: .box, size: .one, standsOnGround: false, color: palette[Int(fnv1a(kind) % UInt64(palette.count))])
        }
    }

    /// The primitive in object space (origin as described by ``standsOnGround``).
    public func mesh() -> RenderMesh {
        var m: RenderMesh
        switch shape {
        case .box: m = Primitives.box(size: size, color: color)
        case .capsule:
            let r = Swift.max(0.01, Swift.min(size.x, size.z) * 0.5)
            m = Primitives.capsule(radius: r, height: Swift.max(size.y, 2 * r), segments: 12, rings: 4, color: color)
        case .sphere:
            m = Primitives.sphere(radius: size.x * 0.5, segments: 16, rings: 8, color: color)
        }
        if standsOnGround {
            let lift = size.y * 0.5
            m.positions = m.positions.map { $0 + Vec3(0, lift, 0) }
        }
        return m
    }

    static let palette: [RGBA8] = [
        RGBA8(rgb: 0x8E44AD), RGBA8(rgb: 0x16A085), RGBA8(rgb: 0xD35400), RGBA8(rgb: 0x2C3E50), RGBA8(rgb: 0xF1C40F),
        RGBA8(rgb: 0x1ABC9C), RGBA8(rgb: 0xE74C3C), RGBA8(rgb: 0x7D3C98),
    ]

    /// FNV-1a over UTF-8: a stable hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
