import TwinCore

/// Runs the scene's process line (`machines` section) as an exact discrete-event
/// simulation inside the fixed step.
///
/// Each step: `MachineControl` changes apply at the step's start; then every event
/// before the step's end is processed at its own time (see `LineEngine`); then each
/// element's `MachineStatus`, the line's `MachineLine` and the conveyor items' entities
/// (`ConveyorItem` + `Position` on the belt) are written. Results do not depend on `dt`.
///
/// - Parameters: `deadlockAfter` (s, default 3600; 0 disables): report a deadlock when
///   nothing moved for this long while items are in the line; `itemEntities` (default
///   true): conveyor items are entities (rendered, exported); `itemHeight` (m, default
///   0.9): belt height above the conveyor's position; `eventLog` (default false): keep
///   every processed event in the `MachineEventLog` resource (tests, debugging).
/// Pedestrian counters (`"pedestrianQueue": stage` on a source): at the step's start every
/// person who joined that queue stage since the last step (the growth of
/// `WalkerStage.waiting + passed`, i.e. the joins the `pedestrians.journeys` pre-update
/// saw at the step's start) becomes an item waiting in the source; the source hands its
/// items on in joining order at the exact instant the next element (the counter) takes
/// one; after the step's events, `WalkerStage.pendingReleases` is raised by the number
/// handed on, and the pedestrians plugin lets that many leave the queue's head at the
/// start of the next step. So service starts exactly when a server frees (or at the
/// step the person was seen joining, if a server was idle), and the person walks on
/// 0 < δ ≤ dt after the service start (δ = dt when service starts at a step's start).
///
/// - Transfers: buffers with `"transfer"` carry a `TransferPoint`; at the step's start the
///   items carriers took leave the pick-up buffer and the items they delivered enter the
///   drop-off buffer (both at the step's start time), at its end the buffer publishes
///   `offered` (pick-up: its items in leaving order) and `space` (drop-off: free places).
///   A hand-over thus reaches the line at most one step after the carrier made it.
/// - Reads: MachineControl, WalkerStage, TransferPoint. Writes: MachineStatus, MachineLine,
///   ConveyorItem, Position, WalkerStage (pendingReleases), TransferPoint.
public final class MachinesSystem: UpdateSystem {
    public struct Parameters: SystemParameters, Hashable {
        public var deadlockAfter: Double = 3600
        public var itemEntities = true
        public var itemHeight: Float = 0.9
        public var eventLog = false
        public init() {}
        public static let units = ["deadlockAfter": "s", "itemHeight": "m"]
        public static let documentation = [
            "deadlockAfter": "Report a deadlock when nothing moved this long while items are in the line (0: never).",
            "itemEntities": "Conveyor items are entities with a Position on the belt.",
            "itemHeight": "Height of the belt surface above the conveyor's position.",
            "eventLog": "Record every processed event in the MachineEventLog resource.",
        ]
        public func validate() throws(ParameterError) {
            guard deadlockAfter >= 0, deadlockAfter.isFinite else { throw ParameterError("deadlockAfter", "deadlockAfter must be a finite number ≥ 0 s") }
            guard itemHeight.isFinite else { throw ParameterError("itemHeight", "itemHeight must be finite") }
        }
    }

    public static let id: SystemID = "machines.process"
    public static let summary = "Runs the machines section's line as exact discrete events inside each step (sources, buffers, stations, conveyors, routing, sinks)."
    public static let reads = ["MachineControl", "WalkerStage", "TransferPoint"]
    public static let writes = ["MachineStatus", "MachineLine", "ConveyorItem", "Position", "WalkerStage", "TransferPoint"]

