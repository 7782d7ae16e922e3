import Foundation

/// The self-contained HTML report of a sweep: charts first (KPI against parameter
/// with 95 % confidence-interval error bars, a heatmap for two-parameter grids),
/// then the tables, comparisons with the reference configuration, failures and
/// optional PNG renders of chosen configurations, embedded as data URIs. No
/// script, no external file, no network.
public struct SweepReport {
    public var title: String
    public var description: String
    public var analysis: SweepAnalysis
    /// Configuration the paired differences are taken against.
    public var reference: Int
    /// (caption, PNG bytes) shown at the end.
    public var renders: [(caption: String, png: [UInt8])] = []

    public init(title: String, description: String, analysis: SweepAnalysis, reference: Int = 0) {
        self.title = title; self.description = description; self.analysis = analysis; self.reference = reference
    }

    public var html: String {
        let e = SVGChart.esc
        let runs = analysis.configurations.reduce(0) { $0 + $1.ok + $1.failed }
        var s = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e(title)) — sweep report</title>
            <style>
            body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}
            h1{margin-bottom:4px} .sub{color:#555;margin-top:0}
            .charts{display:flex;flex-wrap:wrap;gap:16px}
            .charts figure{margin:0;border:1px solid #ddd;padding:6px}
            table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}
            th,td{border:1px solid #ccc;padding:3px 8px;text-align:right} th{background:#f3f3f3}
            td.l,th.l{text-align:left} .sig{font-weight:bold}
            </style></head><body>
            <h1>\(e(title))</h1>
            <p class="sub">\(e(description))</p>
            <p>\(analysis.configurations.count) configurations, \(runs) runs, \(analysis.failures.count) failed. Error bars and intervals: 95 % Student-t confidence intervals of the mean over replications.</p>

            """
        s += "<h2>Charts</h2>\n<div class=\"charts\">\n"
        for chart in charts() { s += "<figure>\(chart)</figure>\n" }
        s += "</div>\n"
        for k in analysis.kpis { s += table(kpi: k) }
        for k in analysis.kpis { s += comparison(kpi: k) }
        if !analysis.failures.isEmpty {
            s += "<h2>Failed runs</h2>\n<table><tr><th class=\"l\">run</th><th class=\"l\">error</th></tr>\n"
            for f in analysis.failures { s += "<tr><td class=\"l\">\(e(f.id))</td><td class=\"l\">\(e(f.error))</td></tr>\n" }
            s += "</table>\n"
        }
        if !renders.isEmpty {
            s += "<h2>Renders</h2>\n<div class=\"charts\">\n"
            for r in renders {
                s += "<figure><img alt=\"\(e(r.caption))\" src=\"data:image/png;base64,\(Data(r.png).base64EncodedString())\" width=\"640\"><figcaption>\(e(r.caption))</figcaption></figure>\n"
            }
            s += "</div>\n"
        }
        return s + "</body></html>\n"
    }

    /// For every KPI: the KPI against the varying numeric parameter with the most
    /// values (a line per combination of the others), and a heatmap when exactly
    /// two numeric parameters vary.
    func charts() -> [String] {
        let varying = analysis.varyingParameters
        var out: [String] = []
        for k in analysis.kpis {
            // The x axis is the numeric parameter with the most values: the others become lines.
            let numeric = varying.filter { p in analysis.configurations.allSatisfy { value($0, p) != nil } }
            var best: String? = nil, most = 0
            for p in numeric {
                let n = Set(analysis.configurations.compactMap { value($0, p) }).count
                if n > most { best = p; most = n }
            }
            guard let xName = best else {
                let pts = analysis.configurations.compactMap { c in c.summaries[k].map { SVGChart.Point(x: Double(c.index), y: $0.mean, lower: $0.lower, upper: $0.upper) } }
                out.append(SVGChart.lineChart(title: k, xLabel: "configuration", yLabel: k, series: [.init(label: "", points: pts)]))
                continue
            }
            let others = varying.filter { $0 != xName }
            var groups: [String: [SVGChart.Point]] = [:]
            var order: [String] = []
            for c in analysis.configurations {
                guard let s = c.summaries[k], let x = value(c, xName) else { continue }
                let label = others.map { o in "\(o)=\(c.parameters.first { $0.name == o }.map { JSONWriter.string($0.value) } ?? "?")" }.joined(separator: ", ")
                if groups[label] == nil { order.append(label) }
                groups[label, default: []].append(.init(x: x, y: s.mean, lower: s.lower, upper: s.upper))
            }
            let series = order.prefix(SVGChart.palette.count).map { SVGChart.Series(label: $0, points: groups[$0] ?? []) }
            out.append(SVGChart.lineChart(title: "\(k) vs \(xName) (mean, 95 % CI)", xLabel: xName, yLabel: k, series: series))
            if varying.count == 2, let yName = others.first {
                let xs = Array(Set(analysis.configurations.compactMap { value($0, xName) })).sorted()
                let ys = Array(Set(analysis.configurations.compactMap { value($0, yName) })).sorted()
                guard ys.count == Set(analysis.configurations.compactMap { value($0, yName) }).count, !ys.isEmpty else { continue }
                var cells: [Int: Double] = [:]
                for c in analysis.configurations {
                    guard let x = value(c, xName), let y = value(c, yName), let i = xs.firstIndex(of: x), let j = ys.firstIndex(of: y),
                          let m = c.summaries[k]?.mean else { continue }
                    cells[i * ys.count + j] = m
                }
                out.append(SVGChart.heatmap(title: "\(k): mean over \(xName) × \(yName)", xLabel: xName, yLabel: yName, xs: xs, ys: ys) { cells[$0 * ys.count + $1] })
            }
        }
        return out
    }

    private func value(_ c: SweepAnalysis.Configuration, _ name: String) -> Double? {
        c.parameters.first { $0.name == name }?.value.doubleValue
    }

    private func table(kpi k: String) -> String {
        let e = SVGChart.esc, n = SVGChart.num
        let params = analysis.varyingParameters
        var s = "<h2>\(e(k))</h2>\n<table><tr><th class=\"l\">config</th>"
        for p in params { s += "<th class=\"l\">\(e(p))</th>" }
        s += "<th>n</th><th>failed</th><th>mean</th><th>std dev</th><th>95 % CI</th><th>p5</th><th>median</th><th>p95</th></tr>\n"
        for c in analysis.configurations {
            s += "<tr><td class=\"l\">c\(c.index)</td>"
            for p in params { s += "<td class=\"l\">\(e(c.parameters.first { $0.name == p }.map { JSONWriter.string($0.value) } ?? ""))</td>" }
            if let m = c.summaries[k] {
                s += "<td>\(m.count)</td><td>\(c.failed)</td><td>\(n(m.mean))</td><td>\(n(m.standardDeviation))</td><td>[\(n(m.lower)), \(n(m.upper))]</td><td>\(n(m.p5))</td><td>\(n(m.median))</td><td>\(n(m.p95))</td></tr>\n"
            } else {
                s += "<td>0</td><td>\(c.failed)</td><td colspan=\"6\">no value</td></tr>\n"
            }
        }
        return s + "</table>\n"
    }

    private func comparison(kpi k: String) -> String {
        let diffs = analysis.differences(kpi: k, reference: reference)
        guard !diffs.isEmpty else { return "" }
        let n = SVGChart.num
        var s = "<h3>\(SVGChart.esc(k)): difference from c\(reference) (paired by replication, common random numbers)</h3>\n"
        s += "<table><tr><th class=\"l\">config</th><th>pairs</th><th>mean difference</th><th>95 % CI</th><th class=\"l\">significant</th></tr>\n"
        for d in diffs {
            guard let m = d.difference.summary else { continue }
            let sig = d.difference.isSignificant
            s += "<tr><td class=\"l\">c\(d.configuration)</td><td>\(d.difference.pairs)</td><td>\(n(m.mean))</td><td>[\(n(m.lower)), \(n(m.upper))]</td><td class=\"l\(sig ? " sig" : "")\">\(sig ? "yes" : "no")</td></tr>\n"
        }
        return s + "</table>\n"
    }
}
