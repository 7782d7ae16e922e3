import Foundation
import Synchronization
import TwinRender
import TwinRuntime

/// What a hosted world looks like from outside, published by its thread after every
/// step (request handlers read this, never the simulation).
public struct WorldStatus: Sendable {
    public var id: String
    public var scene: String
    public var file: String
    public var step: Int64
    public var time: Double
    public var dt: Double
    public var playing: Bool
    public var speed: Double
    public var entities: Int
    /// Steps asked for by `step N` and not yet run.
    public var pendingSteps: Int64
    /// How far the simulated clock trails real time × speed while playing, in wall seconds.
    public var lagSeconds: Double
    public var commandsQueued: Int
    /// Live-data messages accepted and not yet taken into the world (0 without bindings).
    public var ingestPending = 0
    public var kpis: [(name: String, value: Double)]

    var json: JSONValue {
        .object([
            ("id", .string(id)), ("scene", .string(scene)), ("file", .string(file)),
            ("step", .number(Double(step))), ("time", .number(time)), ("dt", .number(dt)),
            ("playing", .bool(playing)), ("speed", .number(speed)), ("entities", .number(Double(entities))),
            ("pendingSteps", .number(Double(pendingSteps))), ("lagSeconds", .number(lagSeconds)),
            ("commandsQueued", .number(Double(commandsQueued))), ("ingestPending", .number(Double(ingestPending))),
            ("kpis", .object(kpis.map { ($0.name, $0.value.isFinite ? .number($0.value) : .null) })),
        ])
    }
}

/// One running world: a `Simulation` owned by one thread that steps it (in real time
/// × speed while playing, or N steps on request), runs queued reads between steps so
/// every read sees a whole step, and publishes its status, KPI history and stream
/// deltas. Nothing else touches the simulation.
public final class HostedWorld: @unchecked Sendable {
    public let id: String
    let streams: StreamHub
    let snapshots = StepCache<RenderedSnapshot>()
    private let keyframes = StepCache<StreamDelta>()
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var control = Control()
    private var status: WorldStatus
    private var history: KPIHistory
    private var pacingLog = PacingLog()
    /// Written only by the world thread (reset), read by handlers under the lock.
    private var liveIntake: WorldIngest?
    private let openIntake: @Sendable (Simulation) throws -> WorldIngest?
    // Owned by the world thread (and by `init` before it starts):
    private var sim: Simulation
    private var tracker = ChangeTracker()
    let metrics: WorldMetrics?

    struct Control {
        var playing = false
        var speed = 1.0
        var pendingSteps: Int64 = 0
        var resetRequested = false
        var stopped = false
        var finished = false
        var jobs: [(Simulation) -> Void] = []
        /// Bumped by play/pause/speed so the real-time clock restarts.
        var clockEpoch = 0
    }

    /// Largest number of steps one `step N` request may ask for.
    public static let maxStepRequest: Int64 = 1_000_000

    /// `openIntake` makes the live-data intake for a simulation (this one, and the fresh
    /// one after a reset); it returns nil for a scene without bindings.
    init(id: String, simulation: Simulation, historyLength: Int = 600, metrics: WorldMetrics? = nil,
         openIntake: @escaping @Sendable (Simulation) throws -> WorldIngest? = { _ in nil }) throws {
        self.id = id
        self.sim = simulation
        self.metrics = metrics
        self.openIntake = openIntake
        self.liveIntake = try openIntake(simulation)
        self.streams = StreamHub()
        self.history = KPIHistory(capacity: historyLength)
        self.status = WorldStatus(
            id: id, scene: simulation.scene.name, file: simulation.origin.file, step: 0, time: 0, dt: simulation.dt,
            playing: false, speed: 1, entities: 0, pendingSteps: 0, lagSeconds: 0, commandsQueued: 0, kpis: [])
        publishStatus(lag: 0)
        history.append(step: simulation.stepCount, time: simulation.time, kpis: simulation.kpis)
        tracker.reset(to: simulation)
        let thread = Thread { [self] in self.loop() }
        thread.name = "world \(id)"
        thread.start()
    }

