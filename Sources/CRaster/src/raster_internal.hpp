// Shared inline helpers of the CRaster kernel: colour packing, projection to fixed-point
// sample coordinates, Sutherland–Hodgman clipping and the triangle rasterizer's inputs.
// Internal to the target; nothing here crosses the C boundary.
#pragma once

#include "craster.h"

#include <glm/glm.hpp>

#include <cmath>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace craster {

// Sub-sample precision of vertex positions: 8 bits (1/256 of a sample). Edge functions
// are evaluated exactly in int64 with these coordinates, so coverage never depends on
// the order in which pixels or bands are visited.
constexpr int kSubBits = 8;
constexpr int64_t kSubOne = int64_t(1) << kSubBits;
constexpr int64_t kSubHalf = kSubOne / 2;

// Guard band: vertices are clipped only when they leave [-kGuard·w, kGuard·w] in clip
// x/y (or cross the near plane). With at most 32768 samples per axis this keeps sample
// coordinates below 2^18 and edge-function products below 2^53 — exact in int64.
constexpr float kGuard = 4.0f;

inline glm::vec4 unpack(uint32_t c) {
    return glm::vec4(float(c & 0xFF), float((c >> 8) & 0xFF), float((c >> 16) & 0xFF), float(c >> 24));
}

inline uint32_t pack(glm::vec4 c) {
    // Round to nearest and clamp; c is in 0...255 units.
    auto q = [](float v) -> uint32_t {
        v = v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v);
        return uint32_t(v + 0.5f);
    };
    return q(c.r) | (q(c.g) << 8) | (q(c.b) << 16) | (q(c.a) << 24);
}

// Multiplies two RGBA8 colours channel by channel (255 × 255 = 255).
inline uint32_t modulate(uint32_t a, uint32_t b) {
    return pack(unpack(a) * unpack(b) * (1.0f / 255.0f));
}

inline glm::mat4 load_mat4(const float *m) {
    glm::mat4 r;
    for (int c = 0; c < 4; ++c)
        for (int k = 0; k < 4; ++k) r[c][k] = m[c * 4 + k];
    return r;
}

inline bool finite4(const glm::vec4 &v) {
    return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z) && std::isfinite(v.w);
}

// A vertex on its way to the rasterizer: clip position plus float attributes.
struct RVert {
    glm::vec4 clip;
    float ndl, u, v;
    glm::vec4 color;  // 0...255
};

inline RVert lerp(const RVert &a, const RVert &b, float t) {
    RVert r;
    r.clip = a.clip + (b.clip - a.clip) * t;
    r.ndl = a.ndl + (b.ndl - a.ndl) * t;
    r.u = a.u + (b.u - a.u) * t;
    r.v = a.v + (b.v - a.v) * t;
    r.color = a.color + (b.color - a.color) * t;
    return r;
}

inline RVert from_vertex(const cr_vertex &v) {
    return RVert{glm::vec4(v.x, v.y, v.z, v.w), v.ndl, v.u, v.v, unpack(v.color)};
}

// True when the vertex needs no clipping: in front of the near plane and inside the
// guard band.
inline bool inside_guard(const glm::vec4 &c) {
    return c.z + c.w >= 0.0f && c.w > 0.0f && std::fabs(c.x) <= kGuard * c.w && std::fabs(c.y) <= kGuard * c.w;
}

// Trivial reject: all three vertices outside the same frustum plane.
inline bool outside_frustum(const glm::vec4 &a, const glm::vec4 &b, const glm::vec4 &c) {
    auto all = [&](auto f) { return f(a) && f(b) && f(c); };
    return all([](const glm::vec4 &p) { return p.x > p.w; }) || all([](const glm::vec4 &p) { return p.x < -p.w; }) ||
           all([](const glm::vec4 &p) { return p.y > p.w; }) || all([](const glm::vec4 &p) { return p.y < -p.w; }) ||
           all([](const glm::vec4 &p) { return p.z > p.w; }) || all([](const glm::vec4 &p) { return p.z < -p.w; });
}

// Sutherland–Hodgman against the near plane (z + w >= 0, and w above a tiny epsilon)
// and the four guard-band planes. `poly` holds n vertices and room for kMaxClip.
constexpr int kMaxClip = 16;
int clip_polygon(RVert *poly, int n);

