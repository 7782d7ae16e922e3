import Foundation

/// Turns a `DXFDrawing` into a `FloorPlan`: expands INSERTs, tessellates arcs and bulges,
/// applies units, maps layers to roles and assigns obstacles as holes of walkable areas.
public enum DXFFloorPlanBuilder {
    /// Options for building a plan from DXF.
    public struct Options: Sendable, Hashable {
        /// Metres per drawing unit; nil = from `$INSUNITS` (unitless drawings are taken as metres, with a warning).
        public var metresPerUnit: Double?
        public var layers: FloorPlanLayerMapping
        /// Largest angle of one segment when arcs, circles and bulges are turned into segments, in radians.
        public var maximumArcStep: Double
        /// INSERT nesting limit (protects against self-referencing blocks).
        public var maximumInsertDepth: Int
        /// Limit on the total number of points produced (protects against exponential INSERT nesting).
        public var maximumPoints: Int

        public init(
            metresPerUnit: Double? = nil, layers: FloorPlanLayerMapping = FloorPlanLayerMapping(),
            maximumArcStep: Double = .pi / 16, maximumInsertDepth: Int = 16, maximumPoints: Int = 5_000_000
        ) {
            self.metresPerUnit = metresPerUnit
            self.layers = layers
            self.maximumArcStep = maximumArcStep
            self.maximumInsertDepth = maximumInsertDepth
            self.maximumPoints = maximumPoints
        }
    }

    /// A placed primitive in drawing units (world coordinates of the drawing).
    struct Primitive {
        var layer: String
        var points: [SIMD2<Double>]
        var closed: Bool
    }

    /// 2D affine transform in drawing units: p' = linear · p + offset.
    struct Placement {
        var a = 1.0, b = 0.0, c = 0.0, d = 1.0  // columns (a, c), (b, d): x' = a x + b y, y' = c x + d y
        var offset = SIMD2<Double>(0, 0)

        func apply(_ p: SIMD2<Double>) -> SIMD2<Double> {
            SIMD2(a * p.x + b * p.y + offset.x, c * p.x + d * p.y + offset.y)
        }

        /// self ∘ other (apply `other` first).
        func then(_ other: Placement) -> Placement {
            Placement(
                a: a * other.a + b * other.c, b: a * other.b + b * other.d,
                c: c * other.a + d * other.c, d: c * other.b + d * other.d,
                offset: apply(other.offset))
        }
    }

