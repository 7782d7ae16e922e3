import TwinAssets
import TwinCore

/// What goes into a snapshot beyond positions and shapes.
public struct SnapshotOptions: Sendable {
    /// Entities whose appearance is shared by fewer than this many entities carry every
    /// component in ``WorldSnapshot/Item/components`` (for glTF `extras`). Larger groups
    /// become one instanced glTF node, where per-entity components would not fit; the
    /// default matches ``GLTFDocument/defaultInstancingThreshold``.
    public var componentsBelow: Int = GLTFDocument.defaultInstancingThreshold
    /// Imported models by asset id, for entities with a `Visual` component; nil: the
    /// world's `AssetLibrary` resource (the scene's `assets` section). An entity whose
    /// asset is missing is drawn by its `Kind`.
    public var assets: AssetLibrary?

    public init(componentsBelow: Int = GLTFDocument.defaultInstancingThreshold, assets: AssetLibrary? = nil) {
        self.componentsBelow = componentsBelow; self.assets = assets
    }
}

/// Reduces a world to a ``WorldSnapshot``: every entity with a `Position` becomes an
/// item drawn by its asset (`Visual`) or by the primitive of its `Kind` (``KindStyle``),
/// at its `Position`, `Rotation` and `Scale`. Meshes are built once per kind or asset
/// and shared. Entities with a non-finite transform are counted in
/// ``WorldSnapshot/skippedNonFinite`` and left out. Reads the `SceneGeometry` resource
/// (floor, walls, obstacles, exits) and the `SceneCameras` resource.
///
/// Items come in table order, which is deterministic for a deterministic world.
public enum SnapshotBuilder {
    public static func snapshot(
        of world: WorldReader, time: Double = 0, step: Int64 = 0, options: SnapshotOptions = SnapshotOptions()
    ) -> WorldSnapshot {
        var snap = WorldSnapshot()
        snap.time = time
        snap.step = step
        var byKey: [String: Int] = [:]
        // The last kind drawn by its primitive: entities come table by table, so runs of
        // one kind skip building the appearance key.
        var lastKind: String?, lastIndex = -1
        var visuals: [Entity: Visual] = [:]
        if world.registry.id(of: Visual.self) != nil {
            world.query(Visual.self).forEachChunk { c, v in for i in 0..<c.count { visuals[c.entities[i]] = v[i] } }
        }
        var assetMeshes: [String: [Int]] = [:]
        let library = options.assets ?? world.resource(AssetLibrary.self)

        func appearance(kind: String?, visual: Visual?) -> Int {
            if let v = visual, let asset = library?[v.asset] {
                let key = "asset:" + v.asset
                if let i = byKey[key] { return i }
                if assetMeshes[v.asset] == nil {
                    var ids: [Int] = []
                    let (meshes, textures) = AssetMeshes.meshesAndTextures(of: asset)
                    let firstTexture = snap.textures.count
                    snap.textures += textures
                    for (k, var m) in meshes.enumerated() {
                        m.texture = m.texture.map { $0 + firstTexture }
                        snap.meshes.append(m)
                        snap.meshNames.append("\(v.asset) \(k)")
                        ids.append(snap.meshes.count - 1)
                    }
                    assetMeshes[v.asset] = ids
                }
                snap.appearances.append(.init(name: key, meshes: assetMeshes[v.asset] ?? []))
                byKey[key] = snap.appearances.count - 1
                return snap.appearances.count - 1
            }
            if lastIndex >= 0 && kind == lastKind { return lastIndex }
            let key = "kind:" + (kind ?? "")
            let index: Int
            if let i = byKey[key] {
                index = i
            } else {
                snap.meshes.append(KindStyle.forKind(kind).mesh())
                snap.meshNames.append(kind ?? "entity")
                snap.appearances.append(.init(name: key, meshes: [snap.meshes.count - 1]))
                index = snap.appearances.count - 1
                byKey[key] = index
            }
            lastKind = kind; lastIndex = index
            return index
        }

        func emit(_ e: Entity, _ p: Vec3, _ r: Quat, _ s: Vec3, _ kind: String?) {
            guard p.isFinite, s.isFinite, r.x.isFinite, r.y.isFinite, r.z.isFinite, r.w.isFinite else {
                snap.skippedNonFinite += 1
                return
            }
            let visual = visuals.isEmpty ? nil : visuals[e]
            let a = appearance(kind: kind, visual: visual)
            snap.items.append(WorldSnapshot.Item(
                entity: e, kind: kind, name: nil, appearance: a,
                transform: Transform(translation: p, rotation: r, scale: s), tint: visual?.tint, components: nil))
        }

        // One query per combination of the optional components, so every row is read
        // straight from its column (no per-entity lookups).
        let id = Quat.identity, one = Vec3.one
        world.query(Position.self).without(Rotation.self).without(Scale.self).without(Kind.self).forEachChunk { c, p in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, id, one, nil) }
        }
        world.query(Position.self, Kind.self).without(Rotation.self).without(Scale.self).forEachChunk { c, p, k in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, id, one, k[i].value) }
        }
        world.query(Position.self, Rotation.self).without(Scale.self).without(Kind.self).forEachChunk { c, p, r in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, r[i].value, one, nil) }
        }
        world.query(Position.self, Rotation.self, Kind.self).without(Scale.self).forEachChunk { c, p, r, k in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, r[i].value, one, k[i].value) }
        }
        world.query(Position.self, Scale.self).without(Rotation.self).without(Kind.self).forEachChunk { c, p, s in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, id, s[i].value, nil) }
        }
        world.query(Position.self, Scale.self, Kind.self).without(Rotation.self).forEachChunk { c, p, s, k in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, id, s[i].value, k[i].value) }
        }
        world.query(Position.self, Rotation.self, Scale.self).without(Kind.self).forEachChunk { c, p, r, s in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, r[i].value, s[i].value, nil) }
        }
        world.query(Position.self, Rotation.self, Scale.self, Kind.self).forEachChunk { c, p, r, s, k in
            for i in 0..<c.count { emit(c.entities[i], p[i].value, r[i].value, s[i].value, k[i].value) }
        }

        // Names and components only where they end up on a node of their own.
        var counts = [Int](repeating: 0, count: snap.appearances.count)
        for item in snap.items { counts[item.appearance] += 1 }
        for i in snap.items.indices where counts[snap.items[i].appearance] < options.componentsBelow {
            let e = snap.items[i].entity
            snap.items[i].name = world.get(Name.self, of: e)?.value
            snap.items[i].components = world.encodeComponents(of: e)
        }

        if let g = world.resource(SceneGeometry.self) { snap.geometry = GeometryMeshes.parts(for: g) }
        snap.cameras = world.resource(SceneCameras.self)?.cameras ?? []
        return snap
    }
}
