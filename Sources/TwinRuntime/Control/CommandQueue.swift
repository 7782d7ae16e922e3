import Synchronization

/// The thread-safe inbox of a simulation: any thread may `enqueue`; the simulation
/// drains it at the start of each step. Bounded: past `capacity` waiting commands,
/// `enqueue` refuses (callers answer "try later" rather than grow memory).
///
/// Every command gets a ticket, its number in the order of enqueueing (which is the
/// order of applying): a producer that keeps the tickets of its commands learns which
/// of them the world refused (`Simulation.rejectionObservers`) without comparing
/// commands.
///
/// Commands are *recorded* (kept in `Simulation.commandLog`, so checkpoints replay
/// them) unless queued as *journaled*: a live-data hub's commands, which its ingest
/// journal can produce again, so the simulation only counts them and memory does not
/// grow with the feed (`Simulation.journalFile`).
public final class CommandQueue: Sendable {
    public let capacity: Int
    private struct State {
        var commands: [WorldCommand] = []
        /// The journaled ones among `commands`: runs of positions, ascending.
        var journaled: [Range<Int>] = []
        /// Tickets handed out so far (the next command's ticket).
        var issued: UInt64 = 0
    }
    private let state = Mutex(State())

    public init(capacity: Int = 1 << 20) { self.capacity = max(1, capacity) }

    /// Queues a command for the next step; false when the queue is full.
    @discardableResult
    public func enqueue(_ command: WorldCommand) -> Bool {
        state.withLock { s in
            guard s.commands.count < capacity else { return false }
            s.commands.append(command)
            s.issued += 1
            return true
        }
    }

    /// Queues all or none; false when they do not fit.
    @discardableResult
    public func enqueue(contentsOf commands: [WorldCommand]) -> Bool {
        enqueueNumbered(contentsOf: commands) != nil
    }

    /// Queues all or none; the first one's ticket (the others follow it), or nil when
    /// they do not fit. `journaled`: the commands come from an ingest journal that can
    /// produce them again (see the type's doc).
    public func enqueueNumbered(contentsOf commands: [WorldCommand], journaled: Bool = false) -> UInt64? {
        state.withLock { s in
            guard s.commands.count + commands.count <= capacity else { return nil }
            let first = s.issued
            if journaled && !commands.isEmpty {
                let start = s.commands.count
                if let last = s.journaled.last, last.upperBound == start {
                    s.journaled[s.journaled.count - 1] = last.lowerBound..<start + commands.count
                } else {
                    s.journaled.append(start..<start + commands.count)
                }
            }
            s.commands.append(contentsOf: commands)
            s.issued += UInt64(commands.count)
            return first
        }
    }

    public var count: Int { state.withLock { $0.commands.count } }

    /// The ticket of the oldest command still waiting (every earlier one was drained).
    public var firstWaitingTicket: UInt64 { state.withLock { $0.issued - UInt64($0.commands.count) } }

    /// Hands every waiting command to the caller, with the first one's ticket and the
    /// positions of the journaled ones: the waiting lists are swapped with the caller's
    /// (empty, with their capacity), so neither side allocates per step.
    func drain(into commands: inout [WorldCommand], journaled: inout [Range<Int>]) -> UInt64 {
        state.withLock { s in
            let first = s.issued - UInt64(s.commands.count)
            swap(&commands, &s.commands)
            swap(&journaled, &s.journaled)
            return first
        }
    }
}
