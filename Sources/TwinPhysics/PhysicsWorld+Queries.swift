import TwinMath

/// A sensor volume: detects bodies overlapping it, never pushes them.
public struct SensorDescriptor: Sendable {
    public var shape: Shape
    public var position: Vec3 = .zero
    public var rotation: Quat = .identity
    /// Only bodies whose layer is in this mask are detected.
    public var mask: UInt32 = .max
    public init(shape: Shape, position: Vec3 = .zero, rotation: Quat = .identity) {
        self.shape = shape; self.position = position; self.rotation = rotation
    }
}

struct Sensor {
    var placed: PlacedShape
    var mask: UInt32
    /// Body indices overlapping now, ascending.
    var overlapping: [Int32] = []
}

/// The first body a ray hits.
public struct RayHit: Hashable, Sendable {
    public var body: BodyID
    /// Distance from the origin along the unit direction (m), the point and the surface normal.
    public var distance: Float
    public var point: Vec3
    public var normal: Vec3
}

extension PhysicsWorld {
    /// Adds a sensor volume; its enter and exit events come in `events.sensorBegan/Ended`.
    public func createSensor(_ d: SensorDescriptor) throws(PhysicsError) -> Int {
        if let p = d.shape.problem { throw PhysicsError(p) }
        if case .plane = d.shape { throw PhysicsError("a sensor cannot be a plane") }
        guard d.position.isFinite, d.rotation.vector.isFinite, d.rotation.w.isFinite else {
            throw PhysicsError("sensor pose must be finite, got \(d.position)")
        }
        if d.shape.isStaticOnly { throw PhysicsError("a sensor cannot be a triangle mesh") }
        let origin = d.rotation.normalized(), frame = d.shape.massFrame
        let placed = PlacedShape(shape: d.shape, position: d.position + origin.rotate(frame.centre), rotation: Mat3(origin * frame.rotation))
        sensors.append(Sensor(placed: placed, mask: d.mask))
        return sensors.count - 1
    }

    /// Bodies overlapping sensor `index` after the last step, in body order.
    public func bodies(inSensor index: Int) -> [BodyID] {
        guard sensors.indices.contains(index) else { return [] }
        return sensors[index].overlapping.map { BodyID($0) }
    }

    /// Non-static bodies whose shape overlaps `shape` at the pose, in body order.
    public func overlap(_ shape: Shape, position: Vec3, rotation: Quat = .identity, mask: UInt32 = .max) -> [BodyID] {
        let origin = rotation.normalized(), frame = shape.massFrame
        let probe = PlacedShape(shape: shape, position: position + origin.rotate(frame.centre), rotation: Mat3(origin * frame.rotation))
        return overlapping(probe, mask: mask).map { BodyID($0) }
    }

    func overlapping(_ probe: PlacedShape, mask: UInt32) -> [Int32] {
        let b = probe.shape.bounds(position: probe.position, rotation: probe.rotation)
        var out: [Int32] = []
        let scratch = CollideScratch()
        for i in 0..<bodyCount where isEnabled[i] && kind[i] != .static && layer[i] & mask != 0 {
            let lo = boundsMin[i], hi = boundsMax[i]
            guard lo.x <= b.max.x, b.min.x <= hi.x, lo.y <= b.max.y, b.min.y <= hi.y, lo.z <= b.max.z, b.min.z <= hi.z else { continue }
            let m = collide(probe, placed(i), margin: 0, scratch: scratch)
            if m.count > 0 && m.minSeparation < 0 { out.append(Int32(i)) }
        }
        return out
    }

    func updateSensors() {
        for s in sensors.indices {
            let now = overlapping(sensors[s].placed, mask: sensors[s].mask)
            let before = sensors[s].overlapping
            var i = 0, j = 0
            while i < now.count || j < before.count {
                if j >= before.count || (i < now.count && now[i] < before[j]) {
                    events.sensorBegan.append(SensorOverlap(sensor: s, body: BodyID(now[i]))); i += 1
                } else if i >= now.count || before[j] < now[i] {
                    events.sensorEnded.append(SensorOverlap(sensor: s, body: BodyID(before[j]))); j += 1
                } else {
                    i += 1; j += 1
                }
            }
            sensors[s].overlapping = now
        }
    }

