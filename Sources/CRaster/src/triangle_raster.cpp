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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

// floor(n / d) and the remainder in [0, d), for d > 0.
inline void floor_divmod(int64_t n, int64_t d, int64_t &q, int64_t &r) {
    q = n / d;
    r = n - q * d;
    if (r < 0) { q -= 1; r += d; }
}

// Walks a triangle row by row, giving each row's exact covered span.
//
// Coverage is decided by the exact int64 edge values E_k(x, y) >= 0 (top-left bias
// included). Along a row E_k = e_k + j·step_k (j = x − x0), so edge k bounds the span at
// j >= ceil(−e_k / step_k) (step > 0) or j <= floor(e_k / −step_k) (step < 0). Both are
// floor(e_k / |step_k|) up to sign, and from row to row e_k grows by a constant, so the
// quotient and remainder advance with two additions and one carry (an exact integer
// DDA): one division per edge when the walk starts, none per row. The spans are the
// samples whose edge values are all >= 0, whatever row the walk starts at.
template <int N>
struct EdgeWalk {
    int64_t x0, x1, y0, y1;
    int64_t e_row[N], step_x[N], step_y[N];

    template <class Row>
    void rows(Row &&row) const {
        int64_t er[N], a[N], q[N], r[N], dq[N], dr[N];
        for (int k = 0; k < N; ++k) {
            er[k] = e_row[k];
            a[k] = step_x[k] < 0 ? -step_x[k] : step_x[k];
            if (a[k] == 0) continue;
            floor_divmod(er[k], a[k], q[k], r[k]);
            floor_divmod(step_y[k], a[k], dq[k], dr[k]);
        }
        for (int64_t y = y0; y <= y1; ++y) {
            int64_t lo = x0, hi = x1;
            bool empty = false;
            for (int k = 0; k < N; ++k) {
                if (a[k] == 0) {
                    empty |= er[k] < 0;
                } else {
                    if (step_x[k] > 0) lo = std::max(lo, x0 - q[k]);
                    else hi = std::min(hi, x0 + q[k]);
                    q[k] += dq[k];
                    r[k] += dr[k];
                    if (r[k] >= a[k]) { r[k] -= a[k]; q[k] += 1; }
                }
            }
            if (!empty && lo <= hi) row(y, lo, hi, er);
            for (int k = 0; k < N; ++k) er[k] += step_y[k];
        }
    }

    template <class Sample>
    void run(Sample &&sample) const {
        static_assert(N == 3, "barycentric samples need a triangle");
        rows([&](int64_t y, int64_t lo, int64_t hi, const int64_t *er) {
            const int64_t d = lo - x0;
            int64_t e0 = er[0] + d * step_x[0], e1 = er[1] + d * step_x[1], e2 = er[2] + d * step_x[2];
            for (int64_t x = lo; x <= hi; ++x, e0 += step_x[0], e1 += step_x[1], e2 += step_x[2])
                sample(x, y, e0, e1, e2);
        });
    }

    // Sample box of the polygon `p` (n vertices), clipped to the band; false if empty.
    bool bound(const SVert *p, int n, const BandTarget &t) {
        int64_t min_x = p[0].x, max_x = p[0].x, min_y = p[0].y, max_y = p[0].y;
        for (int k = 1; k < n; ++k) {
            min_x = std::min(min_x, p[k].x); max_x = std::max(max_x, p[k].x);
            min_y = std::min(min_y, p[k].y); max_y = std::max(max_y, p[k].y);
        }
        x0 = std::max<int64_t>((min_x - kSubHalf + kSubOne - 1) >> kSubBits, 0);
        x1 = std::min<int64_t>((max_x - kSubHalf) >> kSubBits, t.width - 1);
        y0 = std::max<int64_t>((min_y - kSubHalf + kSubOne - 1) >> kSubBits, t.row0);
        y1 = std::min<int64_t>((max_y - kSubHalf) >> kSubBits, t.row1 - 1);
        return x0 <= x1 && y0 <= y1;
    }

    // Edge k from a to b (positive winding: inside is E >= 0), at the box's first sample.
    void edge(int k, const SVert &a, const SVert &b) {
        const int64_t sx = (x0 << kSubBits) + kSubHalf, sy = (y0 << kSubBits) + kSubHalf;
        const int64_t dx = b.x - a.x, dy = b.y - a.y;
        // Top-left rule: samples exactly on an edge belong to it only if it is a top edge
        // (horizontal, inside below) or a left edge. Bias the others by one unit.
        const bool top_left = dy < 0 || (dy == 0 && dx > 0);
        e_row[k] = dx * (sy - a.y) - dy * (sx - a.x) - (top_left ? 0 : 1);
        step_x[k] = -dy * kSubOne;
        step_y[k] = dx * kSubOne;
    }
};

