// Clipping and the triangle rasterizer: exact int64 edge functions with the top-left
// fill rule over a band's rows, float depth buffer, perspective-correct attributes,
// Lambert + ambient shading and texture sampling.
//
// Why edge functions in fixed point: coverage of a sample is then a pure function of
// the snapped vertex positions and the sample position. Two triangles sharing an edge
// cover each sample exactly once (no cracks, no double blending), and splitting the
// frame into bands cannot change any result.
#include "raster_internal.hpp"

#include <algorithm>

namespace craster {

int clip_polygon(RVert *poly, int n) {
    // Plane distance functions; a vertex is kept where d >= 0.
    auto plane = [](int k, const glm::vec4 &c) -> float {
        switch (k) {
        case 0: return c.z + c.w;           // near plane
        case 1: return c.w - 1e-6f;         // strictly positive w
        case 2: return kGuard * c.w - c.x;  // guard band
        case 3: return kGuard * c.w + c.x;
        case 4: return kGuard * c.w - c.y;
        default: return kGuard * c.w + c.y;
        }
    };
    RVert tmp[kMaxClip];
    for (int k = 0; k < 6 && n >= 3; ++k) {
        int m = 0;
        for (int i = 0; i < n; ++i) {
            const RVert &a = poly[i], &b = poly[(i + 1) % n];
            float da = plane(k, a.clip), db = plane(k, b.clip);
            if (da >= 0 && m < kMaxClip) tmp[m++] = a;
            if ((da >= 0) != (db >= 0) && m < kMaxClip) tmp[m++] = lerp(a, b, da / (da - db));
        }
        std::copy(tmp, tmp + m, poly);
        n = m;
    }
    return n;
}

namespace {

inline float wrap_coord(float t, bool clamp) {
    if (clamp) return std::min(std::max(t, 0.0f), 1.0f);
    return t - std::floor(t);
}

inline glm::vec4 texel(const Shading &s, int x, int y) {
    return unpack(s.texels[size_t(y) * s.tex_w + size_t(x)]);
}

// Samples the texture at (u, v); 0...255 per channel.
glm::vec4 sample_texture(const Shading &s, float u, float v) {
    const bool clamp = s.tex_flags & CR_TEX_CLAMP;
    const int w = int(s.tex_w), h = int(s.tex_h);
    if (!std::isfinite(u) || !std::isfinite(v)) return texel(s, 0, 0);
    if (!(s.tex_flags & CR_TEX_BILINEAR)) {
        float fu = wrap_coord(u, clamp) * float(w), fv = wrap_coord(v, clamp) * float(h);
        int x = std::min(int(fu), w - 1), y = std::min(int(fv), h - 1);
        return texel(s, x, y);
    }
    // Bilinear between texel centres.
    float fu = (clamp ? wrap_coord(u, true) : u) * float(w) - 0.5f;
    float fv = (clamp ? wrap_coord(v, true) : v) * float(h) - 0.5f;
    float x0f = std::floor(fu), y0f = std::floor(fv);
    float tx = fu - x0f, ty = fv - y0f;
    auto fix = [clamp](long i, int n) -> int {
        if (clamp) return int(std::min<long>(std::max<long>(i, 0), n - 1));
        long r = i % n;
        return int(r < 0 ? r + n : r);
    };
    long xi = long(x0f), yi = long(y0f);
    int x0 = fix(xi, w), x1 = fix(xi + 1, w), y0 = fix(yi, h), y1 = fix(yi + 1, h);
    glm::vec4 top = texel(s, x0, y0) * (1 - tx) + texel(s, x1, y0) * tx;
    glm::vec4 bot = texel(s, x0, y1) * (1 - tx) + texel(s, x1, y1) * tx;
    return top * (1 - ty) + bot * ty;
}

}  // namespace

void rasterize_triangle(const BandTarget &t, const RVert &a0, const RVert &b0, const RVert &c0, const Shading &s) {
    SVert p[3] = {project(a0.clip, t.samples_w, t.samples_h), project(b0.clip, t.samples_w, t.samples_h),
                  project(c0.clip, t.samples_w, t.samples_h)};
    const RVert *v[3] = {&a0, &b0, &c0};
    int64_t area = signed_area(p[0], p[1], p[2]);
    if (area == 0) return;
    const bool front = s.mirrored ? area > 0 : area < 0;
    if (s.cull && !front) return;
    if (area < 0) {  // make the winding positive so "inside" is E >= 0 for all edges
        std::swap(p[1], p[2]);
        std::swap(v[1], v[2]);
        area = -area;
    }

    // Sample bounding box, clipped to the band and the frame.
    int64_t min_x = std::min({p[0].x, p[1].x, p[2].x}), max_x = std::max({p[0].x, p[1].x, p[2].x});
    int64_t min_y = std::min({p[0].y, p[1].y, p[2].y}), max_y = std::max({p[0].y, p[1].y, p[2].y});
    int64_t x0 = std::max<int64_t>((min_x - kSubHalf + kSubOne - 1) >> kSubBits, 0);
    int64_t x1 = std::min<int64_t>((max_x - kSubHalf) >> kSubBits, t.width - 1);
    int64_t y0 = std::max<int64_t>((min_y - kSubHalf + kSubOne - 1) >> kSubBits, t.row0);
    int64_t y1 = std::min<int64_t>((max_y - kSubHalf) >> kSubBits, t.row1 - 1);
    if (x0 > x1 || y0 > y1) return;

    // Edge k runs from vertex k+1 to k+2 (opposite vertex k); E_k / area is vertex k's
    // screen-space barycentric weight.
    int64_t dx[3], dy[3], e_row[3];
    const int64_t sx = (x0 << kSubBits) + kSubHalf, sy = (y0 << kSubBits) + kSubHalf;
    for (int k = 0; k < 3; ++k) {
        const SVert &a = p[(k + 1) % 3], &b = p[(k + 2) % 3];
        dx[k] = b.x - a.x;
        dy[k] = b.y - a.y;
        // Top-left rule: samples exactly on an edge belong to it only if it is a top edge
        // (horizontal, inside below) or a left edge. Bias the others by one unit.
        bool top_left = dy[k] < 0 || (dy[k] == 0 && dx[k] > 0);
        e_row[k] = dx[k] * (sy - a.y) - dy[k] * (sx - a.x) - (top_left ? 0 : 1);
    }
    const int64_t step_x[3] = {-dy[0] * kSubOne, -dy[1] * kSubOne, -dy[2] * kSubOne};
    const int64_t step_y[3] = {dx[0] * kSubOne, dx[1] * kSubOne, dx[2] * kSubOne};

    const float inv_area = 1.0f / float(area);
    const float z[3] = {p[0].z, p[1].z, p[2].z};
    const float iw[3] = {p[0].iw, p[1].iw, p[2].iw};
    const float sign = front ? 1.0f : -1.0f;  // two-sided lighting when culling is off
    const bool textured = s.texels != nullptr;
    const glm::vec4 flat = v[0]->color;

    for (int64_t y = y0; y <= y1; ++y) {
        int64_t e0 = e_row[0], e1 = e_row[1], e2 = e_row[2];
        const size_t row = size_t(y - t.row0) * size_t(t.width);
        for (int64_t x = x0; x <= x1; ++x, e0 += step_x[0], e1 += step_x[1], e2 += step_x[2]) {
            if ((e0 | e1 | e2) < 0) continue;
            const float l0 = float(e0) * inv_area, l1 = float(e1) * inv_area, l2 = float(e2) * inv_area;
            const float depth = l0 * z[0] + l1 * z[1] + l2 * z[2];
            const size_t i = row + size_t(x);
            if (s.blend == Blend::opaque ? !(depth < t.depth[i]) : !(depth <= t.depth[i])) continue;

            // Perspective-correct weights.
            float b0 = l0 * iw[0], b1 = l1 * iw[1], b2 = l2 * iw[2];
            const float norm = 1.0f / (b0 + b1 + b2);
            b0 *= norm; b1 *= norm; b2 *= norm;

            glm::vec4 col = s.flat_color ? flat : v[0]->color * b0 + v[1]->color * b1 + v[2]->color * b2;
            if (textured) {
                const float u = v[0]->u * b0 + v[1]->u * b1 + v[2]->u * b2;
                const float tv = v[0]->v * b0 + v[1]->v * b1 + v[2]->v * b2;
                col *= sample_texture(s, u, tv) * (1.0f / 255.0f);
            }
            if (!s.unlit) {
                float ndl = s.per_face_light ? s.face_ndl : v[0]->ndl * b0 + v[1]->ndl * b1 + v[2]->ndl * b2;
                ndl *= sign;
                const float light = s.ambient + s.diffuse * (ndl > 0 ? ndl : 0.0f);
                col = glm::vec4(glm::vec3(col) * light, col.a);
            }
            if (s.blend == Blend::opaque) {
                col.a = 255.0f;
                t.color[i] = pack(col);
                t.depth[i] = depth;
            } else {
                const float alpha = col.a * (1.0f / 255.0f);
                glm::vec4 dst = unpack(t.color[i]);
                glm::vec4 out = dst + (col - dst) * alpha;
                out.a = 255.0f;
                t.color[i] = pack(out);
            }
        }
        e_row[0] += step_y[0]; e_row[1] += step_y[1]; e_row[2] += step_y[2];
    }
}

}  // namespace craster
