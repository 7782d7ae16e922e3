import TwinRuntime
import Foundation

/// The one entry point for live data. Any thread (a source, an HTTP handler)
/// calls `submit`; the simulation's thread calls `pump` before every step.
///
/// ## The path of a message
/// 1. `submit`: each message is read through the bindings (pure: units, enums,
///    ranges, frames, timestamps). Refused messages go to the dead letters with the
///    reason; accepted ones are appended to the journal — synced — and only then
///    is the batch answered. A full queue answers "retry after" and journals
///    nothing, so a source slows down instead of memory growing.
/// 2. `pump` (simulation thread, before a step): takes the due messages in journal
///    order, runs the stateful bindings (late policy, counts, ramps, creation) and
///    queues the resulting `WorldCommand`s for this step; records the step in the
///    journal. Commands the world refuses become dead letters too.
/// 3. After a crash, `recover` rebuilds the bindings' state from the journal and
///    schedules every message at the step it was taken at before, so the world
///    ends where an uninterrupted run would.
public final class IngestHub: @unchecked Sendable {
    public let bindings: [Binding]
    private let refs: [BindingRef]
    public let journal: IngestJournal
    /// Messages accepted but not yet taken into the world, at most.
    public let capacity: Int
    let dt: Double

    private struct Pending {
        let seq: Int64
        let updates: [MappedUpdate]
        let dueStep: Int64?
    }

    private let lock = NSLock()
    /// Admitted to a commit that is still being written.
    private var reserved = 0
    private var pending: [Pending] = []
    private var pendingHead = 0
    /// An emptied list with its capacity, handed back by the world's thread: when
    /// every pending message is due, the pump swaps the lists instead of copying.
    private var spare: [Pending] = []
    /// The first step whose pump has not run yet.
    private var nextStep: Int64 = 0
    /// After `recover`: messages already taken at a step the restored world has not
    /// reached yet, with that step.
    private var scheduled: [(step: Int64, items: [Pending])] = []
    /// Entries of `scheduled` taken so far, and the messages in the rest.
    private var scheduledHead = 0
    private var scheduledMessages = 0

    /// Group commit: batches waiting for the commit in progress to finish.
    private let group = NSCondition()
    private var waiting: [GroupItem] = []
    private var committing = false

    // Simulation thread only.
    private let binder: LiveBinder
    /// Our commands not yet applied: the queue ticket of the first of each pump's
    /// commands and the message sequence number of each (-1: none).
    private var inFlight: [(first: UInt64, seqs: [Int64])] = []
    private var refusedByWorld: [(seq: Int64, reason: String)] = []
    /// Set by `recover`: before this step the world has the journal's effect already
    /// (a replay from an older state), so pumps there do nothing.
    private var resumeStep: Int64 = 0
    /// Messages taken into the world so far (simulation thread).
    public private(set) var takenCount = 0
    /// Clock for `receivedAt` (tests fix it).
    let clock: @Sendable () -> Double
    /// The live hub of its journal: its commands are queued as journaled (the journal
    /// can produce them again) and it records pumps and dead letters. A replay hub
    /// (`replayFeed`) queues them as recorded commands and writes nothing.
    private let journaling: Bool

    public convenience init(bindings: [Binding], journal: IngestJournal, dt: Double, capacity: Int = 100_000,
                            clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.init(bindings: bindings, journal: journal, dt: dt, capacity: capacity, clock: clock, journaling: true)
    }

    private init(bindings: [Binding], journal: IngestJournal, dt: Double, capacity: Int,
                 clock: @escaping @Sendable () -> Double, journaling: Bool) {
        self.bindings = bindings; self.journal = journal; self.dt = dt; self.capacity = max(1, capacity); self.clock = clock
        self.journaling = journaling
        refs = bindings.map(BindingRef.init)
        binder = LiveBinder(bindings: refs, dt: dt)
    }

    /// The live hub of a loaded simulation: its scene's `bindings`, its command
    /// observer hooked up so refused commands are dead-lettered, and the journal named
    /// as the simulation's (checkpoints refer to it instead of listing live commands).
    public convenience init(simulation sim: Simulation, journal: IngestJournal, capacity: Int = 100_000,
                            clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.init(bindings: sim.world.resource(LiveBindings.self)?.list ?? [], journal: journal, dt: sim.dt,
                  capacity: capacity, clock: clock)
        sim.journalFile = journal.path
        sim.rejectionObservers.append { [weak self] ticket, refused in self?.observe(ticket, refused) }
    }

