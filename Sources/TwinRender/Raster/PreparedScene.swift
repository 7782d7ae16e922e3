import CRaster
import TwinMath

/// A ``RenderScene`` packed once into the flat arrays the kernel reads: every mesh's
/// vertices and indices in shared arrays, textures in one texel array, instance
/// matrices in one float array. Rendering many frames of a static scene (a camera
/// path, a snapshot series) reuses it; each render allocates only its own workspace,
/// so one prepared scene may be rendered from several threads at once.
public final class PreparedScene: @unchecked Sendable {
    /// Instanced triangles and vertices (Σ over drawn instances).
    public let triangleCount: Int
    public let vertexCount: Int
    /// Instances skipped because their matrix was not finite.
    public let skippedInstances: Int
    /// World bounds of what is drawn (see ``RenderScene/bounds``).
    public let bounds: AABB

    let positions: NativeBuffer<Float>
    let normals: NativeBuffer<Float>?
    let uvs: NativeBuffer<Float>?
    let colors: NativeBuffer<UInt32>?
    let indices: NativeBuffer<UInt32>
    let meshes: NativeBuffer<cr_mesh>
    let texels: NativeBuffer<UInt32>?
    let textures: NativeBuffer<cr_texture>?
    let instanceMatrices: NativeBuffer<Float>
    let instanceMesh: NativeBuffer<UInt32>
    let instanceColor: NativeBuffer<UInt32>
    let firstVertex: NativeBuffer<UInt32>
    let firstTriangle: NativeBuffer<UInt32>
    let grid: cr_grid
    let heatmapValues: NativeBuffer<Float>?
    let heatmapLUT: NativeBuffer<UInt32>?
    let heatmap: NativeBuffer<cr_heatmap>?
    let polylinePoints: NativeBuffer<Float>
    let polylines: NativeBuffer<cr_polyline>
    let light: DirectionalLight
    let background: RGBA8

