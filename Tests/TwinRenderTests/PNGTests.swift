import Testing
import TwinMath
import TwinRender

@Suite("PNG encoding")
struct PNGTests {
    @Test("encode then decode with libpng gives back every pixel, at both presets", arguments: [PNGEncoder.fast, .compact])
    func roundTrip(encoder: PNGEncoder) throws {
        var pixels = [UInt8]()
        for y in 0..<37 { for x in 0..<53 { pixels += [UInt8(x * 4), UInt8(y * 6), UInt8((x ^ y) & 0xFF), UInt8(128 + x)] } }
        let image = try #require(Image(width: 53, height: 37, pixels: pixels))
        let png = try encoder.encode(image)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let back = try #require(decodePNG(png))
        #expect(back == image)
    }

    @Test("a rendered frame round-trips at both presets")
    func renderedFrame() throws {
        let scene = TestScenes.factory()
        let image = try Rasterizer.render(scene, camera: .fitted(to: scene.bounds, view: .threeQuarter, aspect: 1.5),
                                          width: 240, height: 160)
        let fast = try PNGEncoder.fast.encode(image), compact = try PNGEncoder.compact.encode(image)
        #expect(decodePNG(fast) == image)
        #expect(decodePNG(compact) == image)
    }

    @Test("unfiltered images deflate in slices: the same bytes for 1, 2 or 5 threads, every pixel back")
    func slicedEncoding() throws {
        // 700 × 300 RGBA is 2,800 bytes a row: about 94 rows a slice, so four slices.
        var pixels = [UInt8](repeating: 0, count: 700 * 300 * 4)
        var state: UInt32 = 12345
        for i in pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            pixels[i] = i % 7 == 0 ? UInt8(truncatingIfNeeded: state >> 24) : UInt8(truncatingIfNeeded: i / 2800)
        }
        let image = try #require(Image(width: 700, height: 300, pixels: pixels))
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

    @Test("empty images and bad levels are typed errors")
    func badInput() {
        #expect(throws: RenderError.invalidSize(width: 0, height: 0)) { try PNGEncoder.fast.encode(Image(width: 0, height: 0)) }
        #expect(throws: RenderError.self) {
            try PNGEncoder(zlibLevel: 12, filters: .none).encode(Image(width: 2, height: 2))
        }
    }
}
