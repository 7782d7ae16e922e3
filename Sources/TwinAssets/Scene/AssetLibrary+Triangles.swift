import TwinCore

extension AssetLibrary {
    /// Every asset's triangles in its entity frame (node transforms, then the entry's
    /// `transform`), for colliders: the physics plugin reads them as the `AssetTriangles`
    /// resource. Meshes referenced by several nodes appear once per node.
    public var triangles: AssetTriangles {
        var out = AssetTriangles()
        for id in ids {
            guard let asset = self[id] else { continue }
            let model = asset.model
            let world = model.worldTransforms()
            var positions: [Vec3] = []
            var indices: [UInt32] = []
            for (n, node) in model.nodes.enumerated() {
                for m in node.meshIndices where model.meshes.indices.contains(m) {
                    let mesh = model.meshes[m]
                    let base = UInt32(positions.count)
                    for p in mesh.positions { positions.append(asset.transform.apply(Vec3(world[n].transformPoint(p)))) }
                    for t in 0..<(mesh.indices.count / 3) {
                        let tri = mesh.indices[(3 * t)..<(3 * t + 3)]
                        guard tri.allSatisfy({ Int($0) < mesh.positions.count }) else { continue }
                        indices += tri.map { base + $0 }
                    }
                }
            }
            out.set(id, AssetTriangles.Mesh(positions: positions, indices: indices))
        }
        return out
    }
}