    /// Replays the journal at `path` into `sim` — a restore of a state saved from the
    /// world that journal fed (a fork, a saved state) — as recorded commands, at the
    /// steps its messages were taken at. Reads the journal only.
    public static func replayFeed(path: String, into sim: Simulation) throws -> JournalFeed {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CheckpointError(file: path, message: "the state was saved from a live-fed world and needs this ingest journal, which does not exist")
        }
        let hub = IngestHub(bindings: sim.world.resource(LiveBindings.self)?.list ?? [], journal: try IngestJournal(readingOnly: path),
                            dt: sim.dt, capacity: 1, clock: { 0 }, journaling: false)
        try hub.recover(sim)
        return { hub.pump($0, replaying: true) }
    }

    /// Messages accepted and waiting for the world.
    public var pendingCount: Int { lock.withLock { pending.count - pendingHead + reserved + scheduledMessages } }

    // MARK: Sources' side

    /// Accepts a batch: refused messages are dead-lettered with their reason,
    /// accepted ones journaled; answers only once the journal has them. `unparsed`:
    /// bodies the source could not read (malformed JSON or CSV), kept as dead letters
    /// with their raw text. `position` (a source's resume point) is stored in the
    /// same transaction.
    ///
    /// Concurrent callers share commits (group commit): while one caller's batch is
    /// being written and synced, batches that arrive queue up and the next commit
    /// takes them all in one transaction — one disk sync for many requests, each
    /// still answered only after its own messages are on disk, in arrival order.
    public func submit(_ batch: [IngestMessage], unparsed: [UnparsedMessage] = [],
                       position: (source: String, value: String)? = nil) -> IngestReply {
        guard batch.count <= capacity else {
            return IngestReply(status: .failed("a batch of \(batch.count) messages exceeds the queue capacity (\(capacity)); send smaller batches"), httpStatus: 413)
        }
        let now = clock()
        let item = GroupItem(position: position)
        item.refusals = unparsed.map {
            .init(message: IngestMessage(source: $0.source, topic: $0.topic, payload: .null, receivedAt: now), rawText: $0.raw, reason: $0.reason)
        }
        // Built in locals and handed over once: appending to the item's members
        // directly cost two exclusivity checks per member and message.
        var accepted: [IngestMessage] = [], updates: [[MappedUpdate]] = [], index: [Int] = []
        accepted.reserveCapacity(batch.count); updates.reserveCapacity(batch.count); index.reserveCapacity(batch.count)
        for (i, var m) in batch.enumerated() {
            if m.receivedAt == 0 { m.receivedAt = now }
            switch Mapper.map(m, bindings: refs) {
            case .success(let u): accepted.append(m); updates.append(u); index.append(i)
            case .failure(let r):
                item.refusals.append(.init(message: m, rawText: nil, reason: r.reason))
                item.reply.rejected.append((i, r.reason))
            }
        }
        item.accepted = accepted; item.updates = updates; item.index = index
        group.lock()
        defer { group.unlock() }
        waiting.append(item)
        while !item.done {
            if committing {
                group.wait()
                continue
            }
            committing = true
            let taken = waiting
            waiting.removeAll()
            group.unlock()
            commit(taken)
            group.lock()
            for t in taken { t.done = true }
            committing = false
            group.broadcast()
        }
        return item.reply
    }

    /// One submitted batch on its way through a group commit.
    private final class GroupItem {
        let position: (source: String, value: String)?
        var accepted: [IngestMessage] = []
        var updates: [[MappedUpdate]] = []
        /// Index in the submitted batch of each accepted message.
        var index: [Int] = []
        var refusals: [IngestJournal.Refusal] = []
        var reply = IngestReply(status: .accepted)
        /// Set under the group's lock once `reply` is final.
        var done = false
        init(position: (source: String, value: String)?) { self.position = position }
    }

    /// Journals a group of batches in one transaction. A batch that does not fit the
    /// queue is answered "retry after" and journals nothing; the others go in order.
    private func commit(_ items: [GroupItem]) {
        var admitted: [GroupItem] = []
        lock.withLock {
            var room = capacity - (pending.count - pendingHead) - reserved
            for item in items {
                guard item.accepted.count <= room else {
                    item.reply = IngestReply(status: .retryAfter(1), httpStatus: 429)
                    continue
                }
                room -= item.accepted.count
                // The step the world will take it at, journaled: a restarted world then
                // takes it at that step too, not at whatever step it restarts from.
                for k in item.accepted.indices { item.accepted[k].dueStep = max(item.accepted[k].dueStep ?? nextStep, nextStep) }
                admitted.append(item)
            }
            reserved += admitted.reduce(0) { $0 + $1.accepted.count }
        }
        // Written outside the queue's lock, so the world thread's pump never waits
        // for a disk sync; only one commit runs at a time, so sequence order holds.
        let seqs: [Int64?]
        do {
            seqs = try journal.append(admitted.flatMap(\.accepted), refusals: admitted.flatMap(\.refusals),
                                      positions: admitted.compactMap(\.position))
        } catch {
            lock.withLock { reserved -= admitted.reduce(0) { $0 + $1.accepted.count } }
            for item in admitted {
                item.reply = IngestReply(status: .failed("the ingest journal cannot be written: \(error)"), httpStatus: 503)
            }
            return
        }
        lock.withLock {
            var next = 0
            for item in admitted {
                for k in item.accepted.indices {
                    if let seq = seqs[next] {
                        pending.append(Pending(seq: seq, updates: item.updates[k], dueStep: item.accepted[k].dueStep))
                        item.reply.accepted += 1
                    } else {
                        item.reply.rejected.append((item.index[k], "duplicate: message id \"\(item.accepted[k].id ?? "")\" was already accepted"))
                    }
                    next += 1
                }
                item.reply.rejected.sort { $0.index < $1.index }
                reserved -= item.accepted.count
            }
        }
    }

    /// Records a body that could not even be parsed as a dead letter.
    public func refuse(_ m: UnparsedMessage) { _ = submit([], unparsed: [m]) }

    // MARK: Simulation's side

    /// Takes the messages due at the simulation's next step into its command queue.
    /// Call on the simulation's thread, right before `step()`. `replaying`: during a
    /// restore, only what the journal says was taken at this step — a message not yet
    /// taken when the state was saved may carry an earlier due step (accepted while a
    /// pump ran), and must not be taken before the state's step.
    public func pump(_ sim: Simulation, replaying: Bool = false) {
        let step = sim.stepCount
        guard step >= resumeStep else { return }
        var taken: [Pending]
        let replayed: Bool
        (taken, replayed) = lock.withLock {
            nextStep = step + 1
            if scheduledHead < scheduled.count {
                let first = scheduled[scheduledHead]
                guard first.step <= step else { return ([], true) }
                // A replay from step 0 takes every pump of the journal: no shifting.
                scheduled[scheduledHead].items = []
                scheduledHead += 1
                scheduledMessages -= first.items.count
                if scheduledHead == scheduled.count { scheduled = []; scheduledHead = 0 }
                return (first.items, true)
            }
            guard !replaying else { return ([], true) }
            var end = pendingHead
            while end < pending.count, (pending[end].dueStep ?? step) <= step { end += 1 }
            if end > 0 && pendingHead == 0 && end == pending.count {
                var out: [Pending] = []
                swap(&out, &spare)
                swap(&out, &pending)
                return (out, false)
            }
            let out = Array(pending[pendingHead..<end])
            pendingHead = end
            if pendingHead > 4096 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead); pendingHead = 0
            }
            return (out, false)
        }
        takenCount += taken.count
        defer {
            // Emptied here, so the messages' updates are freed outside the lock.
            if !replayed && taken.capacity > spare.capacity {
                taken.removeAll(keepingCapacity: true)
                lock.withLock { if spare.capacity < taken.capacity { swap(&spare, &taken) } }
            }
        }
        binder.resolveTargets { sim.fieldTarget(component: $0, path: $1) }
        var out = LiveBinder.Output()
        if !taken.isEmpty {
            let entities = EntityLookup(sim)
            for p in taken {
                binder.take(seq: p.seq, updates: p.updates, step: step, entities: entities, into: &out)
            }
        }
        binder.finishStep(step, into: &out)
        let waiting = sim.commandQueue.firstWaitingTicket
        inFlight.removeAll { $0.first + UInt64($0.seqs.count) <= waiting }
        if !out.commands.isEmpty {
            // The queue is bounded by our own capacity; should another producer have
            // filled it, the commands wait for the next step rather than vanish.
            var first = sim.commandQueue.enqueueNumbered(contentsOf: out.commands, journaled: journaling)
            while first == nil {
                Thread.sleep(forTimeInterval: 0.001)
                first = sim.commandQueue.enqueueNumbered(contentsOf: out.commands, journaled: journaling)
            }
            if let first { inFlight.append((first, out.seqs)) }
        }
        guard journaling else { return }
        let dead = out.deadLetters + refusedByWorld
        refusedByWorld.removeAll()
        // A replayed pump's step is in the journal already.
        if !replayed, let last = taken.last { try? journal.recordPump(step: step, lastSeq: last.seq) }
        try? journal.deadLetter(dead)
    }

    /// Rebuilds the bindings' state after a restart: `sim` is the restored world
    /// (from a checkpoint, or the scene's start). Messages taken before its step (or
    /// before `sim.journalFrom`) are replayed into the bindings only (the world holds
    /// their effect); messages taken at later steps are scheduled there again; the
    /// rest wait as pending.
    public func recover(_ sim: Simulation) throws {
        let pumps = try journal.pumps()
        let rows = try journal.messages(after: 0)
        let restored = max(sim.stepCount, sim.journalFrom)
        var i = 0
        var discard = LiveBinder.Output()
        let entities = EntityLookup(sim)
        var later: [(step: Int64, items: [Pending])] = []
        func pendingItem(_ row: (seq: Int64, message: Result<IngestMessage, IngestRejection>)) -> Pending? {
            guard case .success(let m) = row.message, case .success(let u) = Mapper.map(m, bindings: refs) else { return nil }
            return Pending(seq: row.seq, updates: u, dueStep: m.dueStep)
        }
        for p in pumps {
            var items: [Pending] = []
            while i < rows.count, rows[i].seq <= p.lastSeq {
                if let item = pendingItem(rows[i]) { items.append(item) }
                i += 1
            }
            if p.step < restored {
                binder.advance(through: p.step - 1)
                for item in items { binder.take(seq: item.seq, updates: item.updates, step: p.step, entities: entities, into: &discard) }
                binder.finishStep(p.step, into: &discard)
            } else {
                later.append((p.step, items))
            }
        }
        binder.advance(through: restored - 1)
        resumeStep = restored
        let rest = rows[i...].compactMap(pendingItem)
        lock.withLock {
            nextStep = restored
            scheduled = later
            scheduledHead = 0
            scheduledMessages = later.reduce(0) { $0 + $1.items.count }
            pending = rest + pending[pendingHead...]
            pendingHead = 0
        }
    }

    private func observe(_ ticket: UInt64, _ refused: AppliedCommand) {
        guard let why = refused.rejection,
              let batch = inFlight.last(where: { $0.first <= ticket }), ticket - batch.first < UInt64(batch.seqs.count) else { return }
        let seq = batch.seqs[Int(ticket - batch.first)]
        guard seq >= 0 else { return }
        refusedByWorld.append((seq, "the world refused \(refused.command.op) \(refused.command.json["component"]?.stringValue ?? ""): \(why)"))
    }
}

