import CRaster
import Dispatch
import Synchronization
import TwinMath

/// How to render.
public struct RenderOptions: Hashable, Sendable {
    /// Samples per axis per pixel, 1...4: 2 means 2×2 supersampling with a box filter.
    public var supersampling: Int = 2
    /// Skip triangles facing away from the camera (front faces wind counter-clockwise).
    /// Turn off for open meshes seen from both sides; back faces are then lit as if
    /// their normal were flipped.
    public var backfaceCulling: Bool = true
    /// Worker threads; the image is identical for every value.
    public var threads: Int = 2
    /// Output rows per band, the unit of parallel work.
    public var bandRows: Int = 16
    /// Draw the instances of each mesh front to back and skip those already hidden in a
    /// band. Skipping changes nothing; the order changes a sample only where two
    /// instances of one mesh meet at exactly equal depth.
    public var occlusionCulling: Bool = true

    public init(
        supersampling: Int = 2, backfaceCulling: Bool = true, threads: Int = 2, bandRows: Int = 16,
        occlusionCulling: Bool = true
    ) {
        self.supersampling = supersampling; self.backfaceCulling = backfaceCulling
        self.threads = threads; self.bandRows = bandRows; self.occlusionCulling = occlusionCulling
    }
}

/// The software rasterizer: Swift prepares and checks, the C++ kernel (`CRaster`) does
/// the per-vertex, per-triangle and per-pixel work.
///
/// Work is split into fixed pieces run with `DispatchQueue.concurrentPerform`: vertices
/// (transform and lighting), triangles (culling, binning into bands), instances (screen
/// footprints, for drawing front to back and skipping hidden instances) and bands of
/// output rows (raster, overlays, resolve). Each piece writes only its own slots, and
/// every pixel is computed by the same arithmetic whatever thread draws it, so the
/// output is byte-identical for any `threads`.
public enum Rasterizer {
    /// Renders `scene` as seen by `camera` into a `width` × `height` image.
    /// - Throws: ``RenderError`` for an invalid size, option or camera, or a scene
    ///   beyond ``RasterLimits``. Non-finite instance matrices are skipped; degenerate
    ///   triangles draw nothing.
    public static func render(
        _ scene: RenderScene, camera: Camera, width: Int, height: Int, options: RenderOptions = RenderOptions()
    ) throws -> Image {
        try checkRequest(camera: camera, width: width, height: height, options: options)
        return try render(PreparedScene(scene), camera: camera, width: width, height: height, options: options)
    }

    /// Renders a prepared scene (see ``PreparedScene``).
    public static func render(
        _ scene: PreparedScene, camera: Camera, width: Int, height: Int, options: RenderOptions = RenderOptions()
    ) throws -> Image {
        try checkRequest(camera: camera, width: width, height: height, options: options)
        let ssaa = options.supersampling
        let bandRows = min(options.bandRows, RasterLimits.maxBandSampleRows / ssaa, height)
        let threads = max(1, min(options.threads, 64))

        let viewProj = NativeBuffer(camera.viewProjection(aspect: Float(width) / Float(height)).columnMajor)
        // Stage 1 and 2 write every slot of their workspace before stage 3 reads it.
        let workspace = NativeBuffer<cr_vertex>(uninitializedCount: scene.vertexCount)
        let bins = NativeBuffer<UInt32>(uninitializedCount: scene.triangleCount)

        var f = cr_frame()
        f.width = UInt32(width)
        f.height = UInt32(height)
        f.ssaa = UInt32(ssaa)
        f.band_rows = UInt32(bandRows)
        f.pixel_stride = width * 4
        f.view_proj = viewProj.pointer
        let toLight = (-scene.light.direction).normalized()
        f.light_dir = (toLight.x, toLight.y, toLight.z)
        f.ambient = scene.light.ambient.isFinite ? scene.light.ambient : 0.35
        f.diffuse = scene.light.diffuse.isFinite ? scene.light.diffuse : 0.65
        f.background = scene.background.packed
        f.cull_backfaces = options.backfaceCulling ? 1 : 0
        f.positions = scene.positions.pointer
        f.normals = scene.normals?.pointer
        f.uvs = scene.uvs?.pointer
        f.colors = scene.colors?.pointer
        f.indices = scene.indices.pointer
        f.meshes = scene.meshes.pointer
        f.mesh_count = UInt32(scene.meshes.count)
        f.texels = scene.texels?.pointer
        f.textures = scene.textures?.pointer
        f.texture_count = UInt32(scene.textures?.count ?? 0)
        f.instance_matrices = scene.instanceMatrices.pointer
        f.instance_mesh = scene.instanceMesh.pointer
        f.instance_color = scene.instanceColor.pointer
        f.instance_count = UInt32(scene.instanceMesh.count)
        f.instance_first_vertex = scene.firstVertex.pointer
        f.instance_first_triangle = scene.firstTriangle.pointer
        f.vertices = workspace.base
        f.triangle_bands = bins.base
        f.grid = scene.grid
        f.heatmap = scene.heatmap?.pointer
        f.polyline_points = scene.polylinePoints.pointer
        f.polylines = scene.polylines.pointer
        f.polyline_count = UInt32(scene.polylines.count)

        // Stage 3 resolves every output pixel, so the image starts uninitialised.
        let pixelBytes = try [UInt8](unsafeUninitializedCapacity: width * height * 4) { px, initialized in
            f.pixels = px.baseAddress
            try withExtendedLifetime((viewProj, workspace, bins, scene)) {
                try draw(frame: f, scene: scene, threads: threads, occlusion: options.occlusionCulling)
            }
            initialized = width * height * 4
        }
        return Image(width: width, height: height, pixels: pixelBytes) ?? Image(width: width, height: height)
    }

