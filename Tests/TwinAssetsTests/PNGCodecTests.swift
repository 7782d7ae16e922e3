import Foundation
import Testing
@testable import TwinAssets

@Suite("PNG through libpng's simplified API")
struct PNGCodecTests {
    @Test("Grey, grey+alpha, RGB, RGBA and palette (with tRNS) at 8 bits decode to the same RGBA values")
    func colourTypes() throws {
        // 2×1 images: pixel 0 black, pixel 1 white (opaque); palette entry 1 is white.
        let grey = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 255]])
        let greyAlpha = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[0, 255, 255, 255]])
        let rgb = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[0, 0, 0, 255, 255, 255]])
        let rgba = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 6, rows: [[0, 0, 0, 255, 255, 255, 255, 255]])
        let palette = PNGBuilder.png(
            width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 1]],
            extra: [PNGBuilder.chunk("PLTE", [0, 0, 0, 255, 255, 255]), PNGBuilder.chunk("tRNS", [255, 255])])
        for bytes in [grey, greyAlpha, rgb, rgba, palette] {
            let image = try PNGCodec.decodeRGBA8(bytes)
            #expect(image.width == 2 && image.height == 1)
            #expect(image.pixels == [0, 0, 0, 255, 255, 255, 255, 255])
        }
    }

    @Test("16-bit files decode to 8-bit RGBA and to linear 16-bit RGBA")
    func sixteenBit() throws {
        let rgb16 = PNGBuilder.png(width: 1, height: 1, bitDepth: 16, colorType: 2, rows: [[0xFF, 0xFF, 0, 0, 0x80, 0x00]])
        let eight = try PNGCodec.decodeRGBA8(rgb16)
        #expect(eight.pixels[0] == 255 && eight.pixels[1] == 0 && eight.pixels[3] == 255)
        let sixteen = try PNGCodec.decodeRGBA16(rgb16)
        #expect(sixteen.pixels[0] == 65535 && sixteen.pixels[1] == 0 && sixteen.pixels[3] == 65535)
        // Blue 0x8000 is kept as linear data (no gAMA chunk in a 16-bit file = linear).
        #expect(abs(Int(sixteen.pixels[2]) - 0x8000) < 2)
    }

    @Test("RGBA8, RGB8 and grey8 round-trip through encode and decode")
    func roundTrip() throws {
        var pixels: [UInt8] = []
        for i in 0..<(7 * 5) { pixels += [UInt8(i * 7 % 256), UInt8(i * 13 % 256), UInt8(i * 29 % 256), UInt8(255 - i)] }
        let image = RGBAImage(width: 7, height: 5, pixels: pixels)
        #expect(try PNGCodec.decodeRGBA8(PNGCodec.encode(image, as: .rgba8)) == image)
        let rgb = try PNGCodec.decodeRGBA8(PNGCodec.encode(image, as: .rgb8))
        for i in 0..<35 {
            #expect(Array(rgb.pixels[4 * i..<4 * i + 3]) == Array(pixels[4 * i..<4 * i + 3]))
            #expect(rgb.pixels[4 * i + 3] == 255)
        }
        let grey = try PNGCodec.decodeRGBA8(PNGCodec.encode(RGBAImage(width: 1, height: 1, pixels: [255, 255, 255, 255]), as: .grey8))
        #expect(grey.pixels == [255, 255, 255, 255])
    }

    @Test("The shared raster plans decode at their real sizes", .enabled(if: SharedAssets.available))
    func sharedPlans() throws {
        let office = try PNGCodec.readRGBA8(path: SharedAssets.path("floorplan/office.png"))
        #expect(office.width == 3047 && office.height == 1717)
        let hotel = try PNGCodec.readRGBA8(path: SharedAssets.path("floorplan/hotel_L1.png"))
        #expect(hotel.width == 693 && hotel.height == 845)
    }

    @Test("A header claiming 100000×100000 is rejected as too large before any allocation")
    func absurdSize() {
        let bytes = PNGBuilder.png(width: 100_000, height: 100_000, bitDepth: 8, colorType: 6, rows: [])
        #expect(throws: AssetImportError.tooLarge(path: "huge.png", reason: "PNG is 100000×100000 pixels, limit 16384×16384")) {
            try PNGCodec.decodeRGBA8(bytes, path: "huge.png")
        }
        // Within the dimension limit but over the byte limit.
        let wide = PNGBuilder.png(width: 16384, height: 16384, bitDepth: 16, colorType: 6, rows: [])
        #expect(throws: AssetImportError.self) { try PNGCodec.decodeRGBA8(wide, path: "wide.png") }
    }

    @Test("Empty, truncated, non-PNG and corrupt-CRC inputs are typed errors")
    func corrupt() throws {
        let good = PNGBuilder.png(width: 2, height: 2, bitDepth: 8, colorType: 2, rows: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]])
        #expect(throws: AssetImportError.emptyFile(path: "x.png")) { try PNGCodec.decodeRGBA8([], path: "x.png") }
        for cut in [10, 40, good.count / 2, good.count - 13] {
            #expect(throws: AssetImportError.self) { try PNGCodec.decodeRGBA8(Array(good.prefix(cut)), path: "x.png") }
        }
        #expect(throws: AssetImportError.self) { try PNGCodec.decodeRGBA8(Array("not a png at all, sorry".utf8)) }
        var badCRC = good
        badCRC[29] ^= 0xFF  // inside the IHDR CRC
        #expect(throws: AssetImportError.self) { try PNGCodec.decodeRGBA8(badCRC) }
        #expect(throws: AssetImportError.missingFile(path: "/nonexistent/plan.png")) { try PNGCodec.readRGBA8(path: "/nonexistent/plan.png") }
    }
}
