import TwinCore

/// Graph colouring of contact constraints, for solving on all workers (Box2D v3's
/// constraint graph): within one colour no dynamic body appears twice, so its
/// constraints touch disjoint bodies and can be solved in any order, on any number of
/// threads, with bit-identical results. Static and kinematic bodies are read-only in
/// the solver and do not count. Colours are given greedily in constraint order (the
/// sorted contact order), at most 24; constraints that fit none go to an overflow set
/// solved on one thread after the colours. Every run — 1 worker or 2 — solves in this
/// coloured order, which is what makes the worker count irrelevant to the result.
///
/// Each colour is cut into groups of four consecutive constraints, the lanes of the wide
/// solver; an overflow constraint gets a group of its own (its bodies may repeat).
struct ConstraintColours {
    static let colourCount = 24
    /// Groups per work item; smaller colours run on the calling thread.
    static let chunk = 32

    /// Constraint index ranges per colour; the last range is the overflow set.
    private(set) var ranges: [Range<Int>] = []
    /// Constraint index range of each group, colour by colour.
    private(set) var groups: [Range<Int>] = []
    /// Group index ranges per colour; the last range is the overflow set.
    private(set) var groupRanges: [Range<Int>] = []

    /// Colours `constraints` and reorders them by colour (stable within a colour).
    /// `invMass` is zero for bodies the solver does not move.
    init(_ constraints: inout [ContactConstraint], invMass: [Float]) {
        var used = [UInt32](repeating: 0, count: invMass.count)
        var colour = [UInt8](repeating: 0, count: constraints.count)
        var sizes = [Int](repeating: 0, count: Self.colourCount + 1)
        for (k, c) in constraints.enumerated() {
            let a = Int(c.a), b = Int(c.b)
            let dynA = invMass[a] > 0, dynB = invMass[b] > 0
            let taken = (dynA ? used[a] : 0) | (dynB ? used[b] : 0)
            let free = (~taken).trailingZeroBitCount
            let chosen = min(free, Self.colourCount)
            if chosen < Self.colourCount {
                if dynA { used[a] |= 1 << UInt32(chosen) }
                if dynB { used[b] |= 1 << UInt32(chosen) }
            }
            colour[k] = UInt8(chosen)
            sizes[chosen] += 1
        }
        var starts = [Int](repeating: 0, count: Self.colourCount + 1)
        for i in 1...Self.colourCount { starts[i] = starts[i - 1] + sizes[i - 1] }
        ranges = (0...Self.colourCount).map { starts[$0]..<(starts[$0] + sizes[$0]) }
        var sorted = constraints
        var next = starts
        for (k, c) in constraints.enumerated() {
            sorted[next[Int(colour[k])]] = c
            next[Int(colour[k])] += 1
        }
        constraints = sorted
        for (colour, range) in ranges.enumerated() {
            let first = groups.count
            let width = colour == Self.colourCount ? 1 : 4
            for lo in stride(from: range.lowerBound, to: range.upperBound, by: width) {
                groups.append(lo..<min(range.upperBound, lo + width))
            }
            groupRanges.append(first..<groups.count)
        }
    }

    /// Calls `body` on every group index: colour by colour, large colours cut into fixed
    /// chunks on all workers, then the overflow groups in order.
    func forEachGroup(executor: ParallelExecutor, _ body: (Int) -> Void) {
        for (colour, range) in groupRanges.enumerated() where !range.isEmpty {
            if colour == Self.colourCount || executor.workers == 1 || range.count < 2 * Self.chunk {
                for k in range { body(k) }
                continue
            }
            let chunks = (range.count + Self.chunk - 1) / Self.chunk
            executor.run(chunks) { c in
                let lo = range.lowerBound + c * Self.chunk
                for k in lo..<min(range.upperBound, lo + Self.chunk) { body(k) }
            }
        }
    }
}
