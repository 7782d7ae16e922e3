#if canImport(Glibc)
import Glibc
#endif
import Foundation

enum FileHandleOutput {
    static func standardError(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

/// A one-line progress bar with steps/s and ETA, redrawn in place on a terminal.
struct ProgressBar {
    let total: Int64
    let start = DispatchTime.now().uptimeNanoseconds

    func draw(_ done: Int64) {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? Int(Double(width) * Double(done) / Double(total)) : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %5.1f%%  %lld/%lld steps  %.0f steps/s  ETA %.1f s ",
                          bar, total > 0 ? 100 * Double(done) / Double(total) : 100, done, total, rate, eta)
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
}
