extension World {
    /// Mutates `e`'s component `C`, whose id the caller looked up once, in place; the
    /// change tick is stamped only when `body` returns true (it must leave the value
    /// unchanged when it returns false). False when `e` is dead or lacks `C`.
    @inlinable
    public func modify<C: Component>(_ type: C.Type, id: ComponentID, of e: Entity, _ body: (inout C) -> Bool) -> Bool {
        guard isAlive(e) else { return false }
        let rec = records[Int(e.index)]
        let t = tables[Int(rec.table)]
        let col = t.column(of: id)
        guard col >= 0 else { return false }
        let c = unsafeDowncast(t.columns[col], to: Column<C>.self)
        guard body(&c.base[Int(rec.row)]) else { return false }
        c.header.pointee.ticks[Int(rec.row)].changed = changeTick
        return true
    }

    /// Reads `e`'s component `C` in place (no copy), by an id looked up once; nil when
    /// `e` is dead or lacks `C`.
    @inlinable
    public func read<C: Component, R>(_ type: C.Type, id: ComponentID, of e: Entity, _ body: (borrowing C) -> R) -> R? {
        guard isAlive(e) else { return nil }
        let rec = records[Int(e.index)]
        let t = tables[Int(rec.table)]
        let col = t.column(of: id)
        guard col >= 0 else { return nil }
        return body(unsafeDowncast(t.columns[col], to: Column<C>.self).base[Int(rec.row)])
    }
}
