import Foundation
import Testing
@testable import TwinIngest
import TwinRuntime

@Suite("Field mapping: units, scaling, enumerations, site frames")
struct MappingTests {
    func field(unit: String? = nil, scale: Double = 1, offset: Double = 0, min: Double? = nil, max: Double? = nil,
               enumeration: [String: JSONValue]? = nil) -> FieldMap {
        let u = unit.flatMap { Units.table[$0] } ?? (1, 0, "")
        return FieldMap(source: .field(.payload(["v"])), component: "X", path: ["v"], unitFactor: u.factor, unitOffset: u.offset,
                        scale: scale, offset: offset, min: min, max: max, enumeration: enumeration)
    }

    func map(_ f: FieldMap, _ payload: String) -> Result<MappedValue, IngestRejection> {
        Mapper.value(f, in: LiveScene.message("t", payload))
    }

    func number(_ r: Result<MappedValue, IngestRejection>) -> Double? {
        if case .success(let v) = r { return v.value.doubleValue }
        return nil
    }

    @Test("unit conversions match their definitions (NIST SP 811): exact to 1e-12 relative")
    func units() throws {
        let cases: [(String, Double, Double)] = [
            ("degF", 212, 373.15), ("degF", 32, 273.15), ("degF", -40, 233.15), ("degC", 21.5, 294.65),
            ("km/h", 36, 10), ("mph", 60, 26.8224), ("kn", 1, 1852.0 / 3600), ("mm", 1500, 1.5), ("ft", 10, 3.048),
            ("min", 2.5, 150), ("deg", 180, Double.pi), ("%", 45, 0.45), ("lb", 1, 0.45359237),
        ]
        for (unit, raw, si) in cases {
            let got = try #require(number(map(field(unit: unit), #"{"v": \#(raw)}"#)))
            #expect(abs(got - si) <= 1e-12 * Swift.max(1, abs(si)), "\(raw) \(unit) → \(got), expected \(si)")
        }
        #expect(number(map(field(unit: "mm", scale: 2, offset: 1), #"{"v": 500}"#)) == 2)
    }

    @Test("enumerations, ranges and types: refused with a reason, never a crash")
    func refusals() {
        let e = field(enumeration: ["RUN": .bool(false), "DOWN": .bool(true)])
        if case .success(let v) = map(e, #"{"v": "DOWN"}"#) { #expect(v.value == .bool(true) && Array(v.numbers) == [1] && v.text == "DOWN") } else { Issue.record("DOWN refused") }
        let reasons: [(FieldMap, String, String)] = [
            (e, #"{"v": "FIRE"}"#, "\"FIRE\" is not one of DOWN, RUN"),
            (field(min: 0, max: 100), #"{"v": 101}"#, "101 is above the maximum 100"),
            (field(min: 0, max: 100), #"{"v": -1}"#, "-1 is below the minimum 0"),
            (field(), #"{"v": "12.5"}"#, "expected a number, found a string"),
            (field(), #"{"v": "NaN"}"#, "expected a number"),
            (field(), #"{"w": 1}"#, "missing v"),
            (field(), #"{"v": [1, 2]}"#, "expected a number, found an array"),
            (field(unit: "km", scale: 1e306), #"{"v": 1e10}"#, "converts to a non-finite value"),
        ]
        for (f, payload, reason) in reasons {
            if case .failure(let r) = map(f, payload) { #expect(r.reason.contains(reason), "\(payload): \(r.reason)") } else { Issue.record("\(payload) accepted") }
        }
    }

    /// Published lengths of a degree on the WGS84 ellipsoid at 45° latitude:
    /// 111 132 m of latitude and 78 847 m of longitude (the standard table, e.g.
    /// Wikipedia "Latitude" / NGA). Over 0.01° the arc and the chord differ by
    /// micrometres; the table is rounded to 1 m per degree, so the tolerance is
    /// 0.01 m per 0.01°, plus 0.01 m.
    @Test("GPS → world metres: 0.01° at 45° N is 1111.32 m north and 788.47 m east (±0.02 m); north is −Z")
    func gps() {
        let frame = SiteFrame(kind: .gps(latitude: 45, longitude: 0, height: 0), rotation: 0, origin: (0, 0, 0))
        let north = frame.world(45.01, 0, 0)
        #expect(abs(-north.z - 1111.32) <= 0.02 && abs(north.x) < 1e-6, "\(north)")
        let east = frame.world(45, 0.01, 0)
        #expect(abs(east.x - 788.47) <= 0.02, "\(east)")
        // A parallel curves poleward of the tangent plane by d²·tan φ / 2R ≈ 0.049 m.
        #expect(abs(-east.z - 788.47 * 788.47 * tan(Double.pi / 4) / (2 * 6_388_838)) < 0.002, "\(east.z)")
        // The tangent plane drops below a point 1.1 km away by d²/2R ≈ 0.097 m.
        #expect(abs(north.y + 1111.32 * 1111.32 / (2 * 6_371_000)) < 0.002, "\(north.y)")
        let up = frame.world(45, 0, 12.5)
        #expect(abs(up.y - 12.5) < 1e-6)
    }

    @Test("plan frames: millimetres, rotation and origin (exact)")
    func plan() {
        let frame = SiteFrame(kind: .plan(unitFactor: 0.001), rotation: .pi / 2, origin: (10, 0, 20))
        // Plan x (1000 mm) rotated 90° counter-clockwise points to plan-north = world −Z.
        let p = frame.world(1000, 0, 500)
        #expect(abs(p.x - 10) < 1e-12 && abs(p.y - 0.5) < 1e-12 && abs(p.z - 19) < 1e-12, "\(p)")
        let unrotated = SiteFrame(kind: .plan(unitFactor: 1), rotation: 0, origin: (0, 0, 0)).world(3, 4, 0)
        #expect(unrotated == (3, 0, -4))
    }

    @Test("timestamps: Unix seconds, milliseconds and ISO 8601; far-future clocks refused")
    func timestamps() throws {
        #expect(Timestamps.parseISO8601("2025-12-07T04:00:00Z") == 1_765_080_000)
        #expect(Timestamps.parseISO8601("2025-12-07T05:00:00.5+01:00") == 1_765_080_000.5)
        #expect(Timestamps.parseISO8601("yesterday") == nil)
        let sim = try LiveScene.load()
        let bindings = try #require(sim.world.resource(LiveBindings.self)).list.map(BindingRef.init)
        let future = LiveScene.message("plant/P1/status", #"{"state": "RUN", "ts": \#(LiveScene.now + 3600)}"#)
        guard case .failure(let r) = Mapper.map(future, bindings: bindings) else { Issue.record("future accepted"); return }
        #expect(r.reason.contains("more than 300 s ahead of the receiving clock"))
        let iso = LiveScene.message("plant/P1/status", #"{"state": "RUN", "ts": "2025-12-07T04:00:00Z"}"#)
        guard case .success(let u) = Mapper.map(iso, bindings: bindings) else { Issue.record("ISO refused"); return }
        #expect(u[0].time == 1_765_080_000 && u[0].entityName == "press-1")
    }
}
