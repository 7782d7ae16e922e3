import TwinCore
import TwinMath

// Why a sorted cell list, not a dynamic AABB tree (yet)
// ------------------------------------------------------
// Box2D v3 and Jolt keep dynamic AABB trees: incremental, good with mixed sizes and
// with mostly-static worlds, but the tree is a pointer-chasing structure with rotations
// and a persistent pair hash set whose order must be made deterministic separately.
// The scenes we are measured on (piles, stacks, conveyors full of parcels) are many
// bodies of similar size, all moving. For that case a uniform grid rebuilt every step
// is simpler and at least as fast:
//
//   1. every body's fattened bounds (speculative margin + the distance it can travel
//      in one step) cover a few cells; we write one 64-bit word per covered cell,
//      `cell(42 bits) | body(22 bits)`, and sort the words — a plain integer sort,
//      so the order is the data's, never the thread count's;
//   2. runs of equal cells give candidate pairs; a pair is kept only in the cell that
//      holds the lowest corner of the two boxes' intersection, so each pair appears
//      exactly once without a hash set;
//   3. the pairs of all runs (cut into fixed chunks, run on all workers) are sorted
//      into one list, merged with last step's sorted contact list: contacts persist
//      (warm starting) by a linear merge, not a hash lookup.
//
// Bodies too large for the grid (planes, a factory floor slab: more than
// `maxCellsPerBody` cells) sit in a short "large" list tested against every body by
// bounds. Sweep-and-prune was the other candidate: one sorted axis degrades when
// bodies line up on it (a conveyor, a pile's columns), which the grid does not.
// What the grid gives up is a tree's cheap ray casts over huge static meshes; the
// query functions therefore walk bounds linearly today.

/// Candidate pairs from fattened bounds on a uniform grid; see the essay above.
struct BroadPhase {
    static let maxCellsPerBody = 64
    static let chunkEntries = 4096
    static let cellBits: UInt64 = 14
    static let cellRange = Int64(1) << 14

    var cellSize: Float = 1
    var entries: [UInt64] = []
    var large: [Int] = []

    /// Cell coordinate of a world coordinate, clamped to the grid's range (clamping only
    /// merges far cells, which costs tests, never misses a pair).
    @inline(__always) func cell(_ v: Float) -> Int64 {
        let c = (v / cellSize).rounded(.down)
        let half = Float(Self.cellRange / 2 - 1)
        return Int64(max(-half, min(half, c))) + Self.cellRange / 2
    }

    @inline(__always) func cellKey(_ x: Int64, _ y: Int64, _ z: Int64) -> UInt64 {
        (UInt64(x) << (2 * Self.cellBits)) | (UInt64(y) << Self.cellBits) | UInt64(z)
    }

    /// Sorted unique pair keys (`Contact.key`) of bodies whose bounds overlap and that may
    /// collide (not both static-or-kinematic, layers match, both enabled).
    mutating func findPairs(_ w: PhysicsWorld, executor: ParallelExecutor) -> [UInt64] {
        let n = w.bodyCount
        chooseCellSize(w)
        entries.removeAll(keepingCapacity: true)
        large.removeAll(keepingCapacity: true)
        for i in 0..<n where w.isEnabled[i] {
            let lo = w.boundsMin[i], hi = w.boundsMax[i]
            let x0 = cell(lo.x), y0 = cell(lo.y), z0 = cell(lo.z)
            let x1 = cell(hi.x), y1 = cell(hi.y), z1 = cell(hi.z)
            let cells = (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1)
            if cells > Int64(Self.maxCellsPerBody) { large.append(i); continue }
            var x = x0
            while x <= x1 {
                var y = y0
                while y <= y1 {
                    var z = z0
                    while z <= z1 {
                        entries.append(cellKey(x, y, z) << 22 | UInt64(i))
                        z += 1
                    }
                    y += 1
                }
                x += 1
            }
        }
        entries.sort()

        // Chunks start at run boundaries so a cell's run is never split.
        var starts: [Int] = [0]
        var next = Self.chunkEntries
        while next < entries.count {
            let key = entries[next - 1] >> 22
            while next < entries.count && entries[next] >> 22 == key { next += 1 }
            if next < entries.count { starts.append(next) }
            next += Self.chunkEntries
        }
        starts.append(entries.count)
        var chunkPairs = [[UInt64]](repeating: [], count: starts.count - 1)
        let grid = self
        entries.withUnsafeBufferPointer { e in
            nonisolated(unsafe) let entries = e
            chunkPairs.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                executor.run(starts.count - 1) { c in
                    out[c] = grid.pairsInRuns(entries, starts[c]..<starts[c + 1], w)
                }
            }
        }
        var pairs: [UInt64] = []
        pairs.reserveCapacity(chunkPairs.reduce(0) { $0 + $1.count } + large.count * 8)
        for c in chunkPairs { pairs.append(contentsOf: c) }
        for l in large {
            for j in 0..<n where j != l && w.isEnabled[j] && Self.overlaps(w, l, j) && Self.mayCollide(w, l, j) {
                // Two large bodies meet once (from the smaller index).
                if large.contains(j) && j < l { continue }
                pairs.append(Contact.key(l, j))
            }
        }
        pairs.sort()
        return pairs
    }

    private func pairsInRuns(_ e: UnsafeBufferPointer<UInt64>, _ range: Range<Int>, _ w: PhysicsWorld) -> [UInt64] {
        var out: [UInt64] = []
        var s = range.lowerBound
        while s < range.upperBound {
            let key = e[s] >> 22
            var t = s + 1
            while t < range.upperBound && e[t] >> 22 == key { t += 1 }
            if t - s > 1 {
                for p in s..<(t - 1) {
                    let i = Int(e[p] & 0x3F_FFFF)
                    for q in (p + 1)..<t {
                        let j = Int(e[q] & 0x3F_FFFF)
                        guard Self.overlaps(w, i, j), Self.mayCollide(w, i, j) else { continue }
                        let corner = w.boundsMin[i].pointwiseMax(w.boundsMin[j])
                        guard cellKey(cell(corner.x), cell(corner.y), cell(corner.z)) == key else { continue }
                        out.append(Contact.key(i, j))
                    }
                }
            }
            s = t
        }
        return out
    }

    @inline(__always) static func overlaps(_ w: PhysicsWorld, _ i: Int, _ j: Int) -> Bool {
        let a0 = w.boundsMin[i], a1 = w.boundsMax[i], b0 = w.boundsMin[j], b1 = w.boundsMax[j]
        return a0.x <= b1.x && b0.x <= a1.x && a0.y <= b1.y && b0.y <= a1.y && a0.z <= b1.z && b0.z <= a1.z
    }

    @inline(__always) static func mayCollide(_ w: PhysicsWorld, _ i: Int, _ j: Int) -> Bool {
        guard w.kind[i] == .dynamic || w.kind[j] == .dynamic else { return false }
        return w.layer[i] & w.mask[j] != 0 && w.layer[j] & w.mask[i] != 0
    }

    /// Cells about twice the mean dynamic body's bounding radius: most bodies cover
    /// one to eight cells.
    private mutating func chooseCellSize(_ w: PhysicsWorld) {
        var sum: Float = 0, count = 0
        for i in 0..<w.bodyCount where w.kind[i] == .dynamic && w.isEnabled[i] {
            sum += w.radius[i]
            count += 1
        }
        cellSize = count > 0 ? max(0.05, 2 * sum / Float(count)) : 1
    }
}
