/// A component whose number and flag fields can be set in place from a JSON value,
/// without encoding the component, merging and decoding it again — the path live data
/// takes thousands of times a second.
///
/// The contract: setting a field here must have exactly the effect of decoding the
/// component with that member replaced (same accepted values, same stored result),
/// and the component's encode → decode must be the identity for its other fields. A
/// setter refuses what decoding would refuse and then leaves the value alone; the
/// caller takes the JSON path for it, which also words the error.
public protocol SettableFieldsComponent: Component {
    /// The setter for the member at `path` (names below the component; empty for a
    /// component encoded as one value, such as `Position`'s `[x, y, z]`).
    static func settableField(at path: [String]) -> FieldSetter<Self>?
}

/// Sets one field of `C` from a JSON value; false (and `C` unchanged) when decoding
/// would refuse the value.
public struct FieldSetter<C>: Sendable {
    public let set: @Sendable (inout C, JSONValue) -> Bool

    public init(_ set: @escaping @Sendable (inout C, JSONValue) -> Bool) { self.set = set }

    public static func double(_ field: any WritableKeyPath<C, Double> & Sendable) -> Self {
        Self { c, v in
            guard let d = v.doubleValue else { return false }
            c[keyPath: field] = d
            return true
        }
    }

    public static func float(_ field: any WritableKeyPath<C, Float> & Sendable) -> Self {
        Self { c, v in
            guard let f = FieldValues.float(v) else { return false }
            c[keyPath: field] = f
            return true
        }
    }

    public static func int(_ field: any WritableKeyPath<C, Int> & Sendable) -> Self {
        Self { c, v in
            guard let i = FieldValues.int64(v) else { return false }
            c[keyPath: field] = Int(i)
            return true
        }
    }

    public static func bool(_ field: any WritableKeyPath<C, Bool> & Sendable) -> Self {
        Self { c, v in
            guard let b = v.boolValue else { return false }
            c[keyPath: field] = b
            return true
        }
    }

    /// Three numbers `[x, y, z]` into 32-bit floats, as `Vec3` decodes them.
    public static func float3(_ set: @escaping @Sendable (inout C, Float, Float, Float) -> Void) -> Self {
        Self { c, v in
            guard let a = v.elements, a.count == 3,
                  let x = FieldValues.float(a[0]), let y = FieldValues.float(a[1]), let z = FieldValues.float(a[2])
            else { return false }
            set(&c, x, y, z)
            return true
        }
    }
}

/// The scalar conversions the strict decoder applies, shared so a setter accepts
/// exactly what decoding accepts.
public enum FieldValues {
    @inlinable
    public static func float(_ v: JSONValue) -> Float? {
        guard let d = v.doubleValue, abs(d) <= Double(Float.greatestFiniteMagnitude) else { return nil }
        return Float(d)
    }

    @inlinable
    public static func int64(_ v: JSONValue) -> Int64? {
        guard let d = v.doubleValue, d == d.rounded(), d >= -0x1p63, d < 0x1p63 else { return nil }
        return Int64(d)
    }
}

extension SettableFieldsComponent {
    /// `settableField(at:)` through an existential (the registry holds types erased).
    static func erasedSetter(at path: [String]) -> Any? { settableField(at: path) }
}
