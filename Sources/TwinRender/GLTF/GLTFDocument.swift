import TwinMath

/// Builds a glTF 2.0 document and writes it as binary glTF (`.glb`).
///
/// Everything goes into one binary buffer: each accessor gets its own tightly packed
/// buffer view starting on a 4-byte boundary (so every element is aligned, as the
/// specification requires for vertex attributes). Indices, nodes, materials and
/// accessors are numbered in the order they are added, and the JSON is canonical
/// (``GLTFJSON``), so the same calls always produce the same bytes.
///
/// ```swift
/// var doc = GLTFDocument()
/// let box = try doc.addMesh(Primitives.box(color: .white), name: "box")
/// let nodes = doc.addInstances(mesh: box, transforms: transforms)  // instanced above the threshold
/// let bytes = try doc.glb()
/// ```
public struct GLTFDocument: Sendable {
    /// At or above this many instances of one mesh, ``addInstances(mesh:transforms:name:extras:)``
    /// writes one node with `EXT_mesh_gpu_instancing`; below it, one plain node per
    /// instance.
    ///
    /// Why 1024: the extension is optional, so a viewer without it shows only the first
    /// instance. Below about a thousand nodes every viewer draws plain nodes comfortably,
    /// each node can carry its own `extras`, and the JSON stays under ~100 KB; above it,
    /// per-node JSON (~100 bytes each) and draw calls dominate, and the viewers that
    /// matter for large crowds (three.js, Babylon.js, model-viewer) support instancing.
    public static let defaultInstancingThreshold = 1024

    public var instancingThreshold = GLTFDocument.defaultInstancingThreshold
    /// `asset.generator`.
    public var generator: String

    var bin: [UInt8] = []
    var bufferViews: [GLTFJSON] = []
    var accessors: [GLTFJSON] = []
    var meshes: [GLTFJSON] = []
    var materials: [GLTFJSON] = []
    var textures: [GLTFJSON] = []
    var images: [GLTFJSON] = []
    var cameras: [GLTFJSON] = []
    var nodes: [[String: GLTFJSON]] = []
    var animations: [GLTFJSON] = []
    var rootNodes: [Int] = []
    var isChild: Set<Int> = []
    var extensionsUsed: Set<String> = []
    var materialIndex: [PBRMaterial: Int] = [:]
    var timeAccessors: [[UInt32]: Int] = [:]

    public init(generator: String = "TwinWorld TwinRender") {
        self.generator = generator
    }

    public var nodeCount: Int { nodes.count }
    public var meshCount: Int { meshes.count }

    // MARK: Binary data

    /// Appends `bytes` as a new buffer view (4-byte aligned) and returns its index.
    mutating func addBufferView(_ bytes: UnsafeRawBufferPointer, target: Int?) -> Int {
        while bin.count % 4 != 0 { bin.append(0) }
        let offset = bin.count
        bin.append(contentsOf: bytes)
        var v: [String: GLTFJSON] = ["buffer": 0, "byteOffset": .int(offset), "byteLength": .int(bytes.count)]
        if let target { v["target"] = .int(target) }
        bufferViews.append(.object(v))
        return bufferViews.count - 1
    }

    static let arrayBuffer = 34962
    static let elementArrayBuffer = 34963
    static let float = 5126, unsignedByte = 5121, unsignedShort = 5123, unsignedInt = 5125

    /// Adds a float accessor of `components` per element (SCALAR/VEC2/VEC3/VEC4), with
    /// min/max when `bounds` is set.
    mutating func addFloatAccessor(_ data: [Float], components: Int, target: Int?, bounds: Bool) -> Int {
        let count = data.count / components
        let view = data.withUnsafeBytes { addBufferView($0, target: target) }
        var a: [String: GLTFJSON] = [
            "bufferView": .int(view), "componentType": .int(Self.float), "count": .int(count),
            "type": .string(Self.typeName(components)),
        ]
        if bounds && count > 0 {
            var lo = [Float](repeating: .greatestFiniteMagnitude, count: components)
            var hi = [Float](repeating: -.greatestFiniteMagnitude, count: components)
            for i in 0..<count {
                for c in 0..<components {
                    let v = data[i * components + c]
                    lo[c] = min(lo[c], v)
                    hi[c] = max(hi[c], v)
                }
            }
            a["min"] = .floats(lo)
            a["max"] = .floats(hi)
        }
        accessors.append(.object(a))
        return accessors.count - 1
    }

