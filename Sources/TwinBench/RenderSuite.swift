import Dispatch
import Foundation
import TwinRender
import TwinRuntime

/// `twin bench render`: glTF snapshots of 1k/10k/100k box entities (world → `.glb`
/// bytes), 1280×720 renders + PNG encode of 10,000 box entities and of a 1.3M-triangle
/// mesh, and the PNG encode of a 1080p render — each against the peer from
/// `../shared/peers/render/` in the same run (trimesh for glTF, pyrender on
/// OSMesa/llvmpipe for images, Pillow for PNG encoding).
///
/// glTF figures are median thread-CPU times (single-threaded work); render figures are
/// median wall-clock times, because the rasterizer uses 2 threads.
public enum RenderSuite: BenchmarkSuite {
    public static let name = "render"
    public static let summary = "glTF snapshots and PNG renders vs trimesh and pyrender (OSMesa)"

    static var peersDirectory: String { PeerProcess.directory("render") }

    public static func run(options: BenchOptions, log: (String) -> Void) throws -> [BenchResult] {
        var out: [BenchResult] = []
        let samples = options.quick ? 3 : 9
        func add(_ r: BenchResult) {
            out.append(r)
            log(String(format: "  %-18@ %12.3f %@   peer %@", r.name as NSString, r.value, r.unit as NSString,
                       (r.peerValue.map { String(format: "%.3f", $0) } ?? "n/a") as NSString))
        }

        for (label, n) in [("glb_1k", 1_000), ("glb_10k", 10_000), ("glb_100k", 100_000)] where options.includes(label) {
            let world = boxWorld(n)
            var bytes: [UInt8] = []
            let t = CPUTimer.median(samples: n >= 100_000 ? max(3, samples / 2) : samples) {
                let snap = SnapshotBuilder.snapshot(of: WorldReader(world))
                bytes = (try? SnapshotExporter.glb(snap)) ?? []
            }
            guard !bytes.isEmpty else { throw BenchError("\(label): export failed") }
            let peer = PeerProcess.runScript(peersDirectory + "/tm_bench.py", ["shared", String(n)])
            let peerMS = try? peer.get().msSum("build_s", "export_s")
            add(BenchResult(
                suite: name, name: label, metric: "median thread-CPU time, world → .glb bytes (instanced ≥ 1024)",
                unit: "ms", value: t * 1000, peer: "trimesh (shared mesh, \(n) nodes)", peerValue: peerMS,
                target: n == 100_000 ? 50 : nil, note: peerNote(peer)))
            if n == 100_000 {
                let peerBytes = (try? peer.get())?["bytes"] as? Double
                add(BenchResult(
                    suite: name, name: "glb_100k_bytes", metric: "file size", unit: "bytes", value: Double(bytes.count),
                    peer: "trimesh (shared mesh)", peerValue: peerBytes, target: 2_000_000, note: peerNote(peer)))
            }
        }

        if options.includes("png_boxes_10k") {
            let world = boxWorld(10_000)
            let side = 22
            let c = Vec3(Float(side - 1), Float(side - 1), Float(side - 1))
            let ext = Float(side) * 2
            let camera = Camera(eye: c + Vec3(0.95, 0.75, 1.15) * ext, target: c, projection: .perspective(fovY: .pi / 3),
                                near: 0.5, far: ext * 6)
            let t = try wallMedian(samples: samples) {
                let snap = SnapshotBuilder.snapshot(of: WorldReader(world))
                let scene = SnapshotRenderer.scene(snap)
                let image = try Rasterizer.render(scene, camera: camera, width: 1280, height: 720)
                blackHole(try PNGEncoder.default.encode(image))
            }
            let peer = PeerProcess.runScript(peersDirectory + "/pr_bench.py", ["boxes_merged", options.quick ? "2" : "5"])
            let peerMS = (try? peer.get())?["median_s"] as? Double
            add(BenchResult(
                suite: name, name: "png_boxes_10k",
                metric: "median wall time (2 threads), world of 10,000 box entities → 1280×720 PNG (render + encode)",
                unit: "ms", value: t * 1000, peer: "pyrender on OSMesa, boxes merged into one mesh (render only)",
                peerValue: peerMS.map { $0 * 1000 }, target: peerMS.map { $0 * 1000 / 4 }, note: peerNote(peer)))
        }

        if options.includes("png_mesh_1m") {
            var scene = RenderScene()
            let m = scene.addMesh(Primitives.sphere(radius: 1, segments: 810, rings: 810, color: RGBA8(rgb: 0xB0B8C8)))
            scene.addInstance(mesh: m, transform: .identity)
            let triangles = scene.meshes[m].triangleCount
            let camera = Camera(eye: Vec3(2.2, 1.5, 2.2), target: .zero, projection: .perspective(fovY: .pi / 3), near: 0.1, far: 20)
            let prepared = try PreparedScene(scene)
            let t = try wallMedian(samples: samples) {
                let image = try Rasterizer.render(prepared, camera: camera, width: 1280, height: 720)
                blackHole(try PNGEncoder.default.encode(image))
            }
            let peer = PeerProcess.runScript(peersDirectory + "/pr_bench.py", ["sphere_1M", options.quick ? "2" : "5"])
            let peerMS = (try? peer.get())?["median_s"] as? Double
            add(BenchResult(
                suite: name, name: "png_mesh_1m",
                metric: "median wall time (2 threads), \(triangles)-triangle mesh → 1280×720 PNG (render + encode)",
                unit: "ms", value: t * 1000, peer: "pyrender on OSMesa, 1,310,720-triangle icosphere (render only)",
                peerValue: peerMS.map { $0 * 1000 }, target: peerMS.map { $0 * 1000 }, note: peerNote(peer)))
        }

        if options.includes("png_encode_1080p") {
            let world = boxWorld(10_000)
            let snap = SnapshotBuilder.snapshot(of: WorldReader(world))
            let image = try SnapshotRenderer.image(snap, camera: "three-quarter", width: 1920, height: 1080)
            var fastBytes = 0, compactBytes = 0
            // One thread, so the calling thread's CPU time is all of the work (the default
            // encoder deflates unfiltered images in slices on 2 threads; same bytes).
            var oneThread = PNGEncoder.fast
            oneThread.threads = 1
            let fast = CPUTimer.median(samples: samples) { fastBytes = (try? oneThread.encode(image))?.count ?? 0 }
            let compact = CPUTimer.median(samples: samples) { compactBytes = (try? PNGEncoder.compact.encode(image))?.count ?? 0 }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("twin-bench-1080p.png").path
            try? Data(try PNGEncoder.fast.encode(image)).write(to: URL(fileURLWithPath: path))
            let peer = PeerProcess.runPython(
                """
                import sys, io, time, json, statistics
                from PIL import Image
                im = Image.open(sys.argv[1]); im.load()
                ts = []
                for _ in range(5):
                    b = io.BytesIO(); t = time.perf_counter(); im.save(b, "PNG", compress_level=6); ts.append(time.perf_counter() - t)
                print(json.dumps({"median_s": statistics.median(ts), "bytes": len(b.getvalue())}))
                """, arguments: [path])
            let peerMS = (try? peer.get())?["median_s"] as? Double
            let peerBytes = (try? peer.get())?["bytes"] as? Double
            add(BenchResult(
                suite: name, name: "png_encode_1080p",
                metric: "median thread-CPU time, PNGEncoder.default on 1 thread (zlib 1, no filters); baseline: .compact (zlib 6, adaptive)",
                unit: "ms", value: fast * 1000, baseline: compact * 1000, peer: "Pillow (zlib 6)",
                peerValue: peerMS.map { $0 * 1000 },
                note: "bytes: default \(fastBytes), compact \(compactBytes), Pillow \(peerBytes.map { String(Int($0)) } ?? "n/a")"
                    + (peerNote(peer).map { "; " + $0 } ?? "")))
        }
        return out
    }

    /// `n` box entities (Kind "box", 1 m) on the peers' lattice: side = ⌈n^(1/3)⌉, 2 m apart.
    static func boxWorld(_ n: Int) -> World {
        let world = World()
        SystemCatalog.standard.registerComponents(in: world)
        var side = 1
        while side * side * side < n { side += 1 }
        let positions = (0..<n).map { i in
            Position(Vec3(Float(i % side), Float((i / side) % side), Float(i / (side * side))) * 2)
        }
        world.spawnBatch(positions, [Kind](repeating: Kind("box"), count: n))
        return world
    }

    /// Median wall-clock seconds of `body` over `samples` runs after one warm-up.
    static func wallMedian(samples: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<samples {
            let s = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    static func peerNote(_ r: Result<[String: Any], BenchError>) -> String? {
        switch r {
        case .success: return nil
        case .failure(let e): return "peer did not run (\(e.description)); install with Tools/bench-setup.sh"
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The sum of the named second values, in milliseconds; nil if any is missing.
    func msSum(_ keys: String...) throws -> Double {
        var total = 0.0
        for k in keys {
            guard let v = self[k] as? Double else { throw BenchError("peer output lacks \(k)") }
            total += v
        }
        return total * 1000
    }
}
