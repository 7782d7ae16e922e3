import Foundation
internal import CAssimp

/// Copies an `aiScene` into an `ImportedModel`, baking units and up axis.
///
/// The conversion `C = s·R` (uniform scale `s` to metres, rotation `R` to Y-up) is
/// applied by conjugation: every node's local transform becomes `C·M·C⁻¹`
/// (= `R·A·Rᵀ` with translation `s·R·t`) and every vertex `C·v`, so world transforms
/// come out as `C·World` without adding a node. Normals get `R` only.
enum AssimpSceneConverter {
    /// Upper bound on nodes copied from one file: protects against absurd node trees.
    static let maximumNodeCount = 1_000_000

    static func convert(
        scene: aiScene, sourcePath: String, format: String, options: ModelImportOptions
    ) throws(AssetImportError) -> ImportedModel {
        var warnings: [String] = []
        let meta = readMetadata(scene.mMetaData)
        let fileUnit = meta.unitInMetres
        let scale = fileUnit * options.scale
        let upAxis = options.upAxis ?? meta.upAxis ?? .y
        let rotation = upAxis.rotationToYUp
        // assimp names formats after its importers ("glTF2 Importer"); keep the format part.
        let rawFormat = (meta.format ?? format).replacingOccurrences(of: "Importer", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let formatName = rawFormat.isEmpty ? format : rawFormat

        // Meshes: keep triangle meshes, drop points and lines.
        var meshes: [ModelMesh] = []
        var meshRemap = [Int](repeating: -1, count: Int(scene.mNumMeshes))
        var droppedPoints = 0
        var droppedLines = 0
        if let meshList = scene.mMeshes {
            for index in 0..<Int(scene.mNumMeshes) {
                guard let meshPointer = meshList[index] else { continue }
                let mesh = meshPointer.pointee
                let triangleBit = UInt32(aiPrimitiveType_TRIANGLE.rawValue)
                if mesh.mPrimitiveTypes & triangleBit == 0 || mesh.mNumFaces == 0 {
                    if mesh.mPrimitiveTypes & UInt32(aiPrimitiveType_POINT.rawValue) != 0 { droppedPoints += 1 }
                    else { droppedLines += 1 }
                    continue
                }
                let converted = convertMesh(mesh, scale: scale, rotation: rotation, warnings: &warnings)
                meshRemap[index] = meshes.count
                meshes.append(converted)
            }
        }
        if droppedPoints > 0 { warnings.append("dropped \(droppedPoints) point-cloud mesh(es): only triangles are imported") }
        if droppedLines > 0 { warnings.append("dropped \(droppedLines) line mesh(es): only triangles are imported") }

        // Textures stored in the file.
        var embedded: [EmbeddedTexture] = []
        if let textures = scene.mTextures {
            for index in 0..<Int(scene.mNumTextures) {
                guard let texture = textures[index] else { continue }
                embedded.append(convertTexture(texture.pointee))
            }
        }

        // Materials.
        let directory = URL(fileURLWithPath: sourcePath).deletingLastPathComponent()
        var materials: [ModelMaterial] = []
        if let materialList = scene.mMaterials {
            for index in 0..<Int(scene.mNumMaterials) {
                guard let material = materialList[index] else { continue }
                materials.append(convertMaterial(material, directory: directory, embedded: embedded))
            }
        }
        // Keep only materials some mesh uses (assimp adds an unused default material to
        // most scenes), so counts match the file; a mesh with no valid material gets a grey one.
        var materialRemap = [Int](repeating: -1, count: materials.count)
        var usedMaterials: [ModelMaterial] = []
        for meshIndex in meshes.indices {
            let original = meshes[meshIndex].materialIndex
            if original >= 0, original < materials.count {
                if materialRemap[original] < 0 {
                    materialRemap[original] = usedMaterials.count
                    usedMaterials.append(materials[original])
                }
                meshes[meshIndex].materialIndex = materialRemap[original]
            } else {
                meshes[meshIndex].materialIndex = usedMaterials.count
                usedMaterials.append(ModelMaterial(name: "default", baseColor: SIMD4(0.8, 0.8, 0.8, 1), metallic: 0, roughness: 1, textures: []))
            }
        }
        materials = usedMaterials
        for material in materials {
            for texture in material.textures where !texture.exists {
                let location: String
                switch texture.source {
                case .file(let path): location = path
                case .embedded(let index): location = "embedded #\(index)"
                }
                warnings.append("material '\(material.name)': texture '\(location)' not found")
            }
        }

        // Nodes, pre-order, iteratively (no recursion on file-controlled depth).
        var nodes: [ModelNode] = []
        if let root = scene.mRootNode {
            let conjugate = rotation
            var stack: [(node: UnsafeMutablePointer<aiNode>, parent: Int)] = [(root, -1)]
            while let (pointer, parent) = stack.popLast() {
                guard nodes.count < maximumNodeCount else {
                    throw .tooLarge(path: sourcePath, reason: "more than \(maximumNodeCount) nodes")
                }
                let node = pointer.pointee
                var local = conjugate * matrix(node.mTransformation) * transpose(conjugate)
                local.elements[12] *= scale
                local.elements[13] *= scale
                local.elements[14] *= scale
                var meshIndices: [Int] = []
                if let list = node.mMeshes {
                    for k in 0..<Int(node.mNumMeshes) {
                        let original = Int(list[k])
                        if original < meshRemap.count, meshRemap[original] >= 0 { meshIndices.append(meshRemap[original]) }
                    }
                }
                let index = nodes.count
                nodes.append(ModelNode(name: string(node.mName), transform: local, meshIndices: meshIndices, children: []))
                if parent >= 0 { nodes[parent].children.append(index) }
                if let children = node.mChildren {
                    for k in stride(from: Int(node.mNumChildren) - 1, through: 0, by: -1) {
                        if let child = children[k] { stack.append((child, index)) }
                    }
                }
            }
        }

        var model = ImportedModel(
            sourcePath: sourcePath, nodes: nodes, meshes: meshes, materials: materials,
            embeddedTextures: embedded, bounds: nil,
            metadata: ModelMetadata(
                sourceFormat: formatName, fileUnitInMetres: fileUnit, appliedScale: scale, sourceUpAxis: meta.upAxis ?? .y),
            warnings: warnings)
        model.bounds = computeBounds(model)
        if meshes.isEmpty { model.warnings.append("the file contains no triangle geometry") }
        return model
    }

    /// World-space bounds over every mesh instance reachable from the root.
    static func computeBounds(_ model: ImportedModel) -> AxisAlignedBox? {
        let world = model.worldTransforms()
        var lower = SIMD3<Float>(repeating: .infinity)
        var upper = SIMD3<Float>(repeating: -.infinity)
        var any = false
        for (nodeIndex, node) in model.nodes.enumerated() {
            let m = world[nodeIndex]
            for meshIndex in node.meshIndices where meshIndex < model.meshes.count {
                model.meshes[meshIndex].positions.withUnsafeBufferPointer { positions in
                    for p in positions {
                        let q = m.transformPoint(p)
                        lower = pointwiseMin(lower, q)
                        upper = pointwiseMax(upper, q)
                    }
                    if !positions.isEmpty { any = true }
                }
            }
        }
        return any ? AxisAlignedBox(min: lower, max: upper) : nil
    }

    // MARK: meshes

    private static func convertMesh(
        _ mesh: aiMesh, scale: Float, rotation: Matrix4x4, warnings: inout [String]
    ) -> ModelMesh {
        let vertexCount = Int(mesh.mNumVertices)
        let r = rotation.elements
        @inline(__always) func rotate(_ x: Float, _ y: Float, _ z: Float) -> SIMD3<Float> {
            SIMD3(r[0] * x + r[4] * y + r[8] * z, r[1] * x + r[5] * y + r[9] * z, r[2] * x + r[6] * y + r[10] * z)
        }
        var positions: [SIMD3<Float>] = []
        positions.reserveCapacity(vertexCount)
        if let source = mesh.mVertices {
            for v in UnsafeBufferPointer(start: source, count: vertexCount) {
                positions.append(rotate(v.x, v.y, v.z) * scale)
            }
        }
        var normals: [SIMD3<Float>] = []
        if let source = mesh.mNormals {
            normals.reserveCapacity(vertexCount)
            for n in UnsafeBufferPointer(start: source, count: vertexCount) {
                normals.append(rotate(n.x, n.y, n.z))
            }
        }
        var uvs: [SIMD2<Float>] = []
        if let source = mesh.mTextureCoords.0 {
            uvs.reserveCapacity(vertexCount)
            for t in UnsafeBufferPointer(start: source, count: vertexCount) {
                uvs.append(SIMD2(t.x, t.y))
            }
        }
        var colors: [SIMD4<Float>] = []
        if let source = mesh.mColors.0 {
            colors.reserveCapacity(vertexCount)
            for c in UnsafeBufferPointer(start: source, count: vertexCount) {
                colors.append(SIMD4(c.r, c.g, c.b, c.a))
            }
        }
        var indices: [UInt32] = []
        var skipped = 0
        if let faces = mesh.mFaces {
            indices.reserveCapacity(Int(mesh.mNumFaces) * 3)
            for face in UnsafeBufferPointer(start: faces, count: Int(mesh.mNumFaces)) {
                guard face.mNumIndices == 3, let ids = face.mIndices,
                    ids[0] < mesh.mNumVertices, ids[1] < mesh.mNumVertices, ids[2] < mesh.mNumVertices
                else {
                    skipped += 1
                    continue
                }
                indices.append(ids[0])
                indices.append(ids[1])
                indices.append(ids[2])
            }
        }
        let name = string(mesh.mName)
        if skipped > 0 { warnings.append("mesh '\(name)': skipped \(skipped) non-triangle or invalid face(s)") }
        return ModelMesh(
            name: name, positions: positions, normals: normals, uvs: uvs, colors: colors, indices: indices,
            materialIndex: Int(mesh.mMaterialIndex))
    }

    // MARK: materials and textures

    private static func convertMaterial(
        _ material: UnsafeMutablePointer<aiMaterial>, directory: URL, embedded: [EmbeddedTexture]
    ) -> ModelMaterial {
        var nameString = aiString()
        let name = aiGetMaterialString(material, "?mat.name", 0, 0, &nameString) == aiReturn_SUCCESS ? string(nameString) : ""

        var color = aiColor4D()
        var baseColor = SIMD4<Float>(0.8, 0.8, 0.8, 1)
        if aiGetMaterialColor(material, "$clr.base", 0, 0, &color) == aiReturn_SUCCESS {
            baseColor = SIMD4(color.r, color.g, color.b, color.a)
        } else if aiGetMaterialColor(material, "$clr.diffuse", 0, 0, &color) == aiReturn_SUCCESS {
            baseColor = SIMD4(color.r, color.g, color.b, color.a)
            var opacity: Float = 1
            if aiGetMaterialFloatArray(material, "$mat.opacity", 0, 0, &opacity, nil) == aiReturn_SUCCESS {
                baseColor.w = opacity
            }
        }
        var metallic: Float = 0
        var roughness: Float = 1
        var value: Float = 0
        if aiGetMaterialFloatArray(material, "$mat.metallicFactor", 0, 0, &value, nil) == aiReturn_SUCCESS { metallic = value }
        if aiGetMaterialFloatArray(material, "$mat.roughnessFactor", 0, 0, &value, nil) == aiReturn_SUCCESS { roughness = value }

        // Texture slots in preference order per role: the first slot that has a texture wins.
        let slots: [(TextureRole, [UInt32])] = [
            (.baseColor, [12, 1]),  // BASE_COLOR, DIFFUSE
            (.normal, [13, 6]),  // NORMAL_CAMERA, NORMALS
            (.metallicRoughness, [18, 15]),  // UNKNOWN (glTF metallic-roughness), METALNESS
            (.emissive, [14, 4]),  // EMISSION_COLOR, EMISSIVE
            (.occlusion, [17, 10]),  // AMBIENT_OCCLUSION, LIGHTMAP (glTF occlusion)
        ]
        var textures: [TextureReference] = []
        for (role, types) in slots {
            for rawType in types {
                let type = aiTextureType(rawValue: rawType)
                guard aiGetMaterialTextureCount(material, type) > 0 else { continue }
                var path = aiString()
                guard aiGetMaterialTexture(material, type, 0, &path, nil, nil, nil, nil, nil, nil) == aiReturn_SUCCESS else {
                    continue
                }
                textures.append(resolveTexture(string(path), role: role, directory: directory, embedded: embedded))
                break
            }
        }
        return ModelMaterial(name: name, baseColor: baseColor, metallic: metallic, roughness: roughness, textures: textures)
    }

    /// `*N` → embedded texture N; a name matching an embedded texture → that texture;
    /// otherwise a file path relative to the model's directory (`\` read as `/`).
    static func resolveTexture(_ raw: String, role: TextureRole, directory: URL, embedded: [EmbeddedTexture]) -> TextureReference {
        if raw.hasPrefix("*"), let index = Int(raw.dropFirst()) {
            return TextureReference(role: role, source: .embedded(index), exists: index >= 0 && index < embedded.count)
        }
        if let index = embedded.firstIndex(where: { !$0.name.isEmpty && $0.name == raw }) {
            return TextureReference(role: role, source: .embedded(index), exists: true)
        }
        let relative = raw.replacingOccurrences(of: "\\", with: "/")
        let isWindowsAbsolute = relative.count >= 2 && relative.dropFirst().first == ":"
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : directory.appendingPathComponent(relative)
        let path = url.standardizedFileURL.path
        if !isWindowsAbsolute, FileManager.default.fileExists(atPath: path) {
            return TextureReference(role: role, source: .file(path), exists: true)
        }
        // Exporters often store the author's absolute path (`D:\models\wood.jpg`): fall back to
        // the file name next to the model, as most tools do.
        let fileName = relative.split(separator: "/").last.map(String.init) ?? relative
        let sibling = directory.appendingPathComponent(fileName).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: sibling) {
            return TextureReference(role: role, source: .file(sibling), exists: true)
        }
        return TextureReference(role: role, source: .file(isWindowsAbsolute ? sibling : path), exists: false)
    }

