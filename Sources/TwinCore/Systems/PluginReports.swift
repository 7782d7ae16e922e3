/// KPIs and tables that plugins publish for the run's outputs (a world resource).
///
/// A plugin declares its KPIs while the scene loads (so stop conditions and the KPI
/// table know them), sets their values from its systems, and appends rows to named
/// tables (one CSV file each, e.g. per-agent travel times). Names are namespaced by
/// the plugin (`pedestrians.evacuated`). Order is declaration order, never hashing
/// order, so outputs are deterministic.
///
/// ```swift
/// let reports = world.pluginReports
/// reports.declare("pedestrians.inside", every: 1)
/// reports.set("pedestrians.inside", Double(count))
/// reports.append(to: "pedestrians.travel-times", columns: ["agent", "time"], row: [7, 31.2])
/// ```
public final class PluginReports {
    public struct KPI: Sendable, Hashable {
        public let name: String
        /// Sampling interval of the KPI table, s.
        public let every: Double
        public fileprivate(set) var value: Double
    }

    public struct Table: Sendable, Hashable {
        public let name: String
        public let columns: [String]
        public fileprivate(set) var rows: [[Double]]
    }

    public private(set) var kpis: [KPI] = []
    public private(set) var tables: [Table] = []
    private var kpiIndex: [String: Int] = [:]
    private var tableIndex: [String: Int] = [:]

    public init() {}

    /// Makes `name` known (value NaN until set). Declaring again keeps the first interval.
    public func declare(_ name: String, every: Double = 1) {
        guard kpiIndex[name] == nil else { return }
        kpiIndex[name] = kpis.count
        kpis.append(KPI(name: name, every: every, value: .nan))
    }

    /// Sets a declared KPI (an undeclared name is declared with a 1 s interval).
    public func set(_ name: String, _ value: Double) {
        if kpiIndex[name] == nil { declare(name) }
        if let i = kpiIndex[name] { kpis[i].value = value }
    }

    public func value(_ name: String) -> Double? { kpiIndex[name].map { kpis[$0].value } }

    /// Appends one row to table `name`; the first call fixes its columns.
    public func append(to name: String, columns: [String], row: [Double]) {
        if let i = tableIndex[name] {
            tables[i].rows.append(row)
        } else {
            tableIndex[name] = tables.count
            tables.append(Table(name: name, columns: columns, rows: [row]))
        }
    }

    /// Declares an empty table so it is written even when no row arrives.
    public func declareTable(_ name: String, columns: [String]) {
        guard tableIndex[name] == nil else { return }
        tableIndex[name] = tables.count
        tables.append(Table(name: name, columns: columns, rows: []))
    }

    public func table(_ name: String) -> Table? { tableIndex[name].map { tables[$0] } }
}

extension World {
    /// The world's published KPIs and tables, created on first use.
    public var pluginReports: PluginReports {
        if let r = resource(PluginReports.self) { return r }
        let r = PluginReports()
        setResource(r)
        return r
    }
}
