/// The binary form of `ImportedModel` used by the import cache and the isolated worker.
///
/// Layout: magic `TWMD`, format version, then every field in declaration order,
/// little-endian, floats as bit patterns — so `decode(encode(m)) == m` exactly.
/// Bump `formatVersion` whenever the layout or the importer's conversion changes:
/// it is part of the cache key, so old entries are simply never looked up again.
public enum ModelSerializer {
    public static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("TWMD".utf8)

    /// Serialises a model.
    public static func encode(_ model: ImportedModel) -> [UInt8] {
        var w = BinaryWriter()
        for byte in magic { w.write(byte) }
        w.write(formatVersion)
        w.write(model.sourcePath)
        w.write(model.nodes.count)
        for node in model.nodes {
            w.write(node.name)
            w.write(node.transform.elements)
            w.write(node.meshIndices.count)
            for index in node.meshIndices { w.write(index) }
            w.write(node.children.count)
            for index in node.children { w.write(index) }
        }
        w.write(model.meshes.count)
        for mesh in model.meshes {
            w.write(mesh.name)
            w.write(mesh.positions)
            w.write(mesh.normals)
            w.write(mesh.uvs)
            w.write(mesh.colors)
            w.write(mesh.indices)
            w.write(mesh.materialIndex)
        }
        w.write(model.materials.count)
        for material in model.materials {
            w.write(material.name)
            w.write([material.baseColor])
            w.write(material.metallic)
            w.write(material.roughness)
            w.write(material.textures.count)
            for texture in material.textures {
                w.write(texture.role.rawValue)
                switch texture.source {
                case .file(let path):
                    w.write(UInt8(0))
                    w.write(path)
                case .embedded(let index):
                    w.write(UInt8(1))
                    w.write(index)
                }
                w.write(UInt8(texture.exists ? 1 : 0))
            }
        }
        w.write(model.embeddedTextures.count)
        for texture in model.embeddedTextures {
            w.write(texture.formatHint)
            w.write(texture.width)
            w.write(texture.height)
            w.write(bytes: texture.data)
            w.write(texture.name)
        }
        if let bounds = model.bounds {
            w.write(UInt8(1))
            w.write([bounds.min, bounds.max])
        } else {
            w.write(UInt8(0))
        }
        w.write(model.metadata.sourceFormat)
        w.write(model.metadata.fileUnitInMetres)
        w.write(model.metadata.appliedScale)
        w.write(model.metadata.sourceUpAxis.rawValue)
        w.write(model.warnings.count)
        for warning in model.warnings { w.write(warning) }
        return w.bytes
    }

    /// Reads a model back; any inconsistency is an `AssetImportError.malformed` naming `path`.
    public static func decode(_ bytes: [UInt8], path: String) throws(AssetImportError) -> ImportedModel {
        do {
            return try decodeUnchecked(bytes)
        } catch {
            throw .malformed(path: path, reason: "serialised model: \(error.description)")
        }
    }

