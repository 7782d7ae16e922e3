import TwinMath

extension GLTFDocument {
    /// Adds an animation of translation/rotation/scale channels (one sampler each) and
    /// returns its index. Channels with identical keyframe times share one input
    /// accessor (a recording sampled at a fixed interval has one timeline), which
    /// carries the min/max the specification requires. Use `.step` interpolation on a
    /// scale channel to make an entity appear (scale 1) or leave (scale 0).
    /// - Throws: ``GLTFError/invalidAnimation(_:)`` when times are not finite and strictly
    ///   increasing or counts differ, ``GLTFError/unknownReference(kind:index:)`` for a node.
    @discardableResult
    public mutating func addAnimation(name: String? = nil, channels: [GLTFChannel]) throws -> Int {
        var samplers: [GLTFJSON] = [], chans: [GLTFJSON] = []
        for (k, ch) in channels.enumerated() {
            guard ch.node >= 0, ch.node < nodes.count else { throw GLTFError.unknownReference(kind: "node", index: ch.node) }
            guard !ch.times.isEmpty, ch.times.count == ch.values.count else {
                throw GLTFError.invalidAnimation("channel \(k): \(ch.times.count) times for \(ch.values.count) values")
            }
            for i in ch.times.indices {
                guard ch.times[i].isFinite, ch.times[i] >= 0, i == 0 || ch.times[i] > ch.times[i - 1] else {
                    throw GLTFError.invalidAnimation("channel \(k): time \(i) is not finite and strictly increasing")
                }
            }
            let key = ch.times.map(\.bitPattern)
            let input: Int
            if let shared = timeAccessors[key] {
                input = shared
            } else {
                input = addFloatAccessor(ch.times, components: 1, target: nil, bounds: true)
                timeAccessors[key] = input
            }
            var flat: [Float] = []
            let components: Int
            switch ch.values {
            case .translation(let v), .scale(let v):
                components = 3
                flat.reserveCapacity(v.count * 3)
                for p in v {
                    let q = p.isFinite ? p : .zero
                    flat.append(q.x); flat.append(q.y); flat.append(q.z)
                }
            case .rotation(let v):
                components = 4
                flat.reserveCapacity(v.count * 4)
                for r in v {
                    let q = r.normalized()  // non-finite or zero → identity
                    flat.append(q.x); flat.append(q.y); flat.append(q.z); flat.append(q.w)
                }
            }
            let output = addFloatAccessor(flat, components: components, target: nil, bounds: false)
            samplers.append([
                "input": .int(input), "output": .int(output), "interpolation": .string(ch.interpolation.rawValue),
            ])
            chans.append(["sampler": .int(samplers.count - 1), "target": ["node": .int(ch.node), "path": .string(ch.values.path)]])
        }
        var o: [String: GLTFJSON] = ["samplers": .array(samplers), "channels": .array(chans)]
        if let name { o["name"] = .string(name) }
        animations.append(.object(o))
        return animations.count - 1
    }
}
