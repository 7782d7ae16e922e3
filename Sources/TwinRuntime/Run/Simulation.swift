/// A world plus its scheduled systems and fixed-step clock: the thing a scene
/// loads into and a runner steps.
///
/// ## The step
/// ```
/// commands → preUpdate → update → postUpdate (read-only)
/// ```
/// Within a phase, systems run by priority, then scene order. Before each system
/// the world's change tick advances; after each phase queued commands apply. Events
/// live for the step they are sent in and the next. Measurements sample after the
/// step at their own intervals.
public final class Simulation {
    public let world: World
    public let catalog: SystemCatalog
    public let scene: SceneDescription
    /// Fixed timestep, s.
    public let dt: Double
    public let seed: UInt64
    public let executor: ParallelExecutor
    /// Steps completed so far.
    public private(set) var stepCount: Int64 = 0
    /// Simulated time, s (= stepCount × dt exactly).
    public var time: Double { Double(stepCount) * dt }

    let systems: [ScheduledSystem]
    private let phaseLists: [[ScheduledSystem]]
    let measurements: MeasurementRecorder
    /// When true, `stateHashes` gets the world's hash after every step.
    public var recordsStateHashes = false
    public private(set) var stateHashes: [UInt64] = []
    /// Called after every step, after measurements, with the simulation: outputs taken at
    /// their own intervals (snapshots, recordings) attach here. Observers read the
    /// world and must not change it.
    public var stepObservers: [(Simulation) -> Void] = []

    /// The scene and options this simulation was loaded from (for reset and checkpoints).
    public internal(set) var origin: SceneOrigin
    /// External commands (API, live data) waiting for the next step; any thread may
    /// enqueue.
    public let commandQueue: CommandQueue
    /// Every recorded external command applied so far (API calls, a fork's commands,
    /// what a restore replayed), with its step, place and rejection reason: what a
    /// checkpoint replays. Journaled commands (live data; `CommandQueue`) are only
    /// counted, so this grows with what people do, not with a feed.
    public private(set) var commandLog: [AppliedCommand] = []
    /// Journaled commands applied, and refused, so far.
    public private(set) var journaledApplied = 0
    public private(set) var journaledRejected = 0
    /// The ingest journal the journaled commands came from, set by the hub that queues
    /// them: a checkpoint names it, and a restore replays it.
    public var journalFile: String?
    /// The first step whose journal messages reached the world as journaled commands:
    /// a world restored from a state that listed its live commands took the earlier
    /// ones as recorded commands, so a replay of the journal must skip them.
    public var journalFrom: Int64 = 0
    /// During a restore: the checkpoint's recorded commands, in (step, index) order,
    /// each put back at its place among its step's commands; `replayHead` are done.
    var replaying: [AppliedCommand] = []
    private var replayHead = 0
    /// Called for each external command the world refused, right after, with its
    /// queue ticket (`CommandQueue.enqueueNumbered`).
    public var rejectionObservers: [(_ ticket: UInt64, _ refused: AppliedCommand) -> Void] = []
    private let applier: CommandApplier

    init(world: World, catalog: SystemCatalog, scene: SceneDescription, systems: [ScheduledSystem],
         measurements: MeasurementRecorder, executor: ParallelExecutor, context: SceneContext, origin: SceneOrigin) {
        self.world = world
        self.origin = origin
        self.commandQueue = CommandQueue()
        self.applier = CommandApplier(world: world, context: context)
        self.catalog = catalog
        self.scene = scene
        self.dt = scene.settings.dt
        self.seed = scene.settings.seed
        self.executor = executor
        self.systems = systems
        self.measurements = measurements
        phaseLists = Phase.allCases.map { phase in
            systems.filter { $0.phases.contains(phase) }.sorted {
                ($0.priority, $0.order) < ($1.priority, $1.order)
            }
        }
        measurements.sample(world: WorldReader(world), step: 0, time: 0, force: true)
    }

    /// The ids of the running systems in execution order per phase.
    public var schedule: [(phase: Phase, systems: [SystemID])] {
        zip(Phase.allCases, phaseLists).map { ($0, $1.map(\.id)) }
    }

    /// Change tick at the start of the previous step: removal-log entries up to it
    /// are dropped, so the log holds about two steps (change consumers such as
    /// stream publishers read it within a step).
    private var previousStepTick: UInt32 = 0

