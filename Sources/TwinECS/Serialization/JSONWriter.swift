/// Writes a `JSONValue` as JSON text.
///
/// Numbers that are whole and within ±2^53 print as integers; others print in
/// Swift's shortest round-trip form, so a `Float` stored through `JSONValueEncoder`
/// prints as written (`0.1`, not `0.10000000149011612`).
public struct JSONWriter {
    public enum Style: Sendable { case compact, pretty }

    public static func string(_ value: JSONValue, style: Style = .compact, sortedKeys: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(value, into: &out, style: style, sortedKeys: sortedKeys, indent: 0)
        return out
    }

    public static func formatNumber(_ d: Double) -> String {
        if !d.isFinite { return "null" }
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 {
            return d == 0 ? "0" : String(Int64(d))
        }
        return d.description
    }

    static func write(_ v: JSONValue, into out: inout String, style: Style, sortedKeys: Bool, indent: Int) {
        switch v.kind {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += formatNumber(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            // Short arrays of scalars (vectors, quaternions) stay on one line even when pretty.
            let inline = style == .compact || (a.count <= 16 && a.allSatisfy { $0.members == nil && $0.elements == nil })
            out += "["
            for (k, e) in a.enumerated() {
                if k > 0 { out += inline && style == .pretty ? ", " : "," }
                if !inline { newline(&out, indent + 1) }
                write(e, into: &out, style: style, sortedKeys: sortedKeys, indent: indent + 1)
            }
            if !inline { newline(&out, indent) }
            out += "]"
        case .object(let m):
            if m.isEmpty { out += "{}"; return }
            let members = sortedKeys ? m.sorted { $0.key < $1.key } : m
            out += "{"
            for (k, e) in members.enumerated() {
                if k > 0 { out += "," }
                if style == .pretty { newline(&out, indent + 1) }
                writeString(e.key, into: &out)
                out += style == .pretty ? ": " : ":"
                write(e.value, into: &out, style: style, sortedKeys: sortedKeys, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
