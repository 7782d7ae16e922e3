import Foundation

/// Checks a GLB against the glTF 2.0 rules our writer must follow (and that validators
/// do not all check): container layout, buffer/accessor bounds, min/max, index ranges,
/// legal component types, unit quaternions, required fields, instancing accessors.
/// Returns every violation found (empty: valid).
func glbSpecViolations(_ bytes: [UInt8]) -> [String] {
    let r: GLBReader
    do { r = try GLBReader(bytes) } catch { return ["container: \(error)"] }
    var issues: [String] = []
    func fail(_ s: String) { issues.append(s) }

    let asset = r.json["asset"] as? [String: Any]
    if asset?["version"] as? String != "2.0" { fail("asset.version must be \"2.0\"") }

    let buffers = r.array("buffers")
    if !r.bin.isEmpty {
        if buffers.count != 1 { fail("expected one buffer, got \(buffers.count)") }
        let bl = buffers.first?["byteLength"] as? Int ?? -1
        if bl > r.bin.count || r.bin.count - bl > 3 { fail("buffer byteLength \(bl) vs BIN \(r.bin.count)") }
        if buffers.first?["uri"] != nil { fail("GLB buffer 0 must not have a uri") }
    }
    for (i, v) in r.array("bufferViews").enumerated() {
        let off = v["byteOffset"] as? Int ?? 0, len = v["byteLength"] as? Int ?? -1
        if v["buffer"] as? Int != 0 { fail("bufferView \(i): buffer must be 0") }
        if len < 1 || off + len > r.bin.count { fail("bufferView \(i): [\(off), \(off + len)) outside BIN") }
        if off % 4 != 0 { fail("bufferView \(i): offset \(off) not 4-aligned") }
        if let t = v["target"] as? Int, t != 34962 && t != 34963 { fail("bufferView \(i): bad target \(t)") }
    }
    let accessors = r.array("accessors")
    var decoded: [Int: (values: [Double], components: Int)] = [:]
    for i in accessors.indices {
        do { decoded[i] = try r.read(accessor: i) } catch { fail("\(error)"); continue }
        let a = accessors[i]
        guard let (vals, comps) = decoded[i] else { continue }
        if let mn = a["min"] as? [Double], let mx = a["max"] as? [Double] {
            if mn.count != comps || mx.count != comps { fail("accessor \(i): min/max length") }
            for c in 0..<min(comps, mn.count, mx.count) {
                var lo = Double.infinity, hi = -Double.infinity
                for k in stride(from: c, to: vals.count, by: comps) { lo = min(lo, vals[k]); hi = max(hi, vals[k]) }
                if Float(lo) != Float(mn[c]) || Float(hi) != Float(mx[c]) {
                    fail("accessor \(i): min/max [\(mn[c]), \(mx[c])] but data spans [\(lo), \(hi)]")
                }
            }
        }
    }
    func acc(_ i: Int?) -> (values: [Double], components: Int, json: [String: Any])? {
        guard let i, let d = decoded[i] else { return nil }
        return (d.values, d.components, accessors[i])
    }
    var indexAccessors = Set<Int>()
    let materials = r.array("materials")
    for (m, mesh) in r.array("meshes").enumerated() {
        guard let prims = mesh["primitives"] as? [[String: Any]], !prims.isEmpty else {
            fail("mesh \(m): primitives required"); continue
        }
        for (p, prim) in prims.enumerated() {
            guard let attrs = prim["attributes"] as? [String: Int], let pos = acc(attrs["POSITION"]) else {
                fail("mesh \(m).\(p): POSITION required"); continue
            }
            if pos.json["type"] as? String != "VEC3" || pos.json["componentType"] as? Int != 5126 { fail("mesh \(m).\(p): POSITION must be float VEC3") }
            if pos.json["min"] == nil || pos.json["max"] == nil { fail("mesh \(m).\(p): POSITION needs min/max") }
            let vertexCount = pos.values.count / 3
            for (name, idx) in attrs {
                guard let a = acc(idx) else { fail("mesh \(m).\(p): \(name) accessor missing"); continue }
                if a.values.count / a.components != vertexCount { fail("mesh \(m).\(p): \(name) count differs from POSITION") }
                if a.json["componentType"] as? Int == 5125 { fail("mesh \(m).\(p): \(name) uses UNSIGNED_INT") }
            }
            if let n = acc(attrs["NORMAL"]) {
                for k in stride(from: 0, to: n.values.count, by: 3) {
                    let l = (n.values[k] * n.values[k] + n.values[k + 1] * n.values[k + 1] + n.values[k + 2] * n.values[k + 2]).squareRoot()
                    if abs(l - 1) > 1e-3 { fail("mesh \(m).\(p): normal \(k / 3) has length \(l)"); break }
                }
            }
            if let t = acc(attrs["TEXCOORD_0"]), t.components != 2 { fail("mesh \(m).\(p): TEXCOORD_0 must be VEC2") }
            if let c = acc(attrs["COLOR_0"]), c.components < 3 { fail("mesh \(m).\(p): COLOR_0 must be VEC3/VEC4") }
            if let ii = prim["indices"] as? Int, let ix = acc(ii) {
                indexAccessors.insert(ii)
                let ct = ix.json["componentType"] as? Int ?? 0
                if ix.components != 1 || ![5121, 5123, 5125].contains(ct) { fail("mesh \(m).\(p): indices must be unsigned SCALAR") }
                if ix.values.count % 3 != 0 { fail("mesh \(m).\(p): index count not a multiple of 3") }
                let reserved = ct == 5121 ? 255.0 : (ct == 5123 ? 65535.0 : 4294967295.0)
                if let bad = ix.values.first(where: { $0 >= Double(vertexCount) || $0 == reserved }) {
                    fail("mesh \(m).\(p): index \(bad) out of range (\(vertexCount) vertices)")
                }
            }
            if let mat = prim["material"] as? Int, mat >= materials.count { fail("mesh \(m).\(p): material \(mat) missing") }
        }
    }
    for (i, a) in accessors.enumerated() where a["componentType"] as? Int == 5125 && !indexAccessors.contains(i) {
        fail("accessor \(i): UNSIGNED_INT outside indices")
    }
    let textures = r.array("textures"), images = r.array("images")
    for (i, m) in materials.enumerated() {
        let pbr = m["pbrMetallicRoughness"] as? [String: Any] ?? [:]
        if let f = pbr["baseColorFactor"] as? [Double], f.count != 4 || f.contains(where: { $0 < 0 || $0 > 1 }) {
            fail("material \(i): baseColorFactor")
        }
        for k in ["metallicFactor", "roughnessFactor"] {
            if let v = pbr[k] as? Double, v < 0 || v > 1 { fail("material \(i): \(k) \(v)") }
        }
        if let t = pbr["baseColorTexture"] as? [String: Any], (t["index"] as? Int ?? -1) >= textures.count {
            fail("material \(i): texture missing")
        }
    }
    for (i, t) in textures.enumerated() where (t["source"] as? Int ?? -1) >= images.count { fail("texture \(i): source missing") }
    for (i, im) in images.enumerated() where im["bufferView"] == nil || im["mimeType"] as? String != "image/png" {
        fail("image \(i): needs bufferView and mimeType")
    }

    let nodes = r.array("nodes"), meshes = r.array("meshes"), cameras = r.array("cameras")
    var parent = [Int: Int]()
    let used = Set(r.json["extensionsUsed"] as? [String] ?? [])
    for (i, n) in nodes.enumerated() {
        if let m = n["mesh"] as? Int, m >= meshes.count { fail("node \(i): mesh \(m) missing") }
        if let c = n["camera"] as? Int, c >= cameras.count { fail("node \(i): camera \(c) missing") }
        for c in n["children"] as? [Int] ?? [] {
            if c >= nodes.count || c == i { fail("node \(i): bad child \(c)") }
            if parent[c] != nil { fail("node \(c) has two parents") }
            parent[c] = i
        }
        if let q = n["rotation"] as? [Double] {
            let l = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if q.count != 4 || abs(l - 1) > 1e-5 { fail("node \(i): rotation not a unit quaternion") }
        }
        if n["matrix"] != nil && (n["translation"] != nil || n["rotation"] != nil || n["scale"] != nil) {
            fail("node \(i): matrix and TRS together")
        }
        if let ext = (n["extensions"] as? [String: Any])?["EXT_mesh_gpu_instancing"] as? [String: Any] {
            if !used.contains("EXT_mesh_gpu_instancing") { fail("EXT_mesh_gpu_instancing not in extensionsUsed") }
            let attrs = ext["attributes"] as? [String: Int] ?? [:]
            var count: Int?
            for (name, idx) in attrs {
                guard let a = acc(idx) else { fail("node \(i): instancing \(name) missing"); continue }
                let n = a.values.count / a.components
                if count == nil { count = n } else if count != n { fail("node \(i): instancing counts differ") }
                if name == "ROTATION" {
                    for k in stride(from: 0, to: a.values.count, by: 4) {
                        let l = (a.values[k..<(k + 4)].reduce(0) { $0 + $1 * $1 }).squareRoot()
                        if abs(l - 1) > 1e-5 { fail("node \(i): instance rotation \(k / 4) not unit"); break }
                    }
                }
                if ["TRANSLATION", "SCALE"].contains(name) && a.components != 3 { fail("node \(i): \(name) must be VEC3") }
            }
            if n["mesh"] == nil { fail("node \(i): instancing without mesh") }
        }
    }
    for (s, scene) in r.array("scenes").enumerated() {
        for n in scene["nodes"] as? [Int] ?? [] where n >= nodes.count || parent[n] != nil {
            fail("scene \(s): node \(n) is not a valid root")
        }
    }
    for (i, c) in cameras.enumerated() {
        switch c["type"] as? String {
        case "perspective":
            let p = c["perspective"] as? [String: Any] ?? [:]
            if (p["yfov"] as? Double ?? 0) <= 0 || (p["znear"] as? Double ?? 0) <= 0 { fail("camera \(i): perspective fields") }
        case "orthographic":
            let o = c["orthographic"] as? [String: Any] ?? [:]
            let zn = o["znear"] as? Double ?? -1, zf = o["zfar"] as? Double ?? -1
            if (o["xmag"] as? Double ?? 0) == 0 || (o["ymag"] as? Double ?? 0) == 0 || zn < 0 || zf <= zn {
                fail("camera \(i): orthographic fields")
            }
        default: fail("camera \(i): bad type")
        }
    }
    for (a, anim) in r.array("animations").enumerated() {
        let samplers = anim["samplers"] as? [[String: Any]] ?? []
        for (s, smp) in samplers.enumerated() {
            guard let input = acc(smp["input"] as? Int), let output = acc(smp["output"] as? Int) else {
                fail("animation \(a).\(s): input/output missing"); continue
            }
            if input.json["min"] == nil || input.json["max"] == nil { fail("animation \(a).\(s): input needs min/max") }
            if input.components != 1 || input.json["componentType"] as? Int != 5126 { fail("animation \(a).\(s): input must be float SCALAR") }
            if zip(input.values, input.values.dropFirst()).contains(where: { $0 >= $1 }) { fail("animation \(a).\(s): times not increasing") }
            if output.values.count / output.components != input.values.count { fail("animation \(a).\(s): output count") }
            if !["LINEAR", "STEP", "CUBICSPLINE"].contains(smp["interpolation"] as? String ?? "LINEAR") { fail("animation \(a).\(s): interpolation") }
        }
        for (c, ch) in (anim["channels"] as? [[String: Any]] ?? []).enumerated() {
            let target = ch["target"] as? [String: Any] ?? [:]
            if (target["node"] as? Int ?? nodes.count) >= nodes.count { fail("animation \(a) channel \(c): node") }
            if !["translation", "rotation", "scale", "weights"].contains(target["path"] as? String ?? "") { fail("animation \(a) channel \(c): path") }
            if (ch["sampler"] as? Int ?? samplers.count) >= samplers.count { fail("animation \(a) channel \(c): sampler") }
        }
    }
    return issues
}