// The depth plane z = z0 + dzdx (x - X0) + dzdy (y - Y0) through three projected vertices
// (x, y in samples); false when degenerate.
struct DepthPlane {
    double X0, Y0, dzdx, dzdy;
    float z0;
    bool make(const SVert &a, const SVert &b, const SVert &c) {
        X0 = double(a.x) / kSubOne; Y0 = double(a.y) / kSubOne;
        const double X1 = double(b.x) / kSubOne - X0, Y1 = double(b.y) / kSubOne - Y0;
        const double X2 = double(c.x) / kSubOne - X0, Y2 = double(c.y) / kSubOne - Y0;
        const double Z1 = double(b.z) - a.z, Z2 = double(c.z) - a.z;
        const double det = X1 * Y2 - X2 * Y1;
        dzdx = (Z1 * Y2 - Z2 * Y1) / det;
        dzdy = (Z2 * X1 - Z1 * X2) / det;
        z0 = a.z;
        return std::isfinite(dzdx) && std::isfinite(dzdy);
    }
    double at(const SVert &v) const {
        return double(z0) + dzdx * (double(v.x) / kSubOne - X0) + dzdy * (double(v.y) / kSubOne - Y0);
    }
};

// Draws the covered samples of a convex polygon with one colour: each sample's depth from
// the plane in absolute sample coordinates — the same float operations in the same order
// in the SIMD and the scalar loop, whichever band, thread or loop draws it.
template <int N>
void draw_constant(const BandTarget &t, const EdgeWalk<N> &w, const DepthPlane &plane, uint32_t packed) {
    const float fdzdx = float(plane.dzdx), fdzdy = float(plane.dzdy), fx0 = float(plane.X0), fy0 = float(plane.Y0);
    const float fz0 = plane.z0;
#if defined(__SSE2__)
    const __m128 vdz = _mm_set1_ps(fdzdx), vfx0 = _mm_set1_ps(fx0), vhalf = _mm_set1_ps(0.5f);
    const __m128i vpacked = _mm_set1_epi32(int32_t(packed)), lanes = _mm_setr_epi32(0, 1, 2, 3);
    // Four samples from xs: depth test and write where `active` and nearer.
    auto group = [&](float *d, uint32_t *c, int32_t xs, __m128 zrow4, __m128 active) {
        const __m128 xf = _mm_cvtepi32_ps(_mm_add_epi32(_mm_set1_epi32(xs), lanes));
        const __m128 z = _mm_add_ps(zrow4, _mm_mul_ps(vdz, _mm_sub_ps(_mm_add_ps(xf, vhalf), vfx0)));
        const __m128 old_d = _mm_loadu_ps(d + xs);
        const __m128 nearer = _mm_and_ps(_mm_cmplt_ps(z, old_d), active);
        _mm_storeu_ps(d + xs, _mm_or_ps(_mm_and_ps(nearer, z), _mm_andnot_ps(nearer, old_d)));
        const __m128i old_c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(c + xs));
        const __m128i m = _mm_castps_si128(nearer);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(c + xs),
                         _mm_or_si128(_mm_and_si128(m, vpacked), _mm_andnot_si128(m, old_c)));
    };
    const __m128 all = _mm_castsi128_ps(_mm_set1_epi32(-1));
#endif
    w.rows([&](int64_t y, int64_t lo, int64_t hi, const int64_t *) {
        const float zrow = fz0 + fdzdy * (float(y) + 0.5f - fy0);
        const size_t row = size_t(y - t.row0) * size_t(t.width);
        float *d = t.depth + row;
        uint32_t *c = t.color + row;
        int32_t x = int32_t(lo);
        const int32_t n = int32_t(hi) - x + 1;
#if defined(__SSE2__)
        const __m128 zrow4 = _mm_set1_ps(zrow);
        if (n >= 4) {
            // Groups of four; the last one ends exactly at hi and may overlap samples
            // already done, which changes nothing (same depth: not "nearer" again).
            for (int32_t k = 0; k + 4 < n; k += 4) group(d, c, x + k, zrow4, all);
            group(d, c, x + n - 4, zrow4, all);
            return;
        }
        if (x + 4 <= t.width) {
            // One group with the lanes past hi masked off (they load and store back
            // their own values; the band belongs to this thread alone).
            const __m128 active = _mm_castsi128_ps(_mm_cmplt_epi32(lanes, _mm_set1_epi32(n)));
            group(d, c, x, zrow4, active);
            return;
        }
#endif
        for (; x <= int32_t(hi); ++x) {
            const float z = zrow + fdzdx * (float(x) + 0.5f - fx0);
            const bool nearer = z < d[x];
            d[x] = nearer ? z : d[x];
            c[x] = nearer ? packed : c[x];
        }
    });
}

