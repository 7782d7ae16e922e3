import Foundation
import Testing
import TwinCore
import TwinTesting
@testable import TwinVehicles

/// The `traffic` section of a shipped scene, decoded and built.
func sceneTraffic(_ relative: String, edit: (inout TrafficSpec) -> Void = { _ in }) throws -> (TrafficSetup, Double) {
    let path = packageRoot() + "/" + relative
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let json = try JSONParser.parse(text)
    var spec = try JSONValueDecoder(basePath: [.key("traffic")]).decode(TrafficSpec.self, from: json["traffic"] ?? .null)
    edit(&spec)
    let dt = json["world"]?["dt"]?.doubleValue ?? 0.1
    return (try spec.setup(), dt)
}

struct Discharge {
    var perInterval: [Int] = []
    var headways: [Double] = []
    var byPosition: [Int: [Double]] = [:]
    var onRed = 0
    var meanCount: Double { Double(perInterval.reduce(0, +)) / Double(max(1, perInterval.count)) }
    var meanHeadway: Double { headways.reduce(0, +) / Double(max(1, headways.count)) }
    var saturationFlow: Double { 3600 / meanHeadway }
    func meanAt(_ p: Int) -> Double { let a = byPosition[p] ?? []; return a.reduce(0, +) / Double(max(1, a.count)) }
}

/// Runs the saturated junction to 3564 s and counts stop-line passages per green+yellow (vehicles.md V7).
func runSaturation(type: VehicleType? = nil, dt: Double? = nil) throws -> Discharge {
    var (setup, sceneDt) = try sceneTraffic("Scenes/validation/saturation-flow.json") { spec in
        if let type { spec.vehicleTypes = [type] }
    }
    _ = setup
    let step = dt ?? sceneDt
    sceneDt = step
    let m = TrafficModel(setup, random: RandomStream(seed: 7))
    var passes: [Int: [Double]] = [:]
    let steps = Int((3564 / step).rounded())
    for k in 0..<steps {
        m.step(dt: step, time: Double(k) * step)
        for p in m.passages { passes[p.detector, default: []].append(p.time) }
    }
    var d = Discharge()
    for (det, ts) in passes.sorted(by: { $0.key < $1.key }) {
        let id = setup.network.detectors[det].id
        let offset: Double = (id == "stopN" || id == "stopS") ? 0 : 33
        d.onRed += ts.filter { $0 >= 660 && $0 < 3564 && !((($0 - offset).truncatingRemainder(dividingBy: 66) + 66).truncatingRemainder(dividingBy: 66) < 33) }.count
        for c in 10..<54 {
            let g0 = 66 * Double(c) + offset, g1 = g0 + 33
            let tt = ts.filter { $0 >= g0 && $0 < g1 }.sorted()
            d.perInterval.append(tt.count)
            for i in tt.indices.dropFirst() {
                d.byPosition[i + 1, default: []].append(tt[i] - tt[i - 1])
                if i + 1 >= 5 { d.headways.append(tt[i] - tt[i - 1]) }
            }
        }
    }
    return d
}

@Suite("Signalised junction (vehicles.md V7)")
struct SignalTests {
    @Test("saturation flow with the default car at dt 1 s: 1700–2100 veh/h, 13–17 per 33 s, start-up loss, none on red")
    func defaultCar() throws {
        let d = try runSaturation(dt: 1)
        print("V7 default car: \(d.meanCount) per interval, headway \(d.meanHeadway) s, saturation flow \(d.saturationFlow) veh/h, positions 2/3/4/5/6/8: \([2, 3, 4, 5, 6, 8].map { d.meanAt($0) }), on red \(d.onRed)")
        #expect(d.perInterval.count == 176)
        #expect(d.saturationFlow >= 1700 && d.saturationFlow <= 2100, "saturation flow \(d.saturationFlow)")
        #expect(d.meanCount >= 13 && d.meanCount <= 17, "per interval \(d.meanCount)")
        let early = [2, 3, 4].map { d.meanAt($0) }, late = d.meanAt(6)
        #expect(early.allSatisfy { $0 > late }, "start-up loss: \(early) vs \(late)")
        #expect(d.onRed == 0)
    }

    @Test("Treiber & Kesting's city set discharges slower (documented: below the textbook range)")
    func citySet() throws {
        var t = VehicleType.city; t.id = "car"; t.maxSpeed = 36
        let d = try runSaturation(type: t, dt: 0.5)
        print("V7 city set: \(d.meanCount) per interval, saturation flow \(d.saturationFlow) veh/h")
        #expect(d.saturationFlow > 1300 && d.saturationFlow < 1700)
        #expect(d.onRed == 0)
    }

    @Test("the default car is IDM at SUMO's defaults; dt 0.1: within ±5 % of SUMO's 1802 veh/h (14.98 per 33 s)")
    func sumoDefaults() throws {
        let t = VehicleType()
        #expect(t.accel == 2.6 && t.decel == 4.5 && t.timeHeadway == 1 && t.minGap == 2.5 && t.delta == 4 && t.length == 5)
        let d = try runSaturation(type: t, dt: 0.1)
        print("V7 SUMO-default IDM: \(d.meanCount) per interval, headway \(d.meanHeadway) s, saturation flow \(d.saturationFlow) veh/h, on red \(d.onRed)")
        #expect(abs(d.saturationFlow - 1802) / 1802 <= 0.05, "saturation flow \(d.saturationFlow)")
        #expect(abs(d.meanCount - 14.98) / 14.98 <= 0.05, "per interval \(d.meanCount)")
        #expect(d.onRed == 0)
    }
}
