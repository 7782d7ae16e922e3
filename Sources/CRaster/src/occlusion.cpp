// Front-to-back order and whole-instance occlusion: a band skips an instance when every
// sample under the instance's footprint already holds a depth no farther than the
// instance's nearest point, so none of its samples could pass the depth test.
//
// Why: a crowd or a lattice of boxes seen at an angle is drawn many layers deep, and in
// scene order the far layers come first, so every layer is rasterized and overwritten.
// Sorting each run of instances of one mesh front to back lets the near layers cover the
// screen first; the test then costs a few tile maxima per instance instead of
// rasterizing its faces (measured on `png_boxes_10k`: see the README, "Render benchmarks").
//
// The test is conservative and decided per band from what that band has drawn, in its
// own fixed order, so the image stays the same for any number of threads. Skipping a
// hidden instance changes no sample. Reordering changes a sample only where two
// instances of one mesh meet at exactly equal depth (then the nearer-sorted one now wins,
// as the earlier-drawn one did before); runs of different meshes keep their order.
#include "raster_internal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

using namespace craster;

namespace {
constexpr uint32_t kMaxFootprintVertices = 4096;
}

extern "C" int cr_instance_bounds(const cr_frame *f, uint32_t first, uint32_t count) {
    if (!f || !f->instance_bounds || !f->vertices || !f->instance_first_vertex) return CR_ERR_ARGUMENT;
    if (first > f->instance_count || count > f->instance_count - first) return CR_ERR_RANGE;
    const float sw = float(f->width * f->ssaa), sh = float(f->height * f->ssaa);
    for (uint32_t inst = first; inst < first + count; ++inst) {
        cr_bounds b{0, -1, 0, -1, 0.0f, 0};
        const uint32_t v0 = f->instance_first_vertex[inst], v1 = f->instance_first_vertex[inst + 1];
        // A footprint costs a pass over the instance's vertices, serial for one instance:
        // large meshes (a scanned hall, a terrain) are drawn without the test.
        bool ok = v1 > v0 && v1 - v0 <= kMaxFootprintVertices;
        int64_t min_x = std::numeric_limits<int64_t>::max(), max_x = std::numeric_limits<int64_t>::min();
        int64_t min_y = min_x, max_y = max_x;
        float zmin = INFINITY;
        for (uint32_t k = v0; k < v1 && ok; ++k) {
            const cr_vertex &v = f->vertices[k];
            const glm::vec4 c(v.x, v.y, v.z, v.w);
            // In front of the near plane (no clipping there, so no depth below the
            // vertices'), finite, and not so far off screen that the sample box would
            // leave int32.
            ok = finite4(c) && c.w > 1e-6f && c.z + c.w >= 0.0f && std::fabs(c.x) <= kGuard * c.w &&
                 std::fabs(c.y) <= kGuard * c.w;
            if (!ok) break;
            const SVert p = project(c, sw, sh);
            min_x = std::min(min_x, p.x); max_x = std::max(max_x, p.x);
            min_y = std::min(min_y, p.y); max_y = std::max(max_y, p.y);
            zmin = std::min(zmin, p.z);
        }
        if (ok && std::isfinite(zmin)) {
            // Every sample the rasterizer can cover, with one sample to spare.
            b.x0 = int32_t(((min_x - kSubHalf) >> kSubBits) - 1);
            b.x1 = int32_t(((max_x - kSubHalf) >> kSubBits) + 1);
            b.y0 = int32_t(((min_y - kSubHalf) >> kSubBits) - 1);
            b.y1 = int32_t(((max_y - kSubHalf) >> kSubBits) + 1);
            b.zmin = zmin;
            b.valid = 1;
        }
        f->instance_bounds[inst] = b;
    }
    return CR_OK;
}

