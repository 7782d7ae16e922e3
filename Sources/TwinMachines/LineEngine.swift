import TwinCore

/// The exact discrete-event core of a process line.
///
/// Events (arrivals, job ends, failures, repairs, calendar changes, conveyor
/// arrivals) sit in one binary heap ordered by time, ties broken by scheduling order.
/// `advance(to:)` processes every event before the step's end at its own time, so an
/// item handed on mid-step starts its next service at that instant and the results do
/// not depend on `dt`. Hand-overs between elements are immediate calls: an element with
/// an item for downstream offers it; a refused element registers as waiting and is
/// retried, in registration order, when the downstream element gets room.
///
/// A value type driven through one `inout` access per step (no class-property access
/// in the event loop).
struct LineEngine {
    // MARK: State

    struct Server {
        var state: MachineState = .starved
        var items: [Int32] = []
        var end = 0.0
        var remaining = 0.0
        var gen: UInt32 = 0
        var suspended = false
        var lastType: Int32 = -1
    }

    struct FailureState {
        var gen: UInt32 = 0
        var isDown = false
        var upRemaining = 0.0
    }

    struct BeltSlot {
        var item: Int32
        /// Virtual entry time: while moving, the item is at speed × (t − entry).
        var entry: Double
    }

    struct Element {
        var kind: LineModel.ElementKind
        var next: Int = -1
        var waiters: [Int32] = []
        var waitingAt: Int = -1
        var pushing = false
        var dirty = false
        var rank: [Int] = []            // merger: input rank per element index (sparse → dictionary-free: list of (element) in order)
        var inputs: [Int] = []
        var rng: RandomStream
        var rngArrival: RandomStream
        var rngRoute: RandomStream
        var rngUp: RandomStream
        var rngRepair: RandomStream
        // Contents statistics.
        var contents = 0
        var contentsArea = 0.0
        var lastT = 0.0
        var maxContents = 0
        var left = 0
        var timeSum = 0.0
        // State statistics (per-server counts and server-seconds).
        /// Servers per state (index `MachineState.index`; lanes 6, 7 unused) and server-seconds.
        var stateCount = SIMD8<Double>()
        var stateTime = SIMD8<Double>()
        var stateLast = 0.0
        // Source / buffer queue (FIFO from qHead).
        var queue: [Int32] = []
        var qHead = 0
        var created = 0
        /// Pedestrian-queue sources: items handed on since `takeClaimed` last ran.
        var claimed = 0
        var scheduleIndex = 0
        var scheduleBase = 0.0
        // Station / assembler.
        var servers: [Server] = []
        var blockedOrder: [Int] = []
        var downCount = 0
        var forcedDown = false
        var calOpen = true
        var ctlClosed = false
        var calGen: UInt32 = 0
        var operating = false
        var opStart = 0.0
        var failures: [FailureState] = []
        var have: [Int] = []
        var staged: [Int32] = []
        // Conveyor.
        var belt: [BeltSlot] = []
        var lastExit = -Double.infinity
        var headArrived = false
        var stoppedSince = Double.nan
        var headGen: UInt32 = 0
        var clearGen: UInt32 = 0
        var clearPending = Double.nan
        // Splitter / merger.
        var rr = 0
        var pendingItem: Int32 = -1
        var pendingSlot = 0
        // Sink.
        var leadCount = 0
        var leadSum = 0.0
        var hist: [Int32] = []
        /// Sums of `hist` over blocks of `histBlock` bins (percentiles in two short scans).
        var blocks: [Int32] = []
        /// Lead-time percentiles (p50, p90, p95, p99) as of `percentileCount` sink arrivals.
        var percentiles = SIMD4<Double>()
        var percentileCount = -1
    }

    /// Mutable element state, in scene order. A raw buffer owned by `storage`: the event
    /// loop indexes it without copy-on-write or bounds checks (indices come from the
    /// validated model). The engine is never copied (the system owns it).
    let elements: UnsafeMutablePointer<Element>
    let elementCount: Int
    private let storage: ElementStorage
    /// The immutable description of each element (kept apart from the mutable state).
    let models: [LineModel.Element]
    var queue = EventQueue()
    /// Stations changed at `now` whose state counts are not yet refreshed.
    var dirtyList: [Int32] = []
    var now = 0.0
    var statsStart = 0.0
    let warmup: Double
    // Item pool.
    var itemCreated: [Double] = []
    var itemType: [Int32] = []
    var itemEntered: [Double] = []
    var freeItems: [Int32] = []
    // Line figures.
    var wip = 0
    var wipArea = 0.0
    var wipLast = 0.0
    var createdCount = 0
    var finished = 0
    var leadSum = 0.0
    var events = 0
    var lastMove = 0.0
    var deadlocked = false
    var deadlockTime = -1.0
    var deadlockAfter: Double
    /// Conveyor entries (+) and exits (−) since the caller last cleared it: (item, conveyor, entered).
    var trackConveyors = false
    var conveyorLog: [(item: Int32, conveyor: Int32, entered: Bool)] = []
    /// When set, every processed event is appended: (time, element, kind, slot).
    var logEvents = false
    var eventLog: [(time: Double, element: Int32, kind: UInt8, slot: Int32)] = []

    /// Event-log kinds beyond `EventKind`: an item entered / left a conveyor (slot = item).
    static let logConveyorEntry: UInt8 = 200
    static let logConveyorExit: UInt8 = 201
    static let histBase = 1e-3
    static let histGrowth = 1.005
    static let histBins = 5000
    static let histBlock = 100
    static let logGrowth = _log(histGrowth)

