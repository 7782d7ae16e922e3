/// Turns a raster floor plan (a PNG drawing or scan) into obstacle polygons.
///
/// 1. Threshold: a pixel is *dark* (solid) when alpha ≥ 128 and its Rec. 709 luma is
///    below `threshold`; transparent pixels are free space.
/// 2. Contour tracing along pixel edges ("crack following"): every boundary between a
///    dark and a light pixel is walked with the dark side on the left, which yields closed
///    rings — outer boundaries counter-clockwise, holes clockwise — with no gaps. Diagonal
///    dark pixels count as connected (8-connectivity for walls, so thin diagonal walls stay whole).
/// 3. Douglas–Peucker simplification with `simplifyTolerance` pixels, dropping specks
///    smaller than `minimumArea` pixels² (scan noise, text dots).
/// 4. Scale by `metresPerPixel`; image x → scene X, image rows (down) → scene +Z.
///
/// The result has `obstacles` only (each a polygon with its holes): which free space is
/// walkable cannot be told from pixels alone, so walkable areas come from the scene.
public enum RasterFloorPlanTracer {
    public struct Options: Sendable, Hashable {
        /// Metres per pixel (e.g. 0.0506424 for rmf_demos' office.png).
        public var metresPerPixel: Double
        /// Luma threshold 0…255: darker pixels are solid.
        public var threshold: UInt8
        /// Douglas–Peucker tolerance in pixels.
        public var simplifyTolerance: Float
        /// Rings enclosing less than this many pixels² are dropped.
        public var minimumArea: Double

        public init(metresPerPixel: Double = 0.05, threshold: UInt8 = 128, simplifyTolerance: Float = 1.0, minimumArea: Double = 4) {
            self.metresPerPixel = metresPerPixel
            self.threshold = threshold
            self.simplifyTolerance = simplifyTolerance
            self.minimumArea = minimumArea
        }
    }

    /// Traces `image` into a plan.
    public static func trace(_ image: RGBAImage, options: Options = Options()) -> FloorPlan {
        let rings = traceRings(mask: mask(image, threshold: options.threshold), width: image.width, height: image.height)
        var outers: [(ring: [SIMD2<Float>], area: Double, lo: SIMD2<Float>, hi: SIMD2<Float>)] = []
        var holes: [[SIMD2<Float>]] = []
        for ring in rings {
            let simplified = PolylineSimplifier.simplifyRing(ring, tolerance: options.simplifyTolerance)
            guard simplified.count >= 3 else { continue }
            let area = PlanGeometry.signedArea(simplified)
            guard abs(area) >= options.minimumArea else { continue }
            if area > 0 {
                let lo = simplified.reduce(simplified[0], pointwiseMin)
                let hi = simplified.reduce(simplified[0], pointwiseMax)
                outers.append((simplified, area, lo, hi))
            } else {
                holes.append(simplified)
            }
        }
        var holesOf = [[[SIMD2<Float>]]](repeating: [], count: outers.count)
        for hole in holes {
            // The probe is the middle of the hole's first edge, which lies strictly inside the dark component.
            let probe = (hole[0] + hole[1]) / 2
            var best: Int?
            for (index, outer) in outers.enumerated()
            where probe.x >= outer.lo.x && probe.x <= outer.hi.x && probe.y >= outer.lo.y && probe.y <= outer.hi.y
                && PlanGeometry.contains(outer.ring, probe)
            {
                if best.map({ outer.area < outers[$0].area }) ?? true { best = index }
            }
            if let index = best { holesOf[index].append(hole) }
        }
        let s = Float(options.metresPerPixel)
        let obstacles = outers.indices.map { index in
            PlanPolygon(outline: outers[index].ring.map { $0 * s }, holes: holesOf[index].map { $0.map { $0 * s } }, layer: "raster")
        }
        return FloorPlan(obstacles: obstacles, metresPerUnit: options.metresPerPixel)
    }

    /// One byte per pixel: 1 = dark.
    static func mask(_ image: RGBAImage, threshold: UInt8) -> [UInt8] {
        let count = image.width * image.height
        var mask = [UInt8](repeating: 0, count: count)
        let limit = UInt32(threshold) << 16
        image.pixels.withUnsafeBufferPointer { src in
            mask.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let luma = 13933 * UInt32(src[4 * i]) + 46871 * UInt32(src[4 * i + 1]) + 4732 * UInt32(src[4 * i + 2])
                    dst[i] = (src[4 * i + 3] >= 128 && luma < limit) ? 1 : 0
                }
            }
        }
        return mask
    }

    /// Closed rings along pixel edges, in pixel-corner coordinates; only corners are emitted.
    static func traceRings(mask: [UInt8], width: Int, height: Int) -> [[SIMD2<Float>]] {
        guard width > 0, height > 0, mask.count == width * height else { return [] }
        // visitedH[vy * width + vx]: edge (vx, vy)–(vx+1, vy). Every ring has horizontal edges,
        // so marking those is enough to start each ring exactly once.
        var visitedH = [Bool](repeating: false, count: width * (height + 1))
        let stepLimit = 4 * (width + 1) * (height + 1)
        var rings: [[SIMD2<Float>]] = []
        mask.withUnsafeBufferPointer { m in
            @inline(__always) func dark(_ x: Int, _ y: Int) -> Bool {
                x >= 0 && y >= 0 && x < width && y < height && m[y * width + x] != 0
            }
            // Directions: 0 east (+x), 1 south (+y, image down), 2 west, 3 north.
            // Left/right pixels of the edge leaving vertex (vx, vy) in direction d.
            @inline(__always) func isBoundary(_ vx: Int, _ vy: Int, _ d: Int) -> Bool {
                switch d {
                case 0: return dark(vx, vy - 1) && !dark(vx, vy)
                case 1: return dark(vx, vy) && !dark(vx - 1, vy)
                case 2: return dark(vx - 1, vy) && !dark(vx - 1, vy - 1)
                default: return dark(vx - 1, vy - 1) && !dark(vx, vy - 1)
                }
            }
            let dx = [1, 0, -1, 0]
            let dy = [0, 1, 0, -1]
            for vy in 0...height {
                for vx in 0..<width {
                    guard !visitedH[vy * width + vx] else { continue }
                    let up = dark(vx, vy - 1)
                    let down = dark(vx, vy)
                    guard up != down else { continue }
                    // Dark above → walk east from (vx, vy); dark below → walk west from (vx+1, vy).
                    let startX = up ? vx : vx + 1
                    let startD = up ? 0 : 2
                    var x = startX, y = vy, d = startD
                    var ring: [SIMD2<Float>] = []
                    var previousD = -1
                    var steps = 0
                    while steps < stepLimit {
                        steps += 1
                        // Mark the edge we are about to walk.
                        switch d {
                        case 0: visitedH[y * width + x] = true
                        case 2: visitedH[y * width + x - 1] = true
                        default: break
                        }
                        if d != previousD { ring.append(SIMD2(Float(x), Float(y))) }
                        previousD = d
                        x += dx[d]
                        y += dy[d]
                        // Prefer right, then straight, then left (right first joins diagonal dark pixels).
                        let right = (d + 1) & 3, left = (d + 3) & 3
                        if isBoundary(x, y, right) { d = right }
                        else if isBoundary(x, y, d) {}
                        else { d = left }
                        if x == startX && y == vy && d == startD { break }
                    }
                    // The start vertex is a corner only if the walk turned into it.
                    if previousD == startD, ring.count > 1 { ring.removeFirst() }
                    rings.append(ring)
                }
            }
        }
        return rings
    }
}
