import Foundation
import Testing
import TwinRender

/// Golden images under Tests/TwinRenderTests/Goldens/<name>.png, compared by decoded
/// pixels: the test passes when at most `maxFraction` (default 0.5 %) of the pixels
/// differ by more than `levelTolerance` (default 8 of 255) in any channel. Small
/// differences in float rounding between compilers or CPUs stay inside the tolerance;
/// a moved object or a wrong colour does not.
///
/// `RECORD_GOLDENS=1 swift test …` rewrites the golden and then fails the test, so a
/// recording can never pass silently.
enum Goldens {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Goldens")

    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDENS"] == "1" }

    struct Difference {
        let differing: Int
        let total: Int
        let maxDelta: Int
        var fraction: Double { Double(differing) / Double(max(total, 1)) }
    }

    static func compare(_ a: Image, _ b: Image, levelTolerance: Int) -> Difference? {
        guard a.width == b.width, a.height == b.height else { return nil }
        var differing = 0, maxDelta = 0
        for p in 0..<(a.width * a.height) {
            var d = 0
            for c in 0..<4 { d = max(d, abs(Int(a.pixels[p * 4 + c]) - Int(b.pixels[p * 4 + c]))) }
            maxDelta = max(maxDelta, d)
            if d > levelTolerance { differing += 1 }
        }
        return Difference(differing: differing, total: a.width * a.height, maxDelta: maxDelta)
    }

    static func check(
        _ image: Image, named name: String, levelTolerance: Int = 8, maxFraction: Double = 0.005,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let url = directory.appendingPathComponent("\(name).png")
        // Every render under test is also written next to the build for a person to look at.
        let actualURL = FileManager.default.temporaryDirectory.appendingPathComponent("twinrender-\(name).png")
        let png = try PNGEncoder.compact.encode(image)
        try Data(png).write(to: actualURL)
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(png).write(to: url)
            Issue.record("recorded golden \(url.path); re-run without RECORD_GOLDENS=1", sourceLocation: sourceLocation)
            return
        }
        guard let data = try? Data(contentsOf: url) else {
            Issue.record(
                "golden \(url.path) missing; record it with RECORD_GOLDENS=1 (actual image: \(actualURL.path))",
                sourceLocation: sourceLocation)
            return
        }
        let golden = try #require(decodePNG([UInt8](data)), "golden \(name) does not decode", sourceLocation: sourceLocation)
        let diff = try #require(
            compare(image, golden, levelTolerance: levelTolerance),
            "size \(image.width)×\(image.height) differs from golden \(golden.width)×\(golden.height)",
            sourceLocation: sourceLocation)
        #expect(
            diff.fraction <= maxFraction,
            "\(diff.differing) of \(diff.total) pixels differ by more than \(levelTolerance) (max \(diff.maxDelta)); actual: \(actualURL.path)",
            sourceLocation: sourceLocation)
    }
}
