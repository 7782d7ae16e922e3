import Foundation
import Testing
@testable import TwinAssets

/// Shared test data (read-only, see `../shared/data/assets/LICENSES.md`): the
/// project's `shared/` folder sits next to the repository, on developer machines and in CI.
enum SharedAssets {
    static let root: String = {
        let here = URL(fileURLWithPath: #filePath)  // …/<repo>/Tests/TwinAssetsTests/TestSupport.swift
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/data/assets").path + "/"
    }()
    static func path(_ relative: String) -> String { root + relative }
    static var available: Bool { FileManager.default.fileExists(atPath: root + "LICENSES.md") }
}

/// A fresh temporary directory per call.
func temporaryDirectory(_ label: String = #function) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("twinassets-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `bytes` to a new file and returns its path.
func writeFile(_ bytes: [UInt8], named name: String, in directory: URL) -> String {
    let url = directory.appendingPathComponent(name)
    _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
    return url.path
}

/// The built `twin` executable next to the test bundle, if the CLI was built and has the
/// `import` worker mode (checked once by running `twin import --help`).
func builtTwinExecutable() -> URL? { TwinExecutable.url }

enum TwinExecutable {
    static let url: URL? = {
        guard let candidate = locateTwin() else { return nil }
        let process = Process()
        process.executableURL = candidate
        process.arguments = ["import", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).contains("floor-plan") ? candidate : nil
    }()
}

private func locateTwin() -> URL? {
    guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // On Linux the test runner is `<bin>/<Package>PackageTests.xctest`; be lenient about nesting.
    for _ in 0..<3 {
        let candidate = directory.appendingPathComponent("twin")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}

/// Deterministic generator for fuzzing (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds small PNG files byte by byte (stored deflate blocks, real CRCs), so tests can
/// cover every colour type and bit depth and craft hostile headers without fixture files.
enum PNGBuilder {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return be32(UInt32(data.count)) + typed + be32(crc32(typed))
    }

    /// zlib stream with stored (uncompressed) blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, data.count - offset)
            let final: UInt8 = offset + n >= data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<offset + n]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(b << 16 | a)
    }

    /// A PNG with the given header and raw scanlines (filter byte 0 is added per row).
    static func png(width: UInt32, height: UInt32, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]], extra: [[UInt8]] = []) -> [UInt8] {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        let ihdr = be32(width) + be32(height) + [bitDepth, colorType, 0, 0, 0]
        var raw: [UInt8] = []
        for row in rows { raw += [0] + row }
        var file = signature + chunk("IHDR", ihdr)
        for e in extra { file += e }
        return file + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
    }
}

/// Largest component-wise absolute difference of two float vectors.
func maxDifference<V: SIMD>(_ a: V, _ b: V) -> Float where V.Scalar == Float {
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}