    // MARK: Building

    init(model: LineModel, random: RandomStream, deadlockAfter: Double) {
        warmup = model.warmup
        self.deadlockAfter = deadlockAfter
        models = model.elements
        let initial = model.elements.map { m in
            let r = random.derived("element/" + m.name)
            return Element(
                kind: m.kind, rng: r.derived("process"), rngArrival: r.derived("arrivals"),
                rngRoute: r.derived("routing"), rngUp: r.derived("up"), rngRepair: r.derived("repair"))
        }
        storage = ElementStorage(initial)
        elements = storage.base
        elementCount = initial.count
        for i in 0..<elementCount {
            elements[i].next = models[i].to.first ?? -1
            for d in models[i].to { elements[d].inputs.append(i) }
        }
        for i in 0..<elementCount {
            let m = models[i]
            switch m.kind {
            case .station, .assembler:
                elements[i].servers = Array(repeating: Server(), count: m.kind == .assembler ? 1 : m.servers)
                elements[i].have = Array(repeating: 0, count: m.requires.count)
                elements[i].failures = m.failures.map { _ in FailureState() }
            case .sink:
                elements[i].hist = Array(repeating: 0, count: Self.histBins)
                elements[i].blocks = Array(repeating: 0, count: Self.histBins / Self.histBlock)
            default: break
            }
        }
    }

    /// Schedules the initial events (t = 0).
    mutating func start() {
        for i in 0..<elementCount {
            let m = models[i]
            switch m.kind {
            case .source:
                if m.infinite {
                    queue.push(m.start, .arrival, element: i)
                } else if !m.schedule.isEmpty {
                    queue.push(m.start + m.schedule[0], .arrival, element: i)
                } else if let d = m.interarrival {
                    queue.push(m.start + d.sample(&elements[i].rngArrival), .arrival, element: i)
                }
            case .station, .assembler:
                for f in m.failures.indices {
                    elements[i].failures[f].upRemaining = m.failures[f].upTime.sample(&elements[i].rngUp)
                    if !m.failures[f].operating {
                        queue.push(elements[i].failures[f].upRemaining, .failure, element: i, slot: f, gen: 0)
                    }
                }
                if let c = m.calendar {
                    elements[i].calOpen = c.isOpen(at: 0)
                    let t = c.nextChange(after: 0)
                    if t.isFinite { queue.push(t, .calendar, element: i) }
                }
                refreshStation(i)
            case .conveyor:
                if let c = m.calendar {
                    elements[i].calOpen = c.isOpen(at: 0)
                    let t = c.nextChange(after: 0)
                    if t.isFinite { queue.push(t, .calendar, element: i) }
                }
            default: break
            }
        }
        if warmup > 0 { queue.push(warmup, .warmup, element: 0) }
    }

    // MARK: The event loop

    /// Processes every event before `end` (s) in time order.
    mutating func advance(to end: Double) {
        while true {
            // Refresh before looking at the queue: a refresh may schedule events (operating-time
            // failure clocks) at this very instant.
            if !dirtyList.isEmpty { flushDirty() }
            guard let top = queue.first, top.time < end, let ev = queue.pop() else { break }
            now = ev.time
            events += 1
            if logEvents { eventLog.append((ev.time, ev.element, ev.kind.rawValue, ev.slot)) }
            dispatch(ev)
        }
        if end > now { now = end }
        if deadlockAfter > 0, !deadlocked, wip > 0, now - lastMove >= deadlockAfter {
            deadlocked = true
            deadlockTime = lastMove + deadlockAfter
        }
    }

    mutating func dispatch(_ ev: Event) {
        let i = Int(ev.element)
        switch ev.kind {
        case .arrival: sourceArrival(i)
        case .jobEnd: jobEnd(i, Int(ev.slot), ev.gen)
        case .failure:
            let f = Int(ev.slot)
            guard elements[i].failures[f].gen == ev.gen, !elements[i].failures[f].isDown else { return }
            elements[i].failures[f].isDown = true
            elements[i].failures[f].upRemaining = 0
            goDown(i)
            let r = models[i].failures[f].repairTime.sample(&elements[i].rngRepair)
            queue.push(now + r, .repair, element: i, slot: f, gen: elements[i].failures[f].gen)
        case .repair:
            let f = Int(ev.slot)
            guard elements[i].failures[f].gen == ev.gen, elements[i].failures[f].isDown else { return }
            elements[i].failures[f].isDown = false
            elements[i].failures[f].gen &+= 1
            let up = models[i].failures[f].upTime.sample(&elements[i].rngUp)
            elements[i].failures[f].upRemaining = up
            if !models[i].failures[f].operating {
                queue.push(now + up, .failure, element: i, slot: f, gen: elements[i].failures[f].gen)
            }
            goUp(i)
        case .calendar:
            guard let c = models[i].calendar else { return }
            elements[i].calOpen = c.isOpen(at: now)
            let t = c.nextChange(after: now)
            if t.isFinite { queue.push(t, .calendar, element: i) }
            if elements[i].kind == .conveyor {
                if elements[i].calOpen { conveyorTryExit(i) }
            } else {
                markDirty(i)
                if elements[i].calOpen { startWaiting(i); notifyRoom(i) }
            }
        case .conveyorHead:
            guard elements[i].headGen == ev.gen, !elements[i].belt.isEmpty else { return }
            elements[i].headArrived = true
            conveyorTryExit(i)
        case .conveyorClear:
            guard elements[i].clearGen == ev.gen else { return }
            elements[i].clearPending = .nan
            notifyRoom(i)
        case .warmup:
            resetStatistics()
        }
    }