    private static func convertTexture(_ texture: aiTexture) -> EmbeddedTexture {
        var hintTuple = texture.achFormatHint
        let hint = withUnsafeBytes(of: &hintTuple) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        let name = string(texture.mFilename)
        guard let texels = texture.pcData else {
            return EmbeddedTexture(formatHint: hint, width: 0, height: 0, data: [], name: name)
        }
        if texture.mHeight == 0 {
            // Compressed: mWidth is the byte count of the file stored in pcData.
            let count = Int(texture.mWidth)
            let bytes = UnsafeRawPointer(texels).assumingMemoryBound(to: UInt8.self)
            return EmbeddedTexture(formatHint: hint, width: 0, height: 0, data: Array(UnsafeBufferPointer(start: bytes, count: count)), name: name)
        }
        let width = Int(texture.mWidth)
        let height = Int(texture.mHeight)
        var rgba: [UInt8] = []
        rgba.reserveCapacity(width * height * 4)
        for texel in UnsafeBufferPointer(start: texels, count: width * height) {
            rgba.append(texel.r)
            rgba.append(texel.g)
            rgba.append(texel.b)
            rgba.append(texel.a)
        }
        return EmbeddedTexture(formatHint: "rgba8", width: width, height: height, data: rgba, name: name)
    }