    public static func build(_ drawing: DXFDrawing, path: String, options: Options = Options()) throws(AssetImportError) -> FloorPlan {
        var warnings: [String] = []
        var scale: Double
        if let given = options.metresPerUnit {
            guard given.isFinite, given > 0 else { throw .malformed(path: path, reason: "scale must be a positive number of metres per unit") }
            scale = given
        } else if let code = drawing.insertionUnits, let metres = DXFDrawing.metres(perUnit: code) {
            scale = metres
        } else {
            scale = 1
            warnings.append("drawing has no units ($INSUNITS \(drawing.insertionUnits.map(String.init) ?? "missing")): assuming metres; pass a scale to override")
        }
        for (type, count) in drawing.skipped.sorted(by: { $0.key < $1.key }) {
            warnings.append("skipped \(count) unsupported \(type) entit\(count == 1 ? "y" : "ies")")
        }

        var primitives: [Primitive] = []
        var pointCount = 0
        try flatten(
            drawing.entities, drawing: drawing, placement: Placement(), inheritedLayer: nil, depth: 0,
            options: options, path: path, into: &primitives, pointCount: &pointCount, warnings: &warnings)

        // Drawing units → scene (x, z) metres: x → X, y → −Z.
        func scene(_ points: [SIMD2<Double>], closed: Bool) -> [SIMD2<Float>] {
            PlanGeometry.deduplicated(points.map { SIMD2(Float($0.x * scale), Float(-$0.y * scale)) }, closed: closed)
        }

        var walls: [PlanPolyline] = []
        var walkable: [PlanPolygon] = []
        var obstacles: [PlanPolygon] = []
        var exits: [PlanPolygon] = []
        var doors: [PlanPolyline] = []
        var ignoredOpen: [String: Int] = [:]
        for primitive in primitives {
            let role = options.layers.role(of: primitive.layer)
            let points = scene(primitive.points, closed: primitive.closed)
            let isArea = primitive.closed && points.count >= 3 && abs(PlanGeometry.signedArea(points)) > 0
            switch role {
            case .ignore:
                continue
            case .walls:
                if points.count >= 2 { walls.append(PlanPolyline(points: points, closed: primitive.closed, layer: primitive.layer)) }
            case .door:
                if points.count >= 2 { doors.append(PlanPolyline(points: points, closed: primitive.closed, layer: primitive.layer)) }
            case .walkable:
                if isArea {
                    walkable.append(PlanPolygon(outline: PlanGeometry.oriented(points, counterClockwise: true), layer: primitive.layer))
                } else {
                    ignoredOpen[primitive.layer, default: 0] += 1
                }
            case .obstacle:
                if isArea {
                    obstacles.append(PlanPolygon(outline: PlanGeometry.oriented(points, counterClockwise: true), layer: primitive.layer))
                } else if points.count >= 2 {
                    // An open line on an obstacle layer is a thin obstacle: a wall.
                    walls.append(PlanPolyline(points: points, closed: false, layer: primitive.layer))
                }
            case .exit:
                if isArea {
                    exits.append(PlanPolygon(outline: PlanGeometry.oriented(points, counterClockwise: true), layer: primitive.layer))
                } else {
                    ignoredOpen[primitive.layer, default: 0] += 1
                }
            }
        }
        for (layer, count) in ignoredOpen.sorted(by: { $0.key < $1.key }) {
            warnings.append("layer '\(layer)': ignored \(count) open shape(s) where closed areas are expected")
        }
        assignHoles(walkable: &walkable, obstacles: obstacles)
        return FloorPlan(walls: walls, walkableAreas: walkable, obstacles: obstacles, exits: exits, doors: doors, metresPerUnit: scale, warnings: warnings)
    }

    /// Every obstacle whose vertices all lie inside a walkable area becomes a hole of the
    /// smallest such area (JuPedSim: walkable area minus obstacles).
    static func assignHoles(walkable: inout [PlanPolygon], obstacles: [PlanPolygon]) {
        let areas = walkable.map { abs(PlanGeometry.signedArea($0.outline)) }
        for obstacle in obstacles {
            var best: Int?
            for (index, area) in walkable.enumerated() where obstacle.outline.allSatisfy({ PlanGeometry.contains(area.outline, $0) }) {
                if best.map({ areas[index] < areas[$0] }) ?? true { best = index }
            }
            if let index = best {
                walkable[index].holes.append(PlanGeometry.oriented(obstacle.outline, counterClockwise: false))
            }
        }
    }

