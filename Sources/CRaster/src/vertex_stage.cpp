// Stages 1 and 2: per-vertex transform and lighting, then per-triangle culling and
// binning into bands. Both walk a slice of the global (instanced) vertex or triangle
// range, so the caller can split them freely across threads: each slot of the output
// depends only on its own inputs.
#include "raster_internal.hpp"

#include <algorithm>

using namespace craster;

namespace {

// The instance holding global element `g`, given prefix sums with count + 1 entries.
uint32_t instance_of(const uint32_t *prefix, uint32_t count, uint32_t g) {
    const uint32_t *end = prefix + count + 1;
    const uint32_t *it = std::upper_bound(prefix, end, g);
    return uint32_t(it - prefix) - 1;
}

// The cofactor matrix of the model's upper 3×3 (normals transform by it), signed so a
// mirroring transform still maps outward normals outward.
glm::mat3 normal_matrix(const glm::mat4 &m, float &det) {
    glm::vec3 a(m[0]), b(m[1]), c(m[2]);
    det = glm::dot(a, glm::cross(b, c));
    glm::mat3 cof(glm::cross(b, c), glm::cross(c, a), glm::cross(a, b));
    return det < 0 ? -cof : cof;
}

bool matrix_finite(const float *m) {
    for (int i = 0; i < 16; ++i)
        if (!std::isfinite(m[i])) return false;
    return true;
}

}  // namespace

extern "C" int cr_transform_vertices(const cr_frame *f, uint32_t first, uint32_t count) {
    if (!f || !f->vertices || !f->view_proj || !f->positions) return CR_ERR_ARGUMENT;
    uint32_t total = f->instance_first_vertex[f->instance_count];
    if (first > total || count > total - first) return CR_ERR_RANGE;
    if (count == 0) return CR_OK;

    const glm::mat4 vp = load_mat4(f->view_proj);
    const glm::vec3 light(f->light_dir[0], f->light_dir[1], f->light_dir[2]);
    const float nan = std::nanf("");

    uint32_t g = first, end = first + count;
    uint32_t inst = instance_of(f->instance_first_vertex, f->instance_count, g);
    while (g < end && inst < f->instance_count) {
        uint32_t inst_first = f->instance_first_vertex[inst];
        uint32_t inst_end = std::min(end, f->instance_first_vertex[inst + 1]);
        uint32_t mesh_index = f->instance_mesh[inst];
        const float *mm = f->instance_matrices + size_t(inst) * 16;
        bool valid = mesh_index < f->mesh_count && matrix_finite(mm);
        if (!valid) {
            // Poison the vertices: stage 2 rejects every triangle that uses them.
            for (; g < inst_end; ++g) f->vertices[g] = cr_vertex{nan, nan, nan, nan, 0, 0, 0, 0};
            ++inst;
            continue;
        }
        const cr_mesh &mesh = f->meshes[mesh_index];
        const glm::mat4 model = load_mat4(mm);
        const glm::mat4 mvp = vp * model;
        float det = 0;
        const glm::mat3 nm = normal_matrix(model, det);
        const uint32_t tint = modulate(mesh.base_color, f->instance_color[inst]);
        const bool has_n = (mesh.flags & CR_MESH_NORMALS) && f->normals;
        const bool has_uv = (mesh.flags & CR_MESH_UVS) && f->uvs;
        const bool has_c = (mesh.flags & CR_MESH_COLORS) && f->colors;

        for (; g < inst_end; ++g) {
            size_t src = size_t(mesh.first_vertex) + (g - inst_first);
            const float *p = f->positions + src * 3;
            glm::vec4 clip = mvp * glm::vec4(p[0], p[1], p[2], 1.0f);
            cr_vertex &out = f->vertices[g];
            out.x = clip.x; out.y = clip.y; out.z = clip.z; out.w = clip.w;
            out.ndl = 0;
            if (has_n) {
                const float *n = f->normals + src * 3;
                glm::vec3 wn = nm * glm::vec3(n[0], n[1], n[2]);
                float len = glm::length(wn);
                out.ndl = len > 0 && std::isfinite(len) ? glm::dot(wn, light) / len : 0.0f;
            }
            if (has_uv) {
                out.u = f->uvs[src * 2];
                out.v = f->uvs[src * 2 + 1];
            } else {
                out.u = 0; out.v = 0;
            }
            out.color = has_c ? modulate(tint, f->colors[src]) : tint;
        }
        ++inst;
    }
    return CR_OK;
}