    /// Packs `scene`.
    /// - Throws: ``RenderError/unknownMesh(instance:mesh:)``,
    ///   ``RenderError/indexOutOfRange(mesh:position:index:vertexCount:)``,
    ///   ``RenderError/tooManyTriangles(count:limit:)``, ``RenderError/tooManyVertices(count:limit:)``,
    ///   ``RenderError/invalidHeatmap(_:)``.
    /// - Complexity: O(vertices + indices + instances + texels).
    public init(_ scene: RenderScene) throws {
        // Meshes into shared arrays.
        let anyNormals = scene.meshes.contains { $0.hasNormals }
        let anyUVs = scene.meshes.contains { $0.hasUVs }
        let anyColors = scene.meshes.contains { $0.hasColors }
        var pos: [Float] = [], nrm: [Float] = [], uv: [Float] = [], col: [UInt32] = [], idx: [UInt32] = []
        let totalVerts = scene.meshes.reduce(0) { $0 + $1.vertexCount }
        guard totalVerts <= RasterLimits.maxVertices else {
            throw RenderError.tooManyVertices(count: totalVerts, limit: RasterLimits.maxVertices)
        }
        pos.reserveCapacity(totalVerts * 3)
        var meshDescs: [cr_mesh] = []
        for (m, mesh) in scene.meshes.enumerated() {
            if let bad = mesh.firstInvalidIndex() {
                throw RenderError.indexOutOfRange(
                    mesh: m, position: bad.position, index: bad.value, vertexCount: mesh.vertexCount)
            }
            var flags: UInt32 = 0
            let first = UInt32(pos.count / 3)
            Self.appendFloats(mesh.positions, to: &pos)
            if anyNormals {
                if mesh.hasNormals {
                    flags |= UInt32(CR_MESH_NORMALS)
                    Self.appendFloats(mesh.normals, to: &nrm)
                } else {
                    nrm.append(contentsOf: repeatElement(0, count: mesh.vertexCount * 3))
                }
            }
            if anyUVs {
                if mesh.hasUVs {
                    flags |= UInt32(CR_MESH_UVS)
                    Self.appendFloats(mesh.uvs, to: &uv)
                } else {
                    uv.append(contentsOf: repeatElement(0, count: mesh.vertexCount * 2))
                }
            }
            if anyColors {
                if mesh.hasColors {
                    flags |= UInt32(CR_MESH_COLORS)
                    col.append(contentsOf: mesh.colors.map(\.packed))
                } else {
                    col.append(contentsOf: repeatElement(0xFFFF_FFFF, count: mesh.vertexCount))
                }
            }
            if mesh.unlit { flags |= UInt32(CR_MESH_UNLIT) }
            let firstIndex = UInt32(idx.count)
            idx.append(contentsOf: mesh.indices.prefix(mesh.triangleCount * 3))
            let tex = mesh.texture.flatMap { $0 >= 0 && $0 < scene.textures.count ? Int32($0) : nil } ?? -1
            meshDescs.append(
                cr_mesh(
                    first_vertex: first, vertex_count: UInt32(mesh.vertexCount), first_index: firstIndex,
                    triangle_count: UInt32(mesh.triangleCount), texture: tex, base_color: mesh.baseColor.packed,
                    flags: flags))
        }
        positions = NativeBuffer(pos)
        normals = anyNormals ? NativeBuffer(nrm) : nil
        uvs = anyUVs ? NativeBuffer(uv) : nil
        colors = anyColors ? NativeBuffer(col) : nil
        indices = NativeBuffer(idx)
        meshes = NativeBuffer(meshDescs)

        // Textures: invalid ones become 0×0 (the kernel then draws untextured).
        if scene.textures.isEmpty {
            texels = nil
            textures = nil
        } else {
            var tx: [UInt32] = [], descs: [cr_texture] = []
            for t in scene.textures {
                guard t.isValid else {
                    descs.append(cr_texture(first_texel: 0, width: 0, height: 0, flags: 0))
                    continue
                }
                let flags = UInt32(t.filter == .bilinear ? CR_TEX_BILINEAR : 0) | UInt32(t.wrap == .clamp ? CR_TEX_CLAMP : 0)
                descs.append(cr_texture(first_texel: UInt32(tx.count), width: UInt32(t.width), height: UInt32(t.height), flags: flags))
                let px = t.pixels
                for i in stride(from: 0, to: px.count, by: 4) {
                    tx.append(UInt32(px[i]) | UInt32(px[i + 1]) << 8 | UInt32(px[i + 2]) << 16 | UInt32(px[i + 3]) << 24)
                }
            }
            texels = NativeBuffer(tx)
            textures = NativeBuffer(descs)
        }

        // Instances: skip non-finite matrices, sum up vertex and triangle totals.
        var mats: [Float] = [], meshOf: [UInt32] = [], tint: [UInt32] = []
        var fv: [UInt32] = [0], ft: [UInt32] = [0]
        var verts = 0, tris = 0, skipped = 0
        mats.reserveCapacity(scene.instances.count * 16)
        for (i, inst) in scene.instances.enumerated() {
            guard inst.mesh >= 0, inst.mesh < scene.meshes.count else {
                throw RenderError.unknownMesh(instance: i, mesh: inst.mesh)
            }
            guard inst.matrix.isFinite else {
                skipped += 1
                continue
            }
            let mesh = scene.meshes[inst.mesh]
            verts += mesh.vertexCount
            tris += mesh.triangleCount
            guard verts <= RasterLimits.maxVertices else {
                throw RenderError.tooManyVertices(count: verts, limit: RasterLimits.maxVertices)
            }
            guard tris <= RasterLimits.maxTriangles else {
                throw RenderError.tooManyTriangles(count: tris, limit: RasterLimits.maxTriangles)
            }
            let m = inst.matrix
            Self.appendColumns(m, to: &mats)
            meshOf.append(UInt32(inst.mesh))
            tint.append(inst.color.packed)
            fv.append(UInt32(verts))
            ft.append(UInt32(tris))
        }
        instanceMatrices = NativeBuffer(mats)
        instanceMesh = NativeBuffer(meshOf)
        instanceColor = NativeBuffer(tint)
        firstVertex = NativeBuffer(fv)
        firstTriangle = NativeBuffer(ft)
        vertexCount = verts
        triangleCount = tris
        skippedInstances = skipped

        // Overlays.
        var g = cr_grid()
        if let grid = scene.grid {
            g.enabled = 1
            g.height = grid.height
            g.min_x = grid.min.x; g.min_z = grid.min.y; g.max_x = grid.max.x; g.max_z = grid.max.y
            g.spacing = grid.spacing
            g.major_every = UInt32(clamping: max(1, grid.majorEvery))
            g.line_width = grid.lineWidth
            g.ground_color = grid.groundColor.packed
            g.line_color = grid.lineColor.packed
            g.major_color = grid.majorColor.packed
        }
        grid = g

        if let h = scene.heatmap {
            guard h.columns > 0, h.rows > 0, h.columns <= 65536, h.rows <= 65536,
                h.values.count == h.columns * h.rows
            else {
                throw RenderError.invalidHeatmap(
                    "\(h.columns)×\(h.rows) cells need \(max(0, h.columns) * max(0, h.rows)) values, got \(h.values.count)")
            }
            let finite = h.values.filter(\.isFinite)
            let range = h.range ?? ((finite.min() ?? 0)...(finite.max() ?? 1))
            let values = NativeBuffer(h.values)
            let lut = NativeBuffer(h.colorMap.lookupTable)
            heatmapValues = values
            heatmapLUT = lut
            heatmap = NativeBuffer([
                cr_heatmap(
                    values: values.pointer, lut: lut.pointer, cols: UInt32(h.columns), rows: UInt32(h.rows),
                    min_x: h.min.x, min_z: h.min.y, max_x: h.max.x, max_z: h.max.y, height: h.height,
                    value_min: range.lowerBound, value_max: range.upperBound, opacity: h.opacity,
                    smooth: h.smooth ? 1 : 0)
            ])
        } else {
            heatmapValues = nil
            heatmapLUT = nil
            heatmap = nil
        }

        var pts: [Float] = [], lines: [cr_polyline] = []
        for p in scene.polylines where p.points.count >= 2 {
            lines.append(
                cr_polyline(
                    first_point: UInt32(pts.count / 2), point_count: UInt32(p.points.count), width: p.width,
                    height: p.height, color: p.color.packed, closed: p.closed ? 1 : 0))
            for q in p.points { pts.append(q.x); pts.append(q.y) }
        }
        polylinePoints = NativeBuffer(pts)
        polylines = NativeBuffer(lines)
        light = scene.light
        background = scene.background
        bounds = scene.bounds
    }

    /// Appends a matrix's 16 floats, column-major.
    @inline(__always)
    private static func appendColumns(_ m: Mat4, to out: inout [Float]) {
        for c in 0..<4 {
            let v = c == 0 ? m.c0 : c == 1 ? m.c1 : c == 2 ? m.c2 : m.c3
            out.append(v.x); out.append(v.y); out.append(v.z); out.append(v.w)
        }
    }

    /// Appends the components of `Vec3`/`Vec2` values (frozen structs of `Float`s, so
    /// their memory is a packed `Float` array) in one bulk copy.
    private static func appendFloats<T>(_ values: [T], to out: inout [Float]) {
        values.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: Float.self) { out.append(contentsOf: $0) }
        }
    }
}
