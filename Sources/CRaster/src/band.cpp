// Stage 3: one horizontal band of the frame. Clears the band's supersampled colour and
// depth, draws every triangle binned to it (in instance then triangle order, so the
// result is the same whichever thread draws the band), then the ground grid, heatmap
// and polylines, and finally box-filters the samples down into the output rows.
#include "raster_internal.hpp"

#include <algorithm>

using namespace craster;

extern "C" uint32_t cr_band_count(const cr_frame *f) {
    if (!f || f->band_rows == 0) return 0;
    return (f->height + f->band_rows - 1) / f->band_rows;
}

extern "C" size_t cr_band_scratch_bytes(const cr_frame *f) {
    if (!f) return 0;
    size_t samples = size_t(f->width) * f->ssaa * size_t(f->band_rows) * f->ssaa;
    return samples * (sizeof(uint32_t) + sizeof(float));
}

namespace {

bool frame_valid(const cr_frame *f) {
    return f && f->pixels && f->view_proj && f->width > 0 && f->height > 0 &&
           f->width <= CR_MAX_SIZE && f->height <= CR_MAX_SIZE && f->ssaa >= 1 && f->ssaa <= CR_MAX_SSAA &&
           f->band_rows > 0 && f->band_rows * f->ssaa <= CR_MAX_SCRATCH_ROWS && f->pixel_stride >= size_t(f->width) * 4;
}

void draw_meshes(const cr_frame &f, const BandTarget &t, uint32_t band) {
    for (uint32_t inst = 0; inst < f.instance_count; ++inst) {
        uint32_t mesh_index = f.instance_mesh[inst];
        if (mesh_index >= f.mesh_count) continue;
        const cr_mesh &mesh = f.meshes[mesh_index];
        const uint32_t tri0 = f.instance_first_triangle[inst], tri1 = f.instance_first_triangle[inst + 1];
        const cr_vertex *verts = f.vertices + f.instance_first_vertex[inst];
        const float *mm = f.instance_matrices + size_t(inst) * 16;

        Shading s;
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
        glm::mat3 cof(glm::cross(mb, mc), glm::cross(mc, ma), glm::cross(ma, mb));
        if (det < 0) cof = -cof;
        const glm::vec3 light(f.light_dir[0], f.light_dir[1], f.light_dir[2]);

        for (uint32_t g = tri0; g < tri1; ++g) {
            const uint32_t bins = f.triangle_bands[g];
            if (bins == 0xFFFFFFFFu || band < (bins & 0xFFFF) || band > (bins >> 16)) continue;
            const uint32_t *ix = f.indices + size_t(mesh.first_index) + size_t(g - tri0) * 3;
            const cr_vertex &va = verts[ix[0]], &vb = verts[ix[1]], &vc = verts[ix[2]];
            if (s.per_face_light) {
                const float *P = f.positions + size_t(mesh.first_vertex) * 3;
                glm::vec3 p0(P[ix[0] * 3], P[ix[0] * 3 + 1], P[ix[0] * 3 + 2]);
                glm::vec3 p1(P[ix[1] * 3], P[ix[1] * 3 + 1], P[ix[1] * 3 + 2]);
                glm::vec3 p2(P[ix[2] * 3], P[ix[2] * 3 + 1], P[ix[2] * 3 + 2]);
                glm::vec3 n = cof * glm::cross(p1 - p0, p2 - p0);
                float len = glm::length(n);
                s.face_ndl = len > 0 && std::isfinite(len) ? glm::dot(n, light) / len : 0.0f;
            }
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
    }
}

// Box filter of ssaa × ssaa samples into each output pixel, rounding to nearest.
void resolve(const cr_frame &f, const BandTarget &t, uint32_t out_row0, uint32_t out_rows) {
    const uint32_t S = f.ssaa, n = S * S;
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

}  // namespace

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
        draw_meshes(*f, t, band);
    if (f->grid.enabled) draw_grid(*f, t);
    if (f->heatmap) draw_heatmap(*f, t);
    if (f->polyline_count > 0 && f->polylines && f->polyline_points) draw_polylines(*f, t);
    resolve(*f, t, out_row0, out_rows);
    return CR_OK;
}
