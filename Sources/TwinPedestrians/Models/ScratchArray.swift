/// A growable raw array reused across steps: hot loops index it through a pointer
/// that stays valid until the next `reserve`, so no step allocates once sizes settle.
struct ScratchArray<T: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var capacity: Int

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    /// Ensures room for `n` elements (contents are not kept).
    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        base.deallocate()
        capacity = max(n, capacity * 2)
        base = .allocate(capacity: capacity)
    }

    func free() { base.deallocate() }

    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
