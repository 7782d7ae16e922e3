import TwinMath

/// Four lanes of one float: one lane per contact constraint of a solver group.
typealias Wide = SIMD4<Float>

/// Lane-wise maximum (the standard library's generic `pointwiseMax` is not inlined).
@inline(__always) func wideMax(_ a: Wide, _ b: Wide) -> Wide { a.replacing(with: b, where: a .< b) }
@inline(__always) func wideMin(_ a: Wide, _ b: Wide) -> Wide { a.replacing(with: b, where: b .< a) }

/// Four 3D vectors, one per lane, stored by component so every operation is one
/// 4-wide instruction per component (Box2D v3's `b2Vec2W`, in 3D).
struct WideVec3 {
    var x: Wide, y: Wide, z: Wide

    static let zero = WideVec3(x: .zero, y: .zero, z: .zero)

    @inline(__always) init(x: Wide, y: Wide, z: Wide) { self.x = x; self.y = y; self.z = z }

    /// Lane `l` holds `v[l]`.
    @inline(__always) init(_ v0: Vec3, _ v1: Vec3, _ v2: Vec3, _ v3: Vec3) {
        x = Wide(v0.x, v1.x, v2.x, v3.x)
        y = Wide(v0.y, v1.y, v2.y, v3.y)
        z = Wide(v0.z, v1.z, v2.z, v3.z)
    }

    @inline(__always) subscript(lane lane: Int) -> Vec3 {
        get { Vec3(x[lane], y[lane], z[lane]) }
        set { x[lane] = newValue.x; y[lane] = newValue.y; z[lane] = newValue.z }
    }

    @inline(__always) static func + (a: WideVec3, b: WideVec3) -> WideVec3 { WideVec3(x: a.x + b.x, y: a.y + b.y, z: a.z + b.z) }
    @inline(__always) static func - (a: WideVec3, b: WideVec3) -> WideVec3 { WideVec3(x: a.x - b.x, y: a.y - b.y, z: a.z - b.z) }
    @inline(__always) static func * (a: WideVec3, s: Wide) -> WideVec3 { WideVec3(x: a.x * s, y: a.y * s, z: a.z * s) }
    @inline(__always) static func += (a: inout WideVec3, b: WideVec3) { a = a + b }
    @inline(__always) static func -= (a: inout WideVec3, b: WideVec3) { a = a - b }

    @inline(__always) func dot(_ b: WideVec3) -> Wide { x * b.x + y * b.y + z * b.z }
    @inline(__always) func cross(_ b: WideVec3) -> WideVec3 {
        WideVec3(x: y * b.z - z * b.y, y: z * b.x - x * b.z, z: x * b.y - y * b.x)
    }
}

/// Four symmetric 3×3 matrices (world inverse inertia tensors), six components each.
struct WideSym3 {
    var xx = Wide.zero, yy = Wide.zero, zz = Wide.zero, xy = Wide.zero, xz = Wide.zero, yz = Wide.zero

    /// Sets lane `l` from a symmetric matrix by columns.
    @inline(__always) mutating func set(_ l: Int, _ m: Mat3) {
        xx[l] = m.c0.x; yy[l] = m.c1.y; zz[l] = m.c2.z
        xy[l] = m.c1.x; xz[l] = m.c2.x; yz[l] = m.c2.y
    }

    @inline(__always) static func * (m: WideSym3, v: WideVec3) -> WideVec3 {
        WideVec3(x: m.xx * v.x + m.xy * v.y + m.xz * v.z,
                 y: m.xy * v.x + m.yy * v.y + m.yz * v.z,
                 z: m.xz * v.x + m.yz * v.y + m.zz * v.z)
    }
}