    // MARK: Requests (any thread)

    /// The last published status, with the control state as of now (so a reply to
    /// play or pause already shows it).
    public var currentStatus: WorldStatus {
        condition.withLock {
            var s = status
            s.playing = control.playing
            s.speed = control.speed
            s.pendingSteps = control.pendingSteps
            return s
        }
    }
    public var kpiHistory: KPIHistory { condition.withLock { history } }
    /// How late the steps of the current play period were published (see ``PacingLog``).
    public var pacing: PacingLog { condition.withLock { pacingLog } }
    /// The live-data intake, when the scene has bindings.
    var intake: WorldIngest? { condition.withLock { liveIntake } }

    public func play(speed: Double?) {
        mutate { c in
            c.playing = true
            if let speed { c.speed = speed }
            c.clockEpoch += 1
        }
    }

    public func pause() { mutate { c in c.playing = false; c.clockEpoch += 1 } }

    /// Queues `n` steps (run as fast as possible, also while paused).
    /// - Returns: false when the pending total would exceed ``maxStepRequest``.
    public func step(_ n: Int64) -> Bool {
        condition.withLock {
            guard control.pendingSteps + n <= Self.maxStepRequest else { return false }
            control.pendingSteps += n
            condition.broadcast()
            return true
        }
    }

    /// Reloads the scene with the options it was created with; pauses.
    public func reset() { mutate { c in c.resetRequested = true; c.playing = false; c.pendingSteps = 0; c.clockEpoch += 1 } }

    public func enqueue(_ commands: [WorldCommand]) -> Bool {
        // The queue belongs to the simulation, which reset replaces: enqueue on the world thread's current one.
        condition.withLock { sim.commandQueue.enqueue(contentsOf: commands) }
    }