    /// The nearest body hit by the ray from `origin` along `direction` within
    /// `maxDistance` metres (ties: the lower body index), or nil.
    public func rayCast(from origin: Vec3, direction: Vec3, maxDistance: Float, mask: UInt32 = .max) -> RayHit? {
        let len = direction.length
        guard len > 0, origin.isFinite, direction.isFinite, maxDistance > 0 else { return nil }
        let d = direction / len
        var best: RayHit?
        for i in 0..<bodyCount where isEnabled[i] && layer[i] & mask != 0 {
            let limit = best?.distance ?? maxDistance
            if let (t, n) = Self.ray(placed(i), origin, d, limit), t <= limit, best == nil || t < limit {
                best = RayHit(body: BodyID(Int32(i)), distance: t, point: origin + d * t, normal: n)
            }
        }
        return best
    }

    static func ray(_ s: PlacedShape, _ o: Vec3, _ d: Vec3, _ limit: Float) -> (Float, Vec3)? {
        switch s.shape {
        case .sphere(let r):
            return raySphere(s.position, r, o, d)
        case .capsule(let r, let hh):
            let axis = s.rotation.c1 * hh
            // Spheres at the caps and at the axis point nearest the ray: exact on the caps,
            // a close approximation on the side for rays crossing the axis obliquely.
            var best: (Float, Vec3)?
            let (_, q) = closestBetweenSegments(o + d * (limit * 0.5), d * (limit * 0.5), s.position, axis)
            for c in [s.position - axis, s.position + axis, q] {
                if let hit = raySphere(c, r, o, d), hit.0 < (best?.0 ?? .infinity) { best = hit }
            }
            return best
        case .box(let h):
            let lo = s.rotation.transposedTimes(o - s.position), ld = s.rotation.transposedTimes(d)
            var tmin: Float = 0, tmax: Float = .infinity, axis = -1, sign: Float = 1
            for k in 0..<3 {
                if abs(ld[k]) < 1e-12 {
                    if abs(lo[k]) > h[k] { return nil }
                    continue
                }
                var t0 = (-h[k] - lo[k]) / ld[k], t1 = (h[k] - lo[k]) / ld[k]
                var sg: Float = -1
                if t0 > t1 { swap(&t0, &t1); sg = 1 }
                if t0 > tmin { tmin = t0; axis = k; sign = sg }
                tmax = min(tmax, t1)
                if tmin > tmax { return nil }
            }
            guard axis >= 0 else { return nil }  // origin inside
            return (tmin, s.rotation.column(axis) * sign)
        case .plane:
            let n = s.rotation.c1
            let denom = n.dot(d)
            guard denom < 0 else { return nil }
            let t = n.dot(s.position - o) / denom
            return t >= 0 ? (t, n) : nil
        case .hull(let h):
            return rayHull(h, s, o, d)
        case .compound(let c):
            var best: (Float, Vec3)?
            for k in c.children.indices {
                if let hit = ray(c.placedChild(k, s.position, s.rotation), o, d, limit), hit.0 < (best?.0 ?? .infinity) { best = hit }
            }
            return best
        case .mesh(let m):
            return rayMesh(m, s, o, d, limit)
        }
    }

    static func raySphere(_ c: Vec3, _ r: Float, _ o: Vec3, _ d: Vec3) -> (Float, Vec3)? {
        let m = o - c
        let b = m.dot(d), cc = m.dot(m) - r * r
        if cc > 0 && b > 0 { return nil }
        let disc = b * b - cc
        guard disc >= 0 else { return nil }
        let t = max(0, -b - disc.squareRoot())
        return (t, (o + d * t - c).normalized())
    }
}
