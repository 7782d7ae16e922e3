import Testing
import TwinCore
import TwinMath
@testable import TwinPhysics

/// Bad triangle meshes: a clear error, or bad triangles skipped and counted.
@Suite("triangle mesh bad input")
struct MeshBadInputTests {
    @Test("NaN vertices and zero-area triangles are skipped and counted; the rest collide")
    func skipped() throws {
        let v = [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 0, -1), Vec3(.nan, 0, 0), Vec3(2, 0, 0)]
        // Good, NaN corner, repeated index, collinear.
        let m = try TriangleMesh(vertices: v, indices: [0, 1, 2, 0, 3, 1, 0, 0, 1, 0, 1, 4])
        #expect(m.triangleCount == 1 && m.skippedTriangles == 3)
        let w = PhysicsWorld()
        try w.createBody(BodyDescriptor(kind: .static, shape: .mesh(m)))
        let s = try w.createBody(BodyDescriptor(shape: .sphere(radius: 0.05), position: Vec3(0.2, 0.06, -0.2)))
        for _ in 0..<60 { w.step(dt: 1.0 / 60) }
        #expect(abs(w.position(of: s).y - 0.05) < 0.005, "\(w.position(of: s))")
    }

    @Test("meshes that cannot be used are refused, naming why", arguments: [
        ("no usable triangle", [Vec3(0, 0, 0), Vec3(1, 0, 0)], [UInt32(0), 1, 1]),
        ("out of range", [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 0, 1)], [UInt32(0), 1, 7]),
        ("multiple of 3", [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 0, 1)], [UInt32(0), 1]),
    ])
    func refused(word: String, vertices: [Vec3], indices: [UInt32]) {
        do {
            let m = try TriangleMesh(vertices: vertices, indices: indices)
            Issue.record("accepted \(m)")
        } catch {
            #expect(error.message.contains(word), "\(error.message)")
        }
    }

    @Test("more than the triangle cap is a clear error before any work")
    func tooMany() {
        let indices = [UInt32](repeating: 0, count: 3 * (TriangleMesh.maxTriangles + 1))
        #expect { try TriangleMesh(vertices: [.zero], indices: indices) } throws: { error in
            (error as? PhysicsError)?.message.contains("decimate") == true
        }
    }

    @Test("a 100,352-triangle mesh is accepted and a box rests on it where its seams meet")
    func large() throws {
        let mesh = try ShapeContactTests.gridMesh(size: 100, n: 224)
        #expect(mesh.triangleCount == 100_352 && mesh.skippedTriangles == 0)
        let w = PhysicsWorld()
        try w.createBody(BodyDescriptor(kind: .static, shape: .mesh(mesh)))
        let box = try w.createBody(BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.3)), position: Vec3(0, 0.35, 0)))
        for _ in 0..<120 { w.step(dt: 1.0 / 60) }
        #expect(abs(w.position(of: box).y - 0.3) < 0.01, "\(w.position(of: box))")
    }

    @Test("a mesh must be static, and cannot be a sensor")
    func staticOnly() throws {
        let m = try TriangleMesh(vertices: [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 0, -1)], indices: [0, 1, 2])
        let w = PhysicsWorld()
        #expect(throws: PhysicsError.self) { try w.createBody(BodyDescriptor(kind: .dynamic, shape: .mesh(m))) }
        #expect(throws: PhysicsError.self) { try w.createBody(BodyDescriptor(kind: .kinematic, shape: .mesh(m))) }
        #expect(throws: PhysicsError.self) { try w.createSensor(SensorDescriptor(shape: .mesh(m))) }
        #expect(w.bodyCount == 0)
    }
}
