// World-space overlays drawn after the meshes: the ground grid and the heatmap (both
// found per sample by intersecting the sample's view ray with a horizontal plane), and
// polylines (flat ribbons on a horizontal plane, rasterized as triangles).
//
// Why per-sample ray casting for planes: an unbounded ground needs no tessellation and
// no far-plane tricks, the grid lines can be faded by the sample's world footprint
// (no moiré towards the horizon), and the heatmap lookup is exact per sample.
#include "raster_internal.hpp"

#include <algorithm>
#include <limits>

namespace craster {

namespace {

// The view ray of a sample in homogeneous world space: H(s) = n + s·d maps NDC depth
// z = -1 + 2s, so a plane hit gives its depth without another matrix product.
struct Ray {
    glm::vec4 n, d;
};

struct RowRays {
    glm::vec4 n0, n_dx, f0, f_dx;  // near/far homogeneous points at x = 0 and per sample
    Ray at(float x) const {
        glm::vec4 n = n0 + n_dx * x, f = f0 + f_dx * x;
        return Ray{n, f - n};
    }
};

RowRays row_rays(const glm::mat4 &ivp, const BandTarget &t, float sample_y) {
    // NDC of sample centre (x + 1/2, y + 1/2): x_ndc = (2(x + 1/2) / W) - 1, y flipped.
    const float ndc_y = 1.0f - 2.0f * (sample_y + 0.5f) / t.samples_h;
    const float kx = 2.0f / t.samples_w, cx = kx * 0.5f - 1.0f;
    RowRays r;
    r.n0 = ivp * glm::vec4(cx, ndc_y, -1.0f, 1.0f);
    r.f0 = ivp * glm::vec4(cx, ndc_y, 1.0f, 1.0f);
    r.n_dx = ivp[0] * kx;  // d/dx of ivp · (x_ndc, ...) = column 0 · dx_ndc
    r.f_dx = r.n_dx;
    return r;
}

// Intersects the ray with the plane y = h in two steps, so a caller can depth-test
// before paying for the world position: `plane_param` finds the ray parameter and NDC
// depth (false when parallel, behind the camera or beyond the far plane), and
// `plane_point` the world (x, z) (false when not finite).
inline bool plane_param(const Ray &r, float h, float &s, float &depth) {
    const float denom = r.d.y - h * r.d.w;
    if (denom == 0.0f) return false;
    s = (h * r.n.w - r.n.y) / denom;
    if (!(s >= 0.0f && s <= 1.0f)) return false;
    depth = -1.0f + 2.0f * s;
    return true;
}

inline bool plane_point(const Ray &r, float s, float &wx, float &wz) {
    const glm::vec4 p = r.n + r.d * s;
    if (!(p.w > 0.0f)) return false;
    wx = p.x / p.w;
    wz = p.z / p.w;
    return std::isfinite(wx) && std::isfinite(wz);
}

inline bool hit_plane(const Ray &r, float h, float &wx, float &wz, float &depth) {
    float s;
    return plane_param(r, h, s, depth) && plane_point(r, s, wx, wz);
}

// One row of plane hits inside caller-provided scratch (see cr_band_scratch_bytes).
struct RowHits {
    float *wx, *wz, *depth;
    static RowHits at(void *scratch, int n, int k) {
        float *base = static_cast<float *>(scratch) + size_t(k) * 3 * size_t(n);
        return RowHits{base, base + n, base + 2 * size_t(n)};
    }
};

// Distance (metres) from v to the nearest multiple of `spacing`.
inline float line_distance(float v, float spacing) {
    return std::fabs(v - spacing * std::nearbyint(v / spacing));
}

inline uint32_t blend(uint32_t dst, glm::vec4 src, float alpha) {
    glm::vec4 d = unpack(dst);
    glm::vec4 o = d + (src - d) * alpha;
    o.a = 255.0f;
    return pack(o);
}

}  // namespace

// The plane hits of one row of samples (x = 0 ... width, one past the last for the
// right neighbour), computed in a branch-free loop the compiler vectorises. Each value is
// the same arithmetic as hit_plane on rr.at(float(x)).
void row_hits(const RowRays &rr, float h, int x_begin, int x_end, RowHits &out) {
    for (int x = x_begin; x < x_end; ++x) {
        const float xf = float(x);
        const float nx = rr.n0.x + rr.n_dx.x * xf, ny = rr.n0.y + rr.n_dx.y * xf;
        const float nz = rr.n0.z + rr.n_dx.z * xf, nw = rr.n0.w + rr.n_dx.w * xf;
        const float dx = (rr.f0.x + rr.f_dx.x * xf) - nx, dy = (rr.f0.y + rr.f_dx.y * xf) - ny;
        const float dz = (rr.f0.z + rr.f_dx.z * xf) - nz, dw = (rr.f0.w + rr.f_dx.w * xf) - nw;
        const float s = (h * nw - ny) / (dy - h * dw);  // not finite when parallel: rejected below
        const float px = nx + dx * s, pz = nz + dz * s, pw = nw + dw * s;
        const float wx = px / pw, wz = pz / pw;
        const bool ok = (s >= 0.0f) & (s <= 1.0f) & (pw > 0.0f) & (std::fabs(wx) <= std::numeric_limits<float>::max()) &
                        (std::fabs(wz) <= std::numeric_limits<float>::max());
        out.wx[x] = wx;
        out.wz[x] = wz;
        out.depth[x] = ok ? -1.0f + 2.0f * s : 2.0f;  // 2: behind everything, never drawn
    }
}

// hypotf for finite inputs, inline: glibc (2.35 on) computes hypotf exactly this way —
// the double sum of squares, one square root, rounded once — so the grid's pixels are
// unchanged (checked bit for bit on 20 million pairs), without a libm call per sample.
inline float hypot_exact(float x, float y) {
    return float(std::sqrt(double(x) * double(x) + double(y) * double(y)));
}

void draw_grid(const cr_frame &f, const BandTarget &t, void *hit_scratch) {
    const cr_grid &g = f.grid;
    if (!(g.spacing > 0.0f) || !(g.max_x > g.min_x) || !(g.max_z > g.min_z)) return;
    const glm::mat4 ivp = glm::inverse(load_mat4(f.view_proj));
    const float light = f.ambient + f.diffuse * std::max(0.0f, f.light_dir[1]);
    glm::vec4 ground = unpack(g.ground_color);
    ground = glm::vec4(glm::vec3(ground) * light, 255.0f);
    const glm::vec4 minor = unpack(g.line_color), major = unpack(g.major_color);
    const float major_spacing = g.spacing * float(std::max<uint32_t>(g.major_every, 1));

    // Only samples near the grid rectangle's projection can hit it inside its bounds:
    // the per-sample test below decides exactly, this box only skips samples that
    // cannot pass it (with a margin far above the projection's rounding).
    int bx0 = 0, bx1 = t.width, by0 = t.row0, by1 = t.row1;
    {
        const glm::mat4 vp = load_mat4(f.view_proj);
        float lo_x = INFINITY, hi_x = -INFINITY, lo_y = INFINITY, hi_y = -INFINITY;
        bool all_front = true;
        for (int k = 0; k < 4; ++k) {
            const glm::vec4 c = vp * glm::vec4(k & 1 ? g.max_x : g.min_x, g.height, k & 2 ? g.max_z : g.min_z, 1.0f);
            if (!(c.w > 1e-6f) || !finite4(c)) { all_front = false; break; }
            const float sx = (c.x / c.w * 0.5f + 0.5f) * t.samples_w, sy = (0.5f - c.y / c.w * 0.5f) * t.samples_h;
            lo_x = std::min(lo_x, sx); hi_x = std::max(hi_x, sx);
            lo_y = std::min(lo_y, sy); hi_y = std::max(hi_y, sy);
        }
        const float margin = 4.0f, limit = 1.0e8f;
        if (all_front && hi_x - lo_x < limit && hi_y - lo_y < limit && std::fabs(lo_x) < limit && std::fabs(lo_y) < limit) {
            bx0 = std::max(0, int(std::floor(lo_x - margin)));
            bx1 = std::min(t.width, int(std::ceil(hi_x + margin)) + 1);
            by0 = std::max(t.row0, int(std::floor(lo_y - margin)));
            by1 = std::min(t.row1, int(std::ceil(hi_y + margin)) + 1);
        }
    }
    if (bx0 >= bx1 || by0 >= by1) return;

    // Two rows of hits, swapped as the band goes down: row y's hits are row y - 1's
    // "below" neighbours, so every row is intersected once. Hits are kept for samples
    // bx0 ... bx1 (one past the drawn ones, for the right neighbour).
    const int n = t.width + 1;
    RowHits cur = RowHits::at(hit_scratch, n, 0), below = RowHits::at(hit_scratch, n, 1);
    row_hits(row_rays(ivp, t, float(by0)), g.height, bx0, bx1 + 1, cur);
    for (int y = by0; y < by1; ++y) {
        row_hits(row_rays(ivp, t, float(y) + 1.0f), g.height, bx0, bx1 + 1, below);
        const size_t row = size_t(y - t.row0) * size_t(t.width);
        for (int x = bx0; x < bx1; ++x) {
            const size_t i = row + size_t(x);
            const float depth = cur.depth[x];
            if (!(depth < t.depth[i])) continue;  // no hit (2), or behind what is drawn
            const float wx = cur.wx[x], wz = cur.wz[x];
            if (wx < g.min_x || wx > g.max_x || wz < g.min_z || wz > g.max_z) continue;

            // World footprint of one sample (metres), from the neighbours' plane hits.
            float footprint = g.spacing;
            if (cur.depth[x + 1] <= 1.0f && below.depth[x] <= 1.0f) {
                footprint = std::max(hypot_exact(cur.wx[x + 1] - wx, cur.wz[x + 1] - wz),
                                     hypot_exact(below.wx[x] - wx, below.wz[x] - wz));
            }
            glm::vec4 col = ground;
            auto line = [&](float spacing, const glm::vec4 &lc) {
                // Fade lines out where they would be closer than ~3 samples apart.
                const float fade = std::min(1.0f, std::max(0.0f, (spacing / footprint - 3.0f) / 6.0f));
                if (fade <= 0.0f) return;
                const float half = std::max(g.line_width * 0.5f, footprint * 0.5f);
                if (line_distance(wx, spacing) <= half || line_distance(wz, spacing) <= half)
                    col = col + (lc - col) * (fade * lc.a / 255.0f);
            };
            line(g.spacing, minor);
            line(major_spacing, major);
            col.a = 255.0f;
            t.color[i] = pack(col);
            t.depth[i] = depth;
        }
        std::swap(cur, below);
    }
}

void draw_heatmap(const cr_frame &f, const BandTarget &t) {
    const cr_heatmap &h = *f.heatmap;
    if (!h.values || !h.lut || h.cols == 0 || h.rows == 0) return;
    if (!(h.max_x > h.min_x) || !(h.max_z > h.min_z) || !(h.opacity > 0.0f)) return;
    const glm::mat4 ivp = glm::inverse(load_mat4(f.view_proj));
    const float span = h.value_max - h.value_min;
    const float scale = span > 0.0f ? 255.0f / span : 0.0f;
    const float cw = float(h.cols) / (h.max_x - h.min_x), ch = float(h.rows) / (h.max_z - h.min_z);
    auto value = [&](int c, int r) { return h.values[size_t(r) * h.cols + size_t(c)]; };

    for (int y = t.row0; y < t.row1; ++y) {
        const RowRays rr = row_rays(ivp, t, float(y));
        const size_t row = size_t(y - t.row0) * size_t(t.width);
        for (int x = 0; x < t.width; ++x) {
            float wx, wz, depth;
            if (!hit_plane(rr.at(float(x)), h.height, wx, wz, depth)) continue;
            if (wx < h.min_x || wx >= h.max_x || wz < h.min_z || wz >= h.max_z) continue;
            const size_t i = row + size_t(x);
            if (!(depth <= t.depth[i])) continue;  // something stands in front of the plane
            const float fx = (wx - h.min_x) * cw, fz = (wz - h.min_z) * ch;
            float v;
            if (h.smooth) {
                const float gx = std::max(0.0f, fx - 0.5f), gz = std::max(0.0f, fz - 0.5f);
                const int c0 = std::min(int(gx), int(h.cols) - 1), r0 = std::min(int(gz), int(h.rows) - 1);
                const int c1 = std::min(c0 + 1, int(h.cols) - 1), r1 = std::min(r0 + 1, int(h.rows) - 1);
                const float tx = std::min(1.0f, gx - float(c0)), tz = std::min(1.0f, gz - float(r0));
                v = (value(c0, r0) * (1 - tx) + value(c1, r0) * tx) * (1 - tz) +
                    (value(c0, r1) * (1 - tx) + value(c1, r1) * tx) * tz;
            } else {
                v = value(std::min(int(fx), int(h.cols) - 1), std::min(int(fz), int(h.rows) - 1));
            }
            if (!std::isfinite(v)) continue;  // NaN cells are "no data": transparent
            const float k = std::min(255.0f, std::max(0.0f, (v - h.value_min) * scale));
            const glm::vec4 c = unpack(h.lut[int(k + 0.5f)]);
            const float alpha = c.a / 255.0f * std::min(1.0f, h.opacity);
            t.color[i] = blend(t.color[i], c, alpha);
        }
    }
}

void draw_polylines(const cr_frame &f, const BandTarget &t) {
    const glm::mat4 vp = load_mat4(f.view_proj);
    Shading s;
    s.unlit = true;
    s.flat_color = true;
    s.cull = false;
    s.blend = Blend::alpha;
    for (uint32_t k = 0; k < f.polyline_count; ++k) {
        const cr_polyline &pl = f.polylines[k];
        if (pl.point_count < 2 || !(pl.width > 0.0f) || !std::isfinite(pl.height)) continue;
        const float half = pl.width * 0.5f;
        const glm::vec4 color = unpack(pl.color);
        const uint32_t segments = pl.closed && pl.point_count > 2 ? pl.point_count : pl.point_count - 1;
        for (uint32_t i = 0; i < segments; ++i) {
            const float *a = f.polyline_points + size_t(pl.first_point + i) * 2;
            const float *b = f.polyline_points + size_t(pl.first_point + (i + 1) % pl.point_count) * 2;
            glm::vec2 pa(a[0], a[1]), pb(b[0], b[1]);
            glm::vec2 d = pb - pa;
            const float len = glm::length(d);
            if (!(len > 0.0f) || !std::isfinite(len)) continue;
            d /= len;
            const glm::vec2 n(-d.y * half, d.x * half);
            // Square caps (extend by half the width) so consecutive segments join.
            const glm::vec2 e = d * half;
            const glm::vec2 q[4] = {pa - e + n, pa - e - n, pb + e - n, pb + e + n};
            RVert v[4];
            for (int j = 0; j < 4; ++j)
                v[j] = RVert{vp * glm::vec4(q[j].x, pl.height, q[j].y, 1.0f), 0, 0, 0, color};
            for (int tri = 0; tri < 2; ++tri) {
                RVert poly[kMaxClip] = {v[0], v[1 + tri], v[2 + tri]};
                if (outside_frustum(poly[0].clip, poly[1].clip, poly[2].clip)) continue;
                int n_out = 3;
                if (!(inside_guard(poly[0].clip) && inside_guard(poly[1].clip) && inside_guard(poly[2].clip)))
                    n_out = clip_polygon(poly, 3);
                rasterize_polygon(t, poly, n_out, s);
            }
        }
    }
}

}  // namespace craster
