import Foundation
import Testing
import TwinCore
@testable import TwinVehicles

/// Figures of a ring run, measured as the reference (vehicles.md V6, analyze_ring.py) does.
struct RingFigures {
    var meanSpeed60to120: Double = 0
    var vMin500: Float = .infinity, vMax500: Float = 0, vMean500: Double = 0, sd500: Double = 0
    var sd300: Double = 0
    var waveSpeed: Double = 0
    var period: Double = 0
    var minGap: Float = .infinity
}

func runRing(n: Int, type: VehicleType = .ring, dt: Double = 0.1, scheme: TrafficModel.Scheme = .euler, seconds: Double = 600) throws -> RingFigures {
    let length: Float = 230
    let positions = (0..<n).map { i in Float(i) * length / Float(n) + 5 + (i == 0 ? 1 : 0) }
    let setup = try ringSetup(length: length, type: type, positions: positions)
    var o = TrafficModel.Options(); o.scheme = scheme
    let m = TrafficModel(setup, options: o, random: RandomStream(seed: 1))
    var f = RingFigures()
    var w1: [Float] = [], w3: [Float] = [], w5: [Float] = []
    var slowPos: [(Double, Double)] = []
    var v0Series: [(Double, Float)] = []
    let steps = Int((seconds / dt).rounded())
    for k in 0..<steps {
        m.step(dt: dt, time: Double(k) * dt)
        let t = Double(k + 1) * dt
        var slowest = (Float.infinity, Float(0))
        for slot in 0..<n {
            let st = m.state(slot)
            if t >= 60, t < 120 { w1.append(st.speed) }
            if t >= 300, t < 600 { w3.append(st.speed) }
            if t >= 500, t < 600 { w5.append(st.speed) }
            if st.speed < slowest.0 { slowest = (st.speed, st.position) }
            f.minGap = min(f.minGap, st.gap)
        }
        let whole = abs(t - t.rounded()) < 1e-6
        if whole, t >= 450, t < 600 { slowPos.append((t, Double(slowest.1))) }
        if t >= 300, t < 600 { v0Series.append((t, m.state(0).speed)) }
    }
    func mean(_ a: [Float]) -> Double { a.isEmpty ? 0 : a.reduce(0.0) { $0 + Double($1) } / Double(a.count) }
    func sd(_ a: [Float]) -> Double { let m = mean(a); return (a.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(max(1, a.count))).squareRoot() }
    f.meanSpeed60to120 = mean(w1)
    f.vMin500 = w5.min() ?? 0; f.vMax500 = w5.max() ?? 0; f.vMean500 = mean(w5); f.sd500 = sd(w5); f.sd300 = sd(w3)
    // Wave speed: least-squares slope of the slowest vehicle's unwrapped position.
    var unwrapped: [Double] = []
    for (_, x) in slowPos {
        guard let last = unwrapped.last else { unwrapped.append(x); continue }
        var d = x - last.truncatingRemainder(dividingBy: 230)
        d = (d + 115).truncatingRemainder(dividingBy: 230); if d < 0 { d += 230 }; d -= 115
        unwrapped.append(last + d)
    }
    let ts = slowPos.map(\.0)
    let mt = ts.reduce(0, +) / Double(max(1, ts.count)), mx = unwrapped.reduce(0, +) / Double(max(1, unwrapped.count))
    let num = zip(ts, unwrapped).reduce(0.0) { $0 + ($1.0 - mt) * ($1.1 - mx) }
    let den = ts.reduce(0.0) { $0 + ($1 - mt) * ($1 - mt) }
    f.waveSpeed = den > 0 ? num / den : 0
    // Stop-and-go period of vehicle 0: local minima below half its mean speed, merged within 5 s.
    let vm = mean(v0Series.map(\.1))
    var minima: [Double] = []
    for i in 1..<(v0Series.count - 1) {
        let (t, sp) = v0Series[i]
        if sp < v0Series[i - 1].1, sp <= v0Series[i + 1].1, Double(sp) < 0.5 * vm {
            if minima.last.map({ t - $0 > 5 }) ?? true { minima.append(t) }
        }
    }
    if minima.count > 1 { f.period = (minima.last! - minima.first!) / Double(minima.count - 1) }
    return f
}

@Suite("Sugiyama ring road (vehicles.md V6)")
struct RingRoadTests {
    @Test("22 vehicles on 230 m, P-RING, dt 0.1 semi-Euler: homogeneous, then stop-and-go with the published wave speed")
    func sugiyama() throws {
        let f = try runRing(n: 22)
        print("ring N=22 dt=0.1 euler: mean60-120 \(f.meanSpeed60to120) vmin \(f.vMin500) vmax \(f.vMax500) vmean \(f.vMean500) sd \(f.sd500) T_sg \(f.period) c \(f.waveSpeed) minGap \(f.minGap)")
        // (i) homogeneous before 120 s: 3.454 ± 0.02
        #expect(abs(f.meanSpeed60to120 - 3.454) <= 0.02, "mean speed 60–120 s: \(f.meanSpeed60to120)")
        // (ii) stop-and-go over 500–600 s
        #expect(f.vMin500 < 0.3, "v_min \(f.vMin500)")
        #expect(f.sd500 >= 2.0, "sd \(f.sd500)")
        // (iii) limit cycle
        #expect(abs(f.vMax500 - 8.47) <= 0.8, "v_max \(f.vMax500)")
        #expect(abs(f.vMean500 - 2.40) <= 0.3, "v_mean \(f.vMean500)")
        #expect(abs(f.period - 33.5) <= 4, "T_sg \(f.period)")
        // (iv) wave speed in [−6.0, −3.8] m/s
        #expect(f.waveSpeed >= -6.0 && f.waveSpeed <= -3.8, "c \(f.waveSpeed)")
        // (vi) no collisions
        #expect(f.minGap > 0, "min gap \(f.minGap)")
    }

    @Test("14 vehicles stay homogeneous: sd over 300–600 s < 0.05 m/s, v = v_e = 9.374 ± 0.01")
    func fourteen() throws {
        let f = try runRing(n: 14)
        #expect(abs(f.vMean500 - 9.374) <= 0.01, "v \(f.vMean500)")
        #expect(f.sd300 < 0.05, "sd \(f.sd300)")
        #expect(f.minGap > 0)
    }

    @Test("ballistic scheme (the default) at dt 0.1 and 1: stop-and-go emerges, no collision, no negative speed")
    func ballistic() throws {
        for dt in [0.1, 0.5, 1.0] {
            let f = try runRing(n: 22, dt: dt, scheme: .ballistic)
            print("ring N=22 dt=\(dt) ballistic: vmin \(f.vMin500) vmax \(f.vMax500) vmean \(f.vMean500) sd \(f.sd500) T_sg \(f.period) c \(f.waveSpeed) minGap \(f.minGap)")
            #expect(f.minGap > 0, "dt \(dt): min gap \(f.minGap)")
            #expect(f.vMin500 >= 0, "dt \(dt)")
            #expect(f.sd500 >= 1.0, "dt \(dt): sd \(f.sd500)")
        }
    }
}
