import Foundation
import Testing
import TwinMath
import TwinRender

@Suite("GLB writer")
struct GLBTests {
    func transform(of node: [String: Any]) -> Transform {
        let t = node["translation"] as? [Double] ?? [0, 0, 0]
        let r = node["rotation"] as? [Double] ?? [0, 0, 0, 1]
        let s = node["scale"] as? [Double] ?? [1, 1, 1]
        return Transform(translation: Vec3(Float(t[0]), Float(t[1]), Float(t[2])),
                         rotation: Quat(x: Float(r[0]), y: Float(r[1]), z: Float(r[2]), w: Float(r[3])),
                         scale: Vec3(Float(s[0]), Float(s[1]), Float(s[2])))
    }

    func same(_ a: Transform, _ b: Transform) -> Bool {
        a.translation.isApproximatelyEqual(to: b.translation) && a.scale.isApproximatelyEqual(to: b.scale)
            && abs(abs(a.rotation.x * b.rotation.x + a.rotation.y * b.rotation.y + a.rotation.z * b.rotation.z
                       + a.rotation.w * b.rotation.w) - 1) < 1e-5
    }

    @Test("round trip: node count, transforms, extras, triangle counts and instance accessors")
    func roundTrip() throws {
        let built = try TestDocuments.mixed()
        let r = try GLBReader(built.bytes)
        let nodes = r.array("nodes")
        // ground + 5 machines + sphere + group + child + 1 instanced crowd node + 2 cameras
        #expect(nodes.count == 12)
        let machines = nodes.filter { ($0["name"] as? String)?.hasPrefix("machine-") == true }
        #expect(machines.count == 5)
        for (i, m) in machines.enumerated() {
            #expect(same(transform(of: m), built.plainTransforms[i]), "machine \(i)")
            let extras = try #require(m["extras"] as? [String: Any])
            #expect(extras["entity"] as? Int == 100 + i)
            #expect(extras["kind"] as? String == "machine")
        }
        for (m, expected) in built.triangles.enumerated() { #expect(try r.triangleCount(mesh: m) == expected, "mesh \(m)") }

        let crowd = try #require(nodes.first { $0["name"] as? String == "crowd" })
        let ext = try #require((crowd["extensions"] as? [String: Any])?["EXT_mesh_gpu_instancing"] as? [String: Any])
        let attrs = try #require(ext["attributes"] as? [String: Int])
        let t = try r.read(accessor: try #require(attrs["TRANSLATION"])).values
        let q = try r.read(accessor: try #require(attrs["ROTATION"])).values
        let s = try r.read(accessor: try #require(attrs["SCALE"])).values
        #expect(t.count == built.instanceTransforms.count * 3)
        for (i, want) in built.instanceTransforms.enumerated() {
            let got = Transform(translation: Vec3(Float(t[i * 3]), Float(t[i * 3 + 1]), Float(t[i * 3 + 2])),
                                rotation: Quat(x: Float(q[i * 4]), y: Float(q[i * 4 + 1]), z: Float(q[i * 4 + 2]), w: Float(q[i * 4 + 3])),
                                scale: Vec3(Float(s[i * 3]), Float(s[i * 3 + 1]), Float(s[i * 3 + 2])))
            if !same(got, want) { Issue.record("instance \(i): \(got) != \(want)"); break }
        }
        #expect(r.json["extensionsUsed"] as? [String] == ["EXT_mesh_gpu_instancing"])
        // The big sphere needs 32-bit indices, the box 16-bit.
        let accessors = r.array("accessors")
        func indexType(_ mesh: Int) -> Int? {
            let prim = (r.array("meshes")[mesh]["primitives"] as? [[String: Any]])?.first
            return (prim?["indices"] as? Int).flatMap { accessors[$0]["componentType"] as? Int }
        }
        #expect(indexType(0) == 5123)
        #expect(indexType(2) == 5125)
    }

    @Test("the written file satisfies the specification checks")
    func specChecks() throws {
        let issues = glbSpecViolations(try TestDocuments.mixed().bytes)
        #expect(issues.isEmpty, "\(issues.prefix(10))")
        #expect(glbSpecViolations(try TestDocuments.plain()).isEmpty)
    }

    @Test("chunks are 4-byte aligned, JSON padded with spaces and BIN with zeros")
    func padding() throws {
        var doc = GLTFDocument()
        // 3 indices of UInt16 = 6 bytes: forces padding inside BIN.
        _ = try doc.addMesh(RenderMesh(positions: [.zero, .unitX, .unitY], indices: [0, 1, 2]), name: "tri")
        try doc.addNode(GLTFNode(name: "odd-length-name-x", mesh: 0))
        let bytes = try doc.glb()
        let r = try GLBReader(bytes)
        #expect(bytes.count % 4 == 0)
        let jsonText = bytes[20..<(20 + r.jsonLength)]
        let trimmed = jsonText.reversed().prefix { $0 == 0x20 }.count
        #expect(trimmed < 4)
        #expect(jsonText.dropLast(trimmed).last == UInt8(ascii: "}"))
        for view in r.array("bufferViews") { #expect((view["byteOffset"] as? Int ?? 0) % 4 == 0) }
        let last = r.array("bufferViews").last
        let end = (last?["byteOffset"] as? Int ?? 0) + (last?["byteLength"] as? Int ?? 0)
        #expect(r.bin[end...].allSatisfy { $0 == 0 })
        #expect(glbSpecViolations(bytes).isEmpty)
    }

    @Test("the same calls give the same bytes, with sorted keys")
    func canonical() throws {
        let a = try TestDocuments.mixed(instances: 1500).bytes, b = try TestDocuments.mixed(instances: 1500).bytes
        #expect(a == b)
        let json: GLTFJSON = ["b": 1, "a": [.float(0.1), .float(2), .float(1e-5), .double(.nan)], "c": ["y": "\"q\"\n", "x": nil]]
        #expect(json.canonicalString == #"{"a":[0.1,2,1e-05,0],"b":1,"c":{"x":null,"y":"\"q\"\n"}}"#)
    }

    @Test("instancing starts exactly at the threshold")
    func threshold() throws {
        for (n, expectedNodes) in [(GLTFDocument.defaultInstancingThreshold - 1, GLTFDocument.defaultInstancingThreshold - 1),
                                   (GLTFDocument.defaultInstancingThreshold, 1)] {
            var doc = GLTFDocument()
            let box = try doc.addMesh(Primitives.box())
            let nodes = try doc.addInstances(mesh: box, transforms: (0..<n).map { Transform(translation: Vec3(Float($0), 0, 0)) })
            #expect(nodes.count == expectedNodes)
            let r = try GLBReader(try doc.glb())
            #expect(r.array("nodes").count == expectedNodes)
            // Unrotated, unscaled instances carry only TRANSLATION.
            if expectedNodes == 1 {
                let ext = (r.array("nodes")[0]["extensions"] as? [String: Any])?["EXT_mesh_gpu_instancing"] as? [String: Any]
                #expect((ext?["attributes"] as? [String: Int])?.keys.sorted() == ["TRANSLATION"])
            }
        }
    }

    @Test("100,000 instanced boxes stay under 2 MB")
    func bigCrowdSize() throws {
        var doc = GLTFDocument()
        let box = try doc.addMesh(Primitives.box())
        let (scene, _) = TestScenes.boxLattice(100_000)
        try doc.addInstances(mesh: box, transforms: scene.instances.map { Transform(translation: Vec3($0.matrix.c3.x, $0.matrix.c3.y, $0.matrix.c3.z)) })
        let bytes = try doc.glb()
        #expect(bytes.count < 2_000_000)
        #expect(glbSpecViolations(bytes).isEmpty)
    }

    @Test("bad input is a typed error")
    func badInput() throws {
        var doc = GLTFDocument()
        #expect(throws: GLTFError.self) { try doc.addMesh(RenderMesh(positions: [.zero], indices: [0, 0, 3])) }
        #expect(throws: GLTFError.emptyMesh("empty")) { try doc.addMesh(RenderMesh(positions: [], indices: []), name: "empty") }
        #expect(throws: GLTFError.unknownReference(kind: "mesh", index: 4)) { try doc.addNode(GLTFNode(mesh: 4)) }
        let n = try doc.addNode(GLTFNode(name: "n"))
        #expect(throws: GLTFError.self) {
            try doc.addAnimation(channels: [GLTFChannel(node: n, times: [0, 1, 1], values: .translation([.zero, .zero, .zero]))])
        }
        #expect(throws: GLTFError.self) {
            try doc.addAnimation(channels: [GLTFChannel(node: n, times: [0, 1], values: .scale([.one]))])
        }
        // NaN transforms are written as identity components; the file stays valid.
        try doc.addNode(GLTFNode(transform: Transform(translation: Vec3(.nan, 0, 0), rotation: Quat(x: .nan, y: 0, z: 0, w: 1))))
        #expect(glbSpecViolations(try doc.glb()).isEmpty)
    }
}