    /// Advances the world by one fixed step.
    public func step() {
        world.trimRemovalLog(through: previousStepTick)
        previousStepTick = world.changeTick
        world.advanceEventStep()
        let info = StepInfo(step: stepCount, dt: dt, executor: executor)
        let reader = WorldReader(world)
        applyExternalCommands()
        for (phase, list) in zip(Phase.allCases, phaseLists) {
            for s in list {
                world.advanceChangeTick()
                switch phase {
                case .commands: s.built.commands?(info, world)
                case .preUpdate: s.built.preUpdate?(info, world)
                case .update: s.built.update?(info, world)
                case .postUpdate: s.built.postUpdate?(info, reader)
                }
            }
            world.applyCommands()
        }
        stepCount += 1
        measurements.sample(world: reader, step: stepCount, time: time, force: false)
        if recordsStateHashes { stateHashes.append(world.stateHash()) }
        for observe in stepObservers { observe(self) }
    }

    /// Applies what the command queue holds, in queue order, before any system of
    /// this step runs (the start of the `commands` phase); during a restore, the
    /// recorded commands of this step go in at their places.
    private func applyExternalCommands() {
        var pending = drained, journaled = drainedRuns
        drained = []
        drainedRuns = []
        var ticket = commandQueue.drain(into: &pending, journaled: &journaled)
        defer {
            pending.removeAll(keepingCapacity: true)
            journaled.removeAll(keepingCapacity: true)
            drained = pending
            drainedRuns = journaled
        }
        var due = replayDue
        guard !pending.isEmpty || due else { return }
        world.advanceChangeTick()
        var index = 0, position = 0, run = 0
        while true {
            if due, replaying[replayHead].index <= index || position == pending.count {
                let c = replaying[replayHead].command
                replayHead += 1
                commandLog.append(AppliedCommand(step: stepCount, index: index, command: c, rejection: applier.apply(c)))
                index += 1
                due = replayDue
                continue
            }
            guard position < pending.count else { break }
            // Moved out (a trivial command left in its place), not copied: no retains.
            var c = WorldCommand.despawn(entity: .id(0))
            swap(&c, &pending[position])
            while run < journaled.count, journaled[run].upperBound <= position { run += 1 }
            let rejection = applier.apply(c)
            if run < journaled.count, journaled[run].contains(position) {
                if let rejection {
                    journaledRejected += 1
                    let refused = AppliedCommand(step: stepCount, index: index, command: c, rejection: rejection)
                    for observe in rejectionObservers { observe(ticket, refused) }
                } else {
                    journaledApplied += 1
                }
            } else {
                commandLog.append(AppliedCommand(step: stepCount, index: index, command: c, rejection: rejection))
                if rejection != nil {
                    for observe in rejectionObservers { observe(ticket, commandLog[commandLog.count - 1]) }
                }
            }
            ticket += 1
            position += 1
            index += 1
        }
        if replayHead == replaying.count, !replaying.isEmpty { replaying = []; replayHead = 0 }
        world.applyCommands()
    }

    /// The queue's lists of the last step, emptied, kept for their capacity (`drain`).
    private var drained: [WorldCommand] = []
    private var drainedRuns: [Range<Int>] = []

    private var replayDue: Bool { replayHead < replaying.count && replaying[replayHead].step == stepCount }

    /// The entity a reference names, if it is alive.
    public func entity(_ ref: EntityRef) -> Entity? { applier.resolve(ref) }

    /// The field `component.path` resolved once for `WorldCommand.setField`; nil when
    /// the component is unknown or has no in-place setter for `path` (send `set`).
    public func fieldTarget(component: String, path: [String]) -> FieldTarget? {
        applier.fieldTarget(component: component, path: path)
    }

    /// Latest value of every KPI, by name.
    public var kpis: [(name: String, value: Double)] { measurements.latest }

    /// The first stop condition that holds now, described; nil while none does.
    public func satisfiedStopCondition() -> String? {
        for c in scene.settings.stopWhen {
            switch c {
            case .noEntitiesWith(let names):
                let ids = names.compactMap { world.registry.type(named: $0)?.id }
                if ids.count < names.count || world.count(with: ids) == 0 {
                    return "no entities with \(names.joined(separator: ", "))"
                }
            case .kpiAtLeast(let k, let v):
                if let x = measurements.value(k), x >= v { return "\(k) ≥ \(JSONWriter.formatNumber(v))" }
            case .kpiAtMost(let k, let v):
                if let x = measurements.value(k), x <= v { return "\(k) ≤ \(JSONWriter.formatNumber(v))" }
            }
        }
        return nil
    }
}

struct ScheduledSystem {
    let id: SystemID
    let priority: SystemPriority
    /// Position in the scene's `systems` list.
    let order: Int
    let phases: [Phase]
    let built: BuiltSystem
}

/// What was declared in the scene, after parameters were substituted.
public struct SceneDescription: Sendable {
    public var file: String
    public var name: String
    public var description: String
    public var settings: WorldSettings
    public var parameters: [ParameterDefinition]
    public var parameterValues: [String: JSONValue]
    public var outputs: OutputSpec
}
