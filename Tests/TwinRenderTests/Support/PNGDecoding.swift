import CPNG
import TwinRender

/// Decodes PNG bytes to RGBA8 with libpng's simplified read API (no setjmp in Swift:
/// the simplified API catches libpng's errors itself).
func decodePNG(_ bytes: [UInt8]) -> Image? {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    let ok = bytes.withUnsafeBytes { raw in
        png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
    }
    guard ok != 0 else { return nil }
    image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // PNG_FORMAT_RGBA
    let w = Int(image.width), h = Int(image.height)
    guard w > 0, h > 0, w <= 16384, h <= 16384 else {
        png_image_free(&image)
        return nil
    }
    var pixels = [UInt8](repeating: 0, count: w * h * 4)
    let done = bytes.withUnsafeBytes { _ in
        pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(w * 4), nil)
        }
    }
    png_image_free(&image)
    guard done != 0 else { return nil }
    return Image(width: w, height: h, pixels: pixels)
}
