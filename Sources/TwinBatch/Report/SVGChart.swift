import Foundation

/// Small SVG charts for the sweep report, drawn by hand so the page needs no
/// script and no network: a KPI against a parameter with confidence-interval
/// error bars (one line per value of the other parameters), and a heatmap of a
/// KPI over a two-parameter grid.
enum SVGChart {
    struct Point { var x: Double; var y: Double; var lower: Double; var upper: Double }
    struct Series { var label: String; var points: [Point] }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
    static let width = 640.0, height = 360.0
    static let left = 70.0, right = 150.0, top = 30.0, bottom = 50.0

    static func lineChart(title: String, xLabel: String, yLabel: String, series: [Series]) -> String {
        let pts = series.flatMap(\.points)
        guard !pts.isEmpty else { return "" }
        let (x0, x1) = padded(pts.map(\.x).min() ?? 0, pts.map(\.x).max() ?? 1, fraction: 0.05)
        let (y0, y1) = padded(pts.map { $0.lower.isFinite ? $0.lower : $0.y }.min() ?? 0,
                              pts.map { $0.upper.isFinite ? $0.upper : $0.y }.max() ?? 1, fraction: 0.08)
        let pw = width - left - right, ph = height - top - bottom
        func sx(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func sy(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * ph }
        var s = header(title)
        s += axes(x0: x0, x1: x1, y0: y0, y1: y1, sx: sx, sy: sy, xLabel: xLabel, yLabel: yLabel)
        for (i, se) in series.enumerated() {
            let color = palette[i % palette.count]
            let sorted = se.points.sorted { $0.x < $1.x }
            // Series side by side by a few pixels, so error bars at the same x stay apart.
            let shift = (Double(i) - Double(series.count - 1) / 2) * 5
            func sx(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw + shift }
            let path = sorted.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            for p in sorted {
                if p.lower.isFinite && p.upper.isFinite {
                    let x = f(sx(p.x))
                    s += "<line class=\"ci\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(f(sy(p.lower)))\" y2=\"\(f(sy(p.upper)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
                    for y in [p.lower, p.upper] {
                        s += "<line x1=\"\(f(sx(p.x) - 5))\" x2=\"\(f(sx(p.x) + 5))\" y1=\"\(f(sy(y)))\" y2=\"\(f(sy(y)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
                    }
                }
                s += "<circle cx=\"\(f(sx(p.x)))\" cy=\"\(f(sy(p.y)))\" r=\"4\" fill=\"\(color)\"><title>\(esc(se.label)) x=\(num(p.x)) mean=\(num(p.y)) CI [\(num(p.lower)), \(num(p.upper))]</title></circle>\n"
            }
            if series.count > 1 || !se.label.isEmpty {
                let ly = top + 14 + Double(i) * 18
                s += "<rect x=\"\(f(width - right + 12))\" y=\"\(f(ly - 9))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
                s += "<text x=\"\(f(width - right + 30))\" y=\"\(f(ly + 1))\" font-size=\"12\">\(esc(se.label))</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    /// Cells coloured by value from light yellow (low) to dark blue (high), the value written in each.
    static func heatmap(title: String, xLabel: String, yLabel: String, xs: [Double], ys: [Double], value: (Int, Int) -> Double?) -> String {
        guard !xs.isEmpty, !ys.isEmpty else { return "" }
        var all: [Double] = []
        for i in xs.indices { for j in ys.indices { if let v = value(i, j), v.isFinite { all.append(v) } } }
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        let pw = width - left - right, ph = height - top - bottom
        let cw = pw / Double(xs.count), ch = ph / Double(ys.count)
        var s = header(title)
        for i in xs.indices {
            for j in ys.indices {
                let x = left + Double(i) * cw, y = top + Double(ys.count - 1 - j) * ch
                guard let v = value(i, j), v.isFinite else {
                    s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cw))\" height=\"\(f(ch))\" fill=\"#eee\"/>"
                    continue
                }
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cw))\" height=\"\(f(ch))\" fill=\"\(color(t))\" stroke=\"#fff\"><title>\(num(xs[i])), \(num(ys[j])): \(num(v))</title></rect>"
                if cw > 34 && ch > 16 {
                    s += "<text x=\"\(f(x + cw / 2))\" y=\"\(f(y + ch / 2 + 4))\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(t > 0.55 ? "#fff" : "#000")\">\(num(v))</text>"
                }
            }
        }
        for (i, x) in xs.enumerated() {
            s += "<text x=\"\(f(left + (Double(i) + 0.5) * cw))\" y=\"\(f(top + ph + 16))\" text-anchor=\"middle\" font-size=\"11\">\(num(x))</text>"
        }
        for (j, y) in ys.enumerated() {
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(top + (Double(ys.count - 1 - j) + 0.5) * ch + 4))\" text-anchor=\"end\" font-size=\"11\">\(num(y))</text>"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\" font-size=\"13\">\(esc(xLabel))</text>"
        s += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(esc(yLabel))</text>\n"
        // Colour scale.
        for k in 0..<20 {
            let t = Double(k) / 19
            s += "<rect x=\"\(f(width - right + 20))\" y=\"\(f(top + ph - Double(k + 1) * ph / 20))\" width=\"16\" height=\"\(f(ph / 20 + 0.5))\" fill=\"\(color(t))\"/>"
        }
        s += "<text x=\"\(f(width - right + 42))\" y=\"\(f(top + 10))\" font-size=\"11\">\(num(hi))</text>"
        s += "<text x=\"\(f(width - right + 42))\" y=\"\(f(top + ph))\" font-size=\"11\">\(num(lo))</text>\n"
        return s + "</svg>\n"
    }

