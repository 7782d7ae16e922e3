/// A 4×4 matrix of `Float`, stored column-major (the glTF and OpenGL layout).
///
/// TwinAssets keeps its own tiny matrix instead of importing TwinMath so that the
/// asset layer has no dependency on the engine's math module; conversion is a
/// copy of 16 floats (`elements` is in the same order as glTF's `matrix`).
/// Element (row r, column c) is `elements[c * 4 + r]`; translation is in
/// elements 12, 13, 14. Transforms act on column vectors: `p' = M · p`.
public struct Matrix4x4: Sendable, Hashable {
    /// The 16 elements, column after column.
    public var elements: [Float]

    /// The identity transform.
    public static let identity = Matrix4x4(elements: [
        1, 0, 0, 0,
        0, 1, 0, 0,
        0, 0, 1, 0,
        0, 0, 0, 1,
    ])

    /// Creates a matrix from 16 column-major elements; any other count gives the identity.
    public init(elements: [Float]) {
        self.elements = elements.count == 16 ? elements : Matrix4x4.identityElements
    }

    /// Creates a matrix from 16 row-major elements (assimp's `a1…d4` order).
    public init(rowMajor m: [Float]) {
        guard m.count == 16 else {
            self.elements = Matrix4x4.identityElements
            return
        }
        var e = [Float](repeating: 0, count: 16)
        for row in 0..<4 {
            for column in 0..<4 {
                e[column * 4 + row] = m[row * 4 + column]
            }
        }
        self.elements = e
    }

    /// A uniform scale by `s`.
    public static func scale(_ s: Float) -> Matrix4x4 {
        Matrix4x4(elements: [s, 0, 0, 0, 0, s, 0, 0, 0, 0, s, 0, 0, 0, 0, 1])
    }

    private static let identityElements: [Float] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]

    /// Element at `row`, `column`.
    public subscript(row: Int, column: Int) -> Float {
        get { elements[column * 4 + row] }
        set { elements[column * 4 + row] = newValue }
    }

    /// The translation part (elements 12…14).
    public var translation: SIMD3<Float> {
        SIMD3(elements[12], elements[13], elements[14])
    }

    /// `lhs · rhs`: applies `rhs` first, then `lhs`.
    public static func * (lhs: Matrix4x4, rhs: Matrix4x4) -> Matrix4x4 {
        var out = [Float](repeating: 0, count: 16)
        for column in 0..<4 {
            for row in 0..<4 {
                var sum: Float = 0
                for k in 0..<4 {
                    sum += lhs.elements[k * 4 + row] * rhs.elements[column * 4 + k]
                }
                out[column * 4 + row] = sum
            }
        }
        return Matrix4x4(elements: out)
    }

    /// Transforms a point (w = 1; no perspective divide: import transforms are affine).
    public func transformPoint(_ p: SIMD3<Float>) -> SIMD3<Float> {
        let e = elements
        return SIMD3(
            e[0] * p.x + e[4] * p.y + e[8] * p.z + e[12],
            e[1] * p.x + e[5] * p.y + e[9] * p.z + e[13],
            e[2] * p.x + e[6] * p.y + e[10] * p.z + e[14])
    }

    /// Transforms a direction (w = 0): the upper-left 3×3 block only.
    public func transformDirection(_ d: SIMD3<Float>) -> SIMD3<Float> {
        let e = elements
        return SIMD3(
            e[0] * d.x + e[4] * d.y + e[8] * d.z,
            e[1] * d.x + e[5] * d.y + e[9] * d.z,
            e[2] * d.x + e[6] * d.y + e[10] * d.z)
    }
}