    static func flatten(
        _ entities: [DXFEntity], drawing: DXFDrawing, placement: Placement, inheritedLayer: String?, depth: Int,
        options: Options, path: String, into primitives: inout [Primitive], pointCount: inout Int, warnings: inout [String]
    ) throws(AssetImportError) {
        for entity in entities {
            // Entities on layer "0" inside a block take the layer of the INSERT (DXF rule).
            let layer = (entity.layer == "0" ? inheritedLayer : nil) ?? entity.layer
            let ocs: (SIMD2<Double>) -> SIMD2<Double> = entity.mirrored ? { SIMD2(-$0.x, $0.y) } : { $0 }
            var local: [SIMD2<Double>] = []
            var closed = false
            switch entity.shape {
            case .line(let a, let b):
                local = [a, b]
            case .polyline(let vertices, let isClosed):
                closed = isClosed
                local = tessellate(vertices, closed: isClosed, step: options.maximumArcStep).map(ocs)
            case .circle(let center, let radius):
                guard radius > 0 else { continue }
                closed = true
                let n = max(8, Int((2 * .pi / options.maximumArcStep).rounded(.up)))
                local = (0..<n).map { ocs(center + radius * SIMD2(cos(2 * .pi * Double($0) / Double(n)), sin(2 * .pi * Double($0) / Double(n)))) }
            case .arc(let center, let radius, let startDegrees, let endDegrees):
                guard radius > 0 else { continue }
                let start = startDegrees * .pi / 180
                var sweep = (endDegrees - startDegrees).truncatingRemainder(dividingBy: 360) * .pi / 180
                if sweep <= 0 { sweep += 2 * .pi }
                let n = max(1, Int((sweep / options.maximumArcStep).rounded(.up)))
                local = (0...n).map {
                    let angle = start + sweep * Double($0) / Double(n)
                    return ocs(center + radius * SIMD2(cos(angle), sin(angle)))
                }
            case .insert(let name, let position, let scale, let rotationDegrees):
                guard let block = drawing.blocks[name] else {
                    warnings.append("line \(entity.line): INSERT of unknown block '\(name)'")
                    continue
                }
                guard depth < options.maximumInsertDepth else {
                    throw .malformed(path: path, reason: "line \(entity.line): blocks nested deeper than \(options.maximumInsertDepth) (recursive INSERT?)")
                }
                let r = rotationDegrees * .pi / 180
                let mirror = entity.mirrored ? -1.0 : 1.0
                // p' = T(position) · R(r) · S(scale) · T(−base), in the INSERT's OCS.
                var inner = Placement(
                    a: cos(r) * scale.x, b: -sin(r) * scale.y, c: sin(r) * scale.x, d: cos(r) * scale.y, offset: position)
                inner.offset = SIMD2(
                    position.x - (inner.a * block.basePoint.x + inner.b * block.basePoint.y),
                    position.y - (inner.c * block.basePoint.x + inner.d * block.basePoint.y))
                let ocsPlacement = Placement(a: mirror, b: 0, c: 0, d: 1, offset: SIMD2(0, 0)).then(inner)
                try flatten(
                    block.entities, drawing: drawing, placement: placement.then(ocsPlacement), inheritedLayer: layer,
                    depth: depth + 1, options: options, path: path, into: &primitives, pointCount: &pointCount, warnings: &warnings)
                continue
            }
            pointCount += local.count
            guard pointCount <= options.maximumPoints else {
                throw .tooLarge(path: path, reason: "plan expands to more than \(options.maximumPoints) points")
            }
            primitives.append(Primitive(layer: layer, points: local.map(placement.apply), closed: closed))
        }
    }

    /// Polyline vertices with bulges → points; each bulge arc gets segments of at most `step` radians.
    static func tessellate(_ vertices: [DXFVertex], closed: Bool, step: Double) -> [SIMD2<Double>] {
        guard !vertices.isEmpty else { return [] }
        var points: [SIMD2<Double>] = []
        let segmentCount = closed ? vertices.count : vertices.count - 1
        points.append(vertices[0].point)
        guard segmentCount > 0 else { return points }
        for i in 0..<segmentCount {
            let p0 = vertices[i].point
            let p1 = vertices[(i + 1) % vertices.count].point
            let bulge = vertices[i].bulge
            let chord = p1 - p0
            let length = (chord.x * chord.x + chord.y * chord.y).squareRoot()
            if abs(bulge) > 1e-9, bulge.isFinite, length > 0 {
                let theta = 4 * atan(bulge)  // included angle, positive = counter-clockwise
                let mid = (p0 + p1) / 2
                let left = SIMD2(-chord.y, chord.x) / length
                // Distance from the chord's midpoint to the centre: (c/2)·cot(θ/2) = (c/2)·(1 − b²)/(2b).
                let center = mid + left * (length / 2) * (1 - bulge * bulge) / (2 * bulge)
                let radius = ((p0 - center) * (p0 - center)).sum().squareRoot()
                let start = atan2(p0.y - center.y, p0.x - center.x)
                let n = max(1, Int((abs(theta) / step).rounded(.up)))
                for k in 1..<n {
                    let angle = start + theta * Double(k) / Double(n)
                    points.append(center + radius * SIMD2(cos(angle), sin(angle)))
                }
            }
            if !(closed && i == segmentCount - 1) { points.append(p1) }
        }
        return points
    }
}
