/// A component that is one vector: codable as `[x, y, z]`, hashed by its bits.
public protocol Vec3Component: DefaultComponent, DocumentedComponent, SettableFieldsComponent, Hashable {
    var value: Vec3 { get set }
    init(_ value: Vec3)
}

extension Vec3Component {
    public init(_ x: Float, _ y: Float, _ z: Float) { self.init(Vec3(x, y, z)) }
    public init(from decoder: any Decoder) throws { self.init(try Vec3(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    public func hashState(into h: inout StableHasher) { h.combine(value) }
    public static func settableField(at path: [String]) -> FieldSetter<Self>? {
        path.isEmpty ? .float3 { $0.value = Vec3($1, $2, $3) } : nil
    }
}

/// Position of an entity's origin in the world frame, metres (Y up).
public struct Position: Vec3Component {
    public var value: Vec3
    public init() { value = .zero }
    public init(_ value: Vec3) { self.value = value }
    public static let summary = "Position of the entity's origin in the world frame (Y up)."
    public static let fieldUnits = ["value": "m"]
}

/// Linear velocity in the world frame, m/s.
public struct Velocity: Vec3Component {
    public var value: Vec3
    public init() { value = .zero }
    public init(_ value: Vec3) { self.value = value }
    public static let summary = "Linear velocity in the world frame."
    public static let fieldUnits = ["value": "m/s"]
}

/// Constant linear acceleration in the world frame, m/s² (e.g. gravity on a
/// projectile that has no rigid body).
public struct Acceleration: Vec3Component {
    public var value: Vec3
    public init() { value = .zero }
    public init(_ value: Vec3) { self.value = value }
    public static let summary = "Constant linear acceleration in the world frame."
    public static let fieldUnits = ["value": "m/s²"]
}

/// Angular velocity in the world frame, rad/s (axis × rate).
public struct AngularVelocity: Vec3Component {
    public var value: Vec3
    public init() { value = .zero }
    public init(_ value: Vec3) { self.value = value }
    public static let summary = "Angular velocity in the world frame (axis times rate)."
    public static let fieldUnits = ["value": "rad/s"]
}

/// Non-uniform scale of the entity's visual and extent (unitless).
public struct Scale: Vec3Component {
    public var value: Vec3
    public init() { value = .one }
    public init(_ value: Vec3) { self.value = value }
    public static let summary = "Scale of the entity's visual and extent (unitless)."
}

/// Orientation in the world frame as a unit quaternion `[x, y, z, w]`.
public struct Rotation: DefaultComponent, DocumentedComponent, Hashable {
    public var value: Quat
    public init() { value = .identity }
    public init(_ value: Quat) { self.value = value }
    public static let summary = "Orientation in the world frame, unit quaternion [x, y, z, w]."
    public init(from decoder: any Decoder) throws { value = try Quat(from: decoder).normalized() }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    public func hashState(into h: inout StableHasher) { h.combine(value) }
}

extension StableHasher {
    public mutating func combine(_ v: Vec3) { combine(v.x); combine(v.y); combine(v.z) }
    public mutating func combine(_ v: Quat) { combine(v.x); combine(v.y); combine(v.z); combine(v.w) }
}

/// Marks an entity whose `Position` a domain system advances itself (pedestrian
/// models, vehicles, rigid bodies): `core.integrate` leaves it alone, so it is never
/// moved twice in a step.
public struct Steered: DefaultComponent, DocumentedComponent, Hashable {
    public init() {}
    public static let summary = "Position is advanced by a domain system (pedestrians, vehicles, physics), not by core.integrate."
}
