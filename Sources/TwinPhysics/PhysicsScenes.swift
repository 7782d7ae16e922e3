import TwinCore
import TwinMath

/// The validation scenes of `physics.md` (P3 stack, P4 pile), built once for tests and
/// `twin bench physics` alike (Box2D's shared benchmark scenes). Parameters follow the
/// peers' `common.py`, turned from Z up to Y up.
public enum PhysicsScenes {
    /// `common.jitter(i, k)`: a deterministic value in [−1, 1].
    public static func jitter(_ i: Int, _ k: Int) -> Float { Float((i * 73 + k * 37) % 41) / 20 - 1 }

    /// A static ground plane through the origin (friction 0.6).
    @discardableResult
    public static func addGround(_ w: PhysicsWorld, friction: Float = 0.6) -> BodyID? {
        var d = BodyDescriptor(kind: .static, shape: .plane)
        d.material.friction = friction
        return try? w.createBody(d)
    }

    /// P4: `n` cubes of 0.5 m on a 0.75 m grid (10×10×10 for 1,000, 20×20×25 for 10,000),
    /// lowest layer centre 0.75 m up, ±5 cm and ±0.2 rad yaw jitter, density 1000, μ 0.6.
    public static func pile(_ n: Int, settings: PhysicsSettings = PhysicsSettings()) -> (PhysicsWorld, [BodyID]) {
        let w = PhysicsWorld(settings: settings)
        addGround(w)
        let (nx, ny): (Int, Int)
        switch n {
        case 1000: (nx, ny) = (10, 10)
        case 10000: (nx, ny) = (20, 20)
        default:
            let side = max(1, Int((Double(n).squareRoot() * 0.5).rounded()))
            (nx, ny) = (side, side)
        }
        var ids: [BodyID] = []
        for i in 0..<n {
            let ix = i % nx, iy = (i / nx) % ny, iz = i / (nx * ny)
            let x = (Float(ix) - Float(nx - 1) / 2) * 0.75 + 0.05 * jitter(i, 1)
            let z = (Float(iy) - Float(ny - 1) / 2) * 0.75 + 0.05 * jitter(i, 2)
            let y = 0.75 + Float(iz) * 0.75
            var d = BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.25)), position: Vec3(x, y, z),
                                   rotation: Quat(yaw: 0.2 * jitter(i, 3)))
            d.density = 1000
            if let id = try? w.createBody(d) { ids.append(id) }
        }
        return (w, ids)
    }

    /// Steps of the golden run: the 1,000 pile, 1/60 s, long enough for every box to land
    /// and the first layers to topple (contacts, friction, colouring and sleep all act).
    public static let goldenSteps = 180

    /// The state hash of `pile(1000)` after `goldenSteps` steps. Speed work must not
    /// change it; a change of the physics may, with its reason stated in the commit
    /// (history: README, physics section).
    public static let goldenPileHash: UInt64 = 0xa086_34b2_ef83_336d

    /// The state hash of `pile(1000)` after `steps` steps of 1/60 s.
    public static func pileHash(steps: Int = goldenSteps, executor: ParallelExecutor = .serial) -> UInt64 {
        let (w, _) = pile(1000)
        for _ in 0..<steps { w.step(dt: 1.0 / 60, executor: executor) }
        var h = StableHasher()
        w.hashState(into: &h)
        return h.value
    }

    /// P3: `count` unit cubes (density 1000, μ 0.6) stacked exactly touching on the ground.
    public static func stack(_ count: Int, settings: PhysicsSettings = PhysicsSettings()) -> (PhysicsWorld, [BodyID]) {
        let w = PhysicsWorld(settings: settings)
        addGround(w)
        var ids: [BodyID] = []
        for i in 0..<count {
            let d = BodyDescriptor(shape: .box(halfExtents: Vec3(repeating: 0.5)), position: Vec3(0, 0.5 + Float(i), 0))
            if let id = try? w.createBody(d) { ids.append(id) }
        }
        return (w, ids)
    }
}

/// P4's rest criterion, measured on a world.
public struct RestReport: Sendable, CustomStringConvertible {
    /// Share of dynamic bodies asleep or slower than 0.01 m/s.
    public var restingFraction: Double
    /// Fastest dynamic body (m/s).
    public var maxSpeed: Float
    /// Lowest body centre (m).
    public var lowest: Float
    /// Deepest penetration of any touching pair (m, positive).
    public var deepestPenetration: Float
    public var awake: Int

    /// ≥ 95 % resting, none faster than 0.1 m/s, none below −0.5 m, no pair deeper than 2 cm.
    public var meetsCriterion: Bool {
        restingFraction >= 0.95 && maxSpeed <= 0.1 && lowest >= -0.5 && deepestPenetration <= 0.02
    }

    public var description: String {
        "resting \(restingFraction * 100) %, max speed \(maxSpeed) m/s, lowest \(lowest) m, deepest \(deepestPenetration) m, awake \(awake)"
    }

    public init(_ w: PhysicsWorld) {
        var resting = 0, count = 0, awake = 0
        var maxSpeed: Float = 0, lowest = Float.infinity
        for i in 0..<w.bodyCount where w.kind[i] == .dynamic && w.isEnabled[i] {
            count += 1
            let s = w.linearVelocity[i].length
            if !w.isAwake[i] || s < 0.01 { resting += 1 }
            if w.isAwake[i] { awake += 1 }
            maxSpeed = max(maxSpeed, s)
            lowest = min(lowest, w.position[i].y)
        }
        var deepest: Float = 0
        for c in w.contacts where c.manifold.count > 0 { deepest = max(deepest, -c.manifold.minSeparation) }
        self.restingFraction = count > 0 ? Double(resting) / Double(count) : 1
        self.maxSpeed = maxSpeed
        self.lowest = lowest
        self.deepestPenetration = deepest
        self.awake = awake
    }
}