// The one colour of a constant-shaded face: vertex colour × Lambert + ambient.
inline uint32_t constant_color(const glm::vec4 &flat, float ndl, const Shading &s) {
    glm::vec4 col = flat;
    if (!s.unlit) {
        const float light = s.ambient + s.diffuse * (ndl > 0 ? ndl : 0.0f);
        col = glm::vec4(glm::vec3(col) * light, col.a);
    }
    col.a = 255.0f;
    return pack(col);
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

    // Sample box, clipped to the band and the frame. Edge k runs from vertex k+1 to k+2
    // (opposite vertex k); E_k / area is vertex k's screen-space barycentric weight.
    EdgeWalk<3> w;
    if (!w.bound(p, 3, t)) return;
    for (int k = 0; k < 3; ++k) w.edge(k, p[(k + 1) % 3], p[(k + 2) % 3]);

    const float sign = front ? 1.0f : -1.0f;  // two-sided lighting when culling is off
    const bool textured = s.texels != nullptr;
    const glm::vec4 flat = v[0]->color;

    // Constant shading: one colour for the whole triangle (no texture, one vertex
    // colour, constant n·l). Then each covered sample only needs its depth, taken from
    // the triangle's depth plane in absolute sample coordinates (the same value whatever
    // band or thread draws it).
    const bool constant_ndl = s.per_face_light || s.unlit || (v[0]->ndl == v[1]->ndl && v[0]->ndl == v[2]->ndl);
    if (!textured && s.flat_color && constant_ndl && s.blend == Blend::opaque) {
        DepthPlane plane;
        if (!plane.make(p[0], p[1], p[2])) return;
        const float ndl = (s.per_face_light ? s.face_ndl : v[0]->ndl) * sign;
        draw_constant(t, w, plane, constant_color(flat, ndl, s));
        return;
    }

    const float inv_area = 1.0f / float(area);
    const float z[3] = {p[0].z, p[1].z, p[2].z};
    const float iw[3] = {p[0].iw, p[1].iw, p[2].iw};
    w.run([&](int64_t x, int64_t y, int64_t e0, int64_t e1, int64_t e2) {
        const float l0 = float(e0) * inv_area, l1 = float(e1) * inv_area, l2 = float(e2) * inv_area;
        const float depth = l0 * z[0] + l1 * z[1] + l2 * z[2];
        const size_t i = size_t(y - t.row0) * size_t(t.width) + size_t(x);
        if (s.blend == Blend::opaque ? !(depth < t.depth[i]) : !(depth <= t.depth[i])) return;

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
    });
}

bool rasterize_quad(const BandTarget &t, const RVert *const q[4], const Shading &s) {
    if (s.texels || !s.flat_color || s.blend != Blend::opaque) return false;
    if (!(s.per_face_light || s.unlit || (q[0]->ndl == q[1]->ndl && q[0]->ndl == q[2]->ndl && q[0]->ndl == q[3]->ndl)))
        return false;
    SVert p[4];
    for (int k = 0; k < 4; ++k) p[k] = project(q[k]->clip, t.samples_w, t.samples_h);
    // The two triangles as the mesh winds them: (u, s1, s2) and (s1, w, s2).
    const int64_t a1 = signed_area(p[0], p[1], p[3]), a2 = signed_area(p[1], p[2], p[3]);
    if (a1 == 0 || a2 == 0 || (a1 < 0) != (a2 < 0)) return false;
    const bool front = s.mirrored ? a1 > 0 : a1 < 0;
    if (s.cull && !front) return true;  // both back faces: nothing to draw
    if (a1 < 0) std::swap(p[1], p[3]);  // positive winding: inside is E >= 0
    // Strictly convex (every turn the same way), so the four edges bound it exactly.
    for (int k = 0; k < 4; ++k)
        if (signed_area(p[k], p[(k + 1) % 4], p[(k + 2) % 4]) <= 0) return false;
    // One plane for both triangles: only when the fourth vertex lies on the first three's.
    DepthPlane plane;
    if (!plane.make(p[0], p[1], p[3])) return false;
    if (!(std::fabs(plane.at(p[2]) - double(p[2].z)) <= 1e-6)) return false;
    EdgeWalk<4> w;
    if (!w.bound(p, 4, t)) return true;
    for (int k = 0; k < 4; ++k) w.edge(k, p[k], p[(k + 1) % 4]);
    const float ndl = (s.per_face_light ? s.face_ndl : q[0]->ndl) * (front ? 1.0f : -1.0f);
    draw_constant(t, w, plane, constant_color(q[0]->color, ndl, s));
    return true;
}

}  // namespace craster