    /// Runs `body` on the world thread between two steps and returns its result.
    public func read<T: Sendable>(_ body: @escaping (Simulation) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (k: CheckedContinuation<T, any Error>) in
            let accepted = condition.withLock {
                guard !control.stopped else { return false }
                control.jobs.append { sim in
                    do { k.resume(returning: try body(sim)) } catch { k.resume(throwing: error) }
                }
                condition.broadcast()
                return true
            }
            if !accepted { k.resume(throwing: APIError(.notFound, "world \"\(id)\" was deleted")) }
        }
    }

    /// Every streamed entity now, shared by all viewers that need one at this step.
    func keyframe() async throws -> StreamDelta {
        try await keyframes.get(key: "keyframe", step: currentStatus.step) {
            try await self.read { ChangeTracker.keyframe(of: $0) }
        }
    }

    /// The size of a keyframe of the world now in each binary layout, bytes.
    public func keyframeSizes() async throws -> [StreamFormat.Version: Int] {
        let k = try await keyframe()
        return Dictionary(uniqueKeysWithValues: StreamFormat.Version.allCases.map { ($0, k.binary($0).readableBytes) })
    }

    /// Stops the thread after the step in progress; queued reads fail.
    public func stop() {
        mutate { $0.stopped = true }
        streams.closeAll()
    }

    /// Waits until the thread has left its loop (so the simulation is free).
    func waitUntilStopped() {
        condition.withLock { while !control.finished { condition.wait() } }
    }

    private func mutate(_ body: (inout Control) -> Void) {
        condition.withLock {
            body(&control)
            condition.broadcast()
        }
    }

    // MARK: The world thread

    private func loop() {
        var epoch = -1
        var clockStart = 0.0, stepsAtStart: Int64 = 0
        while true {
            condition.lock()
            var jobs = control.jobs
            control.jobs = []
            if control.stopped {
                condition.unlock()
                failJobs(&jobs)
                break
            }
            let resetting = control.resetRequested
            control.resetRequested = false
            let c = control
            condition.unlock()

            if resetting { doReset() }
            for job in jobs { job(sim) }

            let now = Self.seconds()
            if c.clockEpoch != epoch {
                epoch = c.clockEpoch; clockStart = now; stepsAtStart = sim.stepCount
                condition.withLock { pacingLog.restart() }
            }
            var due: Int64 = 0
            var lag = 0.0
            if c.playing {
                let target = stepsAtStart + Int64(((now - clockStart) * c.speed / sim.dt).rounded(.down))
                due = max(0, target - sim.stepCount)
                lag = Double(due) * sim.dt / c.speed
            }
            let fromRequest = min(c.pendingSteps, 64)
            // A bounded batch, so reads and control are never starved by a long catch-up.
            let batch = min(max(due, fromRequest), 64)
            if batch > 0 {
                for _ in 0..<batch {
                    stepOnce()
                    if c.playing {
                        let due = clockStart + Double(sim.stepCount - stepsAtStart) * sim.dt / c.speed
                        let lateness = Self.seconds() - due
                        condition.withLock { pacingLog.record(lateness: lateness) }
                    }
                }
                publishStatus(lag: max(0, lag - Double(batch) * sim.dt / max(c.speed, 1e-9)), consumed: min(fromRequest, batch))
                continue
            }
            publishStatus(lag: 0)
            condition.lock()
            if control.jobs.isEmpty && !control.stopped && !control.resetRequested && control.pendingSteps == 0
                && control.clockEpoch == epoch {
                if control.playing {
                    let next = clockStart + Double(sim.stepCount - stepsAtStart + 1) * sim.dt / control.speed
                    _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, next - Self.seconds())))
                } else {
                    condition.wait()
                }
            }
            condition.unlock()
        }
        condition.withLock {
            control.finished = true
            condition.broadcast()
        }
    }

    private func failJobs(_ jobs: inout [(Simulation) -> Void]) {
        // A read that arrives after delete sees the world one last time rather than hanging.
        for job in jobs { job(sim) }
        jobs = []
    }

    private func stepOnce() {
        let start = Self.seconds()
        liveIntake?.hub.pump(sim)
        sim.step()
        metrics?.recordStep(seconds: Self.seconds() - start)
        let kpis = sim.kpis
        condition.withLock { history.append(step: sim.stepCount, time: sim.time, kpis: kpis) }
        if streams.hasViewers {
            streams.publish(tracker.delta(of: sim))
        } else {
            tracker.reset(to: sim)
        }
    }

    private func doReset() {
        let o = sim.origin
        do {
            let fresh = try SceneLoader().load(bytes: o.bytes, file: o.file, options: o.options)
            // Live data starts afresh with the world: messages not yet taken stay in the
            // previous journal, not applied to a world that has gone back to time 0.
            let intake = try openIntake(fresh)
            condition.withLock {
                sim = fresh
                liveIntake = intake
                history.clear()
                history.append(step: 0, time: 0, kpis: fresh.kpis)
            }
            tracker.reset(to: fresh)
            streams.resync()
            publishStatus(lag: 0)
        } catch {
            // The scene loaded before, from the same bytes: keep the running world.
        }
    }

    /// Publishes the status; `consumed` requested steps are done (in the same lock, so
    /// nobody sees the steps neither pending nor counted).
    private func publishStatus(lag: Double, consumed: Int64 = 0) {
        let s = sim
        condition.withLock {
            control.pendingSteps = max(0, control.pendingSteps - consumed)
            status.step = s.stepCount
            status.time = s.time
            status.playing = control.playing
            status.speed = control.speed
            status.entities = s.world.aliveCount
            status.pendingSteps = control.pendingSteps
            status.lagSeconds = lag
            status.commandsQueued = s.commandQueue.count
            status.ingestPending = liveIntake?.hub.pendingCount ?? 0
            status.kpis = s.kpis
        }
    }

    static func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
}
