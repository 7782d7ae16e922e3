import Testing
import TwinMath
import TwinRender

@Suite("PNG encoding")
struct PNGTests {
    @Test("encode then decode with libpng gives back every pixel, at every preset", arguments: [PNGEncoder.fastest, .fast, .compact])
    func roundTrip(encoder: PNGEncoder) throws {
        var pixels = [UInt8]()
        for y in 0..<37 { for x in 0..<53 { pixels += [UInt8(x * 4), UInt8(y * 6), UInt8((x ^ y) & 0xFF), UInt8(128 + x)] } }
        let image = try #require(Image(width: 53, height: 37, pixels: pixels))
        let png = try encoder.encode(image)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let back = try #require(decodePNG(png))
        #expect(back == image)
    }

    @Test("a rendered frame round-trips at every preset; the run deflater compresses it")
    func renderedFrame() throws {
        let scene = TestScenes.factory()
        let image = try Rasterizer.render(scene, camera: .fitted(to: scene.bounds, view: .threeQuarter, aspect: 1.5),
                                          width: 240, height: 160)
        let fastest = try PNGEncoder.fastest.encode(image)
        let fast = try PNGEncoder.fast.encode(image), compact = try PNGEncoder.compact.encode(image)
        #expect(decodePNG(fastest) == image)
        #expect(decodePNG(fast) == image)
        #expect(decodePNG(compact) == image)
        // Runs of background and flat faces: far below the 153,600 raw bytes.
        #expect(fastest.count < image.pixels.count / 4, "\(fastest.count) bytes")
    }

    @Test("the run deflater: same bytes for 1, 2 or 5 threads; noise falls back to stored blocks; rows too long to match upwards")
    func runDeflater() throws {
        // Runs along rows and down columns with noise between: both match kinds, literals,
        // and slices that refer back into the previous slice's last row.
        let image = try Self.generated(700, 300, seed: 777) { i, r in
            let x = (i / 4) % 700, y = i / 2800
            return r >> 28 == 0 ? UInt8(truncatingIfNeeded: r >> 16) : UInt8(truncatingIfNeeded: (x / 25 + y / 30) * 40 + i % 4)
        }
        let one = try PNGEncoder(zlibLevel: 1, filters: .none, threads: 1, compressor: .runs).encode(image)
        let two = try PNGEncoder(zlibLevel: 1, filters: .none, threads: 2, compressor: .runs).encode(image)
        let five = try PNGEncoder(zlibLevel: 1, filters: .none, threads: 5, compressor: .runs).encode(image)
        #expect(one == two)
        #expect(one == five)
        #expect(decodePNG(one) == image)
        #expect(one.count < image.pixels.count / 3, "\(one.count) bytes")

        // Incompressible: stored blocks, barely larger than the raw rows.
        let noisy = try Self.generated(200, 120, seed: 4242) { _, r in UInt8(truncatingIfNeeded: r >> 24) }
        let stored = try PNGEncoder.fastest.encode(noisy)
        #expect(decodePNG(stored) == noisy)
        #expect(stored.count < noisy.pixels.count + 120 + 200, "\(stored.count) bytes")

        // 8192 pixels a row: 32,769 bytes with the filter byte, beyond deflate's 32 KiB
        // window, so only the previous pixel may match.
        var wide = [UInt8](repeating: 90, count: 8192 * 3 * 4)
        for x in stride(from: 0, to: 8192, by: 97) { wide[x * 4] = UInt8(x % 251) }
        let wideImage = try #require(Image(width: 8192, height: 3, pixels: wide))
        #expect(decodePNG(try PNGEncoder.fastest.encode(wideImage)) == wideImage)
        let single = try #require(Image(width: 1, height: 1, pixels: [1, 2, 3, 4]))
        #expect(decodePNG(try PNGEncoder.fastest.encode(single)) == single)
    }

    @Test("unfiltered images deflate in slices: the same bytes for 1, 2 or 5 threads, every pixel back")
    func slicedEncoding() throws {
        // 700 × 300 RGBA is 2,800 bytes a row: about 94 rows a slice, so four slices.
        let image = try Self.generated(700, 300, seed: 12345) { i, r in
            i % 7 == 0 ? UInt8(truncatingIfNeeded: r >> 24) : UInt8(truncatingIfNeeded: i / 2800)
        }
        let one = try PNGEncoder(zlibLevel: 1, filters: .none, threads: 1).encode(image)
        let two = try PNGEncoder(zlibLevel: 1, filters: .none, threads: 2).encode(image)
        let five = try PNGEncoder(zlibLevel: 1, filters: .none, threads: 5).encode(image)
        #expect(one == two)
        #expect(one == five)
        #expect(decodePNG(one) == image)
        for level in [0, 6, 9] {
            #expect(decodePNG(try PNGEncoder(zlibLevel: level, filters: .none).encode(image)) == image, "zlib level \(level)")
        }
        let single = try #require(Image(width: 1, height: 1, pixels: [1, 2, 3, 4]))
        #expect(decodePNG(try PNGEncoder.fast.encode(single)) == single)
    }

    /// A width × height image whose byte i is `byte(i, r)`, r the next value of a linear
    /// congruential generator started at `seed`.
    static func generated(_ width: Int, _ height: Int, seed: UInt32, _ byte: (Int, UInt32) -> UInt8) throws -> Image {
        var state = seed
        let pixels = (0..<(width * height * 4)).map { i -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return byte(i, state)
        }
        return try #require(Image(width: width, height: height, pixels: pixels))
    }

    @Test("empty images and bad levels are typed errors")
    func badInput() {
        #expect(throws: RenderError.invalidSize(width: 0, height: 0)) { try PNGEncoder.fast.encode(Image(width: 0, height: 0)) }
        #expect(throws: RenderError.self) {
            try PNGEncoder(zlibLevel: 12, filters: .none).encode(Image(width: 2, height: 2))
        }
        #expect(throws: RenderError.invalidOption("the runs compressor writes unfiltered rows only")) {
            try PNGEncoder(zlibLevel: 1, filters: .adaptive, compressor: .runs).encode(Image(width: 2, height: 2))
        }
    }
}
