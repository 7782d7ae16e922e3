// PNG encoding through libpng's full API, which is what gives control over the zlib
// level and the row filters (the simplified API offers neither). libpng reports errors
// by longjmp; the setjmp lives here, inside one C++ function that only touches
// trivially-destructible locals, and turns the jump into a return code. Nothing ever
// jumps across the C boundary into Swift.
#include "craster.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

namespace {

struct Sink {
    uint8_t *out;
    size_t capacity;
    size_t size;
    bool overflow;
};

void write_data(png_structp png, png_bytep data, png_size_t length) {
    Sink *sink = static_cast<Sink *>(png_get_io_ptr(png));
    if (sink->overflow || length > sink->capacity - sink->size) {
        sink->overflow = true;
        return;
    }
    std::memcpy(sink->out + sink->size, data, length);
    sink->size += length;
}

void flush_data(png_structp) {}

struct ErrorState {
    char message[256];
};

void on_error(png_structp png, png_const_charp msg) {
    ErrorState *e = static_cast<ErrorState *>(png_get_error_ptr(png));
    std::snprintf(e->message, sizeof e->message, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

}  // namespace

extern "C" size_t cr_png_bound(uint32_t width, uint32_t height) {
    // Filtered rows (one filter byte each), plus deflate's stored-block overhead
    // (5 bytes per 16 KiB at worst), plus one 12-byte chunk header per 8 KiB IDAT,
    // plus signature, IHDR and IEND. Rounded up generously.
    size_t raw = (size_t(width) * 4 + 1) * size_t(height);
    return raw + raw / 256 + 4096;
}

extern "C" int cr_png_encode(const uint8_t *rgba, uint32_t width, uint32_t height, size_t stride, int zlib_level,
                             int filters, uint8_t *out, size_t capacity, size_t *written) {
    if (!rgba || !out || !written || width == 0 || height == 0 || width > 0x7FFFFFFF || height > 0x7FFFFFFF ||
        stride < size_t(width) * 4 || zlib_level < 0 || zlib_level > 9)
        return CR_ERR_ARGUMENT;
    *written = 0;
    Sink sink{out, capacity, 0, false};
    ErrorState err{};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_error, on_warning);
    if (!png) return CR_ERR_PNG;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return CR_ERR_PNG;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        std::snprintf(reinterpret_cast<char *>(out), capacity, "%s", err.message);
        return CR_ERR_PNG;
    }
    png_set_write_fn(png, &sink, write_data, flush_data);
    png_set_compression_level(png, zlib_level);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters & PNG_ALL_FILTERS ? filters & PNG_ALL_FILTERS : PNG_FILTER_NONE);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE,
                 PNG_FILTER_TYPE_BASE);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; ++y) png_write_row(png, rgba + size_t(y) * stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    if (sink.overflow) return CR_ERR_BUFFER_SMALL;
    *written = sink.size;
    return CR_OK;
}
