import Testing
@testable import TwinIngest

/// The binder's slot table against a `Dictionary` doing the same numbering.
@Suite("Slot table")
struct SlotTableTests {
    /// Ids of every length from 1 to 40 bytes (the hash reads 8 at a time, then the
    /// tail), ids that differ only in their last byte or only in length, non-ASCII
    /// ids, and the same ids under two bindings: each pair gets its own slot, numbered
    /// densely in first-asked order, stable across the table's growth.
    @Test("slots are numbered densely per (binding, id), across growth, like a dictionary")
    func matchesDictionary() {
        var table = SlotTable()
        var reference: [String: Int] = [:]
        var ids: [String] = []
        for n in 1...40 { ids.append(String(repeating: "x", count: n)) }
        for k in 0..<5_000 { ids.append("sensor-\(k)"); ids.append("sensor-\(k)a") }
        ids += ["Kühlhaus-7", "冷库-7", "Kühlhaus-7 ", "sensor-1\u{0}"]
        for round in 0..<2 {
            for binding in [0, 3] {
                for id in ids {
                    let key = "\(binding)|\(id)"
                    let expected = reference[key] ?? reference.count
                    if round == 0 { reference[key] = expected }
                    #expect(table.find(binding: binding, id: id) == (round == 0 ? nil : expected), "find \(key) before asking, round \(round)")
                    #expect(table.slot(binding: binding, id: id) == expected, "slot of \(key), round \(round)")
                    #expect(table.find(binding: binding, id: id) == expected, "find \(key) after asking")
                }
            }
        }
        #expect(table.count == 2 * ids.count)
        #expect(table.find(binding: 1, id: "sensor-1") == nil)
        #expect(table.find(binding: 0, id: "sensor-5000") == nil)
    }
}