    static func typeName(_ components: Int) -> String {
        switch components {
        case 1: return "SCALAR"
        case 2: return "VEC2"
        case 3: return "VEC3"
        default: return "VEC4"
        }
    }

    // MARK: Materials, textures, cameras, nodes

    /// Adds a material (identical materials are shared) and returns its index.
    public mutating func addMaterial(_ m: PBRMaterial) throws -> Int {
        if let i = materialIndex[m] { return i }
        let c = m.baseColor.linear
        var pbr: [String: GLTFJSON] = [
            "baseColorFactor": .floats([c.x, c.y, c.z, c.w]),
            "metallicFactor": .float(Self.unit(m.metallic)),
            "roughnessFactor": .float(Self.unit(m.roughness)),
        ]
        if let t = m.baseColorTexture {
            guard t >= 0, t < textures.count else { throw GLTFError.unknownReference(kind: "texture", index: t) }
            pbr["baseColorTexture"] = ["index": .int(t)]
        }
        var o: [String: GLTFJSON] = ["pbrMetallicRoughness": .object(pbr)]
        if let n = m.name { o["name"] = .string(n) }
        if m.baseColor.a < 255 { o["alphaMode"] = "BLEND" }
        if m.doubleSided { o["doubleSided"] = true }
        materials.append(.object(o))
        materialIndex[m] = materials.count - 1
        return materials.count - 1
    }

    static func unit(_ v: Float) -> Float { v.isNaN ? 0 : min(max(v, 0), 1) }

    /// Embeds PNG file bytes as an image (in the binary buffer, `image/png`) and returns
    /// a texture index for ``PBRMaterial/baseColorTexture``. Sampled bilinear with
    /// mipmaps, repeating.
    public mutating func addTexture(png: [UInt8], name: String? = nil) -> Int {
        let view = png.withUnsafeBytes { addBufferView($0, target: nil) }
        var img: [String: GLTFJSON] = ["bufferView": .int(view), "mimeType": "image/png"]
        if let name { img["name"] = .string(name) }
        images.append(.object(img))
        textures.append(["source": .int(images.count - 1), "sampler": 0])
        return textures.count - 1
    }

    /// Adds a camera (perspective or orthographic; `aspect` is width / height, used for
    /// the orthographic width and, when given, the perspective `aspectRatio`). Place it
    /// with a node whose transform is ``Camera/nodeTransform``.
    public mutating func addCamera(_ camera: Camera, aspect: Float? = nil, name: String? = nil) -> Int {
        let near = camera.near.isFinite && camera.near > 0 ? camera.near : 0.1
        let far = camera.far.isFinite && camera.far > near ? camera.far : near * 1000
        var o: [String: GLTFJSON]
        switch camera.projection {
        case .perspective(let fovY):
            var p: [String: GLTFJSON] = [
                "yfov": .float(fovY.isFinite && fovY > 0 ? fovY : 0.87), "znear": .float(near), "zfar": .float(far),
            ]
            if let a = aspect, a.isFinite, a > 0 { p["aspectRatio"] = .float(a) }
            o = ["type": "perspective", "perspective": .object(p)]
        case .orthographic(let height):
            let ymag = height.isFinite && height > 0 ? height * 0.5 : 1
            let a = aspect.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 1
            o = [
                "type": "orthographic",
                "orthographic": ["xmag": .float(ymag * a), "ymag": .float(ymag), "znear": .float(near), "zfar": .float(far)],
            ]
        }
        if let name { o["name"] = .string(name) }
        cameras.append(.object(o))
        return cameras.count - 1
    }

