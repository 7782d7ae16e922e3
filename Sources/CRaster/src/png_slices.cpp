// PNG encoding in independent slices, for images without row filters (the default
// encoder): each slice of rows is deflated on its own as raw deflate data ending on a
// byte boundary (a sync flush; the last slice finishes the stream), and the slices,
// concatenated in order behind one zlib header, form one valid zlib stream (the way
// pigz parallelises gzip). The slice split depends only on the image width, never on
// the number of threads, so the file is byte-identical however many threads deflate
// the slices. The adler-32 of the whole stream is combined from the slices'.
//
// Written with zlib directly (no libpng: nothing here can longjmp); the chunks are
// framed by hand: signature, IHDR, one IDAT, IEND, each with its CRC-32.
#include "craster.h"

#include <zlib.h>

#include <cstring>

namespace {

constexpr size_t kSliceBytes = 256 * 1024;  // raw (filtered) bytes per slice, about

void put32(uint8_t *p, uint32_t v) {
    p[0] = uint8_t(v >> 24); p[1] = uint8_t(v >> 16); p[2] = uint8_t(v >> 8); p[3] = uint8_t(v);
}

}  // namespace

extern "C" uint32_t cr_png_slice_rows(uint32_t width) {
    const size_t row = size_t(width) * 4 + 1;
    const size_t rows = kSliceBytes / row;
    return rows < 1 ? 1 : rows > 0xFFFF ? 0xFFFF : uint32_t(rows);
}

extern "C" size_t cr_png_slice_bound(uint32_t width, uint32_t rows) {
    // Stored blocks at worst: 5 bytes per 16 KiB block, plus the sync flush's empty
    // stored block and the final block; rounded up generously.
    const size_t raw = (size_t(width) * 4 + 1) * size_t(rows);
    return raw + raw / 1024 + 64;
}

extern "C" int cr_png_deflate_slice(const uint8_t *rgba, uint32_t width, uint32_t rows, size_t stride, int zlib_level,
                                    int last, uint8_t *out, size_t capacity, size_t *written, uint32_t *adler) {
    if (!rgba || !out || !written || !adler || width == 0 || rows == 0 || stride < size_t(width) * 4 ||
        zlib_level < 0 || zlib_level > 9)
        return CR_ERR_ARGUMENT;
    z_stream z;
    std::memset(&z, 0, sizeof z);
    if (deflateInit2(&z, zlib_level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return CR_ERR_PNG;
    z.next_out = out;
    z.avail_out = capacity > 0xFFFFFFFFu ? 0xFFFFFFFFu : uInt(capacity);
    uLong a = adler32(0L, Z_NULL, 0);
    static const uint8_t filter_none = 0;
    int rc = Z_OK;
    for (uint32_t y = 0; y < rows && rc == Z_OK; ++y) {
        const uint8_t *row = rgba + size_t(y) * stride;
        a = adler32(a, &filter_none, 1);
        a = adler32(a, row, uInt(width) * 4);
        z.next_in = const_cast<Bytef *>(&filter_none);
        z.avail_in = 1;
        rc = deflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK || z.avail_in != 0) break;
        z.next_in = const_cast<Bytef *>(row);
        z.avail_in = uInt(width) * 4;
        const bool end = y + 1 == rows;
        rc = deflate(&z, end ? (last ? Z_FINISH : Z_SYNC_FLUSH) : Z_NO_FLUSH);
        if (end && last) rc = rc == Z_STREAM_END ? Z_OK : Z_BUF_ERROR;  // finished, or out of room
        if (rc == Z_OK && z.avail_in != 0) rc = Z_BUF_ERROR;
    }
    const size_t produced = z.total_out;
    deflateEnd(&z);
    if (rc != Z_OK) return rc == Z_BUF_ERROR ? CR_ERR_BUFFER_SMALL : CR_ERR_PNG;
    *written = produced;
    *adler = uint32_t(a);
    return CR_OK;
}

extern "C" uint32_t cr_adler32_combine(uint32_t a, uint32_t b, size_t length_b) {
    return uint32_t(adler32_combine(a, b, z_off_t(length_b)));
}

extern "C" size_t cr_png_frame_bytes(size_t deflated) { return 8 + 25 + 12 + 2 + deflated + 4 + 12; }

extern "C" int cr_png_frame(uint32_t width, uint32_t height, int zlib_level, const uint8_t *deflated, size_t length,
                            uint32_t adler, uint8_t *out, size_t capacity) {
    if (!out || (!deflated && length > 0) || width == 0 || height == 0 || width > 0x7FFFFFFF ||
        height > 0x7FFFFFFF)
        return CR_ERR_ARGUMENT;
    const size_t idat = 2 + length + 4;
    if (idat > 0x7FFFFFFFu) return CR_ERR_ARGUMENT;
    if (capacity < cr_png_frame_bytes(length)) return CR_ERR_BUFFER_SMALL;
    uint8_t *p = out;
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::memcpy(p, signature, 8);
    p += 8;
    // IHDR: 8-bit RGBA, deflate, no interlace.
    put32(p, 13);
    std::memcpy(p + 4, "IHDR", 4);
    put32(p + 8, width);
    put32(p + 12, height);
    p[16] = 8; p[17] = 6; p[18] = 0; p[19] = 0; p[20] = 0;
    put32(p + 21, uint32_t(crc32(crc32(0L, Z_NULL, 0), p + 4, 17)));
    p += 25;
    // IDAT: zlib header (FLEVEL as zlib itself would write it), the slices, adler-32.
    put32(p, uint32_t(idat));
    std::memcpy(p + 4, "IDAT", 4);
    const uint8_t flevel = zlib_level <= 1 ? 0 : zlib_level <= 5 ? 1 : zlib_level == 6 ? 2 : 3;
    uint8_t cmf = 0x78, flg = uint8_t(flevel << 6);
    flg = uint8_t(flg + (31 - (cmf * 256 + flg) % 31) % 31);
    p[8] = cmf; p[9] = flg;
    if (length > 0) std::memcpy(p + 10, deflated, length);
    put32(p + 10 + length, adler);
    put32(p + 8 + idat, uint32_t(crc32(crc32(0L, Z_NULL, 0), p + 4, uInt(4 + idat))));
    p += 12 + idat;
    // IEND.
    put32(p, 0);
    std::memcpy(p + 4, "IEND", 4);
    put32(p + 8, uint32_t(crc32(crc32(0L, Z_NULL, 0), p + 4, 4)));
    return CR_OK;
}