    var engine: LineEngine
    let active: Bool
    let entities: [Entity]
    /// Elements that read `MachineControl` (stations, assemblers, live sources).
    let controlled: [Bool]
    let lineEntity: Entity?
    /// Pedestrian-queue sources: element index and its stage's entity.
    let counters: [(element: Int, stage: Entity)]
    /// People of each counter's queue already turned into items (`waiting + passed` seen).
    var joinsSeen: [Int]
    let params: Parameters
    let log: MachineEventLog?
    let typeNames: [String]
    let items: Query<Mut<Position>, Mut<ConveyorItem>, MachineItemRef>
    var itemEntity: [Entity?] = []
    var itemAlong: [Float] = []
    var scratch: [Double] = []
    /// Conveyor origin and unit direction (+X of its rotation).
    let beltOrigin: [Vec3]
    let beltDirection: [Vec3]
    /// Buffers with a `TransferPoint` (hand-over with carriers).
    let transfers: [Int]
    var offerScratch: [Int32] = []

    public init(parameters: Parameters, setup: inout SystemSetup) {
        params = parameters
        items = setup.world.query(Mut<Position>.self, Mut<ConveyorItem>.self, MachineItemRef.self)
        let model = setup.world.resource(LineModel.self)
        let m = model ?? LineModel(name: "line", warmup: 0, elements: [], typeNames: [], lineEntity: Entity(index: 0, generation: 0))
        active = model != nil
        engine = LineEngine(model: m, random: setup.random, deadlockAfter: parameters.deadlockAfter)
        engine.trackConveyors = parameters.itemEntities
        engine.logEvents = parameters.eventLog
        entities = m.elements.map(\.entity)
        controlled = m.elements.map { $0.kind == .station || $0.kind == .assembler || $0.live }
        lineEntity = model?.lineEntity
        counters = m.elements.enumerated().compactMap { i, e in e.stageEntity.map { (i, $0) } }
        joinsSeen = Array(repeating: 0, count: counters.count)
        typeNames = m.typeNames
        beltOrigin = m.elements.map { $0.position + Vec3(0, parameters.itemHeight, 0) }
        beltDirection = m.elements.map { $0.rotation.rotate(Vec3(1, 0, 0)) }
        transfers = m.elements.indices.filter { m.elements[$0].transfer != nil }
        if parameters.eventLog {
            let l = MachineEventLog()
            setup.world.setResource(l)
            log = l
        } else {
            log = nil
        }
        if active { engine.start() }
    }

    public func update(_ step: StepInfo, world: World) {
        guard active else { return }
        for (i, e) in entities.enumerated() where controlled[i] {
            guard let c = world.get(MachineControl.self, of: e) else { continue }
            if engine.elements[i].kind == .source {
                if c.release > 0 {
                    engine.release(i, count: c.release)
                    world.update(MachineControl.self, of: e) { $0.release = 0 }
                }
            } else {
                engine.setControl(i, forcedDown: c.forcedDown, closed: c.closed)
            }
        }
        for (k, c) in counters.enumerated() {
            guard let st = world.get(WalkerStage.self, of: c.stage) else { continue }
            let joined = st.waiting + st.passed
            if joined > joinsSeen[k] {
                engine.release(c.element, count: joined - joinsSeen[k])
                joinsSeen[k] = joined
            }
        }
        // Hand-overs made by carriers since our last step enter at this step's start.
        for i in transfers {
            let e = entities[i]
            guard var tp = world.get(TransferPoint.self, of: e), !tp.taken.isEmpty || !tp.delivered.isEmpty else { continue }
            if !tp.taken.isEmpty { engine.take(i, items: tp.taken); tp.taken.removeAll() }
            // A full buffer refuses; refused handles stay in `delivered` for the next step (never lost).
            tp.delivered = tp.delivered.filter { !engine.deliver(i, $0) }
            world.update(TransferPoint.self, of: e) { $0.taken = tp.taken; $0.delivered = tp.delivered }
        }
        engine.advance(to: step.endTime)
        for c in counters {
            let n = engine.takeClaimed(c.element)
            if n > 0 { world.update(WalkerStage.self, of: c.stage) { $0.pendingReleases += n } }
        }
        for i in transfers {
            engine.offered(i, into: &offerScratch)
            let free = engine.space(i)
            let role = engine.models[i].transfer
            world.update(TransferPoint.self, of: entities[i]) { tp in
                if role == .pickUp { tp.offered = offerScratch; tp.space = 0 } else { tp.offered.removeAll(); tp.space = max(0, free - tp.delivered.count) }
            }
        }
        for (i, e) in entities.enumerated() {
            if engine.elements[i].kind == .sink { engine.refreshPercentiles(i) }
            let s = engine.status(i)
            world.update(MachineStatus.self, of: e) { $0 = s }
        }
        if let l = lineEntity {
            let s = engine.lineStatus()
            world.update(MachineLine.self, of: l) { $0 = s }
        }
        if let log {
            for x in engine.eventLog { log.events.append(.init(time: x.time, element: Int(x.element), kind: Int(x.kind), slot: Int(x.slot))) }
            engine.eventLog.removeAll(keepingCapacity: true)
        }
        if params.itemEntities { syncItems(step, world) }
    }

