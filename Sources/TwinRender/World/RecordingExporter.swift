import TwinAssets
import TwinCore

/// Writes a ``WorldRecording`` as one animated glTF: every recorded entity is a node
/// (its kind's primitive or its asset's meshes, shared) with LINEAR translation and
/// rotation samplers over its keyframes and a STEP scale sampler that is 0 before the
/// entity appeared and after it departed. Times are seconds from the first sample.
/// Scene geometry and cameras come from `scene` (a snapshot of the same world), asset
/// meshes from `assets` (the world's `AssetLibrary`).
public enum RecordingExporter {
    public static func document(
        _ rec: WorldRecording, scene: WorldSnapshot = WorldSnapshot(), assets: AssetLibrary? = nil,
        aspect: Float = 16.0 / 9.0
    ) throws -> GLTFDocument {
        guard let start = rec.sampleTimes.first else { throw RecordingError.nothingRecorded }
        var doc = GLTFDocument(generator: "TwinWorld TwinRender (recording, \(rec.sampleTimes.count) samples)")
        try SnapshotExporter.addGeometry(scene, to: &doc)
        var meshesByKey: [String: [Int]] = [:]
        var channels: [GLTFChannel] = []
        for track in rec.tracks {
            let meshes = try meshes(for: track, assets: assets, cache: &meshesByKey, doc: &doc)
            guard let first = track.translations.first else { continue }
            var extras: [String: GLTFJSON] = [
                "entity": .int(Int(truncatingIfNeeded: track.entity.id)), "appeared": .double(track.appeared),
            ]
            if let k = track.kind { extras["kind"] = .string(k) }
            if let n = track.name { extras["name"] = .string(n) }
            if let d = track.departed { extras["departed"] = .double(d) }
            let hidden = track.appeared > start
            let transform = GLTFDocument.sanitized(Transform(
                translation: first, rotation: track.rotations.first ?? .identity, scale: hidden ? .zero : track.scale))
            let name = track.name ?? "\(track.kind ?? "entity") #\(track.entity.id)"
            let node: Int
            if meshes.count == 1 {
                node = try doc.addNode(GLTFNode(name: name, transform: transform, mesh: meshes[0], extras: .object(extras)))
            } else {
                var children: [Int] = []
                for m in meshes { children.append(try doc.addNode(GLTFNode(mesh: m), root: false)) }
                node = try doc.addNode(GLTFNode(name: name, transform: transform, children: children, extras: .object(extras)))
            }
            let (times, keep) = keyTimes(track.times, start: start)
            if times.count >= 2 {
                channels.append(GLTFChannel(node: node, times: times, values: .translation(keep.map { track.translations[$0] })))
                if !track.rotations.isEmpty {
                    channels.append(GLTFChannel(node: node, times: times, values: .rotation(keep.map { track.rotations[$0] })))
                }
            }
            if hidden || track.departed != nil {
                var t: [Float] = [], v: [Vec3] = []
                if hidden { t.append(0); v.append(.zero) }
                t.append(Float(track.appeared - start)); v.append(track.scale)
                if let d = track.departed, Float(d - start) > t[t.count - 1] { t.append(Float(d - start)); v.append(.zero) }
                if t.count >= 2 { channels.append(GLTFChannel(node: node, times: t, values: .scale(v), interpolation: .step)) }
            }
        }
        if !channels.isEmpty { try doc.addAnimation(name: "recording", channels: channels) }
        try SnapshotExporter.addCameras(scene, aspect: aspect, to: &doc)
        return doc
    }

    /// Keyframe times relative to `start` as Float, dropping any that would not be strictly
    /// increasing after rounding; returns the times and the kept indices.
    static func keyTimes(_ times: [Double], start: Double) -> ([Float], [Int]) {
        var out: [Float] = [], keep: [Int] = []
        for (i, t) in times.enumerated() {
            let f = Float(t - start)
            if f.isFinite, f >= 0, out.last.map({ f > $0 }) ?? true { out.append(f); keep.append(i) }
        }
        return (out, keep)
    }

    private static func meshes(
        for track: WorldRecording.Track, assets: AssetLibrary?, cache: inout [String: [Int]],
        doc: inout GLTFDocument
    ) throws -> [Int] {
        if let asset = track.asset, let entry = assets?[asset] {
            if let m = cache["asset:" + asset] { return m }
            var ids: [Int] = []
            for (k, mesh) in AssetMeshes.meshes(of: entry).enumerated() {
                ids.append(try doc.addMesh(mesh, name: "\(asset) \(k)"))
            }
            if !ids.isEmpty {
                cache["asset:" + asset] = ids
                return ids
            }
        }
        let key = "kind:" + (track.kind ?? "")
        if let m = cache[key] { return m }
        let ids = [try doc.addMesh(KindStyle.forKind(track.kind).mesh(), name: track.kind ?? "entity")]
        cache[key] = ids
        return ids
    }
}
