import Foundation

/// A small, strict reader of binary glTF written for the tests: parses the header and
/// chunks, decodes the JSON, and reads accessors back as numbers. It checks the
/// container rules itself and throws a description of the first violation.
struct GLBReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    let bytes: [UInt8]
    let json: [String: Any]
    let jsonLength: Int
    let bin: [UInt8]

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        func u32(_ o: Int) throws -> Int {
            guard o + 4 <= bytes.count else { throw Failure("truncated at byte \(o)") }
            return Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24
        }
        guard try u32(0) == 0x4654_6C67 else { throw Failure("bad magic") }
        guard try u32(4) == 2 else { throw Failure("version is not 2") }
        guard try u32(8) == bytes.count else { throw Failure("header length \(try u32(8)) != file size \(bytes.count)") }
        guard bytes.count % 4 == 0 else { throw Failure("file size not a multiple of 4") }
        let jl = try u32(12)
        guard try u32(16) == 0x4E4F_534A else { throw Failure("first chunk is not JSON") }
        guard jl % 4 == 0, 20 + jl <= bytes.count else { throw Failure("JSON chunk length \(jl) misaligned or too long") }
        let jsonData = Data(bytes[20..<(20 + jl)])
        guard let obj = try JSONSerialization.jsonObject(with: jsonData) as? [String: Any] else {
            throw Failure("JSON chunk is not an object")
        }
        json = obj
        jsonLength = jl
        var offset = 20 + jl
        if offset < bytes.count {
            let bl = try u32(offset)
            guard try u32(offset + 4) == 0x004E_4942 else { throw Failure("second chunk is not BIN") }
            guard bl % 4 == 0, offset + 8 + bl == bytes.count else { throw Failure("BIN chunk length \(bl) wrong") }
            bin = Array(bytes[(offset + 8)..<(offset + 8 + bl)])
            offset += 8 + bl
        } else {
            bin = []
        }
    }

    func array(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }

    static let componentSize = [5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4]
    static let typeComponents = ["SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16]

    /// The accessor's elements as Doubles, `components` per element (normalized integer
    /// types are mapped to 0...1).
    func read(accessor index: Int) throws -> (values: [Double], components: Int) {
        let accessors = array("accessors")
        guard index >= 0, index < accessors.count else { throw Failure("accessor \(index) missing") }
        let a = accessors[index]
        guard let ct = a["componentType"] as? Int, let size = Self.componentSize[ct] else {
            throw Failure("accessor \(index): bad componentType")
        }
        guard let type = a["type"] as? String, let comps = Self.typeComponents[type] else {
            throw Failure("accessor \(index): bad type")
        }
        guard let count = a["count"] as? Int, count >= 1 else { throw Failure("accessor \(index): bad count") }
        guard let viewIndex = a["bufferView"] as? Int else { throw Failure("accessor \(index): no bufferView") }
        let views = array("bufferViews")
        guard viewIndex < views.count else { throw Failure("accessor \(index): bufferView out of range") }
        let v = views[viewIndex]
        let viewOffset = v["byteOffset"] as? Int ?? 0
        guard let viewLength = v["byteLength"] as? Int else { throw Failure("bufferView \(viewIndex): no byteLength") }
        let stride = v["byteStride"] as? Int ?? size * comps
        let accOffset = a["byteOffset"] as? Int ?? 0
        guard accOffset % size == 0 else { throw Failure("accessor \(index): byteOffset not a multiple of component size") }
        guard (viewOffset + accOffset) % size == 0 else { throw Failure("accessor \(index): misaligned") }
        let needed = accOffset + stride * (count - 1) + size * comps
        guard needed <= viewLength else { throw Failure("accessor \(index): \(needed) bytes exceed bufferView length \(viewLength)") }
        guard viewOffset + viewLength <= bin.count else { throw Failure("bufferView \(viewIndex) exceeds BIN chunk") }
        let normalized = a["normalized"] as? Bool ?? false
        var out = [Double]()
        out.reserveCapacity(count * comps)
        for i in 0..<count {
            for c in 0..<comps {
                let o = viewOffset + accOffset + i * stride + c * size
                var raw: UInt32 = 0
                for b in 0..<size { raw |= UInt32(bin[o + b]) << (8 * b) }
                let value: Double
                switch ct {
                case 5126: value = Double(Float(bitPattern: raw))
                case 5121: value = normalized ? Double(raw) / 255 : Double(raw)
                case 5123: value = normalized ? Double(raw) / 65535 : Double(raw)
                case 5125: value = Double(raw)
                case 5120: value = Double(Int8(truncatingIfNeeded: raw))
                default: value = Double(Int16(truncatingIfNeeded: raw))
                }
                out.append(value)
            }
        }
        return (out, comps)
    }

    /// Triangles drawn by mesh `m` (all triangle primitives).
    func triangleCount(mesh m: Int) throws -> Int {
        guard let prims = array("meshes")[m]["primitives"] as? [[String: Any]] else { throw Failure("mesh \(m): no primitives") }
        var n = 0
        for p in prims {
            if let i = p["indices"] as? Int {
                n += (array("accessors")[i]["count"] as? Int ?? 0) / 3
            } else if let attrs = p["attributes"] as? [String: Int], let pos = attrs["POSITION"] {
                n += (array("accessors")[pos]["count"] as? Int ?? 0) / 3
            }
        }
        return n
    }
}