    // MARK: Items

    mutating func allocItem(type: Int32) -> Int32 {
        touchLine()
        wip += 1
        createdCount += 1
        lastMove = now
        if let id = freeItems.popLast() {
            itemCreated[Int(id)] = now; itemType[Int(id)] = type; itemEntered[Int(id)] = now
            return id
        }
        itemCreated.append(now); itemType.append(type); itemEntered.append(now)
        return Int32(itemCreated.count - 1)
    }

    mutating func freeItem(_ id: Int32) {
        touchLine()
        wip -= 1
        freeItems.append(id)
    }

    @inline(__always) mutating func touchLine() {
        wipArea += Double(wip) * (now - wipLast)
        wipLast = now
    }

    @inline(__always) mutating func touch(_ e: Int) {
        elements[e].contentsArea += Double(elements[e].contents) * (now - elements[e].lastT)
        elements[e].lastT = now
    }

    @inline(__always) mutating func addContents(_ e: Int, _ delta: Int) {
        touch(e)
        elements[e].contents += delta
        if elements[e].contents > elements[e].maxContents { elements[e].maxContents = elements[e].contents }
    }

    /// An item leaves element `e` after `inside` seconds.
    @inline(__always) mutating func leave(_ e: Int, inside: Double) {
        addContents(e, -1)
        elements[e].left += 1
        elements[e].timeSum += inside
    }

    // MARK: Hand-over protocol

    /// Offers `item` to element `d`; true when `d` took it. Refused callers register
    /// with `wait(_:at:)` themselves.
    mutating func offer(_ item: Int32, to d: Int, from u: Int) -> Bool {
        let ok: Bool
        switch elements[d].kind {
        case .sink: sinkAccept(d, item); ok = true
        case .buffer: ok = bufferAccept(d, item)
        case .station: ok = stationAccept(d, item)
        case .assembler: ok = assemblerAccept(d, item, from: u)
        case .conveyor: ok = conveyorAccept(d, item)
        case .splitter:
            let slot = splitterChoice(d, item)
            let t = models[d].to[slot]
            if offer(item, to: t, from: d) {
                elements[d].pendingItem = -1
                elements[d].rr &+= 1
                ok = true
            } else {
                wait(d, at: t)
                ok = false
            }
        case .merger:
            let t = elements[d].next
            if offer(item, to: t, from: d) {
                elements[d].rr = elements[d].inputs.firstIndex(of: u) ?? 0
                ok = true
            } else {
                wait(d, at: t)
                ok = false
            }
        case .source: ok = false
        }
        if ok { lastMove = now }
        return ok
    }

    mutating func wait(_ u: Int, at d: Int) {
        let old = elements[u].waitingAt
        if old == d { return }
        if old >= 0, let k = elements[old].waiters.firstIndex(of: Int32(u)) { elements[old].waiters.remove(at: k) }
        elements[d].waiters.append(Int32(u))
        elements[u].waitingAt = d
    }

    /// `d` has room: its waiting upstream elements retry, in registration order (mergers
    /// by their rule).
    mutating func notifyRoom(_ d: Int) {
        guard !elements[d].waiters.isEmpty else { return }
        if elements[d].kind == .merger, elements[d].waiters.count > 1 { orderMergerWaiters(d) }
        var n = elements[d].waiters.count
        while n > 0, !elements[d].waiters.isEmpty {
            n -= 1
            let u = Int(elements[d].waiters.count == 1 ? elements[d].waiters.removeLast() : elements[d].waiters.removeFirst())
            elements[u].waitingAt = -1
            retry(u)
        }
    }

    mutating func orderMergerWaiters(_ d: Int) {
        let inputs = elements[d].inputs
        let rank: (Int32) -> Int = { u in inputs.firstIndex(of: Int(u)) ?? Int.max }
        switch models[d].rule {
        case .priority:
            elements[d].waiters.sort { rank($0) < rank($1) }
        case .roundRobin:
            let last = elements[d].rr, n = max(1, inputs.count)
            elements[d].waiters.sort { (rank($0) - last - 1 + n * 2) % n < (rank($1) - last - 1 + n * 2) % n }
        default: break
        }
    }

    mutating func retry(_ u: Int) {
        switch elements[u].kind {
        case .source: pushSource(u)
        case .buffer: pushBuffer(u)
        case .station, .assembler: pushStation(u)
        case .conveyor: conveyorTryExit(u)
        case .splitter, .merger: notifyRoom(u)
        case .sink: break
        }
    }

    // MARK: Sources

    mutating func sourceArrival(_ s: Int) {
        if let limit = models[s].limit, elements[s].created >= limit { return }
        if models[s].infinite {
            pushSource(s)
            return
        }
        makeSourceItem(s)
        // Next arrival.
        if !models[s].schedule.isEmpty {
            elements[s].scheduleIndex += 1
            if elements[s].scheduleIndex >= models[s].schedule.count, let r = models[s].scheduleRepeat {
                elements[s].scheduleIndex = 0
                elements[s].scheduleBase += r
            }
            if elements[s].scheduleIndex < models[s].schedule.count {
                queue.push(models[s].start + elements[s].scheduleBase + models[s].schedule[elements[s].scheduleIndex], .arrival, element: s)
            }
        } else if let d = models[s].interarrival {
            queue.push(now + d.sample(&elements[s].rngArrival), .arrival, element: s)
        }
        pushSource(s)
    }