    private func syncItems(_ step: StepInfo, _ world: World) {
        let n = engine.itemCreated.count
        if itemEntity.count < n {
            itemEntity += Array(repeating: nil, count: n - itemEntity.count)
            itemAlong += Array(repeating: 0, count: n - itemAlong.count)
        }
        let t = engine.now
        for c in 0..<engine.elementCount where engine.elements[c].kind == .conveyor && !engine.elements[c].belt.isEmpty {
            engine.beltPositions(c, at: t, into: &scratch)
            for (k, slot) in engine.elements[c].belt.enumerated() { itemAlong[Int(slot.item)] = Float(scratch[k]) }
        }
        for x in engine.conveyorLog {
            let item = Int(x.item), c = Int(x.conveyor)
            if x.entered {
                let along = itemAlong[item]
                let pos = beltOrigin[c] + beltDirection[c] * along
                let type = typeNames.indices.contains(Int(engine.itemType[item])) ? typeNames[Int(engine.itemType[item])] : "part"
                itemEntity[item] = world.commands.spawn(
                    world, Position(pos), ConveyorItem(along: along, itemType: type), MachineItemRef(item: Int32(item), conveyor: Int32(c)),
                    TwinCore.Kind("part"), Scale(Vec3(0.5, 0.5, 0.5)))
            } else if let e = itemEntity[item] {
                world.commands.despawn(e)
                itemEntity[item] = nil
            }
        }
        engine.conveyorLog.removeAll(keepingCapacity: true)
        let along = itemAlong, origin = beltOrigin, dir = beltDirection
        items.forEachChunk { chunk, pos, ci, ref in
            for k in 0..<chunk.count {
                let a = along[Int(ref[k].item)]
                let c = Int(ref[k].conveyor)
                pos[k].value = origin[c] + dir[c] * a
                ci[k].along = a
            }
        }
    }
}

/// Every event the `machines.process` system processed, when its `eventLog` parameter is
/// set: time (s), element index (scene order), kind and slot (server or failure mode).
public final class MachineEventLog: @unchecked Sendable {
    public struct Entry: Hashable, Sendable {
        public var time: Double
        public var element: Int
        public var kind: Int
        public var slot: Int
    }
    public var events: [Entry] = []
    public init() {}
}

/// Links a conveyor item's entity to the line's item (private to the plugin).
public struct MachineItemRef: Component, DocumentedComponent, Hashable {
    public var item: Int32
    public var conveyor: Int32
    public init(item: Int32, conveyor: Int32) { self.item = item; self.conveyor = conveyor }
    public static let summary = "Internal link from a conveyor item's entity to the machines line (item and conveyor index)."
    public func hashState(into h: inout StableHasher) { h.combine(Int(item)); h.combine(Int(conveyor)) }
}
