import Foundation
import Testing
import TwinCore
import TwinMachines
import TwinPedestrians
import TwinRuntime
import TwinTesting

/// A pedestrian queue served at a machines counter: the `machines` source
/// `"pedestrianQueue": "counter"` takes the people standing in the pedestrians queue
/// stage `counter`, one whenever the station `desk` has a free server, and releases
/// them through `WalkerStage.pendingReleases`. The two plugins share only TwinCore
/// components and names.
///
/// Layout: a 30 m × 6 m hall; people appear at the left, walk to the queue (slots every
/// 0.6 m along z = 3 from the counter at x = 20 back to x = 8.6; they join the queue
/// when they reach its end, x ≈ 8.3), are served, and leave through the exit at the right.
enum Counter {
    static let slots = (0..<20).map { "[\(20 - 0.6 * Double($0)), 3]" }.joined(separator: ", ")

    /// Scene text. `arrivals`: pedestrians source arrivals (`fixed`/`poisson`); `area`:
    /// where people appear; `process`: the desk's processing time (JSON).
    static func scene(dt: Double, seed: Int = 1, rate: Double, arrivals: String, limit: Int? = nil,
                      area: String = "[[1.8, 2.8], [2.2, 2.8], [2.2, 3.2], [1.8, 3.2]]",
                      process: String, servers: Int = 1, stop: Double? = nil) -> String {
        """
        {"world": {"dt": \(dt), "seed": \(seed), "duration": 1e9},
         "systems": [{"id": "pedestrians.journeys"}, {"id": "pedestrians.collision-free-speed"},
                     {"id": "machines.process", "params": {"itemEntities": false, "eventLog": true}}],
         "pedestrians": {
           "levels": [{"name": "ground", "geometry": {"walkableAreas": [{"outline": [[0, 0], [30, 0], [30, 6], [0, 6]]}]}}],
           "stages": [{"name": "counter", "type": "queue", "slots": [\(slots)]},
                      {"name": "out", "type": "exit", "area": [[28, 0], [30, 0], [30, 6], [28, 6]]}],
           "journeys": [{"name": "visit", "stages": ["counter", "out"]}],
           "sources": [{"journey": "visit", "rate": \(rate), "arrivals": "\(arrivals)", "area": \(area), "speed": 1.2\(
               limit.map { ", \"limit\": \($0)" } ?? "")\(stop.map { ", \"stop\": \($0)" } ?? "")}]},
         "machines": {"elements": [
           {"name": "people", "type": "source", "pedestrianQueue": "counter", "to": "desk"},
           {"name": "desk", "type": "station", "servers": \(servers), "process": \(process), "to": "served"},
           {"name": "served", "type": "sink"}]}}
        """
    }
}

/// Runs a counter scene step by step and records, per person, when they appeared,
/// joined the queue (the start of the step at which the journeys system saw them
/// arrive) and left it (the start of the step at which they were released).
final class CounterRun {
    let f: SceneFixture
    let dt: Double
    let stage: Entity
    var spawn: [UInt64: Double] = [:]
    var join: [UInt64: Double] = [:]
    var leave: [UInt64: Double] = [:]
    /// (time at the end of the step, people waiting in the queue stage, items served).
    var samples: [(t: Double, waiting: Int, served: Int)] = []

    init(_ json: String) throws {
        let fixture = try SceneFixture(json: json)
        let stage = fixture.values(Name.self).first { $0.1.value == "counter" && fixture.world.get(WalkerStage.self, of: $0.0) != nil }?.0
        f = fixture
        dt = fixture.simulation.dt
        self.stage = try #require(stage)
    }

    func entity(_ name: String) throws -> Entity {
        try #require(f.values(Name.self).first { $0.1.value == name && f.world.get(MachineStatus.self, of: $0.0) != nil }?.0)
    }