    mutating func makeSourceItem(_ s: Int) {
        var t = models[s].itemTypes[0]
        if models[s].itemTypes.count > 1 {
            let u = elements[s].rngRoute.unitDouble()
            var k = 0
            while k < models[s].typeCumulative.count - 1, models[s].typeCumulative[k] <= u { k += 1 }
            t = models[s].itemTypes[k]
        }
        let id = allocItem(type: t)
        elements[s].created += 1
        elements[s].queue.append(id)
        addContents(s, 1)
    }

    mutating func pushSource(_ s: Int) {
        guard !elements[s].pushing, elements[s].waitingAt < 0 else { return }
        elements[s].pushing = true
        defer { elements[s].pushing = false }
        let d = elements[s].next
        while true {
            if elements[s].qHead >= elements[s].queue.count {
                guard models[s].infinite else { break }
                if let limit = models[s].limit, elements[s].created >= limit { break }
                makeSourceItem(s)
            }
            let it = elements[s].queue[elements[s].qHead]
            let inside = now - itemEntered[Int(it)]
            if offer(it, to: d, from: s) {
                popFront(s)
                leave(s, inside: inside)
                if models[s].stageEntity != nil { elements[s].claimed += 1 }
            } else {
                wait(s, at: d)
                break
            }
        }
    }

    @inline(__always) mutating func popFront(_ e: Int) {
        elements[e].qHead += 1
        if elements[e].qHead == elements[e].queue.count {
            elements[e].queue.removeAll(keepingCapacity: true)
            elements[e].qHead = 0
        } else if elements[e].qHead >= 1024, elements[e].qHead * 2 >= elements[e].queue.count {
            elements[e].queue.removeFirst(elements[e].qHead)
            elements[e].qHead = 0
        }
    }

    // MARK: Buffers

    mutating func bufferAccept(_ b: Int, _ item: Int32) -> Bool {
        guard elements[b].contents < models[b].capacity else { return false }
        elements[b].queue.append(item)
        addContents(b, 1)
        itemEntered[Int(item)] = now
        if elements[b].waitingAt < 0 { pushBuffer(b) }
        return true
    }

    /// Index (into `queue`) of the item that leaves next.
    func bufferFront(_ b: Int) -> Int {
        switch models[b].discipline {
        case .fifo: return elements[b].qHead
        case .lifo: return elements[b].queue.count - 1
        case .priority:
            var best = elements[b].qHead, bp = -Double.infinity
            for k in elements[b].qHead..<elements[b].queue.count {
                let t = Int(itemType[Int(elements[b].queue[k])])
                let p = t < models[b].priorities.count ? models[b].priorities[t] : 0
                if p > bp { bp = p; best = k }
            }
            return best
        }
    }

    mutating func pushBuffer(_ b: Int) {
        // A pick-up buffer has no downstream element: carriers take its items (`take`).
        guard !elements[b].pushing, elements[b].waitingAt < 0, elements[b].next >= 0 else { return }
        elements[b].pushing = true
        let d = elements[b].next
        var freed = false
        while elements[b].qHead < elements[b].queue.count {
            let k = bufferFront(b)
            let it = elements[b].queue[k]
            let inside = now - itemEntered[Int(it)]
            if offer(it, to: d, from: b) {
                // Only appends can happen during the offer, so index k still holds `it`.
                if k == elements[b].qHead { popFront(b) } else { elements[b].queue.remove(at: k) }
                leave(b, inside: inside)
                freed = true
            } else {
                wait(b, at: d)
                break
            }
        }
        elements[b].pushing = false
        if freed { notifyRoom(b) }
    }

    // MARK: Transfers (carriers of another plugin)

    /// The items of pick-up buffer `b` in the order they would leave (its discipline).
    func offered(_ b: Int, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        let q = elements[b].queue[elements[b].qHead...]
        switch models[b].discipline {
        case .fifo: out.append(contentsOf: q)
        case .lifo: out.append(contentsOf: q.reversed())
        case .priority:
            // Stable: FIFO among equal priorities.
            let pr = models[b].priorities
            out.append(contentsOf: q.enumerated().sorted { x, y in
                let tx = Int(itemType[Int(x.element)]), ty = Int(itemType[Int(y.element)])
                let px = tx < pr.count ? pr[tx] : 0, py = ty < pr.count ? pr[ty] : 0
                return px != py ? px > py : x.offset < y.offset
            }.map(\.element))
        }
    }

    /// Carriers took `items` from pick-up buffer `b` (now): they leave it; upstream
    /// elements waiting for room retry. Handles not in the buffer are ignored.
    mutating func take(_ b: Int, items: [Int32]) {
        var freed = false
        for it in items {
            guard let k = elements[b].queue[elements[b].qHead...].firstIndex(of: it) else { continue }
            if k == elements[b].qHead { popFront(b) } else { elements[b].queue.remove(at: k) }
            leave(b, inside: now - itemEntered[Int(it)])
            freed = true
        }
        if freed { lastMove = now; notifyRoom(b) }
    }

    /// Carriers deliver `item` into drop-off buffer `b` (now); false when it is full.
    mutating func deliver(_ b: Int, _ item: Int32) -> Bool {
        guard Int(item) >= 0, Int(item) < itemCreated.count, bufferAccept(b, item) else { return false }
        lastMove = now
        return true
    }

    /// Places free in buffer `b` (capped for unlimited buffers).
    func space(_ b: Int) -> Int { max(0, min(models[b].capacity, 1_000_000) - elements[b].contents) }

    // MARK: Stations

