import TwinCore

/// Walls bucketed on a uniform grid: each cell lists the segments that come within
/// `range` of it, in compressed rows (`cellStart`/`items`), so a model finds the
/// walls near an agent with one cell lookup and no allocation.
struct WallIndex: Sendable {
    let origin: Vec2
    let cell: Float
    let nx: Int
    let nz: Int
    /// Segment endpoints as flat arrays (ax, az, bx, bz).
    let ax: [Float], az: [Float], bx: [Float], bz: [Float]
    let cellStart: [Int32]
    let items: [Int32]

    init(walls: [Segment], boundsMin: Vec2, boundsMax: Vec2, range: Float, cell: Float = 1) {
        self.cell = cell
        origin = Vec2(boundsMin.x - range - cell, boundsMin.y - range - cell)
        nx = max(1, Int(((boundsMax.x + range + cell - origin.x) / cell).rounded(.up)))
        nz = max(1, Int(((boundsMax.y + range + cell - origin.y) / cell).rounded(.up)))
        ax = walls.map(\.a.x); az = walls.map(\.a.y); bx = walls.map(\.b.x); bz = walls.map(\.b.y)
        var lists = [[Int32]](repeating: [], count: nx * nz)
        for (k, w) in walls.enumerated() {
            let lo = Vec2(min(w.a.x, w.b.x) - range, min(w.a.y, w.b.y) - range)
            let hi = Vec2(max(w.a.x, w.b.x) + range, max(w.a.y, w.b.y) + range)
            let i0 = max(0, Int((lo.x - origin.x) / cell)), i1 = min(nx - 1, Int((hi.x - origin.x) / cell))
            let j0 = max(0, Int((lo.y - origin.y) / cell)), j1 = min(nz - 1, Int((hi.y - origin.y) / cell))
            guard i0 <= i1, j0 <= j1 else { continue }
            let reach = range + cell * 0.7072  // cell half-diagonal
            for j in j0...j1 {
                for i in i0...i1 {
                    let c = Vec2(origin.x + (Float(i) + 0.5) * cell, origin.y + (Float(j) + 0.5) * cell)
                    if w.distance(to: c) <= reach { lists[j * nx + i].append(Int32(k)) }
                }
            }
        }
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for l in lists { flat += l; start.append(Int32(flat.count)) }
        cellStart = start; items = flat
    }

    /// Range of `items` for the cell holding (x, z); empty outside the grid.
    @inline(__always)
    func bucket(_ x: Float, _ z: Float) -> Range<Int> {
        let fx = (x - origin.x) / cell, fz = (z - origin.y) / cell
        // Written so that NaN falls outside too.
        guard fx >= 0, fz >= 0, fx < Float(nx), fz < Float(nz) else { return 0..<0 }
        let c = Int(fz) * nx + Int(fx)
        return Int(cellStart[c])..<Int(cellStart[c + 1])
    }
}
