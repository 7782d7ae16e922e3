import TwinMath

extension GLTFDocument {
    /// Places `transforms.count` copies of `mesh`.
    ///
    /// Below ``instancingThreshold`` each copy is a plain node (named `name #i`, with
    /// `extras[i]` when given). At or above it, all copies become one node carrying
    /// `EXT_mesh_gpu_instancing` with a TRANSLATION accessor, plus ROTATION and SCALE
    /// accessors only when some instance is rotated or scaled (100,000 unrotated boxes:
    /// 1.2 MB of translations). The instanced node's `extras` is `extras.first` — put
    /// per-instance ids there as an array if a viewer needs them.
    /// Non-finite transforms are written as the identity.
    /// - Returns: the node indices (one when instanced), all scene roots.
    @discardableResult
    public mutating func addInstances(
        mesh: Int, transforms: [Transform], name: String? = nil, extras: [GLTFJSON]? = nil
    ) throws -> [Int] {
        guard mesh >= 0, mesh < meshes.count else { throw GLTFError.unknownReference(kind: "mesh", index: mesh) }
        if transforms.isEmpty { return [] }
        if transforms.count < instancingThreshold {
            var out: [Int] = []
            out.reserveCapacity(transforms.count)
            for (i, t) in transforms.enumerated() {
                let node = GLTFNode(
                    name: name.map { "\($0) #\(i)" }, transform: Self.sanitized(t), mesh: mesh,
                    extras: extras.flatMap { i < $0.count ? $0[i] : nil })
                out.append(try addNode(node))
            }
            return out
        }

        let n = transforms.count
        var translation = [Float](repeating: 0, count: n * 3)
        var rotation = [Float](repeating: 0, count: n * 4)
        var scale = [Float](repeating: 0, count: n * 3)
        var rotated = false, scaled = false
        for i in 0..<n {
            let t = Self.sanitized(transforms[i])
            translation[i * 3] = t.translation.x
            translation[i * 3 + 1] = t.translation.y
            translation[i * 3 + 2] = t.translation.z
            let q = t.rotation.normalized()
            rotation[i * 4] = q.x; rotation[i * 4 + 1] = q.y; rotation[i * 4 + 2] = q.z; rotation[i * 4 + 3] = q.w
            scale[i * 3] = t.scale.x; scale[i * 3 + 1] = t.scale.y; scale[i * 3 + 2] = t.scale.z
            if q != .identity { rotated = true }
            if t.scale != .one { scaled = true }
        }
        var attributes: [String: GLTFJSON] = [
            "TRANSLATION": .int(addFloatAccessor(translation, components: 3, target: nil, bounds: true))
        ]
        if rotated { attributes["ROTATION"] = .int(addFloatAccessor(rotation, components: 4, target: nil, bounds: false)) }
        if scaled { attributes["SCALE"] = .int(addFloatAccessor(scale, components: 3, target: nil, bounds: false)) }
        extensionsUsed.insert("EXT_mesh_gpu_instancing")
        var node = GLTFNode(name: name, mesh: mesh, extras: extras?.first)
        node.transform = .identity
        let index = try addNode(node)
        nodes[index]["extensions"] = ["EXT_mesh_gpu_instancing": ["attributes": .object(attributes)]]
        return [index]
    }

    static func sanitized(_ t: Transform) -> Transform {
        let q = t.rotation
        let rotationOK = q.x.isFinite && q.y.isFinite && q.z.isFinite && q.w.isFinite && q.lengthSquared > 0
        return Transform(
            translation: t.translation.isFinite ? t.translation : .zero,
            rotation: rotationOK ? q.normalized() : .identity,
            scale: t.scale.isFinite ? t.scale : .one)
    }
}
