/// Appends little-endian values to a byte array (the import cache's wire format).
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }

    /// Floats are written as bit patterns, so a round trip is exact (including NaN payloads).
    mutating func write(_ value: Float) { write(value.bitPattern) }

    mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func write(bytes data: [UInt8]) {
        write(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func write(_ values: [Float]) {
        write(UInt64(values.count))
        for v in values { write(v) }
    }

    mutating func write(_ values: [UInt32]) {
        write(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for v in values { write(v) }
    }

    mutating func write(_ values: [SIMD2<Float>]) {
        write(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for v in values {
            write(v.x)
            write(v.y)
        }
    }

    mutating func write(_ values: [SIMD3<Float>]) {
        write(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 12)
        for v in values {
            write(v.x)
            write(v.y)
            write(v.z)
        }
    }

    mutating func write(_ values: [SIMD4<Float>]) {
        write(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 16)
        for v in values {
            write(v.x)
            write(v.y)
            write(v.z)
            write(v.w)
        }
    }
}
