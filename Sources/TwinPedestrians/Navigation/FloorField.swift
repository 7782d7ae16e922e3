import TwinCore

/// Walking distance to one destination from every cell (metres of free walking: time
/// at unit speed), and the walking direction that descends it.
///
/// Built once per destination by the fast marching method (first-order upwind
/// Eikonal solve) on each region's grid, with portal links between regions as
/// graph edges. The local cost grows near walls (`NavigationGrid.clearanceCap`),
/// which rounds corners and keeps routes a body width off walls; on stairs it is
/// divided by the stair's plan speed factor, so "distance" is free-walking time × v0.
final class FloorField: @unchecked Sendable {
    /// Cost-weighted distance to the destination, m; `.infinity` where unreachable.
    let distance: [Float]
    /// Unit walking direction (x, z) per cell; zero inside the destination.
    let dirX: [Float]
    let dirZ: [Float]

    /// Relative extra cost at a wall (1 + wallPenalty at zero clearance).
    static let wallPenalty: Float = 1

    init(grid: NavigationGrid, regions: [WalkableRegion], targets: [Int]) {
        let n = grid.cellCount, h = grid.h
        var slowness = [Float](repeating: 0, count: n)
        for (ri, g) in grid.grids.enumerated() {
            let plan = regions[ri].isStair ? Self.meanStairFactor(regions[ri]) : 1
            for c in g.offset..<(g.offset + g.nx * g.nz) where grid.walkable[c] {
                let crowd = 1 + Self.wallPenalty * max(0, 1 - grid.clearance[c] / NavigationGrid.clearanceCap)
                slowness[c] = crowd / plan
            }
        }
        var t = [Float](repeating: .infinity, count: n)
        var done = [Bool](repeating: false, count: n)
        var heap = MinHeap()
        for c in targets where grid.walkable[c] {
            t[c] = 0
            heap.push(0, Int32(c))
        }
        while let (tc, c32) = heap.pop() {
            let c = Int(c32)
            if done[c] || tc > t[c] { continue }
            done[c] = true
            let (ri, i, j) = NavigationGrid.locate(grid.grids, c)
            let g = grid.grids[ri]
            for (di, dj) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let ni = i + di, nj = j + dj
                guard ni >= 0, nj >= 0, ni < g.nx, nj < g.nz else { continue }
                let m = g.offset + nj * g.nx + ni
                guard grid.walkable[m], !done[m] else { continue }
                let v = Self.solve(t, grid, g, ni, nj, slowness[m] * h)
                if v < t[m] { t[m] = v; heap.push(v, Int32(m)) }
            }
            for link in grid.links(from: c) {
                // Links are symmetric: walking link.to → c costs the same.
                let m = Int(link.to)
                guard !done[m] else { continue }
                let v = tc + link.distance * 0.5 * (slowness[m] + slowness[c])
                if v < t[m] { t[m] = v; heap.push(v, Int32(m)) }
            }
        }
        distance = t
        var dx = [Float](repeating: 0, count: n), dz = [Float](repeating: 0, count: n)
        for g in grid.grids {
            for j in 0..<g.nz {
                for i in 0..<g.nx {
                    let c = g.offset + j * g.nx + i
                    guard grid.walkable[c] else {
                        dx[c] = grid.escape[c].x; dz[c] = grid.escape[c].y
                        continue
                    }
                    guard t[c].isFinite, t[c] > 0 else { continue }
                    func at(_ ii: Int, _ jj: Int) -> Float? {
                        guard ii >= 0, jj >= 0, ii < g.nx, jj < g.nz else { return nil }
                        let m = g.offset + jj * g.nx + ii
                        return grid.walkable[m] && t[m].isFinite ? t[m] : nil
                    }
                    func derivative(_ minus: Float?, _ plus: Float?) -> Float {
                        switch (minus, plus) {
                        case let (m?, p?): return (p - m) / (2 * h)
                        case let (m?, nil): return (t[c] - m) / h
                        case let (nil, p?): return (p - t[c]) / h
                        default: return 0
                        }
                    }
                    var gx = derivative(at(i - 1, j), at(i + 1, j))
                    var gz = derivative(at(i, j - 1), at(i, j + 1))
                    // Next to a portal the steepest descent may lead into the other region.
                    if let best = grid.links(from: c).min(by: { t[Int($0.to)] < t[Int($1.to)] }), t[Int(best.to)] < t[c] {
                        let d = grid.center(Int(best.to)) - grid.center(c)
                        let len = d.length
                        let descent = len > 0 ? (t[c] - t[Int(best.to)]) / len : 0
                        if descent * descent > gx * gx + gz * gz {
                            gx = -d.x / len * descent; gz = -d.y / len * descent
                        }
                    }
                    let len = (gx * gx + gz * gz).squareRoot()
                    if len > 0 { dx[c] = -gx / len; dz[c] = -gz / len }
                }
            }
        }
        dirX = dx; dirZ = dz
    }

    /// First-order upwind update of cell (i, j) from its accepted neighbours.
    @inline(__always)
    static func solve(_ t: [Float], _ grid: NavigationGrid, _ g: NavigationGrid.RegionGrid, _ i: Int, _ j: Int, _ fh: Float) -> Float {
        func value(_ ii: Int, _ jj: Int) -> Float {
            guard ii >= 0, jj >= 0, ii < g.nx, jj < g.nz else { return .infinity }
            return t[g.offset + jj * g.nx + ii]
        }
        let a = min(value(i - 1, j), value(i + 1, j))
        let b = min(value(i, j - 1), value(i, j + 1))
        if !a.isFinite && !b.isFinite { return .infinity }
        if !a.isFinite || !b.isFinite || abs(a - b) >= fh { return min(a, b) + fh }
        let d = a - b
        return 0.5 * (a + b + (2 * fh * fh - d * d).squareRoot())
    }

    static func meanStairFactor(_ r: WalkableRegion) -> Float {
        guard case .stair(let bottom, let top, _, _, let slope, let up, let down) = r.kind else { return 1 }
        let (_, _, run) = WalkableRegion.stairAxis(bottom: bottom, top: top)
        return slope > 0 ? 0.5 * (up + down) * run / slope : 1
    }

    /// Walking direction at plan point `p` of region grid cell lookup: bilinear blend
    /// of the four nearest cell directions; zero when none has one.
    @inline(__always)
    func direction(grid: NavigationGrid, region: Int, x: Float, z: Float) -> Vec2 {
        let g = grid.grids[region]
        let fx = (x - g.origin.x) / grid.h - 0.5, fz = (z - g.origin.y) / grid.h - 0.5
        guard fx >= 0, fz >= 0, fx < Float(g.nx - 1), fz < Float(g.nz - 1) else {
            guard let c = grid.cell(region: region, Vec2(x, z)) else { return .zero }
            return Vec2(dirX[c], dirZ[c])
        }
        let i = Int(fx), j = Int(fz)
        let u = fx - Float(i), v = fz - Float(j)
        let c00 = g.offset + j * g.nx + i
        let c10 = c00 + 1, c01 = c00 + g.nx, c11 = c01 + 1
        let w00 = (1 - u) * (1 - v), w10 = u * (1 - v), w01 = (1 - u) * v, w11 = u * v
        let sx = dirX[c00] * w00 + dirX[c10] * w10 + dirX[c01] * w01 + dirX[c11] * w11
        let sz = dirZ[c00] * w00 + dirZ[c10] * w10 + dirZ[c01] * w01 + dirZ[c11] * w11
        let len = (sx * sx + sz * sz).squareRoot()
        return len > 1e-6 ? Vec2(sx / len, sz / len) : .zero
    }

    /// Distance-to-destination at plan point `p`: its cell's, or for a point in a
    /// blocked cell (touching a wall) the nearest reachable cell's within 0.5 m, m.
    func distance(grid: NavigationGrid, region: Int, _ p: Vec2) -> Float {
        guard let c = grid.cell(region: region, p) else { return .infinity }
        if distance[c].isFinite { return distance[c] }
        let g = grid.grids[region]
        let i0 = (c - g.offset) % g.nx, j0 = (c - g.offset) / g.nx
        let reach = max(1, Int((0.5 / grid.h).rounded(.up)))
        var best = Float.infinity
        for j in max(0, j0 - reach)...min(g.nz - 1, j0 + reach) {
            for i in max(0, i0 - reach)...min(g.nx - 1, i0 + reach) {
                let m = g.offset + j * g.nx + i
                if distance[m].isFinite { best = min(best, distance[m] + (grid.center(m) - p).length) }
            }
        }
        return best
    }
}

/// A binary min-heap of (key, cell) pairs; ties broken by cell index, so the order is
/// deterministic.
struct MinHeap {
    private var keys: [Float] = []
    private var cells: [Int32] = []

    var isEmpty: Bool { keys.isEmpty }

    @inline(__always)
    private func less(_ a: Int, _ b: Int) -> Bool {
        keys[a] < keys[b] || (keys[a] == keys[b] && cells[a] < cells[b])
    }

    mutating func push(_ key: Float, _ cell: Int32) {
        keys.append(key); cells.append(cell)
        var i = keys.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard less(i, p) else { break }
            keys.swapAt(i, p); cells.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (Float, Int32)? {
        guard let k0 = keys.first, let c0 = cells.first else { return nil }
        let last = keys.count - 1
        keys.swapAt(0, last); cells.swapAt(0, last)
        keys.removeLast(); cells.removeLast()
        var i = 0
        let n = keys.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, less(l, m) { m = l }
            if r < n, less(r, m) { m = r }
            if m == i { break }
            keys.swapAt(i, m); cells.swapAt(i, m)
            i = m
        }
        return (k0, c0)
    }
}
