public class AnyEventChannel {
    func advanceStep() {}
}

/// A typed event stream. Events live for the step they are sent in and the next
/// one, so every system sees each event once through its `EventReader`, whatever
/// the order of sender and reader within a step.
public final class EventChannel<E>: AnyEventChannel {
    /// Events, oldest first; `events[0]` has sequence number `firstSequence`.
    private(set) var events: [E] = []
    private(set) var firstSequence = 0
    private var previousStepStart = 0
    private var currentStepStart = 0

    public func send(_ event: E) { events.append(event) }

    /// Sequence number the next event will get.
    public var nextSequence: Int { firstSequence + events.count }

    /// Events sent during the current step.
    public var currentStep: ArraySlice<E> { events[(currentStepStart - firstSequence)...] }

    override func advanceStep() {
        previousStepStart = currentStepStart
        currentStepStart = nextSequence
        let drop = previousStepStart - firstSequence
        if drop > 0 {
            events.removeFirst(drop)
            firstSequence = previousStepStart
        }
    }

    /// Events with sequence ≥ `cursor` still kept; advances `cursor` past them.
    public func read(from cursor: inout Int) -> ArraySlice<E> {
        let start = max(cursor, firstSequence) - firstSequence
        cursor = nextSequence
        return events[start...]
    }
}

/// A per-consumer cursor into an event channel.
public struct EventReader<E> {
    private var cursor = 0
    public init() {}
    public mutating func read(_ world: World) -> ArraySlice<E> { world.events(E.self).read(from: &cursor) }
}

extension World {
    /// The channel for events of type `E` (created on first use).
    public func events<E>(_ type: E.Type) -> EventChannel<E> {
        let key = ObjectIdentifier(type)
        if let c = eventChannels[key] as? EventChannel<E> { return c }
        let c = EventChannel<E>()
        eventChannels[key] = c
        eventChannelList.append(c)
        return c
    }

    public func send<E>(_ event: E) { events(E.self).send(event) }

    /// Starts a new event step (the runner calls it once per simulation step).
    public func advanceEventStep() {
        for c in eventChannelList { c.advanceStep() }
    }
}
