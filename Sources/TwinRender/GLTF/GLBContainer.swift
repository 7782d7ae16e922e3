/// The binary glTF container (glTF 2.0 §4.4): header, JSON chunk, optional BIN chunk.
enum GLBContainer {
    static let magic: UInt32 = 0x4654_6C67  // "glTF"
    static let jsonChunk: UInt32 = 0x4E4F_534A  // "JSON"
    static let binChunk: UInt32 = 0x004E_4942  // "BIN\0"

    static func write(json: [UInt8], bin: [UInt8]) throws -> [UInt8] {
        let jsonLength = (json.count + 3) & ~3
        let binLength = (bin.count + 3) & ~3
        let total = 12 + 8 + jsonLength + (bin.isEmpty ? 0 : 8 + binLength)
        guard total <= Int(UInt32.max) else { throw GLTFError.tooLarge(bytes: total) }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(magic)
        u32(2)
        u32(UInt32(total))
        u32(UInt32(jsonLength))
        u32(jsonChunk)
        out.append(contentsOf: json)
        out.append(contentsOf: repeatElement(0x20, count: jsonLength - json.count))
        if !bin.isEmpty {
            u32(UInt32(binLength))
            u32(binChunk)
            out.append(contentsOf: bin)
            out.append(contentsOf: repeatElement(0, count: binLength - bin.count))
        }
        return out
    }
}