    func status(_ name: String) throws -> MachineStatus { try #require(f.world.get(MachineStatus.self, of: try entity(name))) }

    var walkerStage: WalkerStage { get throws { try #require(f.world.get(WalkerStage.self, of: stage)) } }

    /// Steps `seconds` of simulated time. Transitions seen after a step happened in
    /// that step's pre-update, i.e. at its start time.
    func run(seconds: Double) throws {
        let served = try entity("served")
        for _ in 0..<Int((seconds / dt).rounded()) {
            f.run(steps: 1)
            let start = f.simulation.time - dt
            for (e, a) in f.values(PedestrianAgent.self) {
                if spawn[e.id] == nil { spawn[e.id] = a.spawnTime }
                if a.activity == .queued, join[e.id] == nil { join[e.id] = start }
                if a.activity != .queued, join[e.id] != nil, leave[e.id] == nil { leave[e.id] = start }
            }
            let w = try walkerStage.waiting
            samples.append((f.simulation.time, w, f.world.get(MachineStatus.self, of: served)?.completed ?? -1))
        }
    }

    /// Join and leave times in queue order (people who left the world after leaving the
    /// queue keep their records). People seen joining in the same step stand in the
    /// queue in the journeys system's agent order; FIFO makes their leave times ordered
    /// the same way, so ties in joining time are ordered by leave time.
    var queueTimes: [(join: Double, leave: Double?)] {
        join.map { (join: $0.value, leave: leave[$0.key]) }.sorted { ($0.join, $0.leave ?? .infinity) < ($1.join, $1.leave ?? .infinity) }
    }

    /// Job ends of the desk (element 1), from the machines event log.
    var jobEnds: [Double] {
        guard let log = f.world.resource(MachineEventLog.self) else { return [] }
        return log.events.filter { $0.element == 1 && $0.kind == 1 }.map(\.time)
    }
}

@Suite("interop: a pedestrian queue served at a machines counter")
struct CounterTests {
    /// People arrive every 4 s (12 of them), the counter serves one every 10 s: the queue
    /// builds up to 6 and drains. dt = 1/32 s (exact in binary, so the grid arithmetic in
    /// the expectations is exact).
    @Test("deterministic arrivals and service: exact service starts, releases, queue length and count served")
    func deterministicQueueBuildsAndDrains() throws {
        let dt = 1.0 / 32
        let run = try CounterRun(Counter.scene(dt: dt, rate: 0.25, arrivals: "fixed", limit: 12, process: "10"))
        try run.run(seconds: 200)
        let q = run.queueTimes
        try #require(q.count == 12, "joined \(q.count)")
        let j0 = q[0].join
        // The first person walks ≈ 6.3 m (x 2 → 8.3) at 1.2 m/s: ≈ 5.3 s (sanity bound).
        #expect(abs(j0 - 6.3 / 1.2) < 0.6, "first join at \(j0) s")
        for (k, p) in q.enumerated() {
            // Fixed arrivals from a 0.4 m square: joins every 4 s to within 0.35 s.
            #expect(abs(p.join - j0 - 4 * Double(k)) <= 0.35, "person \(k) joined at \(p.join)")
            // The desk is busy without a gap from j0: service k starts at j0 + 10k exactly
            // (a step start), the release is raised in that step and the person leaves the
            // queue at the next step's start: exactly one step later.
            #expect(p.leave == j0 + 10 * Double(k) + dt, "person \(k) left at \(p.leave ?? -1), expected \(j0 + 10 * Double(k) + dt)")
        }
        // Job ends exactly at j0 + 10(k + 1).
        let ends = run.jobEnds
        #expect(ends.count == 12)
        for (k, t) in ends.enumerated() { #expect(abs(t - (j0 + 10 * Double(k + 1))) < 1e-9, "job \(k) ended at \(t)") }
        // Queue length and count served 1 s after each service start (away from every
        // join and release): joined = min(12, ⌊(10m + 1)/4⌋ + 1), released = m + 1,
        // served = m → waiting 0, 1, 3, 4, 6, 6, 5, 4, 3, 2, 1, 0.
        var table: [Int] = []
        for m in 0..<12 {
            let t = j0 + 10 * Double(m) + 1
            let s = try #require(run.samples.first { abs($0.t - t) < dt / 2 })
            let expected = min(12, (10 * m + 1) / 4 + 1) - (m + 1)
            table.append(s.waiting)
            #expect(s.waiting == expected, "at \(t) s (m = \(m)): waiting \(s.waiting), expected \(expected)")
            #expect(s.served == m, "at \(t) s: served \(s.served), expected \(m)")
        }
        #expect(table == [0, 1, 3, 4, 6, 6, 5, 4, 3, 2, 1, 0])
        // Everyone served; the machines side saw exactly the waits (service start − join).
        let stage = try run.walkerStage
        #expect(stage.passed == 12 && stage.waiting == 0 && stage.pendingReleases == 0)
        let source = try run.status("people"), served = try run.status("served")
        #expect(served.completed == 12 && source.completed == 12 && source.contents == 0)
        let waits = q.enumerated().map { j0 + 10 * Double($0.offset) - $0.element.join }
        #expect(abs(source.meanTime - waits.reduce(0, +) / 12) < 1e-9, "machines wait \(source.meanTime)")
        #expect(abs(source.meanTime - 33) <= 0.2, "mean wait ≈ mean(10k − 4k) = 33 s: \(source.meanTime)")
        #expect(f(run).isEmpty, "everyone walked out")
    }

    /// People every 10 s, service 4 s: nobody waits; each person stands in the queue for
    /// exactly one step (the release latency), and the desk is busy 40 % of the time.
    @Test("no waiting when the counter is faster: service starts on arrival, one step of release latency")
    func noWaiting() throws {
        let dt = 1.0 / 32
        let run = try CounterRun(Counter.scene(dt: dt, rate: 0.1, arrivals: "fixed", limit: 10, process: "4"))
        try run.run(seconds: 120)
        let q = run.queueTimes
        #expect(q.count == 10)
        for (k, p) in q.enumerated() { #expect(p.leave == p.join + dt, "person \(k): joined \(p.join), left \(p.leave ?? -1)") }
        let ends = run.jobEnds
        #expect(ends.count == 10)
        for (k, t) in ends.enumerated() where k < q.count { #expect(abs(t - (q[k].join + 4)) < 1e-9, "job \(k) ended at \(t)") }
        let source = try run.status("people")
        #expect(source.meanTime == 0 && source.completed == 10)
        #expect(try run.status("served").completed == 10)
    }

    /// M/M/1 with pedestrians: Poisson arrivals (λ = 0.25/s) from a pedestrians source
    /// 6–8 m from the queue, exponential service (mean 2 s, ρ = 0.5). Walking delays are
    /// independent of the arrival process, so arrivals at the queue are Poisson with the
    /// same rate (displacement theorem): Wq = ρ/(μ − λ) = 2 s, W = Wq + 1/μ = 4 s,
    /// utilisation 0.5. Three seeds × 10,000 s (≈ 7,500 customers).
    @Test("M/M/1: Poisson pedestrian arrivals, exponential service — Wq, W and utilisation match theory")
    func mm1() throws {
        let dt = 0.05, lambda = 0.25, mu = 0.5, seconds = 10_000.0
        var waitSum = 0.0, leadSum = 0.0, busySum = 0.0, served = 0
        var walkSum = 0.0, walkers = 0, pedQueueSum = 0.0, queued = 0
        for seed in 1...3 {
            let run = try CounterRun(Counter.scene(
                dt: dt, seed: seed, rate: lambda, arrivals: "poisson",
                area: "[[1, 1.5], [3, 1.5], [3, 4.5], [1, 4.5]]", process: "{\"dist\": \"exponential\", \"mean\": 2}"))
            try run.run(seconds: seconds)
            let source = try run.status("people"), sink = try run.status("served"), desk = try run.status("desk")
            // Exact timing for every customer: with S_k = max(J_k, E_{k−1}) (FIFO, one
            // server; J = seen joining, E = job ends), the person leaves the queue at the
            // first step start after S_k — 0 < leave − S_k ≤ dt.
            let q = run.queueTimes, ends = run.jobEnds
            var previousEnd = -Double.infinity, machineWaits = 0.0
            let started = min(q.count, ends.count + 1)
            for k in 0..<started {
                let s = max(q[k].join, previousEnd)
                machineWaits += s - q[k].join
                if let l = q[k].leave {
                    #expect(l - s > 0 && l - s <= dt + 1e-9, "seed \(seed) customer \(k): service start \(s), left \(l)")
                    pedQueueSum += l - q[k].join
                    queued += 1
                }
                if k < ends.count { previousEnd = ends[k] }
            }
            // The machines plugin's own queue wait (source meanTime) is the same sum.
            #expect(source.completed == started, "seed \(seed): \(source.completed) handed on, \(started) started")
            #expect(abs(source.meanTime * Double(source.completed) - machineWaits) < 1e-6 * Double(started),
                    "seed \(seed): source waits \(source.meanTime * Double(source.completed)) vs \(machineWaits)")
            for (id, j) in run.join { if let s = run.spawn[id] { walkSum += j - s; walkers += 1 } }
            waitSum += source.meanTime * Double(source.completed)
            leadSum += sink.leadTimeMean * Double(sink.completed)
            busySum += desk.busy
            served += sink.completed
        }
        let wq = waitSum / Double(served), w = leadSum / Double(served), util = busySum / 3
        let wqTheory = (lambda / mu) / (mu - lambda), wTheory = wqTheory + 1 / mu
        // Tolerances: the standard deviation of the mean Wq over 2,500 M/M/1 customers at
        // ρ = 0.5 is 0.20 s (400 replications of a reference simulation), so 0.115 s for
        // three seeds; 99 % → ±0.30 s, plus 0.1 s for what the pedestrian model adds
        // (arrivals seen on the 0.05 s step grid, the rare spawn retry and close
        // encounters at the queue's end). W = Wq + S: the same plus 3σ of the mean
        // service time (2/√7500 · 3 = 0.07 s). Utilisation: 3σ of the busy fraction ≈ 0.02.
        #expect(abs(wq - wqTheory) <= 0.4, "Wq \(wq) s vs \(wqTheory) s (\(served) customers)")
        #expect(abs(w - wTheory) <= 0.47, "W \(w) s vs \(wTheory) s")
        #expect(abs(util - lambda / mu) <= 0.02, "utilisation \(util)")
        // Pedestrian side: the time standing in the queue is the machines wait plus the
        // release latency (0 < δ ≤ dt).
        let pedWq = pedQueueSum / Double(queued)
        #expect(pedWq - wq > 0 && pedWq - wq <= dt, "queue time seen by the pedestrians \(pedWq) s vs \(wq) s")
        // Walking time to the queue (spawn → join): ≈ 6.3 m / 1.2 m/s = 5.3 s on average.
        let walk = walkSum / Double(walkers)
        #expect(abs(walk - 5.3) <= 0.6, "mean walk to the queue \(walk) s")
        print("M/M/1 counter: Wq \(wq) (theory \(wqTheory)), W \(w) (theory \(wTheory)), util \(util), pedestrian queue time \(pedWq), walk \(walk), customers \(served)")
    }

    private func f(_ run: CounterRun) -> [(Entity, PedestrianAgent)] { run.f.values(PedestrianAgent.self) }
}

@Suite("interop: the warehouse scene")
struct WarehouseSceneTests {
    /// Scenes/warehouse-conveyors.json: order pickers (pedestrians) queue at the packing
    /// station (machines). After every step the machines source mirrors the queue exactly:
    /// its items are the people waiting and not yet called (waiting − pendingReleases).
    @Test("pickers queue at the packing station: the machines source mirrors the pedestrian queue every step")
    func pickersAtPacking() throws {
        let f = try SceneFixture(file: packageRoot() + "/Scenes/warehouse-conveyors.json")
        func named(_ n: String) throws -> Entity { try #require(f.values(Name.self).first { $0.1.value == n }?.0) }
        let stage = try named("packQueue"), source = try named("pickersAtPacking"), packing = try named("packing")
        var maxQueue = 0, mismatches = 0
        for _ in 0..<Int(1200 / f.simulation.dt) {
            f.run(steps: 1)
            let st = try #require(f.world.get(WalkerStage.self, of: stage))
            let src = try #require(f.world.get(MachineStatus.self, of: source))
            if src.contents != st.waiting - st.pendingReleases { mismatches += 1 }
            maxQueue = max(maxQueue, st.waiting)
        }
        #expect(mismatches == 0)
        let st = try #require(f.world.get(WalkerStage.self, of: stage))
        let pk = try #require(f.world.get(MachineStatus.self, of: packing))
        // ≈ 0.05 pickers/s reach packing after a ~60 s walk and pick: dozens served, a queue forms at times.
        #expect(st.passed >= 30, "pickers served \(st.passed)")
        #expect(maxQueue >= 2, "longest packing queue \(maxQueue)")
        #expect(pk.busy > 0.3 && pk.busy < 1, "packing busy \(pk.busy)")
    }

    @Test("deterministic: the same state hashes with 1 and 2 workers")
    func workers() throws {
        let file = packageRoot() + "/Scenes/warehouse-conveyors.json"
        let steps = Int(300 / 0.05)
        let one = try SceneFixture(file: file, options: SceneLoadOptions(workers: 1)).hashes(steps: steps)
        let two = try SceneFixture(file: file, options: SceneLoadOptions(workers: 2)).hashes(steps: steps)
        #expect(one == two)
        #expect(Set(one).count > steps / 2, "the state changes")
    }
}