    // MARK: metadata

    struct FileMetadata {
        var unitInMetres: Float = 1
        var upAxis: UpAxis?
        var format: String?
    }

    /// Reads FBX's `UnitScaleFactor` (centimetres per file unit), `UpAxis`/`UpAxisSign`
    /// and the common `SourceAsset_Format`.
    static func readMetadata(_ pointer: UnsafeMutablePointer<aiMetadata>?) -> FileMetadata {
        var result = FileMetadata()
        guard let metadata = pointer?.pointee, let keys = metadata.mKeys, let values = metadata.mValues else { return result }
        var upAxisIndex: Int?
        var upAxisSign = 1
        for index in 0..<Int(metadata.mNumProperties) {
            let key = string(keys[index])
            let entry = values[index]
            switch key {
            case "UnitScaleFactor":
                if let factor = number(entry), factor.isFinite, factor > 0 { result.unitInMetres = Float(factor * 0.01) }
            case "UpAxis":
                if let axis = number(entry) { upAxisIndex = Int(axis) }
            case "UpAxisSign":
                if let sign = number(entry) { upAxisSign = sign < 0 ? -1 : 1 }
            case "SourceAsset_Format":
                if entry.mType == AI_AISTRING, let data = entry.mData {
                    let text = string(data.assumingMemoryBound(to: aiString.self).pointee)
                    if !text.isEmpty { result.format = text }
                }
            default:
                break
            }
        }
        switch (upAxisIndex, upAxisSign) {
        case (0, 1): result.upAxis = .x
        case (0, _): result.upAxis = .negativeX
        case (1, 1): result.upAxis = .y
        case (1, _): result.upAxis = .negativeY
        case (2, 1): result.upAxis = .z
        case (2, _): result.upAxis = .negativeZ
        default: break
        }
        return result
    }