/// The answer to a batch: what the HTTP route, the MQTT callback or a replay does next.
public struct IngestReply: Sendable {
    public enum Status: Sendable, Equatable {
        /// Journaled (the accepted ones); `rejected` lists the others with reasons.
        case accepted
        /// Nothing journaled: the world is behind. Send again after this many seconds
        /// (HTTP 429 with Retry-After; MQTT withholds the ack).
        case retryAfter(Double)
        /// Nothing journaled: the request can never succeed as sent, or the journal
        /// cannot be written (HTTP 413 / 503).
        case failed(String)
    }

    public var status: Status
    /// What an HTTP route answers: 200, 400 (the body is unreadable), 413 (batch too
    /// large), 429 (retry after; send `Retry-After: ⌈s⌉`), 503 (journal unwritable).
    public var httpStatus = 200
    public var accepted = 0
    /// Index in the batch and why.
    public var rejected: [(index: Int, reason: String)] = []

    public init(status: Status, httpStatus: Int = 200) { self.status = status; self.httpStatus = httpStatus }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = []
        switch status {
        case .accepted: members.append(("status", .string("accepted")))
        case .retryAfter(let s): members += [("status", .string("retry")), ("retryAfter", .number(s))]
        case .failed(let why): members += [("status", .string("failed")), ("error", .string(why))]
        }
        members.append(("accepted", .number(Double(accepted))))
        members.append(("rejected", .array(rejected.map { .object([("index", .number(Double($0.index))), ("reason", .string($0.reason))]) })))
        return .object(members)
    }
}

/// A body a source could not read, with why.
public struct UnparsedMessage: Sendable {
    public var source: String
    public var topic: String
    public var raw: String
    public var reason: String
    public init(source: String, topic: String, raw: String, reason: String) {
        self.source = source; self.topic = topic; self.raw = raw; self.reason = reason
    }
}

/// The scene's bindings, kept as a world resource by the `bindings` section.
public struct LiveBindings: Sendable {
    public var list: [Binding]
}
