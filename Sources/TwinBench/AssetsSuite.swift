import Foundation
import TwinAssets

/// `twin bench assets`: model import speed and overhead, the import cache, the PNG codec
/// and floor-plan extraction, on the shared third-party assets in `../shared/data/assets`
/// (relative to the package root, the working directory of `twin bench`).
///
/// - `import_<model>`: our `ModelImporter.importModel` against `bareAssimpImport` (assimp
///   with the same flags, no conversion) in the same run; target ≤ 1.2 × the bare import.
/// - `import_rate_<model>`: triangles converted per second of thread CPU.
/// - `cache_hit`: `ImportCache` hit against a cold import through the cache (miss, import,
///   store) of the largest model; target ≥ 20× faster.
/// - `png_decode`, `png_encode`: decoded RGBA8 megabytes (10⁶ bytes) per second, `office.png`.
/// - `floorplan_office_png`, `floorplan_gallery_dxf`: whole floor-plan import (read + trace).
public enum AssetsSuite: BenchmarkSuite {
    public static let name = "assets"
    public static let summary = "Model import vs bare assimp, import cache, PNG codec and floor plans on the shared assets"

    /// The largest shared models, by triangle count.
    static let models = [
        ("Wuson_ply", "ply/Wuson.ply"), ("WusonOBJ", "obj/WusonOBJ.obj"), ("spider_obj", "obj/spider/spider.obj"),
        ("spider_fbx", "fbx/spider.fbx"), ("Duck_glb", "gltf/Duck/Duck.glb"), ("CesiumMilkTruck_glb", "gltf/CesiumMilkTruck/CesiumMilkTruck.glb"),
    ]

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("../shared/data/assets").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: root + "/LICENSES.md") else {
            log("  skipped: the shared assets are not at \(root) (run from the package root, next to ../shared)")
            return []
        }
        let samples = options.quick ? 3 : 11
        var out: [BenchResult] = []
        func add(_ r: BenchResult) {
            out.append(r)
            let base = r.baseline.map { String(format: "   baseline %10.3f %@", $0, r.unit) } ?? ""
            log(String(format: "  %-28@ %10.3f %@%@", r.name as NSString, r.value, r.unit as NSString, base as NSString))
        }
        func time(_ name: String, metric: String = "median thread-CPU time", value: Double, baseline: Double? = nil, target: Double? = nil, note: String? = nil) {
            add(BenchResult(
                suite: Self.name, name: name, metric: metric, unit: "ms", value: value * 1e3,
                baseline: baseline.map { $0 * 1e3 }, target: target.map { $0 * 1e3 }, note: note))
        }

        var largest: (path: String, seconds: Double)?
        for (label, relative) in models where options.includes("import_\(label)") || options.includes("cache_hit") {
            let path = root + "/" + relative
            let model: ImportedModel
            let bareTriangles: Int
            do {
                model = try ModelImporter.importModel(at: path)
                bareTriangles = try ModelImporter.bareAssimpImport(at: path)
            } catch { throw BenchError("import_\(label): \(error)") }
            guard model.triangleCount == bareTriangles else {
                throw BenchError("import_\(label): we converted \(model.triangleCount) triangles, assimp produced \(bareTriangles)")
            }
            let (ours, bare) = interleavedMedians(samples: samples) {
                blackHole(try? ModelImporter.importModel(at: path))
            } and: {
                blackHole(try? ModelImporter.bareAssimpImport(at: path))
            }
            time("import_\(label)", value: ours, baseline: bare, target: 1.2 * bare,
                 note: "\(model.triangleCount) triangles; baseline = bare assimp, same flags; target ≤ 1.2× baseline")
            add(BenchResult(
                suite: Self.name, name: "import_rate_\(label)", metric: "triangles per thread-CPU second (higher is better)",
                unit: "Mtri/s", value: Double(model.triangleCount) / ours / 1e6))
            if model.triangleCount > 0, largest.map({ ours > $0.seconds }) ?? true { largest = (path, ours) }
        }

        if options.includes("cache_hit"), let (path, _) = largest {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twin-bench-cache-\(getpid())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let cache = ImportCache(directory: directory)
            let importer = { (p: String, o: ModelImportOptions) throws(AssetImportError) -> ImportedModel in
                try ModelImporter.importModel(at: p, options: o)
            }
            let cold = CPUTimer.median(samples: samples, setup: { try? FileManager.default.removeItem(at: directory) }) {
                blackHole(try? cache.model(at: path, importer: importer))
            }
            guard (try? cache.model(at: path, importer: importer))?.hit == true else {
                throw BenchError("cache_hit: the second lookup of \(path) missed the cache")
            }
            let hit = CPUTimer.median(samples: samples) { blackHole(try? cache.model(at: path, importer: importer)) }
            time("cache_hit", value: hit, baseline: cold, target: cold / 20,
                 note: "\((path as NSString).lastPathComponent): \(String(format: "%.0f", cold / hit))× faster than a cold import; target ≥ 20×")
        }

        let office = root + "/floorplan/office.png"
        if options.includes("png") {
            let bytes: [UInt8]
            let image: RGBAImage
            do {
                bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: office)))
                image = try PNGCodec.decodeRGBA8(bytes, path: office)
            } catch { throw BenchError("png: \(office): \(error)") }
            let megabytes = Double(image.pixels.count) / 1e6
            let decode = CPUTimer.median(samples: samples) { blackHole(try? PNGCodec.decodeRGBA8(bytes, path: office)) }
            let encode = CPUTimer.median(samples: samples) { blackHole(try? PNGCodec.encode(image)) }
            for (label, seconds) in [("png_decode", decode), ("png_encode", encode)] {
                add(BenchResult(
                    suite: Self.name, name: label, metric: "decoded RGBA8 MB per thread-CPU second (higher is better)",
                    unit: "MB/s", value: megabytes / seconds, note: "office.png \(image.width)×\(image.height)"))
            }
        }

        if options.includes("floorplan") {
            let plans = [
                ("floorplan_office_png", office, FloorPlanImporter.Options(scale: 0.0506424)),
                ("floorplan_gallery_dxf", root + "/floorplan/Gallery.dxf", FloorPlanImporter.Options()),
            ]
            for (label, path, planOptions) in plans {
                let plan: FloorPlan
                do { plan = try FloorPlanImporter.importPlan(at: path, options: planOptions) } catch { throw BenchError("\(label): \(error)") }
                let t = CPUTimer.median(samples: samples) { blackHole(try? FloorPlanImporter.importPlan(at: path, options: planOptions)) }
                time(label, value: t, note: "\(plan.walls.count) walls, \(plan.walkableAreas.count) walkable areas, \(plan.obstacles.count) obstacles")
            }
        }
        return out
    }

    /// Median thread-CPU seconds of `a` and of `b`, timed alternately one call at a time, so
    /// a change in machine load (the machines are shared) affects both sides alike. For
    /// bodies of a millisecond or more, where one call is well above the clock's resolution.
    static func interleavedMedians(samples: Int, _ a: () -> Void, and b: () -> Void) -> (Double, Double) {
        a(); b()  // warm-up
        var ta: [Double] = [], tb: [Double] = []
        for _ in 0..<max(3, 2 * samples) {
            var s = CPUTimer.threadNanoseconds()
            a()
            ta.append(Double(CPUTimer.threadNanoseconds() - s) / 1e9)
            s = CPUTimer.threadNanoseconds()
            b()
            tb.append(Double(CPUTimer.threadNanoseconds() - s) / 1e9)
        }
        ta.sort(); tb.sort()
        return (ta[ta.count / 2], tb[tb.count / 2])
    }
}