// A vertex projected to fixed-point sample coordinates.
struct SVert {
    int64_t x, y;  // 1/256 sample units, y down
    float z;       // NDC depth
    float iw;      // 1 / w
};

// Round to nearest, ties to even (what llrint does in the default rounding mode), inline.
inline int64_t round_to_int64(double v) {
#if defined(__SSE2__) && defined(__x86_64__)
    return _mm_cvtsd_si64(_mm_set_sd(v));
#else
    return int64_t(std::llrint(v));
#endif
}

inline SVert project(const glm::vec4 &c, float samples_w, float samples_h) {
    float iw = 1.0f / c.w;
    float sx = (c.x * iw * 0.5f + 0.5f) * samples_w;
    float sy = (0.5f - c.y * iw * 0.5f) * samples_h;
    return SVert{round_to_int64(double(sx) * double(kSubOne)), round_to_int64(double(sy) * double(kSubOne)), c.z * iw, iw};
}

// Twice the signed area in fixed-point units (y down): negative for triangles that are
// counter-clockwise on screen, i.e. front faces.
inline int64_t signed_area(const SVert &a, const SVert &b, const SVert &c) {
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

// The band target and per-triangle state handed to rasterize_triangle.
struct BandTarget {
    uint32_t *color;
    float *depth;
    int width;         // samples per row
    int row0, row1;    // global sample rows [row0, row1) held by this band
    float samples_w, samples_h;  // full frame, in samples
};

enum class Blend { opaque, alpha };

struct Shading {
    const uint32_t *texels = nullptr;  // null: untextured
    uint32_t tex_w = 0, tex_h = 0, tex_flags = 0;
    bool unlit = false;
    bool flat_color = false;  // all three colours equal: skip interpolation
    float face_ndl = 0;       // used when per_face_light
    bool per_face_light = false;
    float ambient = 0.3f, diffuse = 0.7f;
    Blend blend = Blend::opaque;
    bool cull = true;         // skip back faces
    bool mirrored = false;    // instance with negative determinant: winding reversed
};

// Rasterizes one clipped triangle into the band.
void rasterize_triangle(const BandTarget &t, const RVert &a, const RVert &b, const RVert &c, const Shading &s);

// Draws two constant-shaded triangles that share an edge, (q0, q1, q3) and (q1, q2, q3) as
// the mesh winds them, as one convex quad: half the rows and one setup, the same samples
// covered as by the two triangles. Returns false, drawing nothing, when that does not hold
// exactly (texture, colours or n·l differ, facings differ, not strictly convex, not one
// plane): the caller then draws the two triangles.
bool rasterize_quad(const BandTarget &t, const RVert *const q[4], const Shading &s);

// Rasterizes a convex polygon (after clipping) as a fan.
inline void rasterize_polygon(const BandTarget &t, const RVert *poly, int n, const Shading &s) {
    for (int i = 1; i + 1 < n; ++i) rasterize_triangle(t, poly[0], poly[i], poly[i + 1], s);
}

// Whole-instance occlusion within one band (occlusion.cpp): the band's samples in tiles
// kTile wide and the band tall, each with the largest depth it holds, re-measured only
// after an instance that may have drawn into it.
class OcclusionTiles {
  public:
    static constexpr int kTile = 16;
    // Allowance for the depth plane's float evaluation below an instance's nearest vertex.
    static constexpr float kDepthMargin = 1e-5f;
    static size_t scratch_bytes(uint32_t samples_per_row);
    OcclusionTiles(const BandTarget &t, void *scratch);
    // False when every sample under `b` is already nearer than all of the instance (skip
    // it); true otherwise, marking its tiles to be re-measured.
    bool visible(const cr_bounds &b);

  private:
    float tile_max(int k);
    const BandTarget &t;
    int tiles;
    float *zmax;
    uint8_t *dirty;
};

// Overlay passes (one band).
// The grid needs grid_scratch_floats(t) floats of its own scratch (two rows of hits).
inline size_t grid_scratch_floats(uint32_t samples_per_row) { return 2 * 3 * (size_t(samples_per_row) + 1); }
void draw_grid(const cr_frame &f, const BandTarget &t, void *hit_scratch);
void draw_heatmap(const cr_frame &f, const BandTarget &t);
void draw_polylines(const cr_frame &f, const BandTarget &t);

}  // namespace craster
