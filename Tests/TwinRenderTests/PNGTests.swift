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

    @Test("empty images and bad levels are typed errors")
    func badInput() {
        #expect(throws: RenderError.invalidSize(width: 0, height: 0)) { try PNGEncoder.fast.encode(Image(width: 0, height: 0)) }
        #expect(throws: RenderError.self) {
            try PNGEncoder(zlibLevel: 12, filters: .none).encode(Image(width: 2, height: 2))
        }
    }
}