    /// Runs the kernel's stages over `f` (whose pointers stay valid for the call).
    private static func draw(frame f: cr_frame, scene: PreparedScene, threads: Int, occlusion cull: Bool) throws {
        var f = f
        let bandCount = Int(cr_band_count(&f))
        // Per-band triangle lists, unless they would be very long (huge triangles over
        // many bands): then each band scans the whole triangle list instead.
        let offsets = NativeBuffer<UInt32>(uninitializedCount: bandCount + 1)
        f.band_offsets = offsets.base
        let frame = NativeBuffer([f])
        let fp = frame.pointer

        // Stage 1 and 2: fixed-size chunks of the vertex and triangle ranges.
        try runChunks(total: scene.vertexCount, threads: threads, stage: "vertices") {
            cr_transform_vertices(frame.pointer, UInt32($0), UInt32($1))
        }
        try runChunks(total: scene.triangleCount, threads: threads, stage: "triangles") {
            cr_setup_triangles(frame.pointer, UInt32($0), UInt32($1))
        }

        let items = cr_bin_count(fp)
        var lists: NativeBuffer<UInt32>?
        var occlusion: (NativeBuffer<cr_bounds>, NativeBuffer<UInt32>)?
        if items <= RasterLimits.maxBinnedTriangles && cull {
            // Instances front to back within each run of one mesh, with their footprints,
            // so bands can skip the ones already hidden (see occlusion.cpp).
            let instances = scene.instanceMesh.count
            let bounds = NativeBuffer<cr_bounds>(uninitializedCount: instances)
            let order = NativeBuffer<UInt32>(uninitializedCount: instances)
            frame.base.pointee.instance_bounds = bounds.base
            frame.base.pointee.instance_order = order.base
            try runChunks(total: instances, chunk: 1024, threads: threads, stage: "bounds") {
                cr_instance_bounds(frame.pointer, UInt32($0), UInt32($1))
            }
            let ordered = cr_order_instances(fp)
            guard ordered == CR_OK else { throw RenderError.kernel(stage: "order", code: ordered) }
            occlusion = (bounds, order)
        }
        if items <= RasterLimits.maxBinnedTriangles {
            let l = NativeBuffer<UInt32>(uninitializedCount: items * 2)
            frame.base.pointee.band_items = l.base
            let rc = cr_bin_fill(fp)
            guard rc == CR_OK else { throw RenderError.kernel(stage: "bins", code: rc) }
            lists = l
        }

        // Stage 3: each worker takes the next undrawn band (so a worker slowed down by
        // other processes on its core takes fewer), with its own scratch band. Which
        // worker draws a band never changes its pixels.
        let workers = min(threads, bandCount)
        let scratchBytes = cr_band_scratch_bytes(fp)
        let codes = NativeBuffer(repeating: Int32(0), count: workers)
        let next = WorkCounter()
        let work: @Sendable (Int) -> Void = { w in
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchBytes, alignment: 64)
            defer { scratch.deallocate() }
            while true {
                let band = next.take()
                guard band < bandCount else { return }
                let rc = cr_render_band(frame.pointer, UInt32(band), scratch)
                if rc != CR_OK { codes.base[w] = rc; return }
            }
        }
        if workers <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        withExtendedLifetime((lists, offsets, occlusion)) {}
        for w in 0..<workers where codes.base[w] != CR_OK {
            throw RenderError.kernel(stage: "bands", code: codes.base[w])
        }
    }

    static func checkRequest(camera: Camera, width: Int, height: Int, options: RenderOptions) throws {
        guard width >= 1, height >= 1, width <= RasterLimits.maxDimension, height <= RasterLimits.maxDimension else {
            throw RenderError.invalidSize(width: width, height: height)
        }
        guard options.supersampling >= 1, options.supersampling <= RasterLimits.maxSupersampling else {
            throw RenderError.invalidOption(
                "supersampling \(options.supersampling) is outside 1...\(RasterLimits.maxSupersampling)")
        }
        guard options.bandRows >= 1 else {
            throw RenderError.invalidOption("bandRows \(options.bandRows) must be at least 1")
        }
        guard camera.isValid else { throw RenderError.invalidCamera }
    }

    /// Runs `body(first, count)` over `total` items in chunks of a fixed size (so the
    /// split never depends on the thread count), on up to `threads` threads.
    private static func runChunks(
        total: Int, chunk: Int = 16_384, threads: Int, stage: String, _ body: @escaping @Sendable (Int, Int) -> Int32
    ) throws {
        guard total > 0 else { return }
        let chunks = (total + chunk - 1) / chunk
        let codes = NativeBuffer(repeating: Int32(0), count: chunks)
        let run: @Sendable (Int) -> Void = { c in
            let first = c * chunk
            codes.base[c] = body(first, min(chunk, total - first))
        }
        if threads <= 1 || chunks == 1 {
            for c in 0..<chunks { run(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: run)
        }
        for c in 0..<chunks where codes.base[c] != CR_OK {
            throw RenderError.kernel(stage: stage, code: codes.base[c])
        }
    }
}

/// Hands out 0, 1, 2, … to whichever thread asks next.
final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