    @inline(__always) func canStart(_ s: Int) -> Bool {
        elements[s].downCount == 0 && elements[s].calOpen && !elements[s].ctlClosed
    }

    mutating func stationAccept(_ s: Int, _ item: Int32) -> Bool {
        guard canStart(s) else { return false }
        if let acc = models[s].accepts, !acc.contains(itemType[Int(item)]) { return false }
        let batch = models[s].batch
        var k = -1
        for j in elements[s].servers.indices where elements[s].servers[j].state == .starved {
            let n = elements[s].servers[j].items.count
            if n > 0 && n < batch { k = j; break }
            if n == 0 && k < 0 { k = j }
        }
        guard k >= 0 else { return false }
        elements[s].servers[k].items.append(item)
        addContents(s, 1)
        itemEntered[Int(item)] = now
        if elements[s].servers[k].items.count == batch { startJob(s, k) }
        markDirty(s)
        return true
    }

    mutating func startJob(_ s: Int, _ k: Int) {
        let t = itemType[Int(elements[s].servers[k].items[0])]
        if let setup = models[s].setup, models[s].setupEveryJob || elements[s].servers[k].lastType != t {
            elements[s].servers[k].state = .setup
            elements[s].servers[k].end = now + setup.sample(&elements[s].rng)
        } else {
            elements[s].servers[k].state = .busy
            elements[s].servers[k].end = now + (models[s].process?.sample(&elements[s].rng) ?? 0)
        }
        elements[s].servers[k].lastType = t
        elements[s].servers[k].gen &+= 1
        queue.push(elements[s].servers[k].end, .jobEnd, element: s, slot: k, gen: elements[s].servers[k].gen)
    }

    mutating func jobEnd(_ s: Int, _ k: Int, _ gen: UInt32) {
        guard elements[s].servers[k].gen == gen, !elements[s].servers[k].suspended else { return }
        if elements[s].servers[k].state == .setup {
            elements[s].servers[k].state = .busy
            elements[s].servers[k].end = now + (models[s].process?.sample(&elements[s].rng) ?? 0)
            elements[s].servers[k].gen &+= 1
            queue.push(elements[s].servers[k].end, .jobEnd, element: s, slot: k, gen: elements[s].servers[k].gen)
            markDirty(s)
            return
        }
        guard elements[s].servers[k].state == .busy else { return }
        elements[s].servers[k].state = .blocked
        elements[s].blockedOrder.append(k)
        if elements[s].pushing || elements[s].waitingAt >= 0 {
            markDirty(s)
        } else {
            pushStation(s)  // refreshes the state counts
        }
    }

    /// Hands finished items on, oldest first; freed servers take new work.
    mutating func pushStation(_ s: Int) {
        guard !elements[s].pushing, elements[s].waitingAt < 0 else { return }
        elements[s].pushing = true
        let d = elements[s].next
        var freed = false
        outer: while let k = elements[s].blockedOrder.first {
            while let it = elements[s].servers[k].items.first {
                let inside = now - itemEntered[Int(it)]
                if offer(it, to: d, from: s) {
                    if elements[s].servers[k].items.count == 1 {
                        elements[s].servers[k].items.removeLast()
                    } else {
                        elements[s].servers[k].items.removeFirst()
                    }
                    leave(s, inside: inside)
                } else {
                    wait(s, at: d)
                    break outer
                }
            }
            if elements[s].blockedOrder.count == 1 { elements[s].blockedOrder.removeLast() } else { elements[s].blockedOrder.removeFirst() }
            elements[s].servers[k].state = .starved
            freed = true
        }
        elements[s].pushing = false
        markDirty(s)
        if freed {
            startWaiting(s)
            notifyRoom(s)
        }
    }

    /// An assembler whose inputs are complete and whose server is free starts.
    mutating func startWaiting(_ s: Int) {
        guard elements[s].kind == .assembler else { return }
        tryAssemble(s)
    }

    mutating func assemblerAccept(_ a: Int, _ item: Int32, from u: Int) -> Bool {
        guard let r = models[a].requires.firstIndex(where: { $0.element == u }) else { return false }
        guard elements[a].have[r] < models[a].requires[r].count else { return false }
        elements[a].have[r] += 1
        elements[a].staged.append(item)
        addContents(a, 1)
        itemEntered[Int(item)] = now
        tryAssemble(a)
        return true
    }

    mutating func tryAssemble(_ a: Int) {
        guard canStart(a), elements[a].servers[0].state == .starved, elements[a].servers[0].items.isEmpty else { return }
        for (r, need) in models[a].requires.enumerated() where elements[a].have[r] < need.count { return }
        var created = Double.infinity
        for it in elements[a].staged { created = min(created, itemCreated[Int(it)]) }
        let parts = elements[a].staged
        elements[a].staged.removeAll(keepingCapacity: true)
        for r in elements[a].have.indices { elements[a].have[r] = 0 }
        for it in parts { freeItem(it); leave(a, inside: now - itemEntered[Int(it)]) }
        elements[a].left -= parts.count  // parts consumed are not outputs
        let id = allocItem(type: models[a].outputType)
        createdCount -= 1  // an assembly is not a new arrival
        itemCreated[Int(id)] = created
        elements[a].servers[0].items.append(id)
        addContents(a, 1)
        startJob(a, 0)
        markDirty(a)
        notifyRoom(a)
    }

    mutating func goDown(_ s: Int) {
        elements[s].downCount += 1
        if elements[s].downCount == 1 {
            for k in elements[s].servers.indices {
                let st = elements[s].servers[k].state
                if st == .busy || st == .setup {
                    elements[s].servers[k].remaining = elements[s].servers[k].end - now
                    elements[s].servers[k].suspended = true
                    elements[s].servers[k].gen &+= 1
                }
            }
        }
        markDirty(s)
    }

