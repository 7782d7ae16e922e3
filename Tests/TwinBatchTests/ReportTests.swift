import Foundation
import Testing
import TwinAssets
@testable import TwinBatch

@Suite("Sweep report: self-contained HTML with SVG charts, checked in headless Chromium", .serialized)
struct ReportTests {
    /// A 3 × 2 grid (a ∈ {1, 2, 3}, b ∈ {10, 20}) whose KPI y = a·b ± 1 over 4 replications.
    func gridAnalysis() -> SweepAnalysis {
        var runs: [StoredRun] = []
        var c = 0
        for a in [1.0, 2, 3] {
            for b in [10.0, 20] {
                for r in 0..<4 {
                    let run = PlannedRun(id: RunPlan.runID(configuration: c, replication: r), configuration: c, replication: r, seed: UInt64(r),
                                         parameters: [ParameterValue(name: "a", value: .number(a)), ParameterValue(name: "b", value: .number(b))])
                    let y = a * b + [-1.0, 1, -0.5, 0.5][r]
                    let result = RunResult(id: run.id, status: .ok, error: nil, kpis: [KPIValue(name: "y", value: y)], steps: 1, stateHash: "", simulationSeconds: 0)
                    runs.append(StoredRun(run, result))
                }
                c += 1
            }
        }
        let failed = PlannedRun(id: "c0000-r009", configuration: 0, replication: 9, seed: 9, parameters: runs[0].parameters)
        runs.append(StoredRun(failed, .failed(failed.id, "the worker crashed (signal 6, aborted)")))
        return SweepAnalysis(runs, kpis: ["y"])
    }

    @Test("the page has a KPI-vs-parameter chart with CI error bars per series, a heatmap, tables, paired comparisons, failures — and nothing fetched from the network")
    func html() {
        let html = SweepReport(title: "grid <test>", description: "a & b", analysis: gridAnalysis()).html
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)
        #expect(html.contains("y vs a (mean, 95 % CI)"))
        #expect(html.contains("y: mean over a × b"))
        #expect(html.components(separatedBy: "class=\"ci\"").count - 1 == 6)
        #expect(html.contains("b=10") && html.contains("b=20"))
        #expect(html.contains("grid &lt;test&gt;") && html.contains("a &amp; b"))
        #expect(html.contains("difference from c0"))
        #expect(html.contains("signal 6"))
        for forbidden in ["<script", "<link", "src=\"http", "href=\"http", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
        // c5 (a = 3, b = 20): mean 60, s = √(2.5/3), half-width t(0.975, 3)·s/2.
        let s = gridAnalysis().configurations[5].summaries["y"]
        #expect(abs((s?.halfWidth ?? 0) - 3.18244631 * (2.5 / 3).squareRoot() / 2) < 1e-6)
    }

    @Test("headless Chromium renders the report: both series' lines and error bars, and the heatmap's scale, are on the screenshot")
    func screenshot() throws {
        let dir = try scratchDirectory("report-shot")
        let page = dir + "/report.html", shot = dir + "/report.png"
        try SweepReport(title: "grid", description: "", analysis: gridAnalysis()).html.write(toFile: page, atomically: true, encoding: .utf8)
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "Chromium is missing: run Tools/setup.sh (Debian package chromium)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/profile",
                       "--window-size=1400,900", "--screenshot=\(shot)", "file://\(page)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let image = try PNGCodec.readRGBA8(path: shot)
        #expect(image.width == 1400 && image.height == 900)
        func count(_ r: Int, _ g: Int, _ b: Int) -> Int {
            var n = 0
            for i in stride(from: 0, to: image.pixels.count, by: 4)
            where abs(Int(image.pixels[i]) - r) < 12 && abs(Int(image.pixels[i + 1]) - g) < 12 && abs(Int(image.pixels[i + 2]) - b) < 12 { n += 1 }
            return n
        }
        let blue = count(0x1f, 0x77, 0xb4), red = count(0xd6, 0x27, 0x28)
        let darkest = count(37, 52, 148), lightest = count(255, 255, 204)
        let white = count(255, 255, 255)
        print("screenshot \(shot): series 1 \(blue) px, series 2 \(red) px, heatmap ends \(darkest)/\(lightest) px")
        #expect(blue > 300 && red > 300)
        #expect(darkest > 1000 && lightest > 1000)
        #expect(white > image.width * image.height / 3)
    }
}
