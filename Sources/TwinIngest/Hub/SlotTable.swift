/// Slot numbers by (binding, external id): the live binder's one lookup per update.
///
/// Open addressing over the id's UTF-8 with a seeded multiply–rotate hash. A
/// `Dictionary` keyed by the pair spent ~860 instructions per update here (SipHash
/// over the String, then the key's equality); this reads the id's bytes once. Slots
/// are numbered densely from 0 in the order they are first asked for, so the
/// numbering depends only on the journal; the table is never iterated, and its seed is
/// random per process so that crafted ids cannot aim at one probe chain.
struct SlotTable {
    private struct Bucket {
        /// 0: empty (hashes are made odd).
        var hash: UInt64 = 0
        var slot: Int32 = -1
    }

    private var buckets = [Bucket](repeating: Bucket(), count: 64)
    private var keyBinding: [Int32] = []
    private var keyId: [String] = []
    private static let seed = UInt64.random(in: .min ... .max)

    var count: Int { keyId.count }

    /// The slot of (`binding`, `id`), if it has one.
    func find(binding: Int, id: String) -> Int? {
        let (_, found) = probe(Self.hash(binding, id), binding, id)
        return found
    }

    /// The slot of (`binding`, `id`), numbered next when new.
    mutating func slot(binding: Int, id: String) -> Int {
        let h = Self.hash(binding, id)
        var (i, found) = probe(h, binding, id)
        if let found { return found }
        let slot = keyId.count
        keyBinding.append(Int32(truncatingIfNeeded: binding))
        keyId.append(id)
        if (slot + 1) * 4 > buckets.count * 3 {
            grow()
            i = probe(h, binding, id).bucket
        }
        buckets[i] = Bucket(hash: h, slot: Int32(slot))
        return slot
    }

    /// Where the key's bucket is: its slot when present, else the empty bucket that
    /// ends its probe chain.
    private func probe(_ h: UInt64, _ binding: Int, _ id: String) -> (bucket: Int, slot: Int?) {
        let mask = buckets.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let b = buckets[i]
            if b.hash == 0 { return (i, nil) }
            if b.hash == h, keyBinding[Int(b.slot)] == Int32(truncatingIfNeeded: binding), keyId[Int(b.slot)] == id { return (i, Int(b.slot)) }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = buckets
        buckets = [Bucket](repeating: Bucket(), count: old.count * 2)
        let mask = buckets.count - 1
        for b in old where b.hash != 0 {
            var i = Int(truncatingIfNeeded: b.hash) & mask
            while buckets[i].hash != 0 { i = (i + 1) & mask }
            buckets[i] = b
        }
    }

    /// Eight bytes at a time, each mixed in by xor, rotate and an odd multiplier, then
    /// a final avalanche (splitmix64's) so the low bits used as the index depend on all.
    static func hash(_ binding: Int, _ id: String) -> UInt64 {
        var h = seed ^ (UInt64(truncatingIfNeeded: binding) &* 0x9E37_79B9_7F4A_7C15)
        var id = id
        id.withUTF8 { bytes in
            var at = 0
            let n = bytes.count
            while at + 8 <= n, let base = bytes.baseAddress {
                let w = UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)
                h = ((h ^ w) &<< 29 | (h ^ w) &>> 35) &* 0xBF58_476D_1CE4_E5B9
                at += 8
            }
            var tail: UInt64 = UInt64(n)
            var shift: UInt64 = 8
            while at < n {
                tail |= UInt64(bytes[at]) &<< shift
                shift += 8
                at += 1
            }
            h = ((h ^ tail) &<< 29 | (h ^ tail) &>> 35) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h &>> 31
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h &>> 29
        return h | 1
    }
}