    private static func header(_ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
            + "<text x=\"\(f(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(esc(title))</text>\n"
    }

    private static func axes(x0: Double, x1: Double, y0: Double, y1: Double, sx: (Double) -> Double, sy: (Double) -> Double, xLabel: String, yLabel: String) -> String {
        let pw = width - left - right, ph = height - top - bottom
        var s = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#444\"/>\n"
        for t in ticks(x0, x1) {
            s += "<line x1=\"\(f(sx(t)))\" x2=\"\(f(sx(t)))\" y1=\"\(f(top + ph))\" y2=\"\(f(top + ph + 5))\" stroke=\"#444\"/>"
            s += "<text x=\"\(f(sx(t)))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\" font-size=\"11\">\(num(t))</text>"
        }
        for t in ticks(y0, y1) {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(sy(t)))\" y2=\"\(f(sy(t)))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(sy(t) + 4))\" text-anchor=\"end\" font-size=\"11\">\(num(t))</text>"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\" font-size=\"13\">\(esc(xLabel))</text>"
        s += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(esc(yLabel))</text>\n"
        return s
    }

    /// About five round tick values (1, 2 or 5 × 10^k apart) inside [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        guard hi > lo, (hi - lo).isFinite else { return [lo] }
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var t = ceil(lo / step) * step
        while t <= hi + step * 1e-9 && out.count < 20 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func padded(_ lo: Double, _ hi: Double, fraction: Double) -> (Double, Double) {
        if hi > lo { let p = (hi - lo) * fraction; return (lo - p, hi + p) }
        let p = Swift.max(abs(lo) * 0.1, 1)
        return (lo - p, hi + p)
    }

    /// A sequential colour map: light yellow → green → dark blue.
    static func color(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(255, 255, 204), (161, 218, 180), (65, 182, 196), (44, 127, 184), (37, 52, 148)]
        let x = Swift.min(1, Swift.max(0, t)) * Double(stops.count - 1)
        let i = Swift.min(stops.count - 2, Int(x)), u = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func c(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * u).rounded()) }
        return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    static func f(_ d: Double) -> String { String(format: "%.1f", d) }

    /// Four significant digits, no exponent for everyday magnitudes.
    static func num(_ d: Double) -> String {
        guard d.isFinite else { return "–" }
        if d == 0 { return "0" }
        let a = abs(d)
        if a >= 1e6 || a < 1e-3 { return String(format: "%.3g", d) }
        let decimals = Swift.max(0, 3 - Int(floor(log10(a))))
        var s = String(format: "%.\(decimals)f", d)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