    mutating func goUp(_ s: Int) {
        elements[s].downCount -= 1
        if elements[s].downCount == 0 {
            for k in elements[s].servers.indices where elements[s].servers[k].suspended {
                elements[s].servers[k].suspended = false
                elements[s].servers[k].end = now + elements[s].servers[k].remaining
                elements[s].servers[k].gen &+= 1
                queue.push(elements[s].servers[k].end, .jobEnd, element: s, slot: k, gen: elements[s].servers[k].gen)
            }
        }
        markDirty(s)
        if elements[s].downCount == 0 {
            startWaiting(s)
            notifyRoom(s)
        }
    }

    /// Notes that station `s` changed at `now`; its state counts are integrated and
    /// recounted once, before time moves on (`flushDirty`), however many changes the
    /// instant brings.
    @inline(__always) mutating func markDirty(_ s: Int) {
        if !elements[s].dirty {
            elements[s].dirty = true
            dirtyList.append(Int32(s))
        }
    }

    mutating func flushDirty() {
        var k = 0
        while k < dirtyList.count {
            let s = Int(dirtyList[k])
            elements[s].dirty = false
            refreshStation(s)
            k += 1
        }
        dirtyList.removeAll(keepingCapacity: true)
    }

    /// Integrates the state counts up to now, recounts them, and starts or pauses
    /// operating-time failure clocks.
    mutating func refreshStation(_ s: Int) {
        let dtState = now - elements[s].stateLast
        if dtState > 0 { elements[s].stateTime += elements[s].stateCount * dtState }
        elements[s].stateLast = now
        var counts = SIMD8<Double>()
        let down = elements[s].downCount > 0
        let open = elements[s].calOpen && !elements[s].ctlClosed
        var busy = 0
        if down {
            counts[5] = Double(elements[s].servers.count)
        } else {
            for k in elements[s].servers.indices {
                switch elements[s].servers[k].state {
                case .busy: counts[1] += 1; busy += 1
                case .blocked: counts[2] += 1
                case .setup: counts[4] += 1
                default: counts[open ? 3 : 0] += 1
                }
            }
        }
        elements[s].stateCount = counts
        let op = !down && busy > 0
        if op != elements[s].operating, !elements[s].failures.isEmpty {
            for f in elements[s].failures.indices where models[s].failures[f].operating && !elements[s].failures[f].isDown {
                elements[s].failures[f].gen &+= 1
                if op {
                    queue.push(now + elements[s].failures[f].upRemaining, .failure, element: s, slot: f, gen: elements[s].failures[f].gen)
                } else {
                    elements[s].failures[f].upRemaining = max(0, elements[s].failures[f].upRemaining - (now - elements[s].opStart))
                }
            }
        }
        if op && !elements[s].operating { elements[s].opStart = now }
        elements[s].operating = op
    }

    /// A live or pedestrian-queue source creates `count` items now (up to its limit) and
    /// hands them on.
    mutating func release(_ s: Int, count: Int) {
        guard elements[s].kind == .source, models[s].live || models[s].stageEntity != nil, count > 0 else { return }
        for _ in 0..<count {
            if let limit = models[s].limit, elements[s].created >= limit { break }
            makeSourceItem(s)
        }
        pushSource(s)
    }

    /// Items a pedestrian-queue source handed on since the last call (people to release).
    mutating func takeClaimed(_ s: Int) -> Int {
        let n = elements[s].claimed
        elements[s].claimed = 0
        return n
    }

    /// External control (live data): forced down and closed.
    mutating func setControl(_ s: Int, forcedDown: Bool, closed: Bool) {
        guard elements[s].kind == .station || elements[s].kind == .assembler else { return }
        if forcedDown != elements[s].forcedDown {
            elements[s].forcedDown = forcedDown
            if forcedDown { goDown(s) } else { goUp(s) }
        }
        if closed != elements[s].ctlClosed {
            elements[s].ctlClosed = closed
            markDirty(s)
            if !closed { startWaiting(s); notifyRoom(s) }
        }
    }

    // MARK: Sinks

    mutating func sinkAccept(_ k: Int, _ item: Int32) {
        let lead = now - itemCreated[Int(item)]
        elements[k].leadCount += 1
        elements[k].leadSum += lead
        elements[k].left += 1
        let bin = lead <= Self.histBase ? 0 : min(Self.histBins - 1, Int(_log(lead / Self.histBase) / Self.logGrowth) + 1)
        elements[k].hist[bin] &+= 1
        elements[k].blocks[bin / Self.histBlock] &+= 1
        finished += 1
        leadSum += lead
        freeItem(item)
    }

    func percentile(_ k: Int, _ q: Double) -> Double {
        let n = elements[k].leadCount
        guard n > 0 else { return 0 }
        let target = Int((q * Double(n)).rounded(.up))
        var acc = 0, first = 0
        for (j, c) in elements[k].blocks.enumerated() {
            if acc + Int(c) >= max(1, target) { first = j * Self.histBlock; break }
            acc += Int(c)
        }
        for b in first..<Self.histBins {
            acc += Int(elements[k].hist[b])
            if acc >= max(1, target) {
                if b == 0 { return Self.histBase }
                // Geometric middle of the bin [base·g^(b−1), base·g^b).
                return Self.histBase * _exp(Self.logGrowth * (Double(b) - 0.5))
            }
        }
        return 0
    }

