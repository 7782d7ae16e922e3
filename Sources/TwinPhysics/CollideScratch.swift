import TwinMath

/// Reusable buffers of the polytope and mesh contact paths, so the narrowphase's hot
/// loops append into kept capacity instead of allocating arrays per call.
///
/// One per narrowphase chunk, kept by the world across steps: a chunk runs on one
/// worker, so a buffer is never shared between threads. A path takes a buffer out
/// (`swap`), uses it and puts it back; a nested call that finds it taken (a compound's
/// child against a mesh) just allocates, so reuse never changes a result.
final class CollideScratch {
    /// The other polytope's vertices and face normals in the reference frame.
    var vertices: [Vec3] = []
    var normals: [Vec3] = []
    /// A clipped polygon and the next clipping stage's output.
    var polygon: [ClipVertex] = []
    var clipped: [ClipVertex] = []
    var candidates: [ContactCandidate] = []
    var triangles: [Int32] = []
    var parts: [(Manifold, UInt32)] = []
}

/// A vertex of a clipped polygon with the feature code that made it (for point ids).
struct ClipVertex {
    var p: Vec3
    var code: UInt32
}