    /// Adds a node and returns its index. With `root`, it is listed in the scene;
    /// otherwise attach it with ``addChild(_:to:)``. Non-finite transform components are
    /// written as identity components (a viewer could not show them anyway).
    @discardableResult
    public mutating func addNode(_ node: GLTFNode, root: Bool = true) throws -> Int {
        var o: [String: GLTFJSON] = [:]
        if let n = node.name { o["name"] = .string(n) }
        if let m = node.mesh {
            guard m >= 0, m < meshes.count else { throw GLTFError.unknownReference(kind: "mesh", index: m) }
            o["mesh"] = .int(m)
        }
        if let c = node.camera {
            guard c >= 0, c < cameras.count else { throw GLTFError.unknownReference(kind: "camera", index: c) }
            o["camera"] = .int(c)
        }
        Self.writeTRS(node.transform, into: &o)
        if !node.children.isEmpty {
            for c in node.children where c < 0 || c >= nodes.count || isChild.contains(c) {
                throw GLTFError.unknownReference(kind: "child node", index: c)
            }
            o["children"] = .array(node.children.map { .int($0) })
            for c in node.children { isChild.insert(c) }
            rootNodes.removeAll { node.children.contains($0) }
        }
        if let e = node.extras { o["extras"] = e }
        nodes.append(o)
        if root { rootNodes.append(nodes.count - 1) }
        return nodes.count - 1
    }

    /// Makes `child` (a node added with `root: false`, or a root) a child of `parent`.
    public mutating func addChild(_ child: Int, to parent: Int) throws {
        guard child >= 0, child < nodes.count, !isChild.contains(child), child != parent else {
            throw GLTFError.unknownReference(kind: "child node", index: child)
        }
        guard parent >= 0, parent < nodes.count else { throw GLTFError.unknownReference(kind: "node", index: parent) }
        var children: [GLTFJSON] = []
        if case .array(let existing)? = nodes[parent]["children"] { children = existing }
        children.append(.int(child))
        nodes[parent]["children"] = .array(children)
        isChild.insert(child)
        rootNodes.removeAll { $0 == child }
    }

    static func writeTRS(_ t: Transform, into o: inout [String: GLTFJSON]) {
        if t.translation != .zero, t.translation.isFinite {
            o["translation"] = .floats([t.translation.x, t.translation.y, t.translation.z])
        }
        let q = t.rotation
        if q != .identity, q.x.isFinite, q.y.isFinite, q.z.isFinite, q.w.isFinite, q.lengthSquared > 0 {
            let n = q.normalized()
            o["rotation"] = .floats([n.x, n.y, n.z, n.w])
        }
        if t.scale != .one, t.scale.isFinite { o["scale"] = .floats([t.scale.x, t.scale.y, t.scale.z]) }
    }

    // MARK: Output

    /// The JSON chunk as a value (buffers sized to the binary data).
    public var json: GLTFJSON {
        var o: [String: GLTFJSON] = [
            "asset": ["version": "2.0", "generator": .string(generator)],
            "scene": 0,
            "scenes": [["nodes": .array(rootNodes.map { .int($0) })]],
        ]
        func put(_ key: String, _ a: [GLTFJSON]) { if !a.isEmpty { o[key] = .array(a) } }
        put("nodes", nodes.map { .object($0) })
        put("meshes", meshes)
        put("materials", materials)
        put("textures", textures)
        put("images", images)
        put("cameras", cameras)
        put("animations", animations)
        put("accessors", accessors)
        put("bufferViews", bufferViews)
        if !textures.isEmpty {
            o["samplers"] = [["magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497]]
        }
        if !bin.isEmpty { o["buffers"] = [["byteLength": .int(paddedBinCount)]] }
        if !extensionsUsed.isEmpty { o["extensionsUsed"] = .array(extensionsUsed.sorted().map { .string($0) }) }
        return .object(o)
    }

    var paddedBinCount: Int { (bin.count + 3) & ~3 }

    /// The binary glTF file: a 12-byte header, the JSON chunk padded with spaces and the
    /// BIN chunk padded with zeros, each to a multiple of 4 bytes.
    public func glb() throws -> [UInt8] {
        let jsonBytes = json.canonicalBytes
        return try GLBContainer.write(json: jsonBytes, bin: bin)
    }
}
