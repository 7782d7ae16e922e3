import TwinCore

/// A camera with the name a scene gave it.
public struct NamedCamera: Hashable, Sendable {
    public var name: String
    public var camera: Camera
    public init(name: String, camera: Camera) { self.name = name; self.camera = camera }
}

/// The scene's `cameras` section, stored as a world resource
/// (`world.resource(SceneCameras.self)`) by ``RenderPlugin``.
///
/// ```json
/// "cameras": {
///   "overview": {"position": [30, 25, 30], "target": [12, 0, 0], "fovY": 45},
///   "plan":     {"position": [12, 40, 0], "target": [12, 0, 0], "up": [0, 0, -1], "orthographic": 30}
/// }
/// ```
/// `position` and `target` in metres; `fovY` is the vertical field of view in degrees
/// (perspective, default 50, 1…170); `orthographic` is the visible height in metres (an
/// orthographic camera; give `fovY` or `orthographic`, not both); `up` (default
/// `[0, 1, 0]`) must not be parallel to the view direction; optional `near`/`far` clip
/// distances in metres (defaults 0.1 and 1000).
public struct SceneCameras: Sendable {
    public var cameras: [NamedCamera]
    public init(cameras: [NamedCamera]) { self.cameras = cameras }

    /// One entry of the section as written in the scene.
    struct Spec: Codable {
        var position: Vec3
        var target: Vec3
        var up: Vec3?
        var fovY: Float?
        var orthographic: Float?
        var near: Float?
        var far: Float?
    }

    static var schema: JSONValue {
        let v3 = JSONValue.array([.number(0), .number(0), .number(0)])
        let example = JSONValue.object([
            ("position", v3), ("target", v3), ("up", v3), ("fovY", .number(50)), ("orthographic", .number(10)),
            ("near", .number(0.1)), ("far", .number(1000)),
        ])
        var item = JSONSchemaBuilder.schema(
            forExample: example, units: ["position": "m", "target": "m", "fovY": "deg", "orthographic": "m", "near": "m", "far": "m"])
        item.setMember("required", .array([.string("position"), .string("target")]))
        return .object([("type", .string("object")), ("additionalProperties", item)])
    }

    /// Decodes and checks the section; stores the resource.
    static func apply(_ json: JSONValue, _ ctx: SceneSectionContext) throws(JSONDecodingError) {
        guard let members = json.members else {
            throw ctx.error("expected an object of cameras by name, found \(json.kindDescription)", at: json)
        }
        var out: [NamedCamera] = []
        for m in members {
            let spec = try JSONValueDecoder(basePath: ctx.path + [.key(m.key)]).decode(Spec.self, from: m.value)
            out.append(NamedCamera(name: m.key, camera: try camera(spec, m, ctx)))
        }
        ctx.world.setResource(SceneCameras(cameras: out))
    }

    private static func camera(_ s: Spec, _ m: JSONMember, _ ctx: SceneSectionContext) throws(JSONDecodingError) -> Camera {
        func fail(_ message: String, _ key: String? = nil) -> JSONDecodingError {
            ctx.error(message, at: key.flatMap { m.value[$0] } ?? m.value, path: [.key(m.key)] + (key.map { [.key($0)] } ?? []))
        }
        guard s.position.isFinite else { throw fail("position must be finite", "position") }
        guard s.target.isFinite else { throw fail("target must be finite", "target") }
        let dir = s.target - s.position
        guard dir.length > 1e-4 else { throw fail("the camera is at its target: position and target must differ", "target") }
        let up = s.up ?? .up
        guard up.isFinite, up.length > 1e-6 else { throw fail("up must be a finite non-zero vector", "up") }
        guard dir.normalized().cross(up.normalized()).length > 1e-3 else {
            throw fail("up is parallel to the view direction; give another up vector", "up")
        }
        let projection: Camera.Projection
        switch (s.fovY, s.orthographic) {
        case (.some, .some): throw fail("give fovY (perspective) or orthographic (height), not both")
        case (_, .some(let h)):
            guard h.isFinite, h > 0, h <= 1e6 else { throw fail("orthographic height must be in (0, 1e6] m", "orthographic") }
            projection = .orthographic(height: h)
        case (let f, nil):
            let deg = f ?? 50
            guard deg.isFinite, deg >= 1, deg <= 170 else { throw fail("fovY must be in 1…170 degrees", "fovY") }
            projection = .perspective(fovY: deg * .pi / 180)
        }
        let near = s.near ?? 0.1, far = s.far ?? 1000
        guard near.isFinite, near > 0 else { throw fail("near must be > 0", "near") }
        guard far.isFinite, far > near else { throw fail("far must be greater than near", "far") }
        return Camera(eye: s.position, target: s.target, up: up, projection: projection, near: near, far: far)
    }
}
