// Stage 3: one horizontal band of the frame. Clears the band's supersampled colour and
// depth, draws every triangle binned to it (in instance then triangle order, so the
// result is the same whichever thread draws the band), then the ground grid, heatmap
// and polylines, and finally box-filters the samples down into the output rows.
#include "raster_internal.hpp"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

using namespace craster;

extern "C" uint32_t cr_band_count(const cr_frame *f) {
    if (!f || f->band_rows == 0) return 0;
    return (f->height + f->band_rows - 1) / f->band_rows;
}

extern "C" size_t cr_band_scratch_bytes(const cr_frame *f) {
    if (!f) return 0;
    size_t samples = size_t(f->width) * f->ssaa * size_t(f->band_rows) * f->ssaa;
    return samples * (sizeof(uint32_t) + sizeof(float)) + grid_scratch_floats(f->width * f->ssaa) * sizeof(float) +
           OcclusionTiles::scratch_bytes(f->width * f->ssaa);
}

namespace {

bool frame_valid(const cr_frame *f) {
    return f && f->pixels && f->view_proj && f->width > 0 && f->height > 0 &&
           f->width <= CR_MAX_SIZE && f->height <= CR_MAX_SIZE && f->ssaa >= 1 && f->ssaa <= CR_MAX_SSAA &&
           f->band_rows > 0 && f->band_rows * f->ssaa <= CR_MAX_SCRATCH_ROWS && f->pixel_stride >= size_t(f->width) * 4;
}

// Per-instance drawing state: the mesh, its shading flags and texture, and the
// cofactor matrix for flat-shaded face normals.
struct InstanceState {
    const cr_mesh *mesh = nullptr;
    const cr_vertex *verts = nullptr;
    uint32_t tri0 = 0;
    glm::mat3 cof;
    Shading s;
};

bool load_instance(const cr_frame &f, uint32_t inst, InstanceState &st) {
    uint32_t mesh_index = f.instance_mesh[inst];
    if (mesh_index >= f.mesh_count) return false;
    const cr_mesh &mesh = f.meshes[mesh_index];
    st.mesh = &mesh;
    st.tri0 = f.instance_first_triangle[inst];
    st.verts = f.vertices + f.instance_first_vertex[inst];
    const float *mm = f.instance_matrices + size_t(inst) * 16;

    Shading &s = st.s;
    s = Shading();
    s.ambient = f.ambient;
    s.diffuse = f.diffuse;
    s.cull = f.cull_backfaces != 0;
    s.unlit = mesh.flags & CR_MESH_UNLIT;
    s.per_face_light = !(mesh.flags & CR_MESH_NORMALS) || !f.normals;
    if (mesh.texture >= 0 && uint32_t(mesh.texture) < f.texture_count && f.texels &&
        (mesh.flags & CR_MESH_UVS) && f.uvs) {
        const cr_texture &tx = f.textures[mesh.texture];
        if (tx.width > 0 && tx.height > 0) {
            s.texels = f.texels + tx.first_texel;
            s.tex_w = tx.width; s.tex_h = tx.height; s.tex_flags = tx.flags;
        }
    }
    // The cofactor matrix maps object-space face normals to world space (flat
    // shading); a negative determinant mirrors, which also reverses the winding.
    const glm::mat4 model = load_mat4(mm);
    const glm::vec3 ma(model[0]), mb(model[1]), mc(model[2]);
    const float det = glm::dot(ma, glm::cross(mb, mc));
    s.mirrored = det < 0;
    st.cof = glm::mat3(glm::cross(mb, mc), glm::cross(mc, ma), glm::cross(ma, mb));
    if (det < 0) st.cof = -st.cof;
    return true;
}

// The flat-shading n·l of triangle `ix` of the loaded instance (per_face_light meshes).
float face_ndl(const cr_frame &f, const InstanceState &st, const uint32_t *ix) {
    const glm::vec3 light(f.light_dir[0], f.light_dir[1], f.light_dir[2]);
    const float *P = f.positions + size_t(st.mesh->first_vertex) * 3;
    glm::vec3 p0(P[ix[0] * 3], P[ix[0] * 3 + 1], P[ix[0] * 3 + 2]);
    glm::vec3 p1(P[ix[1] * 3], P[ix[1] * 3 + 1], P[ix[1] * 3 + 2]);
    glm::vec3 p2(P[ix[2] * 3], P[ix[2] * 3 + 1], P[ix[2] * 3 + 2]);
    glm::vec3 n = st.cof * glm::cross(p1 - p0, p2 - p0);
    float len = glm::length(n);
    return len > 0 && std::isfinite(len) ? glm::dot(n, light) / len : 0.0f;
}

// Draws global triangle g of the loaded instance into the band.
void draw_triangle(const cr_frame &f, const BandTarget &t, InstanceState &st, uint32_t g) {
    const cr_mesh &mesh = *st.mesh;
    Shading &s = st.s;
    const uint32_t *ix = f.indices + size_t(mesh.first_index) + size_t(g - st.tri0) * 3;
    const cr_vertex &va = st.verts[ix[0]], &vb = st.verts[ix[1]], &vc = st.verts[ix[2]];
    if (s.per_face_light) s.face_ndl = face_ndl(f, st, ix);
    s.flat_color = va.color == vb.color && va.color == vc.color;
    glm::vec4 ca(va.x, va.y, va.z, va.w), cb(vb.x, vb.y, vb.z, vb.w), cc(vc.x, vc.y, vc.z, vc.w);
    if (inside_guard(ca) && inside_guard(cb) && inside_guard(cc)) {
        rasterize_triangle(t, from_vertex(va), from_vertex(vb), from_vertex(vc), s);
    } else {
        RVert poly[kMaxClip] = {from_vertex(va), from_vertex(vb), from_vertex(vc)};
        int n = clip_polygon(poly, 3);
        rasterize_polygon(t, poly, n, s);
    }
}

// Draws triangles g and g + 1 of the loaded instance as one quad when they form one
// (see rasterize_quad); false: draw them one by one.
bool draw_quad(const cr_frame &f, const BandTarget &t, InstanceState &st, uint32_t g, uint32_t tri_end) {
    if (g + 1 >= tri_end || st.s.texels) return false;
    const cr_mesh &mesh = *st.mesh;
    const uint32_t *a = f.indices + size_t(mesh.first_index) + size_t(g - st.tri0) * 3, *b = a + 3;
    for (int k = 0; k < 3; ++k)
        if (b[k] >= mesh.vertex_count) return false;
    // The shared edge: a's edge (s1, s2) appears in b reversed, as (s2, s1).
    for (int k = 0; k < 3; ++k) {
        const uint32_t s1 = a[k], s2 = a[(k + 1) % 3], u = a[(k + 2) % 3];
        for (int m = 0; m < 3; ++m) {
            if (b[m] != s2 || b[(m + 1) % 3] != s1) continue;
            const uint32_t w = b[(m + 2) % 3];
            const cr_vertex *v[4] = {&st.verts[u], &st.verts[s1], &st.verts[w], &st.verts[s2]};
            const bool same_ndl = st.s.per_face_light || st.s.unlit;
            for (const cr_vertex *x : v) {
                if (x->color != v[0]->color || (!same_ndl && x->ndl != v[0]->ndl)) return false;  // cheap checks first
            }
            for (const cr_vertex *x : v) {
                if (!inside_guard(glm::vec4(x->x, x->y, x->z, x->w))) return false;
            }
            Shading s = st.s;
            s.flat_color = true;
            if (s.per_face_light) {
                s.face_ndl = face_ndl(f, st, a);
                if (face_ndl(f, st, b) != s.face_ndl) return false;
            }
            const RVert r[4] = {from_vertex(*v[0]), from_vertex(*v[1]), from_vertex(*v[2]), from_vertex(*v[3])};
            const RVert *q[4] = {&r[0], &r[1], &r[2], &r[3]};
            return rasterize_quad(t, q, s);
        }
    }
    return false;
}

// Draws global triangle g. Triangles pair up as (0, 1), (2, 3), … within a mesh; a pair
// that forms a quad is always drawn as the quad — by its first triangle, or by the second
// in a band the first does not reach (the quad then covers only the second's samples
// there) — so every sample of it gets the quad's depth plane whatever the band split.
// `quad` / `single`: the last first-of-pair triangle drawn as a quad / found not to be one.
void draw_item(const cr_frame &f, const BandTarget &t, InstanceState &st, uint32_t g, uint32_t tri_end,
               uint32_t &quad, uint32_t &single) {
    if ((g - st.tri0) % 2 == 0) {
        if (draw_quad(f, t, st, g, tri_end)) { quad = g; return; }
        single = g;
    } else {
        if (quad == g - 1) return;  // drawn with its quad
        if (single != g - 1 && draw_quad(f, t, st, g - 1, tri_end)) return;
    }
    draw_triangle(f, t, st, g);
}

void draw_meshes(const cr_frame &f, const BandTarget &t, uint32_t band, void *occlusion_scratch) {
    InstanceState st;
    if (f.band_items && f.band_offsets) {
        // The band's own list: (triangle, instance) pairs in draw order then triangle order.
        uint32_t loaded = 0xFFFFFFFFu, tri_end = 0, quad = 0xFFFFFFFFu, single = 0xFFFFFFFFu;
        bool ok = false;
        const bool cull = f.instance_bounds && f.instance_order;
        OcclusionTiles occlusion(t, occlusion_scratch);
        for (uint32_t k = f.band_offsets[band]; k < f.band_offsets[band + 1]; ++k) {
            const uint32_t g = f.band_items[size_t(k) * 2], inst = f.band_items[size_t(k) * 2 + 1];
            if (inst != loaded) {
                loaded = inst;
                ok = (!cull || occlusion.visible(f.instance_bounds[inst])) && load_instance(f, inst, st);
                tri_end = f.instance_first_triangle[inst + 1];
            }
            if (ok) draw_item(f, t, st, g, tri_end, quad, single);
        }
        return;
    }
    for (uint32_t inst = 0; inst < f.instance_count; ++inst) {
        if (!load_instance(f, inst, st)) continue;
        const uint32_t tri1 = f.instance_first_triangle[inst + 1];
        uint32_t quad = 0xFFFFFFFFu, single = 0xFFFFFFFFu;
        for (uint32_t g = st.tri0; g < tri1; ++g) {
            const uint32_t bins = f.triangle_bands[g];
            if (bins == 0xFFFFFFFFu || band < (bins & 0xFFFF) || band > (bins >> 16)) continue;
            draw_item(f, t, st, g, tri1, quad, single);
        }
    }
}

// Box filter of S × S samples into each output pixel, rounding to nearest. S is a
// compile-time constant so the per-channel division becomes a multiply or shift.
template <uint32_t S>
void resolve_fixed(const cr_frame &f, const BandTarget &t, uint32_t out_row0, uint32_t out_rows) {
    constexpr uint32_t n = S * S;
    for (uint32_t r = 0; r < out_rows; ++r) {
        uint8_t *dst = f.pixels + size_t(out_row0 + r) * f.pixel_stride;
        const uint32_t *src = t.color + size_t(r * S) * size_t(t.width);
        for (uint32_t x = 0; x < f.width; ++x) {
            uint32_t acc[4] = {0, 0, 0, 0};
            for (uint32_t sy = 0; sy < S; ++sy) {
                const uint32_t *s = src + size_t(sy) * size_t(t.width) + size_t(x) * S;
                for (uint32_t sx = 0; sx < S; ++sx) {
                    uint32_t c = s[sx];
                    acc[0] += c & 0xFF; acc[1] += (c >> 8) & 0xFF; acc[2] += (c >> 16) & 0xFF; acc[3] += c >> 24;
                }
            }
            for (int k = 0; k < 4; ++k) dst[x * 4 + k] = uint8_t((acc[k] + n / 2) / n);
        }
    }
}

#if defined(__SSE2__)
// 2 × 2 samples per pixel, four output pixels at a time: the same integer sums and
// rounding ((sum + 2) / 4 per channel) as resolve_fixed<2>, so the bytes are equal.
void resolve_2x2(const cr_frame &f, const BandTarget &t, uint32_t out_row0, uint32_t out_rows) {
    const __m128i zero = _mm_setzero_si128(), two = _mm_set1_epi16(2);
    for (uint32_t r = 0; r < out_rows; ++r) {
        uint8_t *dst = f.pixels + size_t(out_row0 + r) * f.pixel_stride;
        const uint32_t *s0 = t.color + size_t(r * 2) * size_t(t.width);
        const uint32_t *s1 = s0 + size_t(t.width);
        uint32_t x = 0;
        for (; x + 4 <= f.width; x += 4) {
            // Samples 2x ... 2x + 7 of both sample rows.
            const __m128i a0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s0 + 2 * x));
            const __m128i a1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s0 + 2 * x + 4));
            const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s1 + 2 * x));
            const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s1 + 2 * x + 4));
            // Vertical sums per channel in 16 bits: samples (0, 1) | (2, 3) and (4, 5) | (6, 7).
            const __m128i v0 = _mm_add_epi16(_mm_unpacklo_epi8(a0, zero), _mm_unpacklo_epi8(b0, zero));
            const __m128i v1 = _mm_add_epi16(_mm_unpackhi_epi8(a0, zero), _mm_unpackhi_epi8(b0, zero));
            const __m128i v2 = _mm_add_epi16(_mm_unpacklo_epi8(a1, zero), _mm_unpacklo_epi8(b1, zero));
            const __m128i v3 = _mm_add_epi16(_mm_unpackhi_epi8(a1, zero), _mm_unpackhi_epi8(b1, zero));
            // Horizontal pairs: low half + high half of each (one output pixel each).
            const __m128i p01 = _mm_add_epi16(_mm_unpacklo_epi64(v0, v1), _mm_unpackhi_epi64(v0, v1));
            const __m128i p23 = _mm_add_epi16(_mm_unpacklo_epi64(v2, v3), _mm_unpackhi_epi64(v2, v3));
            const __m128i q01 = _mm_srli_epi16(_mm_add_epi16(p01, two), 2);
            const __m128i q23 = _mm_srli_epi16(_mm_add_epi16(p23, two), 2);
            _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + size_t(x) * 4), _mm_packus_epi16(q01, q23));
        }
        for (; x < f.width; ++x) {
            uint32_t acc[4] = {0, 0, 0, 0};
            for (const uint32_t *row : {s0, s1})
                for (uint32_t sx = 0; sx < 2; ++sx) {
                    const uint32_t c = row[2 * x + sx];
                    acc[0] += c & 0xFF; acc[1] += (c >> 8) & 0xFF; acc[2] += (c >> 16) & 0xFF; acc[3] += c >> 24;
                }
            for (int k = 0; k < 4; ++k) dst[x * 4 + k] = uint8_t((acc[k] + 2) / 4);
        }
    }
}
#endif

