import TwinCore
import TwinMath

/// Turns `Collider` components into shapes, building each asset's hull or mesh once (the
/// cache is only looked up, never iterated, so its order decides nothing).
struct ColliderShapes {
    private var hulls: [String: ConvexHull] = [:]
    private var meshes: [String: TriangleMesh] = [:]

    mutating func shape(_ c: Collider, _ world: World) throws(PhysicsError) -> Shape {
        switch c.shape {
        case "sphere": return .sphere(radius: c.radius)
        case "capsule": return .capsule(radius: c.radius, halfHeight: c.halfHeight)
        case "plane": return .plane
        case "box": return .box(halfExtents: c.halfExtents)
        case "hull":
            if c.asset.isEmpty { return .hull(try ConvexHull(points: c.points)) }
            if let h = hulls[c.asset] { return .hull(h) }
            let h: ConvexHull
            do throws(PhysicsError) {
                h = try ConvexHull(points: try triangles(c.asset, world).positions)
            } catch {
                throw PhysicsError("hull of asset \"\(c.asset)\": \(error.message)")
            }
            hulls[c.asset] = h
            return .hull(h)
        case "mesh":
            if let m = meshes[c.asset] { return .mesh(m) }
            let source = try triangles(c.asset, world)
            let m: TriangleMesh
            do throws(PhysicsError) {
                m = try TriangleMesh(vertices: source.positions, indices: source.indices)
            } catch {
                throw PhysicsError("mesh of asset \"\(c.asset)\": \(error.message)")
            }
            meshes[c.asset] = m
            return .mesh(m)
        case "compound":
            var parts: [CompoundShape.Child] = []
            for p in c.children {
                let shape: Shape
                switch p.shape {
                case "sphere": shape = .sphere(radius: p.radius)
                case "capsule": shape = .capsule(radius: p.radius, halfHeight: p.halfHeight)
                case "hull": shape = .hull(try ConvexHull(points: p.points))
                default: shape = .box(halfExtents: p.halfExtents)
                }
                parts.append(CompoundShape.Child(shape: shape, position: p.position, rotation: p.rotation))
            }
            return .compound(try CompoundShape(parts))
        default:
            throw PhysicsError("unknown collider shape \"\(c.shape)\" (known: \(Collider.shapes.joined(separator: ", ")))")
        }
    }

    private func triangles(_ asset: String, _ world: World) throws(PhysicsError) -> AssetTriangles.Mesh {
        guard let mesh = world.resource(AssetTriangles.self)?[asset] else {
            throw PhysicsError("collider asset \"\(asset)\" is not in the scene's assets section")
        }
        return mesh
    }
}
