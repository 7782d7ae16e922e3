import Foundation
import Testing
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// The three operational models with the time step each is documented for.
enum Model: String, CaseIterable, CustomTestStringConvertible {
    case cfsm = "pedestrians.collision-free-speed"
    case sfm = "pedestrians.social-force"
    case gcfm = "pedestrians.generalized-centrifugal-force"

    var dt: Double {
        switch self {
        case .cfsm: return 0.05
        case .sfm: return 1.0 / 64
        case .gcfm: return 0.01
        }
    }
    var testDescription: String {
        switch self {
        case .cfsm: return "collision-free speed"
        case .sfm: return "social force"
        case .gcfm: return "generalized centrifugal force"
        }
    }
    /// Centre distance at which two bodies at rest touch head-on, for overlap checks:
    /// discs of the tests' radius 0.2 m, or the centrifugal model's ellipses (2·a_min).
    var contactDistance: Double { self == .gcfm ? 0.36 : 0.4 }
    /// Acceleration delay: ≈ 0 for the first-order model, ≈ τ for the force models.
    var accelerationDelay: Double { self == .cfsm ? 0 : 0.5 }
}

/// A pedestrian scene with the model's systems and step, from the `pedestrians`
/// section's JSON text.
func pedestrianScene(_ model: Model, seed: Int = 1, duration: Double = 120, params: String = "{}",
                     section: String, extra: String = "") -> String {
    """
    {"world": {"dt": \(model.dt), "duration": \(duration), "seed": \(seed)},
     "systems": [{"id": "pedestrians.journeys"}, {"id": "\(model.rawValue)", "params": \(params)}, {"id": "pedestrians.measure"}],
     "pedestrians": \(section)\(extra.isEmpty ? "" : ",\n" + extra)}
    """
}

/// `[[x, z], …]` of a polygon's points.
func json(_ points: [(Double, Double)]) -> String {
    "[" + points.map { "[\($0.0), \($0.1)]" }.joined(separator: ", ") + "]"
}

func rectangle(_ x0: Double, _ z0: Double, _ x1: Double, _ z1: Double) -> [(Double, Double)] {
    [(x0, z0), (x1, z0), (x1, z1), (x0, z1)]
}

/// Rotates points about the origin by `degrees`.
func rotated(_ points: [(Double, Double)], _ degrees: Double) -> [(Double, Double)] {
    let a = degrees * .pi / 180, c = cos(a), s = sin(a)
    return points.map { (c * $0.0 - s * $0.1, s * $0.0 + c * $0.1) }
}

/// Plan positions (x, z) of every agent after each step, by entity id.
struct Trajectories {
    var samples: [UInt64: [(t: Double, x: Double, z: Double, vx: Double, vz: Double)]] = [:]
    var exitTimes: [UInt64: Double] = [:]
    var steps = 0
}

/// Runs until no agent is left or `maxTime` passes; records every agent's path.
func runRecording(_ f: SceneFixture, maxTime: Double) -> Trajectories {
    var tr = Trajectories()
    let dt = f.simulation.dt
    let steps = Int((maxTime / dt).rounded(.up))
    var alive = Set<UInt64>()
    for _ in 0..<steps {
        f.run(steps: 1)
        tr.steps += 1
        let t = f.simulation.time
        var now = Set<UInt64>()
        for (e, a) in f.values(PedestrianAgent.self) {
            _ = a
            guard let p = f.world.get(Position.self, of: e), let v = f.world.get(Velocity.self, of: e) else { continue }
            now.insert(e.id)
            tr.samples[e.id, default: []].append((t, Double(p.value.x), Double(p.value.z), Double(v.value.x), Double(v.value.z)))
        }
        for id in alive.subtracting(now) { tr.exitTimes[id] = t }
        alive = now
        if now.isEmpty { break }
    }
    return tr
}

/// Time at which the path first crosses `s` along the unit axis (linear interpolation).
func crossingTime(_ path: [(t: Double, x: Double, z: Double, vx: Double, vz: Double)], axis: (Double, Double), at s: Double,
                  start: (t: Double, s: Double)? = nil) -> Double? {
    var prevT = start?.t, prevS = start?.s
    for p in path {
        let cur = p.x * axis.0 + p.z * axis.1
        if let pt = prevT, let ps = prevS, ps < s, cur >= s {
            return pt + (p.t - pt) * (s - ps) / (cur - ps)
        }
        prevT = p.t; prevS = cur
    }
    return nil
}
