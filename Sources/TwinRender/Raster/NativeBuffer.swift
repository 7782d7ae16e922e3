/// A fixed-size, manually allocated array whose address never moves, so the C kernel can
/// hold pointers into many of them at once. Immutable after initialisation except
/// through the kernel, which writes disjoint ranges from different threads.
final class NativeBuffer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    /// Copies `array`.
    init(_ array: [Element]) {
        count = array.count
        base = .allocate(capacity: max(count, 1))
        array.withUnsafeBufferPointer { src in
            if let a = src.baseAddress { base.initialize(from: a, count: count) }
        }
    }

    /// `count` copies of `value`.
    init(repeating value: Element, count: Int) {
        self.count = max(count, 0)
        base = .allocate(capacity: max(self.count, 1))
        base.initialize(repeating: value, count: self.count)
    }

    /// `count` elements left uninitialised, for plain-data workspace the kernel writes
    /// before reading (no memset of memory that is about to be overwritten).
    init(uninitializedCount count: Int) {
        precondition(_isPOD(Element.self), "uninitialised NativeBuffer of a non-trivial type")
        self.count = max(count, 0)
        base = .allocate(capacity: max(self.count, 1))
    }

    var pointer: UnsafePointer<Element> { UnsafePointer(base) }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
