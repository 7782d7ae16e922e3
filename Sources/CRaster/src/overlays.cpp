// World-space overlays drawn after the meshes: the ground grid and the heatmap (both
// found per sample by intersecting the sample's view ray with a horizontal plane), and
// polylines (flat ribbons on a horizontal plane, rasterized as triangles).
//
// Why per-sample ray casting for planes: an unbounded ground needs no tessellation and
// no far-plane tricks, the grid lines can be faded by the sample's world footprint
// (no moiré towards the horizon), and the heatmap lookup is exact per sample.
#include "raster_internal.hpp"

#include <algorithm>

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

// Intersects the ray with the plane y = h. Returns false when it misses (parallel,
// behind the camera or beyond the far plane); otherwise the world (x, z) and NDC depth.
inline bool hit_plane(const Ray &r, float h, float &wx, float &wz, float &depth) {
    const float denom = r.d.y - h * r.d.w;
    if (denom == 0.0f) return false;
    const float s = (h * r.n.w - r.n.y) / denom;
    if (!(s >= 0.0f && s <= 1.0f)) return false;
    const glm::vec4 p = r.n + r.d * s;
    if (!(p.w > 0.0f)) return false;
    wx = p.x / p.w;
    wz = p.z / p.w;
    depth = -1.0f + 2.0f * s;
    return std::isfinite(wx) && std::isfinite(wz);
}

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

void draw_grid(const cr_frame &f, const BandTarget &t) {
    const cr_grid &g = f.grid;
    if (!(g.spacing > 0.0f) || !(g.max_x > g.min_x) || !(g.max_z > g.min_z)) return;
    const glm::mat4 ivp = glm::inverse(load_mat4(f.view_proj));
    const float light = f.ambient + f.diffuse * std::max(0.0f, f.light_dir[1]);
    glm::vec4 ground = unpack(g.ground_color);
    ground = glm::vec4(glm::vec3(ground) * light, 255.0f);
    const glm::vec4 minor = unpack(g.line_color), major = unpack(g.major_color);
    const float major_spacing = g.spacing * float(std::max<uint32_t>(g.major_every, 1));

    for (int y = t.row0; y < t.row1; ++y) {
        const RowRays rr = row_rays(ivp, t, float(y));
        const RowRays rr_below = row_rays(ivp, t, float(y) + 1.0f);
        const size_t row = size_t(y - t.row0) * size_t(t.width);
        for (int x = 0; x < t.width; ++x) {
            float wx, wz, depth;
            if (!hit_plane(rr.at(float(x)), g.height, wx, wz, depth)) continue;
            const size_t i = row + size_t(x);
            if (!(depth < t.depth[i])) continue;
            if (wx < g.min_x || wx > g.max_x || wz < g.min_z || wz > g.max_z) continue;

            // World footprint of one sample (metres), from the neighbours' plane hits.
            float ax, az, ad, bx, bz, bd, footprint = g.spacing;
            if (hit_plane(rr.at(float(x) + 1.0f), g.height, ax, az, ad) &&
                hit_plane(rr_below.at(float(x)), g.height, bx, bz, bd)) {
                footprint = std::max(std::hypot(ax - wx, az - wz), std::hypot(bx - wx, bz - wz));
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