extern "C" int cr_setup_triangles(const cr_frame *f, uint32_t first, uint32_t count) {
    if (!f || !f->vertices || !f->triangle_bands || !f->indices) return CR_ERR_ARGUMENT;
    uint32_t total = f->instance_first_triangle[f->instance_count];
    if (first > total || count > total - first) return CR_ERR_RANGE;
    if (count == 0) return CR_OK;

    const uint32_t S = f->ssaa;
    const float sw = float(f->width * S), sh = float(f->height * S);
    const int64_t max_row = int64_t(f->height) * S - 1;
    const uint32_t band_samples = f->band_rows * S;
    const uint32_t last_band = cr_band_count(f) - 1;
    constexpr uint32_t kReject = 0xFFFFFFFFu;

    uint32_t g = first, end = first + count;
    uint32_t inst = instance_of(f->instance_first_triangle, f->instance_count, g);
    while (g < end && inst < f->instance_count) {
        uint32_t inst_first = f->instance_first_triangle[inst];
        uint32_t inst_end = std::min(end, f->instance_first_triangle[inst + 1]);
        uint32_t mesh_index = f->instance_mesh[inst];
        if (mesh_index >= f->mesh_count) {
            for (; g < inst_end; ++g) f->triangle_bands[g] = kReject;
            ++inst;
            continue;
        }
        const cr_mesh &mesh = f->meshes[mesh_index];
        const cr_vertex *verts = f->vertices + f->instance_first_vertex[inst];
        const float *mm = f->instance_matrices + size_t(inst) * 16;
        float det = glm::dot(glm::vec3(mm[0], mm[1], mm[2]),
                             glm::cross(glm::vec3(mm[4], mm[5], mm[6]), glm::vec3(mm[8], mm[9], mm[10])));
        const bool mirrored = det < 0;

        for (; g < inst_end; ++g) {
            f->triangle_bands[g] = kReject;
            const uint32_t *ix = f->indices + size_t(mesh.first_index) + size_t(g - inst_first) * 3;
            if (ix[0] >= mesh.vertex_count || ix[1] >= mesh.vertex_count || ix[2] >= mesh.vertex_count) continue;
            const cr_vertex &a = verts[ix[0]], &b = verts[ix[1]], &c = verts[ix[2]];
            glm::vec4 ca(a.x, a.y, a.z, a.w), cb(b.x, b.y, b.z, b.w), cc(c.x, c.y, c.z, c.w);
            if (!finite4(ca) || !finite4(cb) || !finite4(cc)) continue;
            if (outside_frustum(ca, cb, cc)) continue;

            int64_t min_y, max_y;
            if (inside_guard(ca) && inside_guard(cb) && inside_guard(cc)) {
                SVert sa = project(ca, sw, sh), sb = project(cb, sw, sh), sc = project(cc, sw, sh);
                int64_t area = signed_area(sa, sb, sc);
                if (area == 0) continue;                    // degenerate
                bool front = mirrored ? area > 0 : area < 0;
                if (f->cull_backfaces && !front) continue;  // back face
                min_y = std::min({sa.y, sb.y, sc.y});
                max_y = std::max({sa.y, sb.y, sc.y});
            } else {
                // Crosses the near plane or the guard band: bin by the clipped polygon.
                RVert poly[kMaxClip] = {from_vertex(a), from_vertex(b), from_vertex(c)};
                int n = clip_polygon(poly, 3);
                if (n < 3) continue;
                min_y = INT64_MAX; max_y = INT64_MIN;
                for (int i = 0; i < n; ++i) {
                    SVert s = project(poly[i].clip, sw, sh);
                    min_y = std::min(min_y, s.y);
                    max_y = std::max(max_y, s.y);
                }
            }
            // Sample rows whose centres (row + 1/2) may be covered.
            int64_t r0 = (min_y - kSubHalf + kSubOne - 1) >> kSubBits;  // ceil
            int64_t r1 = (max_y - kSubHalf) >> kSubBits;                // floor
            r0 = std::max<int64_t>(r0, 0);
            r1 = std::min<int64_t>(r1, max_row);
            if (r0 > r1) continue;
            uint32_t b0 = uint32_t(r0) / band_samples, b1 = std::min(uint32_t(r1) / band_samples, last_band);
            f->triangle_bands[g] = b0 | (b1 << 16);
        }
        ++inst;
    }
    return CR_OK;
}
