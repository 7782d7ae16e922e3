import TwinCore

/// 2D overlays drawn on the ground under a world render.
public enum Overlay: String, Sendable, CaseIterable {
    /// A heatmap of entity density (entities per m²) on the ground: time-averaged over a
    /// recording's moving entities when a recording is given, else the snapshot's
    /// entities at that instant.
    case density
    /// The recorded paths of moving entities as polylines, coloured by kind.
    case trajectories
}

/// Builds overlays from a snapshot and an optional recording.
enum OverlayBuilder {
    /// Cells along the longer side of the density grid.
    static let densityCells = 64
    /// At most this many trajectories, each with at most `maxPathPoints` points.
    static let maxPaths = 2000, maxPathPoints = 512

    static func add(_ overlay: Overlay, to scene: inout RenderScene, snapshot: WorldSnapshot, recording: WorldRecording?) {
        let b = snapshot.bounds.isEmpty ? AABB(min: Vec3(-5, 0, -5), max: Vec3(5, 0, 5)) : snapshot.bounds
        switch overlay {
        case .density: scene.heatmap = density(bounds: b, snapshot: snapshot, recording: recording)
        case .trajectories: scene.polylines += trajectories(bounds: b, recording: recording)
        }
    }

    static func density(bounds b: AABB, snapshot: WorldSnapshot, recording: WorldRecording?) -> Heatmap {
        let margin = max(1, max(b.size.x, b.size.z) * 0.05)
        let lo = Vec2(b.min.x - margin, b.min.z - margin), hi = Vec2(b.max.x + margin, b.max.z + margin)
        let cell = max(hi.x - lo.x, hi.y - lo.y) / Float(densityCells)
        let cols = max(1, min(densityCells, Int(((hi.x - lo.x) / cell).rounded(.up))))
        let rows = max(1, min(densityCells, Int(((hi.y - lo.y) / cell).rounded(.up))))
        var values = [Float](repeating: 0, count: cols * rows)
        func add(_ p: Vec3, _ w: Float) {
            guard p.isFinite, w.isFinite, w > 0 else { return }
            let c = Int((p.x - lo.x) / cell), r = Int((p.z - lo.y) / cell)
            if c >= 0, c < cols, r >= 0, r < rows { values[r * cols + c] += w }
        }
        let moving = recording?.tracks.filter { $0.times.count >= 2 } ?? []
        if let rec = recording, let t0 = rec.sampleTimes.first, let t1 = rec.sampleTimes.last, t1 > t0, !moving.isEmpty {
            // Time each moving entity spent in each cell (piecewise constant between keys).
            let total = Float(t1 - t0)
            for t in moving {
                for i in t.times.indices {
                    let end = i + 1 < t.times.count ? t.times[i + 1] : (t.departed ?? t1)
                    add(t.translations[i], Float(min(end, t1) - t.times[i]) / total)
                }
            }
        } else {
            for item in snapshot.items { add(item.transform.translation, 1) }
        }
        let area = cell * cell
        var heat = Heatmap(
            min: lo, max: Vec2(lo.x + Float(cols) * cell, lo.y + Float(rows) * cell), columns: cols, rows: rows,
            values: values.map { $0 > 0 ? $0 / area : .nan })
        heat.height = max(b.min.y, 0) + 0.01
        heat.colorMap = .heat
        heat.opacity = 0.85
        heat.range = 0...max(values.max().map { $0 / area } ?? 1, 1e-6)
        return heat
    }

    static func trajectories(bounds b: AABB, recording: WorldRecording?) -> [Polyline] {
        guard let rec = recording else { return [] }
        let width = max(0.03, max(b.size.x, b.size.z) / 400)
        var out: [Polyline] = []
        for t in rec.tracks where t.times.count >= 2 {
            if out.count >= maxPaths { break }
            var pts = rec.groundPath(t)
            if pts.count > maxPathPoints {
                let stride = Double(pts.count - 1) / Double(maxPathPoints - 1)
                pts = (0..<maxPathPoints).map { pts[min(pts.count - 1, Int((Double($0) * stride).rounded()))] }
            }
            var color = KindStyle.forKind(t.kind).color
            color = RGBA8(UInt8(Int(color.r) * 3 / 4), UInt8(Int(color.g) * 3 / 4), UInt8(Int(color.b) * 3 / 4))
            out.append(Polyline(points: pts, width: width, color: color, height: max(b.min.y, 0) + 0.02))
        }
        return out
    }
}
