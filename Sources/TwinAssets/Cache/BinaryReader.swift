/// Reads what `BinaryWriter` wrote, checking every length against the bytes left
/// before allocating, so a corrupt or hostile cache entry is an error, never a crash
/// or a huge allocation.
struct BinaryReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw Failure(description: "truncated at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func readUInt8() throws(Failure) -> UInt8 {
        guard remaining >= 1 else { throw Failure(description: "truncated at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() throws(Failure) -> UInt32 {
        let slice = try take(4)
        var value: UInt32 = 0
        for (shift, byte) in slice.enumerated() { value |= UInt32(byte) << (8 * UInt32(shift)) }
        return value
    }

    mutating func readUInt64() throws(Failure) -> UInt64 {
        let slice = try take(8)
        var value: UInt64 = 0
        for (shift, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }

    mutating func readInt() throws(Failure) -> Int {
        let raw = Int64(bitPattern: try readUInt64())
        guard raw >= Int64(Int.min), raw <= Int64(Int.max) else { throw Failure(description: "integer out of range") }
        return Int(raw)
    }

    mutating func readFloat() throws(Failure) -> Float { Float(bitPattern: try readUInt32()) }

    mutating func readString() throws(Failure) -> String {
        let count = Int(try readUInt32())
        return String(decoding: try take(count), as: UTF8.self)
    }

    /// A count of elements of `elementSize` bytes each, validated against what is left.
    mutating func readCount(elementSize: Int) throws(Failure) -> Int {
        let raw = try readUInt64()
        guard raw <= UInt64(remaining / max(elementSize, 1)) else {
            throw Failure(description: "count \(raw) exceeds the remaining \(remaining) bytes")
        }
        return Int(raw)
    }

    mutating func readBytes() throws(Failure) -> [UInt8] {
        let count = try readCount(elementSize: 1)
        return Array(try take(count))
    }

    /// `count` little-endian 32-bit words, read in one bulk pass.
    private mutating func readWords(_ count: Int) throws(Failure) -> [UInt32] {
        let slice = try take(count * 4)
        return slice.withUnsafeBytes { raw in
            var out = [UInt32](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer { buffer in
                for i in 0..<count {
                    buffer[i] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                }
            }
            return out
        }
    }

    mutating func readFloats() throws(Failure) -> [Float] {
        let count = try readCount(elementSize: 4)
        return try readWords(count).map { Float(bitPattern: $0) }
    }

    mutating func readUInt32s() throws(Failure) -> [UInt32] {
        try readWords(try readCount(elementSize: 4))
    }

    mutating func readVector2s() throws(Failure) -> [SIMD2<Float>] {
        let count = try readCount(elementSize: 8)
        let w = try readWords(count * 2)
        return (0..<count).map { SIMD2(Float(bitPattern: w[2 * $0]), Float(bitPattern: w[2 * $0 + 1])) }
    }

    mutating func readVector3s() throws(Failure) -> [SIMD3<Float>] {
        let count = try readCount(elementSize: 12)
        let w = try readWords(count * 3)
        return (0..<count).map {
            SIMD3(Float(bitPattern: w[3 * $0]), Float(bitPattern: w[3 * $0 + 1]), Float(bitPattern: w[3 * $0 + 2]))
        }
    }

    mutating func readVector4s() throws(Failure) -> [SIMD4<Float>] {
        let count = try readCount(elementSize: 16)
        let w = try readWords(count * 4)
        return (0..<count).map {
            SIMD4(
                Float(bitPattern: w[4 * $0]), Float(bitPattern: w[4 * $0 + 1]), Float(bitPattern: w[4 * $0 + 2]),
                Float(bitPattern: w[4 * $0 + 3]))
        }
    }
}