void resolve(const cr_frame &f, const BandTarget &t, uint32_t out_row0, uint32_t out_rows) {
    switch (f.ssaa) {
    case 1: resolve_fixed<1>(f, t, out_row0, out_rows); break;
#if defined(__SSE2__)
    case 2: resolve_2x2(f, t, out_row0, out_rows); break;
#else
    case 2: resolve_fixed<2>(f, t, out_row0, out_rows); break;
#endif
    case 3: resolve_fixed<3>(f, t, out_row0, out_rows); break;
    default: resolve_fixed<4>(f, t, out_row0, out_rows); break;
    }
}

}  // namespace

extern "C" size_t cr_bin_count(const cr_frame *f) {
    if (!f || !f->band_offsets || !f->triangle_bands || !f->instance_first_triangle) return 0;
    const uint32_t bands = cr_band_count(f);
    std::fill(f->band_offsets, f->band_offsets + bands + 1, 0u);
    const uint32_t total = f->instance_first_triangle[f->instance_count];
    size_t items = 0;
    for (uint32_t g = 0; g < total; ++g) {
        const uint32_t bins = f->triangle_bands[g];
        if (bins == 0xFFFFFFFFu) continue;
        const uint32_t b0 = bins & 0xFFFF, b1 = std::min(bins >> 16, bands - 1);
        for (uint32_t b = b0; b <= b1; ++b) ++f->band_offsets[b + 1];
        items += b1 >= b0 ? b1 - b0 + 1 : 0;
    }
    if (items > 0xFFFFFFFFull) return items;  // the caller refuses such a list
    for (uint32_t b = 0; b < bands; ++b) f->band_offsets[b + 1] += f->band_offsets[b];
    return items;
}