    // MARK: Splitters

    mutating func splitterChoice(_ d: Int, _ item: Int32) -> Int {
        if elements[d].pendingItem == item { return elements[d].pendingSlot }
        let n = models[d].to.count
        var slot = 0
        switch models[d].rule {
        case .probability:
            let u = elements[d].rngRoute.unitDouble()
            while slot < n - 1, models[d].weightsCumulative[slot] <= u { slot += 1 }
        case .byType:
            let t = Int(itemType[Int(item)])
            slot = t < models[d].routes.count && models[d].routes[t] >= 0 ? models[d].routes[t] : 0
        case .shortestQueue:
            // Items in the output, plus in the element behind it when the output is a buffer;
            // ties go round robin.
            var best = Int.max
            for step in 0..<n {
                let j = (elements[d].rr + step) % n
                let t = models[d].to[j]
                var load = elements[t].contents
                if elements[t].kind == .buffer, elements[t].next >= 0 { load += elements[elements[t].next].contents }
                if load < best { best = load; slot = j }
            }
        default:
            slot = elements[d].rr % n
        }
        elements[d].pendingItem = item
        elements[d].pendingSlot = slot
        return slot
    }

    // MARK: Conveyors

    /// Time (s) at which the entry is clear for the next item (≤ now: clear now; ∞:
    /// only after an exit).
    func conveyorClearTime(_ c: Int) -> Double {
        guard let lastSlot = elements[c].belt.last else { return -.infinity }
        let v = models[c].speed, d = models[c].spacing, l = models[c].length
        if !models[c].accumulating {
            if !elements[c].stoppedSince.isNaN { return .infinity }
            return lastSlot.entry + d / v
        }
        let j = elements[c].belt.count - 1
        var t = -Double.infinity
        for (i, s) in elements[c].belt.enumerated() { t = max(t, s.entry + Double(j - i + 1) * d / v) }
        let headAt = elements[c].headArrived ? -Double.infinity : elements[c].belt[0].entry + l / v
        if l - Double(j) * d < d - 1e-9, t > headAt { return .infinity }
        return t
    }

    mutating func conveyorAccept(_ c: Int, _ item: Int32) -> Bool {
        let clear = conveyorClearTime(c)
        guard clear <= now + 1e-9 * max(1, abs(now)) else {
            if clear.isFinite, !(elements[c].clearPending == clear) {
                elements[c].clearGen &+= 1
                elements[c].clearPending = clear
                queue.push(clear, .conveyorClear, element: c, gen: elements[c].clearGen)
            }
            return false
        }
        elements[c].belt.append(BeltSlot(item: item, entry: now))
        addContents(c, 1)
        itemEntered[Int(item)] = now
        if trackConveyors { conveyorLog.append((item, Int32(c), true)) }
        if logEvents { eventLog.append((now, Int32(c), Self.logConveyorEntry, item)) }
        if elements[c].belt.count == 1, !elements[c].headArrived {
            let arrive = models[c].accumulating ? max(now + models[c].length / models[c].speed, elements[c].lastExit + models[c].spacing / models[c].speed) : now + models[c].length / models[c].speed
            if models[c].accumulating, arrive > now + models[c].length / models[c].speed {
                elements[c].belt[0].entry = arrive - models[c].length / models[c].speed
            }
            elements[c].headGen &+= 1
            queue.push(arrive, .conveyorHead, element: c, gen: elements[c].headGen)
        }
        return true
    }

    mutating func conveyorTryExit(_ c: Int) {
        guard elements[c].headArrived, !elements[c].pushing, elements[c].waitingAt < 0, !elements[c].belt.isEmpty else { return }
        guard elements[c].calOpen else {
            if !models[c].accumulating, elements[c].stoppedSince.isNaN { elements[c].stoppedSince = now }
            return
        }
        elements[c].pushing = true
        let it = elements[c].belt[0].item
        let inside = now - itemEntered[Int(it)]
        let d = elements[c].next
        let accepted = offer(it, to: d, from: c)
        elements[c].pushing = false
        guard accepted else {
            wait(c, at: d)
            if !models[c].accumulating, elements[c].stoppedSince.isNaN { elements[c].stoppedSince = now }
            return
        }
        elements[c].belt.removeFirst()
        leave(c, inside: inside)
        if trackConveyors { conveyorLog.append((it, Int32(c), false)) }
        if logEvents { eventLog.append((now, Int32(c), Self.logConveyorExit, it)) }
        elements[c].lastExit = now
        elements[c].headArrived = false
        let v = models[c].speed
        if !models[c].accumulating {
            if !elements[c].stoppedSince.isNaN {
                let shift = now - elements[c].stoppedSince
                for k in elements[c].belt.indices { elements[c].belt[k].entry += shift }
                elements[c].stoppedSince = .nan
            }
        } else {
            // Restart the queue: every item moves at speed from where it stands now.
            var prev = models[c].length
            for k in elements[c].belt.indices {
                let p = min(v * (now - elements[c].belt[k].entry), prev - models[c].spacing)
                elements[c].belt[k].entry = now - p / v
                prev = p
            }
        }
        if let head = elements[c].belt.first {
            elements[c].headGen &+= 1
            queue.push(max(now, head.entry + models[c].length / v), .conveyorHead, element: c, gen: elements[c].headGen)
        }
        elements[c].clearPending = .nan
        notifyRoom(c)
    }