extern "C" int cr_order_instances(const cr_frame *f) {
    if (!f || !f->instance_bounds || !f->instance_order || !f->instance_mesh) return CR_ERR_ARGUMENT;
    const uint32_t n = f->instance_count;
    // Sort keys: the nearest depth's bits made to order as unsigned integers (instances
    // without bounds first), then the instance index — a strict total order, so the
    // result is unique, and plain integer compares.
    std::unique_ptr<uint64_t[]> keys(new (std::nothrow) uint64_t[n > 0 ? n : 1]);
    if (!keys) return CR_ERR_BUFFER_SMALL;
    for (uint32_t i = 0; i < n; ++i) {
        const cr_bounds &b = f->instance_bounds[i];
        uint32_t bits = 0;
        if (b.valid) {
            std::memcpy(&bits, &b.zmin, 4);
            bits = bits & 0x80000000u ? ~bits : bits | 0x80000000u;
        }
        keys[i] = uint64_t(bits) << 32 | i;
    }
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && f->instance_mesh[j] == f->instance_mesh[i]) ++j;
        std::sort(keys.get() + i, keys.get() + j);
        i = j;
    }
    for (uint32_t i = 0; i < n; ++i) f->instance_order[i] = uint32_t(keys[i]);
    return CR_OK;
}

namespace craster {

size_t OcclusionTiles::scratch_bytes(uint32_t samples_per_row) {
    const size_t tiles = (size_t(samples_per_row) + kTile - 1) / kTile;
    return tiles * (sizeof(float) + 1);
}

OcclusionTiles::OcclusionTiles(const BandTarget &t, void *scratch) : t(t) {
    tiles = (t.width + kTile - 1) / kTile;
    zmax = static_cast<float *>(scratch);
    dirty = reinterpret_cast<uint8_t *>(zmax + tiles);
    std::fill(zmax, zmax + tiles, 1.0f);  // the cleared depth
    std::fill(dirty, dirty + tiles, uint8_t(0));
}

float OcclusionTiles::tile_max(int k) {
    if (dirty[k]) {
        const int c0 = k * kTile, c1 = std::min(c0 + kTile, t.width);
        float m = -INFINITY;
#if defined(__SSE2__)
        if (c1 - c0 == kTile) {
            // Depths are never NaN (a NaN never passes the depth test), so maxps is exact.
            __m128 a = _mm_set1_ps(-INFINITY), b = a, c = a, d = a;
            for (int r = 0; r < t.row1 - t.row0; ++r) {
                const float *p = t.depth + size_t(r) * size_t(t.width) + c0;
                a = _mm_max_ps(a, _mm_loadu_ps(p));
                b = _mm_max_ps(b, _mm_loadu_ps(p + 4));
                c = _mm_max_ps(c, _mm_loadu_ps(p + 8));
                d = _mm_max_ps(d, _mm_loadu_ps(p + 12));
            }
            alignas(16) float lanes[4];
            _mm_store_ps(lanes, _mm_max_ps(_mm_max_ps(a, b), _mm_max_ps(c, d)));
            m = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
        } else
#endif
        {
            for (int r = 0; r < t.row1 - t.row0; ++r) {
                const float *p = t.depth + size_t(r) * size_t(t.width);
                for (int x = c0; x < c1; ++x) m = p[x] > m ? p[x] : m;
            }
        }
        zmax[k] = m;
        dirty[k] = 0;
    }
    return zmax[k];
}

bool OcclusionTiles::visible(const cr_bounds &b) {
    if (!b.valid) {
        std::fill(dirty, dirty + tiles, uint8_t(1));
        return true;
    }
    const int x0 = std::max(b.x0, 0), x1 = std::min(b.x1, t.width - 1);
    if (x0 > x1 || b.y1 < t.row0 || b.y0 >= t.row1) return true;  // nothing of it here: the raster decides
    const int k0 = x0 / kTile, k1 = x1 / kTile;
    // The depth plane's float evaluation may land a little below the nearest vertex.
    const float nearest = b.zmin - kDepthMargin;
    bool covered = true;
    for (int k = k0; k <= k1 && covered; ++k) covered = nearest >= tile_max(k);
    if (covered) return false;
    std::fill(dirty + k0, dirty + k1 + 1, uint8_t(1));
    return true;
}

}  // namespace craster
