import Hummingbird
import TwinRender
import TwinRuntime

/// `snapshot.glb` and `snapshot.png`: taken between two steps on the world thread,
/// encoded off it, cached per step and parameters.
extension API {
    func addSnapshotRoutes(to router: Router<Context>) {
        router.get("/api/worlds/:id/snapshot.glb") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let r = try await w.snapshots.get(key: "glb", step: w.currentStatus.step) {
                self.metrics.recordRender()
                let snap = try await w.read(Self.snapshot)
                do { return RenderedSnapshot(bytes: try await API.offload { try SnapshotExporter.document(snap).glb() }, step: snap.step) } catch {
                    throw APIError(.internalServerError, "export failed: \(error)")
                }
            }
            return API.bytes(r.bytes, type: "model/gltf-binary", headers: Self.stepHeaders(r.step))
        }
        router.get("/api/worlds/:id/snapshot.png") { request, context in
            try self.authorize(request, .read)
            let w = try self.world(context)
            let q = request.uri.queryParameters
            let (width, height) = try Self.size(q.get("size") ?? "1280x720")
            let camera = q.get("camera")
            let overlays = try Self.overlays(q.get("overlay"))
            let key = "png|\(camera ?? "")|\(width)x\(height)|\(overlays.map(\.rawValue).joined(separator: ","))"
            let r = try await w.snapshots.get(key: key, step: w.currentStatus.step) {
                let snap = try await w.read(Self.snapshot)
                // Checked before rendering so a bad camera name is a 400, not a failed render.
                do { _ = try snap.camera(named: camera, aspect: Float(width) / Float(height)) } catch let error as SnapshotError {
                    throw APIError(.badRequest, error.description)
                }
                self.metrics.recordRender()
                do {
                    let png = try await API.offload {
                        try PNGEncoder.default.encode(try SnapshotRenderer.image(snap, camera: camera, width: width, height: height, overlays: overlays, recording: nil))
                    }
                    return RenderedSnapshot(bytes: png, step: snap.step)
                } catch {
                    throw APIError(.internalServerError, "render failed: \(error)")
                }
            }
            return API.bytes(r.bytes, type: "image/png", headers: Self.stepHeaders(r.step))
        }
    }

    static func snapshot(_ sim: Simulation) -> WorldSnapshot {
        SnapshotBuilder.snapshot(of: WorldReader(sim.world), time: sim.time, step: sim.stepCount)
    }

    /// `overlay=density` (comma-separated): what a live world can draw from one
    /// moment. Trajectories need a recording of the run, which a live world does not keep.
    static func overlays(_ text: String?) throws(APIError) -> [Overlay] {
        guard let text else { return [] }
        var out: [Overlay] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            switch Overlay(rawValue: name) {
            case .density?: if !out.contains(.density) { out.append(.density) }
            case .trajectories?:
                throw APIError(.badRequest, "overlay \"trajectories\" needs a recording of the run, which a live world does not keep; use twin render")
            case nil:
                throw APIError(.badRequest, "overlay \"\(name.prefix(32))\" is not one of: density")
            }
        }
        return out
    }

    static func stepHeaders(_ step: Int64) -> HTTPFields {
        var h = HTTPFields()
        if let name = HTTPFields.Element.Name("X-Twin-Step") { h[name] = String(step) }
        h[.cacheControl] = "no-store"
        return h
    }

    /// `WxH`, each side 1…2048 pixels (a snapshot for a dashboard, not a poster).
    static func size(_ s: String) throws(APIError) -> (Int, Int) {
        let parts = s.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (1...2048).contains(w), (1...2048).contains(h) else {
            throw APIError(.badRequest, "size must be WxH with each side 1…2048 pixels, e.g. 1280x720; got \"\(s.prefix(32))\"")
        }
        return (w, h)
    }
}