    private static func decodeUnchecked(_ bytes: [UInt8]) throws(BinaryReader.Failure) -> ImportedModel {
        var r = BinaryReader(bytes)
        for expected in magic where try r.readUInt8() != expected {
            throw BinaryReader.Failure(description: "not a serialised model (bad magic)")
        }
        let version = try r.readUInt32()
        guard version == formatVersion else {
            throw BinaryReader.Failure(description: "format version \(version), expected \(formatVersion)")
        }
        let sourcePath = try r.readString()
        // Every element takes at least 8 bytes, so counts are bounded by what is left.
        let nodeCount = try r.readCount(elementSize: 8)
        var nodes: [ModelNode] = []
        nodes.reserveCapacity(nodeCount)
        for index in 0..<nodeCount {
            let name = try r.readString()
            let elements = try r.readFloats()
            guard elements.count == 16 else { throw BinaryReader.Failure(description: "node \(index): bad matrix") }
            var meshIndices: [Int] = []
            for _ in 0..<(try r.readCount(elementSize: 8)) { meshIndices.append(try r.readInt()) }
            var children: [Int] = []
            for _ in 0..<(try r.readCount(elementSize: 8)) {
                let child = try r.readInt()
                guard child > index else { throw BinaryReader.Failure(description: "node \(index): child \(child) breaks pre-order") }
                children.append(child)
            }
            nodes.append(ModelNode(name: name, transform: Matrix4x4(elements: elements), meshIndices: meshIndices, children: children))
        }
        let meshCount = try r.readCount(elementSize: 8)
        var meshes: [ModelMesh] = []
        meshes.reserveCapacity(meshCount)
        for _ in 0..<meshCount {
            let name = try r.readString()
            let positions = try r.readVector3s()
            let normals = try r.readVector3s()
            let uvs = try r.readVector2s()
            let colors = try r.readVector4s()
            let indices = try r.readUInt32s()
            let materialIndex = try r.readInt()
            meshes.append(ModelMesh(name: name, positions: positions, normals: normals, uvs: uvs, colors: colors, indices: indices, materialIndex: materialIndex))
        }
        let materialCount = try r.readCount(elementSize: 8)
        var materials: [ModelMaterial] = []
        for _ in 0..<materialCount {
            let name = try r.readString()
            let colors = try r.readVector4s()
            guard let baseColor = colors.first, colors.count == 1 else { throw BinaryReader.Failure(description: "bad base colour") }
            let metallic = try r.readFloat()
            let roughness = try r.readFloat()
            var textures: [TextureReference] = []
            for _ in 0..<(try r.readCount(elementSize: 3)) {
                guard let role = TextureRole(rawValue: try r.readUInt8()) else { throw BinaryReader.Failure(description: "bad texture role") }
                let source: TextureSource
                switch try r.readUInt8() {
                case 0: source = .file(try r.readString())
                case 1: source = .embedded(try r.readInt())
                default: throw BinaryReader.Failure(description: "bad texture source")
                }
                textures.append(TextureReference(role: role, source: source, exists: try r.readUInt8() != 0))
            }
            materials.append(ModelMaterial(name: name, baseColor: baseColor, metallic: metallic, roughness: roughness, textures: textures))
        }
        let textureCount = try r.readCount(elementSize: 8)
        var embedded: [EmbeddedTexture] = []
        for _ in 0..<textureCount {
            let hint = try r.readString()
            let width = try r.readInt()
            let height = try r.readInt()
            let data = try r.readBytes()
            let name = try r.readString()
            embedded.append(EmbeddedTexture(formatHint: hint, width: width, height: height, data: data, name: name))
        }
        var bounds: AxisAlignedBox?
        if try r.readUInt8() == 1 {
            let corners = try r.readVector3s()
            guard corners.count == 2 else { throw BinaryReader.Failure(description: "bad bounds") }
            bounds = AxisAlignedBox(min: corners[0], max: corners[1])
        }
        let format = try r.readString()
        let fileUnit = try r.readFloat()
        let applied = try r.readFloat()
        guard let upAxis = UpAxis(rawValue: try r.readString()) else { throw BinaryReader.Failure(description: "bad up axis") }
        var warnings: [String] = []
        for _ in 0..<(try r.readCount(elementSize: 4)) { warnings.append(try r.readString()) }
        guard r.remaining == 0 else { throw BinaryReader.Failure(description: "\(r.remaining) trailing bytes") }
        // Structural checks the rest of the engine relies on.
        for node in nodes {
            guard node.children.allSatisfy({ $0 < nodes.count }), node.meshIndices.allSatisfy({ $0 >= 0 && $0 < meshes.count }) else {
                throw BinaryReader.Failure(description: "node references out of range")
            }
        }
        for mesh in meshes {
            guard mesh.materialIndex >= 0, mesh.materialIndex < max(materials.count, 1),
                mesh.indices.allSatisfy({ Int($0) < mesh.positions.count })
            else { throw BinaryReader.Failure(description: "mesh '\(mesh.name)' references out of range") }
        }
        return ImportedModel(
            sourcePath: sourcePath, nodes: nodes, meshes: meshes, materials: materials, embeddedTextures: embedded,
            bounds: bounds,
            metadata: ModelMetadata(sourceFormat: format, fileUnitInMetres: fileUnit, appliedScale: applied, sourceUpAxis: upAxis),
            warnings: warnings)
    }
}
