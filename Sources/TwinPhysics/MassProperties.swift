import TwinMath

/// A symmetric 3×3 tensor in `Double` (inertia, covariance), by rows.
struct Tensor3: Sendable {
    var m: [[Double]] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]

    static func diagonal(_ d: Vec3) -> Tensor3 {
        var t = Tensor3()
        t.m[0][0] = Double(d.x); t.m[1][1] = Double(d.y); t.m[2][2] = Double(d.z)
        return t
    }

    static func + (a: Tensor3, b: Tensor3) -> Tensor3 {
        var t = a
        for i in 0..<3 { for j in 0..<3 { t.m[i][j] += b.m[i][j] } }
        return t
    }

    /// `R T Rᵀ`: the tensor expressed in the frame `R` maps into.
    func rotated(_ r: Mat3) -> Tensor3 {
        let c = [r.c0, r.c1, r.c2]
        var t = Tensor3()
        for i in 0..<3 {
            for j in 0..<3 {
                var s = 0.0
                for k in 0..<3 { for l in 0..<3 { s += Double(c[k][i]) * m[k][l] * Double(c[l][j]) } }
                t.m[i][j] = s
            }
        }
        return t
    }

    /// The inertia of a point mass `mass` at offset `d` (parallel-axis term).
    static func pointMass(_ mass: Double, at d: Vec3) -> Tensor3 {
        let v = [Double(d.x), Double(d.y), Double(d.z)]
        let d2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
        var t = Tensor3()
        for i in 0..<3 { for j in 0..<3 { t.m[i][j] = mass * ((i == j ? d2 : 0) - v[i] * v[j]) } }
        return t
    }
}

/// Volume (m³), centre of mass and inertia tensor about it (unit density, m⁵) of a closed
/// polyhedron with outward counter-clockwise face loops: the divergence theorem over
/// tetrahedra from an interior point to each fan triangle, with the canonical
/// tetrahedron's covariance (Blow & Binstock, "How to find the inertia tensor").
func polyhedronMass(_ points: [Vec3], _ normals: [Vec3], _ loops: [[Int32]]) -> (volume: Float, centre: Vec3, inertiaAboutCentre: Tensor3) {
    var ref = Vec3.zero
    for p in points { ref += p }
    ref = ref / Float(max(points.count, 1))
    var volume = 0.0
    var first = [0.0, 0.0, 0.0]
    var cov = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    for loop in loops where loop.count >= 3 {
        let a = points[Int(loop[0])] - ref
        for k in 1..<(loop.count - 1) {
            let b = points[Int(loop[k])] - ref, c = points[Int(loop[k + 1])] - ref
            let det = Double(a.dot(b.cross(c)))
            volume += det / 6
            let cols = [[Double(a.x), Double(a.y), Double(a.z)], [Double(b.x), Double(b.y), Double(b.z)], [Double(c.x), Double(c.y), Double(c.z)]]
            for i in 0..<3 {
                first[i] += det / 24 * (cols[0][i] + cols[1][i] + cols[2][i])
                for j in 0..<3 {
                    // ∫ x_i x_j over the tetrahedron (0, a, b, c) = det/120 · (Σ_k a_ki a_kj + (Σ_k a_ki)(Σ_k a_kj)).
                    var s = 0.0, si = 0.0, sj = 0.0
                    for k in 0..<3 { s += cols[k][i] * cols[k][j]; si += cols[k][i]; sj += cols[k][j] }
                    cov[i][j] += det / 120 * (s + si * sj)
                }
            }
        }
    }
    guard volume > 0 else { return (0, ref, Tensor3()) }
    let c = first.map { $0 / volume }
    var t = Tensor3()
    // Covariance about the centre, then inertia = trace(C)·I − C.
    for i in 0..<3 { for j in 0..<3 { cov[i][j] -= volume * c[i] * c[j] } }
    let tr = cov[0][0] + cov[1][1] + cov[2][2]
    for i in 0..<3 { for j in 0..<3 { t.m[i][j] = (i == j ? tr : 0) - cov[i][j] } }
    return (Float(volume), ref + Vec3(Float(c[0]), Float(c[1]), Float(c[2])), t)
}

/// Principal moments and the rotation whose columns are the principal axes (cyclic
/// Jacobi; axes left as they are when the tensor is already diagonal, so boxes keep
/// their frame).
func principalAxes(_ tensor: Tensor3) -> (moments: Vec3, rotation: Quat) {
    var a = tensor.m
    var v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    let scale = max(abs(a[0][0]), abs(a[1][1]), abs(a[2][2]), 1e-30)
    for _ in 0..<32 {
        var off = 0.0
        for (p, q) in [(0, 1), (0, 2), (1, 2)] { off = max(off, abs(a[p][q])) }
        if off <= 1e-9 * scale { break }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] where abs(a[p][q]) > 1e-12 * scale {
            let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
            let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
            let c = 1 / (t * t + 1).squareRoot(), s = t * c
            for k in 0..<3 {
                let akp = a[k][p], akq = a[k][q]
                a[k][p] = c * akp - s * akq
                a[k][q] = s * akp + c * akq
            }
            for k in 0..<3 {
                let apk = a[p][k], aqk = a[q][k]
                a[p][k] = c * apk - s * aqk
                a[q][k] = s * apk + c * aqk
            }
            for k in 0..<3 {
                let vkp = v[k][p], vkq = v[k][q]
                v[k][p] = c * vkp - s * vkq
                v[k][q] = s * vkp + c * vkq
            }
        }
    }
    var c0 = Vec3(Float(v[0][0]), Float(v[1][0]), Float(v[2][0]))
    let c1 = Vec3(Float(v[0][1]), Float(v[1][1]), Float(v[2][1]))
    let c2 = Vec3(Float(v[0][2]), Float(v[1][2]), Float(v[2][2]))
    if c0.cross(c1).dot(c2) < 0 { c0 = -c0 }
    let moments = Vec3(Float(a[0][0]), Float(a[1][1]), Float(a[2][2]))
    return (moments, Mat3(c0: c0, c1: c1, c2: c2).quaternion)
}

extension Mat3 {
    /// The unit quaternion of a rotation matrix (Shepperd's method: the largest of
    /// w, x, y, z is computed first, so no division by a small number).
    var quaternion: Quat {
        let t = c0.x + c1.y + c2.z
        var q: Quat
        if t > 0 {
            let s = (t + 1).squareRoot() * 2
            q = Quat(x: (c1.z - c2.y) / s, y: (c2.x - c0.z) / s, z: (c0.y - c1.x) / s, w: 0.25 * s)
        } else if c0.x > c1.y && c0.x > c2.z {
            let s = (1 + c0.x - c1.y - c2.z).squareRoot() * 2
            q = Quat(x: 0.25 * s, y: (c1.x + c0.y) / s, z: (c2.x + c0.z) / s, w: (c1.z - c2.y) / s)
        } else if c1.y > c2.z {
            let s = (1 + c1.y - c0.x - c2.z).squareRoot() * 2
            q = Quat(x: (c1.x + c0.y) / s, y: 0.25 * s, z: (c2.y + c1.z) / s, w: (c2.x - c0.z) / s)
        } else {
            let s = (1 + c2.z - c0.x - c1.y).squareRoot() * 2
            q = Quat(x: (c2.x + c0.z) / s, y: (c2.y + c1.z) / s, z: 0.25 * s, w: (c0.y - c1.x) / s)
        }
        return q.normalized()
    }
}
