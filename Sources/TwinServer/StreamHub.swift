import Synchronization

/// The viewers following one world. The world thread publishes each step's delta
/// here; each viewer's mailbox keeps it until that viewer's connection takes it.
final class StreamHub: Sendable {
    private let viewers = Mutex<[Int: ViewerMailbox]>([:])
    private let nextID = Atomic<Int>(0)
    private let count = Atomic<Int>(0)

    var hasViewers: Bool { count.load(ordering: .relaxed) > 0 }
    var viewerCount: Int { count.load(ordering: .relaxed) }

    func add(maxPending: Int) -> ViewerMailbox {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let box = ViewerMailbox(id: id, maxPending: maxPending)
        viewers.withLock { $0[id] = box }
        count.add(1, ordering: .relaxed)
        return box
    }

    func remove(_ box: ViewerMailbox) {
        box.close()
        if viewers.withLock({ $0.removeValue(forKey: box.id) }) != nil { count.subtract(1, ordering: .relaxed) }
    }

    func publish(_ delta: StreamDelta) {
        for box in viewers.withLock({ Array($0.values) }) { box.offer(delta) }
    }

    /// The world was replaced (reset): every viewer starts again from a keyframe.
    func resync() {
        for box in viewers.withLock({ Array($0.values) }) { box.resync() }
    }

    func closeAll() {
        for box in viewers.withLock({ Array($0.values) }) { box.close() }
    }
}

/// One viewer's pending updates. Bounded: more than `maxPending` deltas waiting (a
/// viewer that does not read) are dropped for one keyframe, so a stuck viewer costs
/// at most `maxPending` shared deltas, never more.
final class ViewerMailbox: Sendable {
    enum Next {
        /// Send a fresh keyframe, then the deltas after its step.
        case keyframe
        /// Send these deltas (coalesced when more than one).
        case deltas([StreamDelta])
        /// Replies to the viewer's own messages (JSON text), sent before anything else.
        case notices([String])
        case closed
    }

    private struct State {
        var pending: [StreamDelta] = []
        var notices: [String] = []
        var needsKeyframe = true
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
        var dropped = 0
    }

    let id: Int
    let maxPending: Int
    private let state = Mutex(State())

    init(id: Int, maxPending: Int) { self.id = id; self.maxPending = max(1, maxPending) }

    /// Times the backlog overflowed into a keyframe.
    var overflows: Int { state.withLock { $0.dropped } }
    var pendingCount: Int { state.withLock { $0.pending.count } }

    func offer(_ d: StreamDelta) {
        let w: CheckedContinuation<Void, Never>? = state.withLock { s in
            guard !s.closed else { return nil }
            s.pending.append(d)
            if s.pending.count > maxPending {
                s.pending = []
                s.needsKeyframe = true
                s.dropped += 1
            }
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume()
    }

    func resync() {
        let w: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.pending = []
            s.needsKeyframe = true
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume()
    }

    /// Queues a reply to the viewer (bounded like the deltas: a viewer that floods
    /// requests without reading loses the oldest replies).
    func notify(_ text: String) {
        let w: CheckedContinuation<Void, Never>? = state.withLock { s in
            guard !s.closed else { return nil }
            s.notices.append(text)
            if s.notices.count > maxPending { s.notices.removeFirst(s.notices.count - maxPending) }
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume()
    }

    func close() {
        let w: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.closed = true
            s.pending = []
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume()
    }

    /// Waits for something to send; a cancelled waiter closes the mailbox.
    func next() async -> Next {
        await withTaskCancellationHandler { await wait() } onCancel: { close() }
    }

    private func wait() async -> Next {
        while true {
            let ready: Next? = state.withLock { s in
                if s.closed { return .closed }
                if !s.notices.isEmpty { defer { s.notices = [] }; return .notices(s.notices) }
                if s.needsKeyframe { s.needsKeyframe = false; return .keyframe }
                if !s.pending.isEmpty { defer { s.pending = [] }; return .deltas(s.pending) }
                return nil
            }
            if let ready { return ready }
            await withCheckedContinuation { (k: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.closed || s.needsKeyframe || !s.pending.isEmpty || !s.notices.isEmpty { return true }
                    s.waiter = k
                    return false
                }
                if resumeNow { k.resume() }
            }
        }
    }

    /// After a keyframe at `step`: drops the deltas it already contains.
    func keyframeSent(at step: Int64) {
        state.withLock { s in s.pending.removeAll { $0.step <= step } }
    }
}
