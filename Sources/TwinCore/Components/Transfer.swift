/// Hand-over of items between plugins that must not import each other: the `machines`
/// plugin owns the items, carriers of the `vehicles` plugin (forklifts, AGVs) move them.
///
/// The owner (machines) puts a `TransferPoint` on each hand-over element (a buffer with
/// `"transfer": "pickUp"` or `"dropOff"`) and, once per step, consumes `taken` and
/// `delivered` (at its step's start) and then publishes `offered` and `space` (at its
/// step's end). A carrier standing at a stop that names the point moves handles from
/// `offered` to `taken` and onto its `CarriedLoad`, or from its load to `delivered`
/// (lowering `space`). Items are opaque handles of the owner; carriers never look inside.
/// A hand-over therefore takes effect in the owner at most one step (`dt`) after the
/// carrier made it, in either system order.

/// A place where carriers take items from, or deliver items into, an element of another
/// plugin.
public struct TransferPoint: Component, DocumentedComponent, Hashable {
    /// `pickUp` (carriers take items here) or `dropOff` (carriers deliver items here).
    public var role: String
    /// Items ready to be taken, first to go first (owner's handles); written by the owner
    /// every step, carriers remove what they take.
    public var offered: [Int32]
    /// Handles carriers took since the owner last looked; the owner removes the items from
    /// its element and empties the list.
    public var taken: [Int32]
    /// Places free for deliveries; written by the owner every step, lowered by one for
    /// each item a carrier delivers.
    public var space: Int
    /// Handles carriers delivered since the owner last looked; the owner enters the items
    /// into its element and empties the list.
    public var delivered: [Int32]
    /// Items taken from / delivered into this point since the start (counted by carriers).
    public var totalTaken: Int
    public var totalDelivered: Int

    public init(role: String) {
        self.role = role; offered = []; taken = []; space = 0; delivered = []; totalTaken = 0; totalDelivered = 0
    }

    public static let summary = "A hand-over point between plugins (machines buffer ↔ forklifts/AGVs): items offered and space free (owner), items taken and delivered (carriers), totals."
    public static let fieldUnits = ["space": "items", "totalTaken": "items", "totalDelivered": "items"]

    public func hashState(into h: inout StableHasher) {
        h.combine(role); h.combine(space); h.combine(totalTaken); h.combine(totalDelivered)
        h.combine(offered.count); for x in offered { h.combine(Int(x)) }
        h.combine(taken.count); for x in taken { h.combine(Int(x)) }
        h.combine(delivered.count); for x in delivered { h.combine(Int(x)) }
    }
}

/// The items a carrier (a forklift or AGV of the `vehicles` plugin) carries now: the
/// owner's handles, in loading order.
public struct CarriedLoad: Component, DocumentedComponent, Hashable {
    public var items: [Int32]
    /// `items.count`, for measurements.
    public var count: Int
    /// Most items it carries at once.
    public var capacity: Int

    public init(capacity: Int, items: [Int32] = []) { self.items = items; count = items.count; self.capacity = capacity }

    public static let summary = "Items a carrier (forklift/AGV) holds now: handles of the owning plugin, count and capacity."
    public static let fieldUnits = ["count": "items", "capacity": "items"]

    public func hashState(into h: inout StableHasher) {
        h.combine(count); h.combine(capacity); for x in items { h.combine(Int(x)) }
    }
}
