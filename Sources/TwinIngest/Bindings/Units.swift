import TwinRuntime
/// Source units a field mapping may name, each as (factor, offset) to the SI unit
/// the engine uses: `si = raw × factor + offset`.
///
/// Only affine conversions exist here (temperatures included), so a unit is two
/// numbers and a conversion can never fail at run time. The factors are exact
/// definitions (NIST SP 811, appendix B), not measurements.
enum Units {
    static let table: [String: (factor: Double, offset: Double, si: String)] = [
        // length → m
        "m": (1, 0, "m"), "mm": (0.001, 0, "m"), "cm": (0.01, 0, "m"), "km": (1000, 0, "m"),
        "in": (0.0254, 0, "m"), "ft": (0.3048, 0, "m"), "mi": (1609.344, 0, "m"),
        // time → s
        "s": (1, 0, "s"), "ms": (0.001, 0, "s"), "min": (60, 0, "s"), "h": (3600, 0, "s"),
        // speed → m/s
        "m/s": (1, 0, "m/s"), "km/h": (1000.0 / 3600.0, 0, "m/s"), "mph": (1609.344 / 3600.0, 0, "m/s"),
        "kn": (1852.0 / 3600.0, 0, "m/s"),
        // mass → kg
        "kg": (1, 0, "kg"), "g": (0.001, 0, "kg"), "t": (1000, 0, "kg"), "lb": (0.45359237, 0, "kg"),
        // angle → rad
        "rad": (1, 0, "rad"), "deg": (Double.pi / 180, 0, "rad"),
        // temperature → K
        "K": (1, 0, "K"), "degC": (1, 273.15, "K"), "degF": (5.0 / 9.0, 273.15 - 32 * 5.0 / 9.0, "K"),
        // rates → 1/s
        "1/s": (1, 0, "1/s"), "1/min": (1.0 / 60, 0, "1/s"), "1/h": (1.0 / 3600, 0, "1/s"),
        // fractions
        "1": (1, 0, "1"), "%": (0.01, 0, "1"),
    ]

    static var known: [String] { table.keys.sorted() }
}