extern "C" int cr_bin_fill(const cr_frame *f) {
    if (!f || !f->band_offsets || !f->band_items || !f->triangle_bands || !f->instance_first_triangle)
        return CR_ERR_ARGUMENT;
    const uint32_t bands = cr_band_count(f);
    // band_offsets[b] serves as band b's cursor while filling; afterwards it has moved
    // to the start of band b + 1, and one shift restores the offsets.
    uint32_t *next = f->band_offsets;
    for (uint32_t i = 0; i < f->instance_count; ++i) {
        const uint32_t inst = f->instance_order ? f->instance_order[i] : i;
        if (inst >= f->instance_count) return CR_ERR_RANGE;
        const uint32_t tri0 = f->instance_first_triangle[inst], tri1 = f->instance_first_triangle[inst + 1];
        for (uint32_t g = tri0; g < tri1; ++g) {
            const uint32_t bins = f->triangle_bands[g];
            if (bins == 0xFFFFFFFFu) continue;
            const uint32_t b0 = bins & 0xFFFF, b1 = std::min(bins >> 16, bands - 1);
            for (uint32_t b = b0; b <= b1; ++b) {
                const size_t k = next[b]++;
                f->band_items[k * 2] = g;
                f->band_items[k * 2 + 1] = inst;
            }
        }
    }
    for (uint32_t b = bands; b > 0; --b) f->band_offsets[b] = f->band_offsets[b - 1];
    f->band_offsets[0] = 0;
    return CR_OK;
}

