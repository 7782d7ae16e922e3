import TwinCore

/// The cells of every region on one uniform spacing `h`, indexed globally, with what
/// floor fields need: which cells are walkable, how far each is from a wall, how
/// regions join through portals, and for blocked cells the way back to free ground.
struct NavigationGrid: Sendable {
    struct RegionGrid: Sendable {
        let origin: Vec2
        let nx: Int
        let nz: Int
        /// Index of this region's first cell in the global arrays.
        let offset: Int
    }

    /// A step between cells of two regions across a portal.
    struct Link: Sendable, Hashable {
        let from: Int32
        let to: Int32
        let distance: Float
    }

    let h: Float
    let grids: [RegionGrid]
    let cellCount: Int
    let walkable: [Bool]
    /// Distance to the nearest wall, capped at `clearanceCap`, m.
    let clearance: [Float]
    /// Cross-region links sorted by `from`.
    let links: [Link]
    /// For blocked cells: unit direction towards the nearest walkable cell of the region.
    let escape: [Vec2]

    /// Clearance below which walking costs more (keeps routes off walls and corners), m.
    static let clearanceCap: Float = 0.3

    init(regions: [WalkableRegion], cell h: Float, wallIndexes: [WallIndex]) {
        self.h = h
        var grids: [RegionGrid] = []
        var total = 0
        for r in regions {
            let origin = Vec2(r.boundsMin.x - h, r.boundsMin.y - h)
            let nx = max(1, Int(((r.boundsMax.x + h - origin.x) / h).rounded(.up)))
            let nz = max(1, Int(((r.boundsMax.y + h - origin.y) / h).rounded(.up)))
            grids.append(RegionGrid(origin: origin, nx: nx, nz: nz, offset: total))
            total += nx * nz
        }
        self.grids = grids
        cellCount = total
        var walkable = [Bool](repeating: false, count: total)
        var clearance = [Float](repeating: 0, count: total)
        // Two 4-neighbour cells on either side of a wall have centres at most h apart
        // across it, so one of them is within h/2: blocking below 0.55·h seals every
        // wall while leaving corridors of about 1.1·h + a body width open.
        let blockRadius = 0.55 * h
        for (ri, r) in regions.enumerated() {
            let g = grids[ri], walls = wallIndexes[ri]
            for j in 0..<g.nz {
                for i in 0..<g.nx {
                    let p = Vec2(g.origin.x + (Float(i) + 0.5) * h, g.origin.y + (Float(j) + 0.5) * h)
                    guard r.contains(p) else { continue }
                    var d = Self.clearanceCap
                    for k in walls.bucket(p.x, p.y) {
                        let w = Int(walls.items[k])
                        let s = Segment(a: Vec2(walls.ax[w], walls.az[w]), b: Vec2(walls.bx[w], walls.bz[w]))
                        d = min(d, s.distance(to: p))
                    }
                    let c = g.offset + j * g.nx + i
                    clearance[c] = d
                    walkable[c] = d >= blockRadius
                }
            }
        }
        self.walkable = walkable
        self.clearance = clearance

        // Portal links: a walkable cell whose axis neighbour lies across a portal edge
        // joins the walkable cell of the other region there.
        var links: [Link] = []
        for (ri, r) in regions.enumerated() {
            let g = grids[ri]
            for portal in r.portals {
                let other = grids[portal.region]
                let lo = Vec2(min(portal.edge.a.x, portal.edge.b.x) - 2 * h, min(portal.edge.a.y, portal.edge.b.y) - 2 * h)
                let hi = Vec2(max(portal.edge.a.x, portal.edge.b.x) + 2 * h, max(portal.edge.a.y, portal.edge.b.y) + 2 * h)
                let i0 = max(0, Int((lo.x - g.origin.x) / h)), i1 = min(g.nx - 1, Int((hi.x - g.origin.x) / h))
                let j0 = max(0, Int((lo.y - g.origin.y) / h)), j1 = min(g.nz - 1, Int((hi.y - g.origin.y) / h))
                guard i0 <= i1, j0 <= j1 else { continue }
                for j in j0...j1 {
                    for i in i0...i1 {
                        let c = g.offset + j * g.nx + i
                        guard walkable[c] else { continue }
                        let p = Vec2(g.origin.x + (Float(i) + 0.5) * h, g.origin.y + (Float(j) + 0.5) * h)
                        for step in [Vec2(h, 0), Vec2(-h, 0), Vec2(0, h), Vec2(0, -h), Vec2(h, h), Vec2(h, -h), Vec2(-h, h), Vec2(-h, -h)] {
                            let q = p + step
                            guard Segment(a: p, b: q).crosses(portal.edge) || portal.edge.distance(to: q) < 1e-4,
                                  let oc = Self.cell(other, h, q), walkable[oc] else { continue }
                            links.append(Link(from: Int32(c), to: Int32(oc), distance: step.length))
                        }
                    }
                }
            }
        }
        self.links = links.sorted { ($0.from, $0.to) < ($1.from, $1.to) }

        // Escape directions: a breadth-first sweep from walkable cells into blocked ones.
        var escape = [Vec2](repeating: .zero, count: total)
        var target = [Int32](repeating: -1, count: total)
        var queue: [Int32] = []
        for c in 0..<total where walkable[c] { target[c] = Int32(c); queue.append(Int32(c)) }
        var head = 0
        while head < queue.count {
            let c = Int(queue[head]); head += 1
            let (ri, i, j) = Self.locate(grids, c)
            let g = grids[ri]
            for (di, dj) in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)] {
                let ni = i + di, nj = j + dj
                guard ni >= 0, nj >= 0, ni < g.nx, nj < g.nz else { continue }
                let n = g.offset + nj * g.nx + ni
                guard target[n] < 0 else { continue }
                target[n] = target[c]
                queue.append(Int32(n))
            }
        }
        for c in 0..<total where !walkable[c] && target[c] >= 0 {
            let t = Int(target[c])
            let d = Self.center(grids, h, t) - Self.center(grids, h, c)
            let len = d.length
            escape[c] = len > 0 ? d / len : .zero
        }
        self.escape = escape
    }

    /// Global cell of plan point `p` in region grid `g`; nil outside the grid.
    @inline(__always)
    static func cell(_ g: RegionGrid, _ h: Float, _ p: Vec2) -> Int? {
        let fx = (p.x - g.origin.x) / h, fz = (p.y - g.origin.y) / h
        guard fx >= 0, fz >= 0, fx < Float(g.nx), fz < Float(g.nz) else { return nil }
        return g.offset + Int(fz) * g.nx + Int(fx)
    }

    @inline(__always)
    func cell(region: Int, _ p: Vec2) -> Int? { Self.cell(grids[region], h, p) }

    /// Region, column and row of a global cell.
    static func locate(_ grids: [RegionGrid], _ c: Int) -> (Int, Int, Int) {
        var lo = 0, hi = grids.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if grids[mid].offset <= c { lo = mid } else { hi = mid - 1 }
        }
        let local = c - grids[lo].offset
        return (lo, local % grids[lo].nx, local / grids[lo].nx)
    }

    static func center(_ grids: [RegionGrid], _ h: Float, _ c: Int) -> Vec2 {
        let (r, i, j) = locate(grids, c)
        return Vec2(grids[r].origin.x + (Float(i) + 0.5) * h, grids[r].origin.y + (Float(j) + 0.5) * h)
    }

    func center(_ c: Int) -> Vec2 { Self.center(grids, h, c) }

    /// Links leaving cell `c`.
    func links(from c: Int) -> ArraySlice<Link> {
        var lo = 0, hi = links.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(links[mid].from) < c { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        while end < links.count, Int(links[end].from) == c { end += 1 }
        return links[lo..<end]
    }
}
