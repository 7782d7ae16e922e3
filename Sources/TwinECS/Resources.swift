/// Resources: one value per type, owned by the world (clock, settings, indices).
extension World {
    public func setResource<R>(_ value: R) {
        resourceStorage[ObjectIdentifier(R.self)] = value
    }

    public func resource<R>(_ type: R.Type) -> R? {
        resourceStorage[ObjectIdentifier(type)] as? R
    }

    /// Mutates a resource in place; nil if absent.
    @discardableResult
    public func updateResource<R, Result>(_ type: R.Type, _ body: (inout R) throws -> Result) rethrows -> Result? {
        let key = ObjectIdentifier(type)
        guard var v = resourceStorage[key] as? R else { return nil }
        resourceStorage[key] = nil  // keep the value uniquely referenced while mutating
        defer { resourceStorage[key] = v }
        return try body(&v)
    }

    @discardableResult
    public func removeResource<R>(_ type: R.Type) -> R? {
        resourceStorage.removeValue(forKey: ObjectIdentifier(type)) as? R
    }
}
