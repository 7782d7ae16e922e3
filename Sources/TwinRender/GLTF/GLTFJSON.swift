/// A JSON value with canonical serialisation: object keys sorted by their UTF-8 bytes,
/// no whitespace, integers as integers and floats in their shortest round-trip form
/// (Swift's `Float.description`, e.g. `0.1`, `1e-05`). The same document always gives
/// the same bytes, so golden `.glb` files diff cleanly. Used for the glTF JSON chunk and
/// for node `extras` (entity id, kind, component values).
public indirect enum GLTFJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// Written with `Float`'s shortest round-trip formatting; non-finite values are written
    /// as `0` (JSON has no NaN or infinity).
    case float(Float)
    /// Written with `Double`'s shortest round-trip formatting; non-finite → `0`.
    case double(Double)
    case string(String)
    case array([GLTFJSON])
    case object([String: GLTFJSON])

    /// The canonical UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    public var canonicalString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .float(let f): out.append(contentsOf: (f.isFinite ? Self.format(f) : "0").utf8)
        case .double(let d): out.append(contentsOf: (d.isFinite ? Self.format(d) : "0").utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            // Sorting by UTF-8 bytes, not by String's Unicode ordering: stable everywhere.
            let keys = o.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
            for (i, k) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                o[k]?.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Integral values print without a fraction ("2" rather than "2.0") so integers that
    /// went through a float stay integers for JSON readers.
    static func format<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension GLTFJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: GLTFJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, GLTFJSON)...) {
        var o: [String: GLTFJSON] = [:]
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension GLTFJSON {
    static func floats(_ v: [Float]) -> GLTFJSON { .array(v.map { .float($0) }) }
}