    /// Distance along the belt (m) of every item on conveyor `c` at time `t`, head first.
    func beltPositions(_ c: Int, at t: Double, into out: inout [Double]) {
        out.removeAll(keepingCapacity: true)
        let v = models[c].speed
        if !models[c].accumulating {
            let clock = elements[c].stoppedSince.isNaN ? t : elements[c].stoppedSince
            for s in elements[c].belt { out.append(min(models[c].length, max(0, v * (clock - s.entry)))) }
            return
        }
        var prev = Double.infinity
        for (k, s) in elements[c].belt.enumerated() {
            var p = min(v * (t - s.entry), models[c].length)
            if k > 0 { p = min(p, prev - models[c].spacing) }
            p = max(0, p)
            out.append(p)
            prev = p
        }
    }

    // MARK: Statistics

    mutating func resetStatistics() {
        statsStart = now
        touchLine()
        wipArea = 0
        createdCount = 0
        finished = 0
        leadSum = 0
        for i in 0..<elementCount {
            elements[i].lastT = now
            elements[i].contentsArea = 0
            elements[i].maxContents = elements[i].contents
            elements[i].left = 0
            elements[i].timeSum = 0
            if elements[i].kind == .station || elements[i].kind == .assembler { refreshStation(i) }
            elements[i].stateTime = SIMD8<Double>()
            elements[i].stateLast = now
            elements[i].leadCount = 0
            elements[i].leadSum = 0
            for b in elements[i].hist.indices { elements[i].hist[b] = 0 }
            for b in elements[i].blocks.indices { elements[i].blocks[b] = 0 }
            elements[i].percentileCount = -1
        }
    }

    /// Server-seconds per state of station `s` since the warm-up, including the open interval.
    func stateTimes(_ s: Int) -> [Double] {
        let dt = now - elements[s].stateLast
        let t = elements[s].stateTime + elements[s].stateCount * dt
        return (0..<6).map { t[$0] }
    }

    /// The current figures of element `i`.
    /// Recomputes a sink's lead-time percentiles when its count moved by more than 0.1 %
    /// (or by any amount below 1000 items): within the histogram's 0.5 % resolution.
    mutating func refreshPercentiles(_ k: Int) {
        let n = elements[k].leadCount, last = elements[k].percentileCount
        guard n != last, last < 0 || n < 1000 || abs(n - last) * 1000 > n else { return }
        elements[k].percentiles = SIMD4(percentile(k, 0.5), percentile(k, 0.9), percentile(k, 0.95), percentile(k, 0.99))
        elements[k].percentileCount = n
    }

    mutating func status(_ i: Int) -> MachineStatus {
        var s = MachineStatus(element: elements[i].kind.rawValue)
        let span = now - statsStart
        s.contents = elements[i].contents
        s.completed = elements[i].left
        s.throughput = span > 0 ? Double(elements[i].left) / span : 0
        s.meanContents = span > 0 ? (elements[i].contentsArea + Double(elements[i].contents) * (now - elements[i].lastT)) / span : Double(elements[i].contents)
        s.maxContents = elements[i].maxContents
        s.meanTime = elements[i].left > 0 ? elements[i].timeSum / Double(elements[i].left) : 0
        switch elements[i].kind {
        case .station, .assembler:
            let times = stateTimes(i)
            let total = Double(elements[i].servers.count) * span
            if total > 0 {
                s.idle = times[0] / total; s.busy = times[1] / total; s.blocked = times[2] / total
                s.starved = times[3] / total; s.setup = times[4] / total; s.down = times[5] / total
            }
            if elements[i].downCount > 0 { s.state = .down }
            else if elements[i].stateCount[1] > 0 { s.state = .busy }
            else if elements[i].stateCount[4] > 0 { s.state = .setup }
            else if elements[i].stateCount[2] > 0 { s.state = .blocked }
            else if elements[i].stateCount[3] > 0 { s.state = .starved }
            else { s.state = .idle }
        case .sink:
            s.state = .starved
            s.leadTimeMean = elements[i].leadCount > 0 ? elements[i].leadSum / Double(elements[i].leadCount) : 0
            s.leadTimeP50 = elements[i].percentiles[0]; s.leadTimeP90 = elements[i].percentiles[1]
            s.leadTimeP95 = elements[i].percentiles[2]; s.leadTimeP99 = elements[i].percentiles[3]
        case .source:
            s.state = elements[i].waitingAt >= 0 ? .blocked : .busy
        case .conveyor:
            s.state = elements[i].waitingAt >= 0 || (!elements[i].calOpen && elements[i].headArrived) ? .blocked : elements[i].belt.isEmpty ? .starved : .busy
        default:
            s.state = elements[i].waitingAt >= 0 ? .blocked : elements[i].contents > 0 ? .busy : .starved
        }
        return s
    }

    mutating func lineStatus() -> MachineLine {
        var l = MachineLine()
        let span = now - statsStart
        l.wip = wip
        l.meanWip = span > 0 ? (wipArea + Double(wip) * (now - wipLast)) / span : Double(wip)
        l.created = createdCount
        l.finished = finished
        l.throughput = span > 0 ? Double(finished) / span : 0
        l.meanLeadTime = finished > 0 ? leadSum / Double(finished) : 0
        l.events = events
        l.deadlocked = deadlocked ? 1 : 0
        l.deadlockTime = deadlockTime
        return l
    }
}


/// Owns the engine's element buffer.
final class ElementStorage {
    let base: UnsafeMutablePointer<LineEngine.Element>
    let count: Int
    init(_ initial: [LineEngine.Element]) {
        count = initial.count
        base = .allocate(capacity: max(1, initial.count))
        base.initialize(from: initial, count: initial.count)
    }
    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
