import TwinCore

/// Writes a ``WorldSnapshot`` as glTF 2.0.
///
/// - Scene geometry: one root node per part (`geometry:floor`, `geometry:walls`, …).
/// - Entities: each appearance's meshes are added once. An appearance shared by fewer
///   than ``GLTFDocument/instancingThreshold`` entities gives one node per entity, named
///   after the entity (or `kind #id`), with `extras` {entity, kind, name, components};
///   a larger group gives one node per mesh with `EXT_mesh_gpu_instancing` and `extras`
///   {kind, instances, entityIds} (ids in instance order, left out above
///   ``maxInstanceIDs`` to keep files small).
/// - Cameras: the scene's cameras or, without any, the default `three-quarter` and
///   `top-down` views fitted to the world, for an image of aspect `aspect`.
///
/// `Visual.tint` is not written (glTF materials are per mesh); the rasterizer applies it.
public enum SnapshotExporter {
    /// Largest instanced group whose entity ids are listed in `extras`.
    public static let maxInstanceIDs = 10_000

    public static func document(
        _ snap: WorldSnapshot, aspect: Float = 16.0 / 9.0,
        instancingThreshold: Int = GLTFDocument.defaultInstancingThreshold
    ) throws -> GLTFDocument {
        var doc = GLTFDocument(generator: "TwinWorld TwinRender (snapshot at t = \(snap.time) s, step \(snap.step))")
        doc.instancingThreshold = max(1, instancingThreshold)
        try addGeometry(snap, to: &doc)
        let meshIndex = try addMeshes(snap, to: &doc)
        var groups = [[Int]](repeating: [], count: snap.appearances.count)
        for (i, item) in snap.items.enumerated() { groups[item.appearance].append(i) }
        for (a, members) in groups.enumerated() where !members.isEmpty {
            try addGroup(snap, appearance: a, members: members, meshIndex: meshIndex, to: &doc)
        }
        try addCameras(snap, aspect: aspect, to: &doc)
        return doc
    }

    /// The `.glb` bytes of ``document(_:aspect:instancingThreshold:)``.
    public static func glb(_ snap: WorldSnapshot, aspect: Float = 16.0 / 9.0) throws -> [UInt8] {
        try document(snap, aspect: aspect).glb()
    }

    static func addGeometry(_ snap: WorldSnapshot, to doc: inout GLTFDocument) throws {
        for g in snap.geometry {
            let mesh = try doc.addMesh(g.mesh, name: "geometry:" + g.name)
            try doc.addNode(GLTFNode(name: "geometry:" + g.name, mesh: mesh))
        }
    }

    /// Adds every snapshot mesh used by an item; returns snapshot mesh → glTF mesh.
    static func addMeshes(_ snap: WorldSnapshot, to doc: inout GLTFDocument) throws -> [Int?] {
        var used = [Bool](repeating: false, count: snap.meshes.count)
        var appearanceUsed = [Bool](repeating: false, count: snap.appearances.count)
        for item in snap.items { appearanceUsed[item.appearance] = true }
        for (a, app) in snap.appearances.enumerated() where appearanceUsed[a] { for m in app.meshes { used[m] = true } }
        var out = [Int?](repeating: nil, count: snap.meshes.count)
        var textureIndex = [Int?](repeating: nil, count: snap.textures.count)  // snapshot texture → glTF texture
        for (i, mesh) in snap.meshes.enumerated() where used[i] && mesh.triangleCount > 0 {
            var texture: Int?
            if let t = mesh.texture, t >= 0, t < snap.textures.count, mesh.hasUVs {
                if textureIndex[t] == nil, let png = try? texturePNG(snap.textures[t]) {
                    textureIndex[t] = doc.addTexture(png: png, name: "texture \(t)")
                }
                texture = textureIndex[t]
            }
            out[i] = try doc.addMesh(mesh, name: snap.meshNames[i], texture: texture)
        }
        return out
    }

    /// A texture as PNG bytes for the `.glb` (nil when its pixels are inconsistent).
    static func texturePNG(_ t: RenderTexture) throws -> [UInt8]? {
        guard let image = Image(width: t.width, height: t.height, pixels: t.pixels), t.width > 0, t.height > 0 else {
            return nil
        }
        return try PNGEncoder.fast.encode(image)
    }

    static func addGroup(
        _ snap: WorldSnapshot, appearance a: Int, members: [Int], meshIndex: [Int?], to doc: inout GLTFDocument
    ) throws {
        let meshes = snap.appearances[a].meshes.compactMap { meshIndex[$0] }
        guard !meshes.isEmpty else { return }
        let kind = snap.items[members[0]].kind
        if members.count >= doc.instancingThreshold {
            let transforms = members.map { snap.items[$0].transform }
            var extras: [String: GLTFJSON] = ["instances": .int(members.count)]
            if let kind { extras["kind"] = .string(kind) }
            if members.count <= maxInstanceIDs {
                extras["entityIds"] = .array(members.map { .int(Int(truncatingIfNeeded: snap.items[$0].entity.id)) })
            }
            for m in meshes {
                try doc.addInstances(
                    mesh: m, transforms: transforms, name: snap.appearances[a].name, extras: [.object(extras)])
            }
            return
        }
        for i in members {
            let item = snap.items[i]
            let name = item.name ?? "\(kind ?? "entity") #\(item.entity.id)"
            if meshes.count == 1 {
                try doc.addNode(GLTFNode(
                    name: name, transform: GLTFDocument.sanitized(item.transform), mesh: meshes[0],
                    extras: .entityExtras(item)))
            } else {
                var children: [Int] = []
                for m in meshes { children.append(try doc.addNode(GLTFNode(mesh: m), root: false)) }
                try doc.addNode(GLTFNode(
                    name: name, transform: GLTFDocument.sanitized(item.transform), children: children,
                    extras: .entityExtras(item)))
            }
        }
    }

    static func addCameras(_ snap: WorldSnapshot, aspect: Float, to doc: inout GLTFDocument) throws {
        var cams = snap.cameras
        if cams.isEmpty {
            let b = snap.bounds
            cams = [
                NamedCamera(name: "three-quarter", camera: Camera.fitted(to: b, view: .threeQuarter, aspect: aspect)),
                NamedCamera(name: "top-down", camera: Camera.fitted(to: b, view: .topDown, aspect: aspect)),
            ]
        }
        for c in cams {
            let index = doc.addCamera(c.camera, aspect: aspect, name: c.name)
            try doc.addNode(GLTFNode(name: "camera:" + c.name, transform: c.camera.nodeTransform, camera: index))
        }
    }
}
