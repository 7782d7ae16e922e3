import Foundation
import Testing
@testable import TwinAssets

@Suite("2D floor plans from DXF and PNG")
struct FloorPlanTests {
    @Test("Gallery.dxf (JuPedSim): walkable area with obstacle holes, 2 exits, metres from $INSUNITS 6", .enabled(if: SharedAssets.available))
    func gallery() throws {
        let plan = try FloorPlanImporter.importPlan(at: SharedAssets.path("floorplan/Gallery.dxf"))
        #expect(plan.metresPerUnit == 1)
        // ENTITIES: on jps-walkablearea one closed 191-vertex LWPOLYLINE, one closed 4-vertex
        // LWPOLYLINE whose vertices are all the same point (degenerate, dropped) and a LINE;
        // 16 closed LWPOLYLINEs on jps-obstacles, 2 on jps-exits, 1 LINE on jps-obstacles (a wall).
        #expect(plan.walkableAreas.count == 1)
        #expect(plan.walkableAreas.first?.outline.count ?? 0 >= 180)
        #expect(plan.obstacles.count == 16)
        #expect(plan.exits.count == 2)
        #expect(plan.walls.count == 1)
        let points = plan.walkableAreas.reduce(0) { $0 + $1.outline.count + $1.holes.reduce(0) { $0 + $1.count } }
        #expect(points > 100, "assimp sees 7 vertices; the outline alone has 191")
        // Every obstacle lies inside the walkable outline, so each becomes a hole.
        #expect(plan.walkableAreas.reduce(0) { $0 + $1.holes.count } == 16)
        for area in plan.walkableAreas {
            #expect(PlanGeometry.signedArea(area.outline) > 0)
            for hole in area.holes { #expect(PlanGeometry.signedArea(hole) < 0) }
        }
    }

    @Test("ISO-Bottleneck.dxf: one 12-vertex walkable area on layer 'walkablearea' and one exit", .enabled(if: SharedAssets.available))
    func bottleneck() throws {
        let plan = try FloorPlanImporter.importPlan(at: SharedAssets.path("floorplan/ISO-Bottleneck.dxf"))
        #expect(plan.walkableAreas.count == 1)
        #expect(plan.walkableAreas.first?.outline.count == 12)
        #expect(plan.exits.count == 1)
        #expect(plan.walls.isEmpty)
    }

    static let syntheticDXF = """
          0
        SECTION
          2
        HEADER
          9
        $INSUNITS
         70
        4
          0
        ENDSEC
          0
        SECTION
          2
        BLOCKS
          0
        BLOCK
          2
        PILLAR
         10
        100.0
         20
        100.0
          0
        LWPOLYLINE
          8
        0
         90
        4
         70
        1
         10
        100.0
         20
        100.0
         10
        300.0
         20
        100.0
         10
        300.0
         20
        300.0
         10
        100.0
         20
        300.0
          0
        ENDBLK
          0
        ENDSEC
          0
        SECTION
          2
        ENTITIES
          0
        LWPOLYLINE
          8
        Floor
         90
        4
         70
        1
         10
        0.0
         20
        0.0
         10
        10000.0
         20
        0.0
         10
        10000.0
         20
        5000.0
         10
        0.0
         20
        5000.0
          0
        INSERT
          8
        Obstacles
          2
        PILLAR
         10
        2000.0
         20
        1000.0
         41
        2.0
         42
        2.0
         50
        90.0
          0
        LWPOLYLINE
          8
        Walls
         90
        2
         70
        0
         10
        0.0
         20
        0.0
         42
        1.0
         10
        2000.0
         20
        0.0
          0
        POLYLINE
          8
        Walls
         70
        0
          0
        VERTEX
          8
        Walls
         10
        0.0
         20
        5000.0
          0
        VERTEX
          8
        Walls
         10
        1000.0
         20
        5000.0
          0
        SEQEND
          0
        LINE
          8
        Doors
         10
        5000.0
         20
        0.0
         11
        6000.0
         21
        0.0
          0
        CIRCLE
          8
        Obstacles
         10
        8000.0
         20
        2500.0
         40
        500.0
          0
        ARC
          8
        Walls
         10
        0.0
         20
        0.0
         40
        1000.0
         50
        0.0
         51
        90.0
          0
        TEXT
          8
        Notes
          0
        ENDSEC
          0
        EOF

        """

    @Test("Synthetic DXF: millimetres, INSERT with scale and rotation, bulge arc, POLYLINE, CIRCLE, ARC, door line")
    func synthetic() throws {
        let drawing = try DXFReader.parse(Array(Self.syntheticDXF.utf8), path: "plan.dxf")
        #expect(drawing.insertionUnits == 4)
        #expect(drawing.skipped["TEXT"] == 1)
        let plan = try DXFFloorPlanBuilder.build(drawing, path: "plan.dxf")
        #expect(plan.metresPerUnit == 0.001)
        #expect(plan.walkableAreas.count == 1)
        #expect(abs(abs(PlanGeometry.signedArea(plan.walkableAreas[0].outline)) - 50) < 1e-3)  // 10 m × 5 m
        #expect(plan.obstacles.count == 2)  // the pillar block and the circle
        #expect(plan.walkableAreas[0].holes.count == 2)
        // Pillar: 200×200 mm square at base (100,100), scaled 2, rotated 90°, at (2000, 1000) mm
        // → x ∈ [1.6, 2.0] m, y ∈ [1.0, 1.4] m → z = −y ∈ [−1.4, −1.0].
        let pillar = try #require(plan.obstacles.first { $0.outline.count == 4 })
        let xs = pillar.outline.map(\.x), zs = pillar.outline.map(\.y)
        #expect(abs((xs.min() ?? 0) - 1.6) < 1e-4 && abs((xs.max() ?? 0) - 2.0) < 1e-4)
        #expect(abs((zs.min() ?? 0) + 1.4) < 1e-4 && abs((zs.max() ?? 0) + 1.0) < 1e-4)
        // Circle of radius 0.5 m: area close to π·0.25.
        let circle = try #require(plan.obstacles.first { $0.outline.count > 4 })
        #expect(abs(circle.area - Double.pi * 0.25) < 0.02)
        // Walls: bulge semicircle, POLYLINE, ARC.
        #expect(plan.walls.count == 3)
        let semicircle = try #require(plan.walls.first { $0.points.count > 3 && $0.points.first == SIMD2(0, 0) && abs(($0.points.last?.x ?? 0) - 2) < 1e-5 })
        // Bulge +1 from (0,0) to (2,0) m is a counter-clockwise half circle: it dips to y = −1 → z = +1.
        #expect(abs((semicircle.points.map(\.y).max() ?? 0) - 1) < 1e-3)
        #expect(plan.doors.count == 1)
        let bounds = try #require(plan.bounds)
        #expect(maxDifference(bounds.min, SIMD2(0, -5)) < 1e-4)
        #expect(maxDifference(bounds.max, SIMD2(10, 1)) < 1e-4)
    }

    @Test("Layer mapping defaults follow JuPedSim and CAD names, and can be overridden")
    func layerMapping() {
        let m = FloorPlanLayerMapping()
        #expect(m.role(of: "jps-walkablearea") == .walkable)
        #expect(m.role(of: "jps-obstacles") == .obstacle)
        #expect(m.role(of: "jps-exits") == .exit)
        #expect(m.role(of: "jps-distributions") == .ignore)
        #expect(m.role(of: "jps-journeys") == .ignore)
        #expect(m.role(of: "A-WALL") == .walls)
        #expect(m.role(of: "Doors") == .door)
        #expect(m.role(of: "0") == .walls)
        let custom = FloorPlanLayerMapping(layers: ["0": .ignore, "Rooms": .walkable])
        #expect(custom.role(of: "0") == .ignore)
        #expect(custom.role(of: "rooms") == .walkable)
    }

    @Test("Bad DXF input is a typed error: empty, binary, truncated, non-numeric coordinate, recursive block")
    func badDXF() throws {
        #expect(throws: AssetImportError.emptyFile(path: "a.dxf")) { try DXFReader.parse([], path: "a.dxf") }
        #expect(throws: AssetImportError.self) { try DXFReader.parse(Array("AutoCAD Binary DXF\r\n\u{1A}\0".utf8), path: "a.dxf") }
        let text = Self.syntheticDXF
        #expect(throws: AssetImportError.self) { try DXFReader.parse(Array(text.utf8.prefix(text.utf8.count / 2)), path: "a.dxf") }
        let broken = text.replacingOccurrences(of: "10000.0", with: "ten-thousand")
        #expect(throws: AssetImportError.self) { try DXFReader.parse(Array(broken.utf8), path: "a.dxf") }
        let recursive = text.replacingOccurrences(of: "ENDBLK", with: "INSERT\n  2\nPILLAR\n  0\nENDBLK")
        let drawing = try DXFReader.parse(Array(recursive.utf8), path: "a.dxf")
        #expect(throws: AssetImportError.self) { try DXFFloorPlanBuilder.build(drawing, path: "a.dxf") }
    }

    @Test("Raster tracing: a dark ring becomes one obstacle with one hole, in metres")
    func rasterRing() {
        // 8×8 white image with a dark 6×6 square ring (1 px thick) from (1,1) to (6,6).
        var image = RGBAImage(width: 8, height: 8, fill: SIMD4(255, 255, 255, 255))
        for y in 1...6 {
            for x in 1...6 where x == 1 || x == 6 || y == 1 || y == 6 {
                let i = (y * 8 + x) * 4
                image.pixels[i] = 0
                image.pixels[i + 1] = 0
                image.pixels[i + 2] = 0
            }
        }
        let plan = RasterFloorPlanTracer.trace(image, options: .init(metresPerPixel: 0.5, simplifyTolerance: 0.1, minimumArea: 1))
        #expect(plan.obstacles.count == 1)
        let ring = plan.obstacles[0]
        #expect(ring.outline.count == 4)
        #expect(ring.holes.count == 1)
        #expect(ring.holes.first?.count == 4)
        // Outer 6×6 px, hole 4×4 px, at 0.5 m/px: (36 − 16) × 0.25 = 5 m².
        #expect(abs(ring.area - 5) < 1e-6)
        #expect(plan.bounds == PlanBounds(min: SIMD2(0.5, 0.5), max: SIMD2(3.5, 3.5)))
    }

    @Test("Raster tracing joins diagonal pixels (8-connectivity) and drops specks below the minimum area")
    func rasterDiagonal() {
        var image = RGBAImage(width: 6, height: 6, fill: SIMD4(255, 255, 255, 255))
        for (x, y) in [(1, 1), (2, 2), (3, 3)] { image.pixels[(y * 6 + x) * 4 + 0] = 0; image.pixels[(y * 6 + x) * 4 + 1] = 0; image.pixels[(y * 6 + x) * 4 + 2] = 0 }
        let joined = RasterFloorPlanTracer.trace(image, options: .init(metresPerPixel: 1, simplifyTolerance: 0, minimumArea: 1))
        #expect(joined.obstacles.count == 1)
        let dropped = RasterFloorPlanTracer.trace(image, options: .init(metresPerPixel: 1, simplifyTolerance: 0, minimumArea: 4))
        #expect(dropped.obstacles.isEmpty)
    }

    @Test("office.png at its building.yaml scale (0.0506424 m/px) traces to vector obstacles inside the image", .enabled(if: SharedAssets.available))
    func office() throws {
        let scale = 0.0506424
        let plan = try FloorPlanImporter.importPlan(at: SharedAssets.path("floorplan/office.png"), options: .init(scale: scale))
        #expect(plan.obstacles.count > 10)
        let b = try #require(plan.bounds)
        #expect(b.min.x >= 0 && b.min.y >= 0)
        #expect(b.max.x <= Float(3047 * scale) + 1e-3 && b.max.y <= Float(1717 * scale) + 1e-3)
        // Vectors, not pixels: far fewer points than boundary pixels.
        let points = plan.obstacles.reduce(0) { $0 + $1.outline.count + $1.holes.reduce(0) { $0 + $1.count } }
        #expect(points < 200_000)
    }

    @Test("hotel_L1.png traces to obstacles with holes", .enabled(if: SharedAssets.available))
    func hotel() throws {
        let plan = try FloorPlanImporter.importPlan(at: SharedAssets.path("floorplan/hotel_L1.png"), options: .init(scale: 0.05))
        #expect(!plan.obstacles.isEmpty)
        #expect(plan.obstacles.contains { !$0.holes.isEmpty })
    }

    @Test("The scene fragment has walkableAreas/walls/obstacles/doors/exits with [x, z] points", .enabled(if: SharedAssets.available))
    func fragment() throws {
        let plan = try FloorPlanImporter.importPlan(at: SharedAssets.path("floorplan/Gallery.dxf"))
        let data = FloorPlanFragment.jsonData(FloorPlanFragment.sceneFragment(plan))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let geometry = try #require(object["geometry"] as? [String: Any])
        let areas = try #require(geometry["walkableAreas"] as? [[String: Any]])
        #expect(areas.count == 1)
        #expect((areas.first?["holes"] as? [Any])?.count == 16)
        let outline = try #require(areas.first?["outline"] as? [[Double]])
        #expect(outline.allSatisfy { $0.count == 2 })
        #expect((geometry["exits"] as? [Any])?.count == 2)
        let report = FloorPlanFragment.report(plan, file: "Gallery.dxf")
        #expect(report["walkableAreas"] as? Int == 1)
        #expect(report["bounds"] is [String: [Double]])
    }
}
