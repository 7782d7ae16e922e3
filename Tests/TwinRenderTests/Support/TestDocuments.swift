import TwinMath
import TwinRender

/// glTF documents shared by the GLB tests and the external validators.
enum TestDocuments {
    struct Built {
        var bytes: [UInt8]
        var plainTransforms: [Transform]
        var instanceTransforms: [Transform]
        var triangles: [Int]  // per mesh
    }

    /// Plain nodes with extras, an instanced mesh (when `instances` ≥ threshold), a big
    /// UInt32-indexed mesh, a textured material, a camera and an animation.
    static func mixed(instances: Int = 2000) throws -> Built {
        var doc = GLTFDocument()
        let png = try PNGEncoder.fast.encode(try requireImage(checker()))
        let tex = doc.addTexture(png: png, name: "checker")
        let texturedMaterial = try doc.addMaterial(PBRMaterial(name: "checker", baseColorTexture: tex))
        let box = try doc.addMesh(Primitives.box(size: Vec3(1, 2, 1), color: RGBA8(rgb: 0x3B6EA5)), name: "box")
        let ground = try doc.addMesh(Primitives.groundPlane(size: Vec2(20, 20)), name: "ground", material: texturedMaterial)
        let big = try doc.addMesh(Primitives.sphere(radius: 1, segments: 300, rings: 300), name: "big-sphere")
        var colored = Primitives.box()
        colored.colors = colored.positions.map { RGBA8(red: $0.x + 0.5, green: $0.y + 0.5, blue: $0.z + 0.5) }
        colored.normals = []  // exercises flat normals
        let vertexColored = try doc.addMesh(colored, name: "vertex-colored")
        let person = try doc.addMesh(Primitives.capsule(), name: "pedestrian")

        try doc.addNode(GLTFNode(name: "ground", mesh: ground))
        var plain: [Transform] = []
        for i in 0..<5 {
            let t = Transform(translation: Vec3(Float(i) * 2, 1, -3), rotation: Quat(yaw: Float(i) * 0.3),
                              scale: Vec3(1, 1 + Float(i) * 0.1, 1))
            plain.append(t)
            try doc.addNode(GLTFNode(name: "machine-\(i)", transform: t, mesh: box,
                                     extras: ["entity": .int(100 + i), "kind": "machine", "state": i % 2 == 0 ? "busy" : "idle",
                                              "utilisation": .float(Float(i) * 0.2)]))
        }
        try doc.addNode(GLTFNode(name: "sphere", transform: Transform(translation: Vec3(0, 1, 8)), mesh: big))
        let parent = try doc.addNode(GLTFNode(name: "group", transform: Transform(translation: Vec3(5, 0, 5))))
        let child = try doc.addNode(GLTFNode(name: "colored", transform: Transform(translation: Vec3(0, 0.5, 0)), mesh: vertexColored),
                                    root: false)
        try doc.addChild(child, to: parent)

        var crowd: [Transform] = []
        for i in 0..<instances {
            crowd.append(Transform(translation: Vec3(Float(i % 50) * 0.8 - 20, 0.9, Float(i / 50) * 0.8 + 12),
                                   rotation: Quat(yaw: Float(i) * 0.01), scale: i % 7 == 0 ? Vec3(1, 1.1, 1) : .one))
        }
        let crowdNodes = try doc.addInstances(mesh: person, transforms: crowd, name: "crowd", extras: [["kind": "pedestrian"]])

        let camera = Camera.fitted(to: AABB(min: Vec3(-20, 0, -5), max: Vec3(20, 3, 40)), view: .threeQuarter, aspect: 16 / 9)
        let cam = doc.addCamera(camera, aspect: 16 / 9, name: "overview")
        try doc.addNode(GLTFNode(name: "overview", transform: camera.nodeTransform, camera: cam))
        let top = Camera.fitted(to: AABB(min: Vec3(-20, 0, -5), max: Vec3(20, 3, 40)), view: .topDown, aspect: 1)
        try doc.addNode(GLTFNode(name: "plan", transform: top.nodeTransform, camera: doc.addCamera(top, aspect: 1)))

        let times: [Float] = [0, 0.5, 1, 1.5]
        try doc.addAnimation(name: "recording", channels: [
            GLTFChannel(node: child, times: times, values: .translation(times.map { Vec3($0, 0.5, 0) })),
            GLTFChannel(node: child, times: times, values: .rotation(times.map { Quat(yaw: $0) })),
            GLTFChannel(node: child, times: [0, 1], values: .scale([.zero, .one]), interpolation: .step),
            GLTFChannel(node: crowdNodes[0], times: times, values: .translation(times.map { Vec3(0, 0, $0) })),
        ])
        return Built(bytes: try doc.glb(), plainTransforms: plain, instanceTransforms: crowd,
                     triangles: [12, 2, 300 * 598, 12, Primitives.capsule().triangleCount])
    }

    /// Only core glTF (no instancing): what gltfpack accepts.
    static func plain() throws -> [UInt8] { try mixed(instances: 40).bytes }

    static func checker() -> Image? {
        var px = [UInt8]()
        for y in 0..<8 { for x in 0..<8 { px += (x + y) % 2 == 0 ? [230, 230, 230, 255] : [40, 40, 40, 255] } }
        return Image(width: 8, height: 8, pixels: px)
    }
}

struct MissingImage: Error {}
func requireImage(_ i: Image?) throws -> Image {
    guard let i else { throw MissingImage() }
    return i
}