    private static func number(_ entry: aiMetadataEntry) -> Double? {
        guard let data = entry.mData else { return nil }
        switch entry.mType {
        case AI_INT32: return Double(data.assumingMemoryBound(to: Int32.self).pointee)
        case AI_UINT64: return Double(data.assumingMemoryBound(to: UInt64.self).pointee)
        case AI_FLOAT: return Double(data.assumingMemoryBound(to: Float.self).pointee)
        case AI_DOUBLE: return data.assumingMemoryBound(to: Double.self).pointee
        default: return nil
        }
    }

    // MARK: helpers

    static func string(_ value: aiString) -> String {
        var copy = value
        let length = Int(min(copy.length, 1024))
        return withUnsafeBytes(of: &copy.data) { raw in
            String(decoding: raw.prefix(length), as: UTF8.self)
        }
    }

    static func matrix(_ m: aiMatrix4x4) -> Matrix4x4 {
        Matrix4x4(rowMajor: [m.a1, m.a2, m.a3, m.a4, m.b1, m.b2, m.b3, m.b4, m.c1, m.c2, m.c3, m.c4, m.d1, m.d2, m.d3, m.d4])
    }

    static func transpose(_ m: Matrix4x4) -> Matrix4x4 {
        Matrix4x4(rowMajor: m.elements)
    }
}
