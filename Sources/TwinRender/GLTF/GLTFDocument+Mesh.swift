import TwinMath

extension GLTFDocument {
    /// Adds `mesh` as a glTF mesh with one triangle primitive and returns its index.
    ///
    /// Attributes: POSITION (with min/max), NORMAL (given, or flat normals computed per
    /// face, which unwelds the vertices), TEXCOORD_0 and COLOR_0 (linear, normalized
    /// unsigned bytes) when present; indices as UNSIGNED_SHORT up to 65,535 vertices
    /// (so the reserved value 65535 never occurs), UNSIGNED_INT above.
    /// The material is `material` or, when nil, one made from the mesh's base colour and
    /// `texture`.
    /// - Throws: ``GLTFError/emptyMesh(_:)``, ``GLTFError/indexOutOfRange(mesh:position:index:vertexCount:)``,
    ///   ``GLTFError/unknownReference(kind:index:)``.
    public mutating func addMesh(
        _ mesh: RenderMesh, name: String? = nil, material: Int? = nil, texture: Int? = nil
    ) throws -> Int {
        let label = name ?? "mesh \(meshes.count)"
        guard mesh.vertexCount > 0, mesh.triangleCount > 0 else { throw GLTFError.emptyMesh(label) }
        if let bad = mesh.firstInvalidIndex() {
            throw GLTFError.indexOutOfRange(mesh: label, position: bad.position, index: bad.value, vertexCount: mesh.vertexCount)
        }
        let m = mesh.hasNormals ? mesh : Self.flatShaded(mesh)

        var positions = [Float](), normals = [Float]()
        positions.reserveCapacity(m.vertexCount * 3)
        normals.reserveCapacity(m.vertexCount * 3)
        for p in m.positions {
            // Non-finite positions would poison min/max; they become the origin.
            let q = p.isFinite ? p : .zero
            positions.append(q.x); positions.append(q.y); positions.append(q.z)
        }
        for n in m.normals {
            let u = n.normalized()
            let q = u == .zero ? Vec3.up : u
            normals.append(q.x); normals.append(q.y); normals.append(q.z)
        }
        var attributes: [String: GLTFJSON] = [:]
        attributes["POSITION"] = .int(addFloatAccessor(positions, components: 3, target: Self.arrayBuffer, bounds: true))
        attributes["NORMAL"] = .int(addFloatAccessor(normals, components: 3, target: Self.arrayBuffer, bounds: false))
        if m.hasUVs {
            var uv = [Float]()
            uv.reserveCapacity(m.vertexCount * 2)
            for t in m.uvs { uv.append(t.x.isFinite ? t.x : 0); uv.append(t.y.isFinite ? t.y : 0) }
            attributes["TEXCOORD_0"] = .int(addFloatAccessor(uv, components: 2, target: Self.arrayBuffer, bounds: false))
        }
        if m.hasColors {
            var bytes = [UInt8]()
            bytes.reserveCapacity(m.vertexCount * 4)
            for c in m.colors {
                let l = c.linear
                for v in [l.x, l.y, l.z, l.w] { bytes.append(UInt8(min(max(v, 0), 1) * 255 + 0.5)) }
            }
            let view = bytes.withUnsafeBytes { addBufferView($0, target: Self.arrayBuffer) }
            accessors.append([
                "bufferView": .int(view), "componentType": .int(Self.unsignedByte), "normalized": true,
                "count": .int(m.vertexCount), "type": "VEC4",
            ])
            attributes["COLOR_0"] = .int(accessors.count - 1)
        }

        let indexCount = m.triangleCount * 3
        let indexAccessor: Int
        if m.vertexCount <= 65535 {
            let idx = m.indices.prefix(indexCount).map { UInt16($0) }
            let view = idx.withUnsafeBytes { addBufferView($0, target: Self.elementArrayBuffer) }
            accessors.append([
                "bufferView": .int(view), "componentType": .int(Self.unsignedShort), "count": .int(indexCount),
                "type": "SCALAR",
            ])
        } else {
            let idx = Array(m.indices.prefix(indexCount))
            let view = idx.withUnsafeBytes { addBufferView($0, target: Self.elementArrayBuffer) }
            accessors.append([
                "bufferView": .int(view), "componentType": .int(Self.unsignedInt), "count": .int(indexCount),
                "type": "SCALAR",
            ])
        }
        indexAccessor = accessors.count - 1

        let mat: Int
        if let material {
            guard material >= 0, material < materials.count else {
                throw GLTFError.unknownReference(kind: "material", index: material)
            }
            mat = material
        } else {
            mat = try addMaterial(PBRMaterial(baseColor: m.baseColor, baseColorTexture: m.hasUVs ? texture : nil))
        }
        // mode is omitted: TRIANGLES (4) is the default.
        let prim: [String: GLTFJSON] = [
            "attributes": .object(attributes), "indices": .int(indexAccessor), "material": .int(mat),
        ]
        var o: [String: GLTFJSON] = ["primitives": [.object(prim)]]
        if let name { o["name"] = .string(name) }
        meshes.append(.object(o))
        return meshes.count - 1
    }

    /// The mesh with one vertex per triangle corner and the face normal on each corner.
    /// Degenerate faces get +Y.
    static func flatShaded(_ mesh: RenderMesh) -> RenderMesh {
        var out = RenderMesh(positions: [], indices: [], baseColor: mesh.baseColor, texture: mesh.texture, unlit: mesh.unlit)
        let n = mesh.triangleCount * 3
        out.positions.reserveCapacity(n)
        out.normals.reserveCapacity(n)
        for t in 0..<mesh.triangleCount {
            let i0 = Int(mesh.indices[t * 3]), i1 = Int(mesh.indices[t * 3 + 1]), i2 = Int(mesh.indices[t * 3 + 2])
            let p0 = mesh.positions[i0], p1 = mesh.positions[i1], p2 = mesh.positions[i2]
            var normal = (p1 - p0).cross(p2 - p0).normalized()
            if normal == .zero { normal = .up }
            for i in [i0, i1, i2] {
                out.positions.append(mesh.positions[i])
                out.normals.append(normal)
                if mesh.hasUVs { out.uvs.append(mesh.uvs[i]) }
                if mesh.hasColors { out.colors.append(mesh.colors[i]) }
            }
            out.indices.append(UInt32(t * 3)); out.indices.append(UInt32(t * 3 + 1)); out.indices.append(UInt32(t * 3 + 2))
        }
        return out
    }
}
