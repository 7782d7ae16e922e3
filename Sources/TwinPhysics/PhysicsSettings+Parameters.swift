import TwinCore

/// The settings are the `physics.rigid-body` system's parameters (gravity excepted: it is
/// the scene's `world.gravity`).
extension PhysicsSettings: SystemParameters {
    enum CodingKeys: String, CodingKey {
        case substeps, contactHertz, contactDampingRatio, maxPushOutSpeed, linearSlop, speculativeDistance
        case restitutionThreshold, sleepSpeed, timeToSleep, maxSpeed, hitSpeed
    }

    public static let units = [
        "contactHertz": "Hz", "maxPushOutSpeed": "m/s", "linearSlop": "m", "speculativeDistance": "m",
        "restitutionThreshold": "m/s", "sleepSpeed": "m/s", "timeToSleep": "s", "maxSpeed": "m/s", "hitSpeed": "m/s",
    ]
    public static let documentation = [
        "substeps": "Solver substeps per step (each one solve and one relax pass).",
        "contactHertz": "Contact stiffness as a spring frequency, capped at a quarter of the substep rate.",
        "contactDampingRatio": "Contact damping ratio.",
        "maxPushOutSpeed": "Largest speed at which overlapping bodies are pushed apart.",
        "linearSlop": "Gap below which a contact counts as touching and is solved softly.",
        "speculativeDistance": "Contacts are created this much before touching (plus one step's travel).",
        "restitutionThreshold": "Approach speeds below this do not bounce.",
        "sleepSpeed": "Bodies slower than this may sleep.",
        "timeToSleep": "An island sleeps once all its bodies were slow this long.",
        "maxSpeed": "Bodies faster than this are reported and removed (a numeric blow-up).",
        "hitSpeed": "Impacts faster than this emit ContactHitEvent.",
    ]

    public func validate() throws(ParameterError) {
        guard (1...64).contains(substeps) else { throw ParameterError("substeps", "substeps must be 1…64, got \(substeps)") }
        let positive = [("contactHertz", contactHertz), ("contactDampingRatio", contactDampingRatio),
                        ("maxPushOutSpeed", maxPushOutSpeed), ("timeToSleep", timeToSleep), ("maxSpeed", maxSpeed)]
        for (name, v) in positive where !(v > 0 && v.isFinite) {
            throw ParameterError(name, "\(name) must be positive and finite, got \(v)")
        }
        let nonNegative = [("linearSlop", linearSlop), ("speculativeDistance", speculativeDistance),
                           ("restitutionThreshold", restitutionThreshold), ("sleepSpeed", sleepSpeed), ("hitSpeed", hitSpeed)]
        for (name, v) in nonNegative where !(v >= 0 && v.isFinite) {
            throw ParameterError(name, "\(name) must be ≥ 0 and finite, got \(v)")
        }
    }
}
