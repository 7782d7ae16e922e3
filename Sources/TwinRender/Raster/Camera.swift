import TwinMath

/// A camera in world space (metres, Y up): where it is, what it looks at, and how it
/// projects. Produces the view and projection matrices (OpenGL clip conventions, the
/// same as glTF) for the rasterizer, and a node transform for glTF export.
public struct Camera: Hashable, Sendable {
    public enum Projection: Hashable, Sendable {
        /// `fovY`: vertical field of view in radians.
        case perspective(fovY: Float)
        /// `height`: world height in metres visible from the bottom to the top of the image.
        case orthographic(height: Float)
    }

    /// The two default views of a world.
    public enum View: Sendable {
        /// Straight down, orthographic: the plan of the site, +X to the right, −Z up.
        case topDown
        /// Perspective from the south-east and above (azimuth 45°, elevation 35°).
        case threeQuarter
    }

    public var eye: Vec3
    public var target: Vec3
    /// The world direction that should appear up in the image.
    public var up: Vec3
    public var projection: Projection
    /// Near and far clip distances along the view direction, metres (near > 0).
    public var near: Float
    public var far: Float

    public init(
        eye: Vec3, target: Vec3, up: Vec3 = .up, projection: Projection = .perspective(fovY: 50 * .pi / 180),
        near: Float = 0.1, far: Float = 1000
    ) {
        self.eye = eye; self.target = target; self.up = up; self.projection = projection
        self.near = near; self.far = far
    }

    /// World → view (camera looks down its −Z).
    public var viewMatrix: Mat4 { .lookAt(eye: eye, target: target, up: up) }

    /// View → clip for an image of aspect `width / height`.
    public func projectionMatrix(aspect: Float) -> Mat4 {
        let aspect = aspect.isFinite && aspect > 0 ? aspect : 1
        let n = near.isFinite && near > 0 ? near : 0.1
        let f = far.isFinite && far > n ? far : n * 1000
        switch projection {
        case .perspective(let fovY):
            let fov = fovY.isFinite && fovY > 0.001 && fovY < .pi - 0.001 ? fovY : 50 * .pi / 180
            return .perspective(fovY: fov, aspect: aspect, near: n, far: f)
        case .orthographic(let height):
            let h = height.isFinite && height > 0 ? height * 0.5 : 1
            return .orthographic(left: -h * aspect, right: h * aspect, bottom: -h, top: h, near: n, far: f)
        }
    }

    public func viewProjection(aspect: Float) -> Mat4 { projectionMatrix(aspect: aspect) * viewMatrix }

    /// True when eye, target and up give a usable view (finite, eye ≠ target).
    public var isValid: Bool {
        eye.isFinite && target.isFinite && up.isFinite && (target - eye).lengthSquared > 0
    }

    /// The camera's world transform as a glTF node (a glTF camera looks down its local −Z
    /// with +Y up): translation = eye, rotation from the view basis.
    public var nodeTransform: Transform {
        let f = (target - eye).normalized()
        var s = f.cross(up).normalized()
        if s == .zero { s = f.cross(.unitZ).normalized() }
        let u = s.cross(f)
        return Transform(translation: eye, rotation: Quat(rotationColumns: s, u, -f))
    }

    /// A camera that shows all of `bounds` in an image of aspect `width / height`.
    /// An empty box is treated as a 10 m cube at the origin; a flat or point-like box gets
    /// a minimum size of 1 m so the camera never degenerates.
    public static func fitted(to bounds: AABB, view: View, aspect: Float, fovY: Float = 50 * .pi / 180) -> Camera {
        var box = bounds
        if box.isEmpty || !box.min.isFinite || !box.max.isFinite {
            box = AABB(min: Vec3(-5, 0, -5), max: Vec3(5, 5, 5))
        }
        let aspect = aspect.isFinite && aspect > 0 ? aspect : 1
        let center = box.center
        let size = box.size.pointwiseMax(Vec3(1, 1, 1))
        let radius = max(size.length * 0.5, 0.5)
        switch view {
        case .topDown:
            // Orthographic from above: fit the X extent into the width and Z into the height.
            let height = max(size.z, size.x / aspect) * 1.05
            let eye = Vec3(center.x, box.max.y + radius + 1, center.z)
            return Camera(
                eye: eye, target: Vec3(center.x, center.y, center.z), up: Vec3(0, 0, -1),
                projection: .orthographic(height: height), near: 0.5, far: (eye.y - box.min.y) + radius + 1)
        case .threeQuarter:
            // Back the camera off along `dir` until all 8 corners fit: a corner at offset q
            // from the centre has depth d − q·dir and must satisfy |q·right| ≤ tanX · depth
            // and |q·up| ≤ tanY · depth. Tighter than fitting the bounding sphere.
            let dir = Vec3(_cos(0.61) * _sin(.pi / 4), _sin(0.61), _cos(0.61) * _cos(.pi / 4))
            let right = Vec3.up.cross(dir).normalized(), upv = dir.cross(right)
            let tanY = _tan(fovY / 2), tanX = tanY * aspect
            var distance: Float = radius * 0.5
            let lo = center - size * 0.5, hi = center + size * 0.5
            for i in 0..<8 {
                let q = Vec3(i & 1 == 0 ? lo.x : hi.x, i & 2 == 0 ? lo.y : hi.y, i & 4 == 0 ? lo.z : hi.z) - center
                let along = q.dot(dir)
                distance = max(distance, abs(q.dot(right)) / tanX + along, abs(q.dot(upv)) / tanY + along)
            }
            distance *= 1.04
            let eye = center + dir * distance
            return Camera(
                eye: eye, target: center, up: .up, projection: .perspective(fovY: fovY),
                near: max(distance - radius * 1.5, distance * 0.02), far: distance + radius * 1.5)
        }
    }
}
