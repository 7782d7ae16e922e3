import TwinCore

/// Areas of convex polygons (Voronoi cells) inside the walkable ground of a region:
/// a cell next to a wall ends at the wall, as in Steffen & Seyfried (2010) and pedpy,
/// instead of at the cut distance beyond it.
///
/// Sutherland–Hodgman clipping of a walkable polygon (any shape) by the convex cell
/// gives a polygon whose signed area is the exact area of the intersection (bridges
/// along the cell's edges have zero area), so non-convex floors need no decomposition.
/// Areas of a region are summed, its holes and obstacles subtracted: exact when the
/// region's walkable polygons do not overlap (touching is fine).
struct WalkableClip {
    /// Walkable polygons (outlines and holes) with the sign each contributes.
    private let parts: [(ring: [Vec2], sign: Float)]
    /// For a periodic corridor: the band between the walls (the x extent wraps).
    private let band: (lo: Float, hi: Float)?

    init(region: WalkableRegion, periodic: Bool) {
        if periodic {
            band = (region.boundsMin.y, region.boundsMax.y)
            parts = []
        } else {
            band = nil
            var parts: [(ring: [Vec2], sign: Float)] = []
            for a in region.areas {
                parts.append((a.outline, 1))
                for h in a.holes { parts.append((h, -1)) }
            }
            for o in region.obstacles {
                parts.append((o.outline, -1))
                for h in o.holes { parts.append((h, 1)) }
            }
            self.parts = parts
        }
    }

    /// The walkable area inside the convex polygon `cell`, m².
    func area(inside cell: [Vec2]) -> Float {
        guard cell.count >= 3 else { return 0 }
        let whole = ConvexClip.area(cell)
        if let band {
            var c = ConvexClip.halfPlane(cell, point: Vec2(0, band.hi), normal: Vec2(0, 1))
            c = ConvexClip.halfPlane(c, point: Vec2(0, band.lo), normal: Vec2(0, -1))
            return ConvexClip.area(c)
        }
        var lo = cell[0], hi = cell[0]
        for p in cell {
            lo = Vec2(min(lo.x, p.x), min(lo.y, p.y)); hi = Vec2(max(hi.x, p.x), max(hi.y, p.y))
        }
        var sum: Float = 0
        for (ring, sign) in parts where Self.overlaps(ring, lo, hi) {
            sum += sign * ConvexClip.area(ConvexClip.intersect(ring, cell))
        }
        return min(whole, max(0, sum))
    }

    private static func overlaps(_ ring: [Vec2], _ lo: Vec2, _ hi: Vec2) -> Bool {
        var rlo = Vec2(.infinity, .infinity), rhi = Vec2(-.infinity, -.infinity)
        for p in ring {
            rlo = Vec2(min(rlo.x, p.x), min(rlo.y, p.y)); rhi = Vec2(max(rhi.x, p.x), max(rhi.y, p.y))
        }
        return rlo.x <= hi.x && rhi.x >= lo.x && rlo.y <= hi.y && rhi.y >= lo.y
    }
}
