/// What a scheduled event does.
@usableFromInline enum EventKind: UInt8, Sendable {
    case arrival, jobEnd, failure, repair, calendar, conveyorHead, conveyorClear, warmup
}

/// One scheduled event. Ties in time are broken by `seq` (the order events were
/// scheduled), so the order never depends on anything but the model and the seed.
@usableFromInline struct Event: Sendable {
    @usableFromInline var time: Double
    @usableFromInline var seq: UInt64
    @usableFromInline var element: Int32
    @usableFromInline var slot: Int32
    @usableFromInline var gen: UInt32
    @usableFromInline var kind: EventKind

    @inline(__always) @usableFromInline
    func before(_ o: Event) -> Bool { time < o.time || (time == o.time && seq < o.seq) }
}

/// A binary min-heap of events ordered by (time, seq).
@usableFromInline struct EventQueue: Sendable {
    @usableFromInline var heap: [Event] = []
    @usableFromInline var nextSeq: UInt64 = 0

    @usableFromInline var isEmpty: Bool { heap.isEmpty }
    @usableFromInline var count: Int { heap.count }
    @usableFromInline var first: Event? { heap.first }

    @inline(__always) @usableFromInline
    mutating func push(_ time: Double, _ kind: EventKind, element: Int, slot: Int = 0, gen: UInt32 = 0) {
        let e = Event(time: time, seq: nextSeq, element: Int32(element), slot: Int32(slot), gen: gen, kind: kind)
        nextSeq &+= 1
        heap.append(e)
        var i = heap.count - 1
        heap.withUnsafeMutableBufferPointer { h in
            while i > 0 {
                let p = (i - 1) >> 1
                if e.before(h[p]) { h[i] = h[p]; i = p } else { break }
            }
            h[i] = e
        }
    }

    @inline(__always) @usableFromInline
    mutating func pop() -> Event? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n, h[l + 1].before(h[l]) { c = l + 1 }
                if h[c].before(last) { h[i] = h[c]; i = c } else { break }
            }
            h[i] = last
        }
        return top
    }
}
