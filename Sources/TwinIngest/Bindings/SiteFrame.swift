import TwinRuntime
import Foundation

/// Turns a position reported in a site's own coordinates into world metres
/// (Y up, X east, Z south when the site is not rotated).
///
/// - `plan`: a floor plan's 2D coordinates (x right, y up on the drawing, optional
///   height), in `unit`, rotated by `rotation` about the vertical and shifted by
///   `origin` (where the plan's (0, 0) lies in the world).
/// - `gps`: WGS84 latitude/longitude in degrees and height in metres. The point goes
///   to Earth-centred coordinates and then into the east-north-up tangent plane at
///   the site's reference point — exact geometry, not a flat-earth approximation, so
///   it stays right over a whole campus (the ENU error of the equirectangular shortcut
///   is already ~1 m at 10 km).
public struct SiteFrame: Sendable {
    public enum Kind: Sendable {
        case plan(unitFactor: Double)
        case gps(latitude: Double, longitude: Double, height: Double)
    }

    public var kind: Kind
    /// Rotation of the site's east/x axis from the world X axis, counter-clockwise
    /// seen from above, rad.
    public var rotation: Double
    /// Where the site's reference point lies in the world, m.
    public var origin: (x: Double, y: Double, z: Double)

    /// WGS84 ellipsoid (NIMA TR8350.2).
    static let a = 6_378_137.0
    static let f = 1 / 298.257223563
    static let e2 = f * (2 - f)

    /// Earth-centred, Earth-fixed coordinates of a geodetic point, m.
    static func ecef(latitude: Double, longitude: Double, height: Double) -> (Double, Double, Double) {
        let phi = latitude * .pi / 180, lambda = longitude * .pi / 180
        let n = a / (1 - e2 * sin(phi) * sin(phi)).squareRoot()
        return ((n + height) * cos(phi) * cos(lambda), (n + height) * cos(phi) * sin(lambda), (n * (1 - e2) + height) * sin(phi))
    }

    /// East, north, up of a geodetic point relative to the reference, m.
    static func enu(latitude: Double, longitude: Double, height: Double,
                    reference r: (latitude: Double, longitude: Double, height: Double)) -> (e: Double, n: Double, u: Double) {
        let p = ecef(latitude: latitude, longitude: longitude, height: height)
        let o = ecef(latitude: r.latitude, longitude: r.longitude, height: r.height)
        let dx = p.0 - o.0, dy = p.1 - o.1, dz = p.2 - o.2
        let phi = r.latitude * .pi / 180, lambda = r.longitude * .pi / 180
        let e = -sin(lambda) * dx + cos(lambda) * dy
        let n = -sin(phi) * cos(lambda) * dx - sin(phi) * sin(lambda) * dy + cos(phi) * dz
        let u = cos(phi) * cos(lambda) * dx + cos(phi) * sin(lambda) * dy + sin(phi) * dz
        return (e, n, u)
    }

    /// World position of a reported point: `a`, `b`, `c` are (x, y, height) for a
    /// plan and (latitude, longitude, height) for GPS.
    public func world(_ a: Double, _ b: Double, _ c: Double) -> (x: Double, y: Double, z: Double) {
        let east: Double, north: Double, up: Double
        switch kind {
        case .plan(let k): (east, north, up) = (a * k, b * k, c * k)
        case .gps(let lat, let lon, let h):
            (east, north, up) = Self.enu(latitude: a, longitude: b, height: c, reference: (lat, lon, h))
        }
        let ce = cos(rotation), se = sin(rotation)
        let x = east * ce - north * se, n = east * se + north * ce
        return (origin.x + x, origin.y + up, origin.z - n)
    }
}