extern "C" int cr_render_band(const cr_frame *f, uint32_t band, void *scratch) {
    if (!frame_valid(f) || !scratch) return CR_ERR_ARGUMENT;
    if (band >= cr_band_count(f)) return CR_ERR_RANGE;
    const uint32_t S = f->ssaa;
    const uint32_t out_row0 = band * f->band_rows;
    const uint32_t out_rows = std::min(f->band_rows, f->height - out_row0);

    BandTarget t;
    t.width = int(f->width * S);
    t.row0 = int(out_row0 * S);
    t.row1 = int((out_row0 + out_rows) * S);
    t.samples_w = float(f->width * S);
    t.samples_h = float(f->height * S);
    const size_t samples = size_t(t.width) * size_t(t.row1 - t.row0);
    t.color = static_cast<uint32_t *>(scratch);
    t.depth = reinterpret_cast<float *>(t.color + size_t(t.width) * f->band_rows * S);
    std::fill(t.color, t.color + samples, f->background | 0xFF000000u);
    std::fill(t.depth, t.depth + samples, 1.0f);

    if (f->instance_count > 0 && f->vertices && f->triangle_bands && f->meshes && f->indices &&
        f->instance_first_vertex && f->instance_first_triangle)
        draw_meshes(*f, t, band, t.depth + size_t(t.width) * f->band_rows * S + grid_scratch_floats(t.width));
    if (f->grid.enabled) draw_grid(*f, t, t.depth + size_t(t.width) * f->band_rows * S);
    if (f->heatmap) draw_heatmap(*f, t);
    if (f->polyline_count > 0 && f->polylines && f->polyline_points) draw_polylines(*f, t);
    resolve(*f, t, out_row0, out_rows);
    return CR_OK;
}
