/*
 * CRaster: the software rasterizer's inner loops (C++17 + glm behind a plain-C API).
 *
 * Not API: only TwinRender calls this. Everything crosses the boundary as plain
 * structs, flat arrays and return codes; no C++ exception and no longjmp ever leaves
 * a function declared here.
 *
 * The frame is drawn in three stages, each split into independent pieces so the
 * caller can run them on any number of threads with bit-identical output:
 *
 *   1. cr_transform_vertices(frame, first, count)   pieces of the global vertex range
 *   2. cr_setup_triangles(frame, first, count)      pieces of the global triangle range
 *   3. cr_render_band(frame, band, scratch)         one horizontal band of output rows
 *
 * (with cr_bin_count / cr_bin_fill between 2 and 3 to give each band its own triangle list)
 *
 * Stage 1 writes frame->vertices, stage 2 writes frame->triangle_bands (which bands a
 * triangle touches, or rejected); stage 3 reads both and writes only its own output
 * rows. Every pixel is computed by the same arithmetic whatever the band split, so the
 * number of threads never changes a byte.
 *
 * Memory: the caller allocates every array (sizes below); the kernel allocates nothing.
 * Colours are RGBA8 packed little-endian in a uint32 (r in the low byte).
 */
#ifndef CRASTER_H
#define CRASTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
enum {
    CR_OK = 0,
    CR_ERR_ARGUMENT = 1,      /* a null pointer, zero size or out-of-range parameter */
    CR_ERR_RANGE = 2,         /* first/count outside the frame's vertex/triangle/band range */
    CR_ERR_BUFFER_SMALL = 3,  /* a caller-sized output buffer is too small */
    CR_ERR_PNG = 4            /* libpng reported an error (message in the out buffer) */
};

/* Limits the kernel relies on (the Swift side checks them first and throws). */
#define CR_MAX_SIZE 8192u          /* output width/height, pixels */
#define CR_MAX_SSAA 4u             /* samples per axis */
#define CR_MAX_SCRATCH_ROWS 1024u  /* band_rows * ssaa */

/* Mesh flags. */
enum {
    CR_MESH_NORMALS = 1,  /* per-vertex normals present; otherwise flat normals per face */
    CR_MESH_UVS = 2,      /* per-vertex texture coordinates present */
    CR_MESH_COLORS = 4,   /* per-vertex RGBA8 colours present */
    CR_MESH_UNLIT = 8     /* no lighting: colour as given */
};

/* One mesh inside the frame's shared vertex/index arrays. Indices are local to the
 * mesh (0 ..< vertex_count); an out-of-range index skips its triangle. */
typedef struct cr_mesh {
    uint32_t first_vertex;   /* into positions/normals/uvs/colors (in vertices) */
    uint32_t vertex_count;
    uint32_t first_index;    /* into indices (in indices, 3 per triangle) */
    uint32_t triangle_count;
    int32_t texture;         /* index into textures, or -1 */
    uint32_t base_color;     /* RGBA8, multiplied with vertex colour and instance tint */
    uint32_t flags;          /* CR_MESH_* */
} cr_mesh;

/* Texture flags. */
enum {
    CR_TEX_BILINEAR = 1,  /* otherwise nearest */
    CR_TEX_CLAMP = 2      /* otherwise repeat */
};

/* An RGBA8 texture inside the frame's shared texel array; row 0 is the top of the
 * image (v = 0), as in glTF. */
typedef struct cr_texture {
    uint32_t first_texel;
    uint32_t width;
    uint32_t height;
    uint32_t flags;  /* CR_TEX_* */
} cr_texture;

/* A polyline drawn as a flat ribbon on the horizontal plane y = height (world space,
 * metres), depth-tested against the scene and alpha-blended. */
typedef struct cr_polyline {
    uint32_t first_point;  /* into polyline_points, in points (x, z pairs) */
    uint32_t point_count;
    float width;           /* metres */
    float height;          /* world y of the ribbon, metres */
    uint32_t color;        /* RGBA8; alpha blends */
    uint32_t closed;       /* nonzero: joins the last point to the first (zone outline) */
} cr_polyline;

/* A scalar field on a rectangle of the horizontal plane y = height, coloured through a
 * 256-entry lookup table and alpha-blended over what is visible of the plane. */
typedef struct cr_heatmap {
    const float *values;   /* rows * cols, row-major, row 0 at min_z, column 0 at min_x */
    const uint32_t *lut;   /* 256 RGBA8 colours, low value first */
    uint32_t cols, rows;
    float min_x, min_z, max_x, max_z, height;  /* metres */
    float value_min, value_max;                /* mapped to lut[0] and lut[255] */
    float opacity;                             /* 0...1, multiplies the lut alpha */
    uint32_t smooth;                           /* nonzero: bilinear between cell centres */
} cr_heatmap;

/* A ground plane y = height over a rectangle, with grid lines every `spacing` metres
 * and a major line every `major_every` lines. */
typedef struct cr_grid {
    uint32_t enabled;
    float height, min_x, min_z, max_x, max_z;  /* metres */
    float spacing;                             /* metres between lines */
    uint32_t major_every;
    float line_width;                          /* metres (never thinner than ~1 pixel) */
    uint32_t ground_color, line_color, major_color;  /* RGBA8 */
} cr_grid;

/* One transformed vertex (stage 1 output): clip-space position, signed n·l, uv and the
 * combined colour. */
typedef struct cr_vertex {
    float x, y, z, w;
    float ndl;
    float u, v;
    uint32_t color;
} cr_vertex;

/* Everything one frame needs. The caller owns every pointer. */
/* An instance's screen footprint (cr_instance_bounds): the sample box [x0, x1] ×
 * [y0, y1] (inclusive, one sample of margin) around all its projected vertices and their
 * nearest depth. `valid` is 0 when a vertex is behind the near plane, off the guard band
 * or not finite, or the mesh has more than 4,096 vertices (then it is always drawn). */
typedef struct cr_bounds {
    int32_t x0, x1, y0, y1;
    float zmin;
    uint32_t valid;
} cr_bounds;

typedef struct cr_frame {
    /* Output. */
    uint32_t width, height;   /* pixels */
    uint32_t ssaa;            /* samples per axis, 1...CR_MAX_SSAA */
    uint32_t band_rows;       /* output rows per band */
    uint8_t *pixels;          /* width * height * 4 bytes, RGBA8, row 0 at the top */
    size_t pixel_stride;      /* bytes per output row, >= width * 4 */

    /* Camera: clip = view_proj * world (column-major, OpenGL clip conventions). */
    const float *view_proj;   /* 16 floats; the ground-plane passes invert it */

    /* Light: direction *towards* the light (unit), intensities 0...1. */
    float light_dir[3];
    float ambient, diffuse;
    uint32_t background;      /* RGBA8 */
    uint32_t cull_backfaces;  /* nonzero: counter-clockwise triangles are front faces */

    /* Geometry. */
    const float *positions;   /* 3 per vertex, object space */
    const float *normals;     /* 3 per vertex (meshes with CR_MESH_NORMALS) */
    const float *uvs;         /* 2 per vertex (meshes with CR_MESH_UVS) */
    const uint32_t *colors;   /* 1 per vertex (meshes with CR_MESH_COLORS) */
    const uint32_t *indices;  /* 3 per triangle */
    const cr_mesh *meshes;
    uint32_t mesh_count;
    const uint32_t *texels;
    const cr_texture *textures;
    uint32_t texture_count;

    /* Instances: a model matrix (16 floats column-major), a mesh index and a tint. */
    const float *instance_matrices;
    const uint32_t *instance_mesh;
    const uint32_t *instance_color;
    uint32_t instance_count;
    /* Prefix sums the caller computes: first transformed vertex / triangle of each
     * instance; instance_count + 1 entries, the last being the totals. */
    const uint32_t *instance_first_vertex;
    const uint32_t *instance_first_triangle;

    /* Workspace the caller sizes: one cr_vertex per instanced vertex, one uint32 per
     * instanced triangle. */
    cr_vertex *vertices;
    uint32_t *triangle_bands;
    /* Optional per-band triangle lists (see cr_bin_triangles): band_count + 1 offsets
     * into band_items, which holds (global triangle, instance) pairs in draw order. With
     * band_items NULL, every band scans all triangles. */
    uint32_t *band_offsets;
    uint32_t *band_items;
    /* Optional, with band lists only (both or neither): one cr_bounds per instance and a
     * draw order (a permutation of the instances, cr_order_instances). cr_bin_fill then
     * lists triangles in that order, and each band skips an instance whose footprint is
     * already covered by nearer samples (it could not change a sample). */
    cr_bounds *instance_bounds;
    uint32_t *instance_order;

    /* Overlays (drawn after the meshes, in this order: grid, heatmap, polylines). */
    cr_grid grid;
    const cr_heatmap *heatmap;    /* or NULL */
    const float *polyline_points; /* x, z pairs */
    const cr_polyline *polylines;
    uint32_t polyline_count;
} cr_frame;

/* Number of bands in the frame (ceil(height / band_rows)). */
uint32_t cr_band_count(const cr_frame *frame);

/* Bytes of scratch one concurrent cr_render_band call needs: a colour and a depth
 * sample per supersampled pixel of one band. */
size_t cr_band_scratch_bytes(const cr_frame *frame);

/* Stage 1: transforms instanced vertices [first, first + count) to clip space and
 * lights them. */
int cr_transform_vertices(const cr_frame *frame, uint32_t first, uint32_t count);

/* Stage 2: culls and bins instanced triangles [first, first + count). */
int cr_setup_triangles(const cr_frame *frame, uint32_t first, uint32_t count);

/* Between stages 2 and 3 (optional, single-threaded): lists each band's triangles so a
 * band visits only its own. cr_bin_count writes band_offsets (band_count + 1 prefix
 * sums) and returns the number of items (pairs of uint32) band_items must hold;
 * cr_bin_fill then writes band_items, in instance (or instance_order) then triangle
 * order. */
size_t cr_bin_count(const cr_frame *frame);
int cr_bin_fill(const cr_frame *frame);

/* After stage 1, before cr_bin_fill (optional): the footprints of instances
 * [first, first + count) into instance_bounds; then, single-threaded, the draw order:
 * each run of consecutive instances sharing a mesh sorted front to back by nearest
 * depth (ties and instances without bounds keep their order; runs keep theirs, so
 * coplanar surfaces of different meshes resolve as before). */
int cr_instance_bounds(const cr_frame *frame, uint32_t first, uint32_t count);
int cr_order_instances(const cr_frame *frame);

/* Stage 3: rasterizes, overlays and resolves one band into frame->pixels. `scratch` is
 * cr_band_scratch_bytes(frame) bytes, 16-byte aligned, private to this call. */
int cr_render_band(const cr_frame *frame, uint32_t band, void *scratch);

/* PNG encoding with libpng, with zlib level and filter control. `filters` is a mask of
 * libpng's PNG_FILTER_* values (0x08 none ... 0xF8 all, adaptive). Writes into `out`
 * (capacity `capacity` bytes) and sets *written. Worst-case size: cr_png_bound.
 * On CR_ERR_PNG, `out` holds libpng's message as a NUL-terminated string when it fits. */
size_t cr_png_bound(uint32_t width, uint32_t height);
int cr_png_encode(const uint8_t *rgba, uint32_t width, uint32_t height, size_t stride,
                  int zlib_level, int filters, uint8_t *out, size_t capacity, size_t *written);

/* PNG encoding without row filters in independent slices (any number of threads,
 * byte-identical output): slice k holds rows [k * cr_png_slice_rows(width), ...).
 * cr_png_deflate_slice deflates one slice (`last` nonzero for the final one) into `out`
 * (capacity cr_png_slice_bound(width, rows)), giving its length and adler-32;
 * cr_png_frame writes the PNG file around the concatenated slices (capacity
 * cr_png_frame_bytes(length)), with the adler-32s combined by cr_adler32_combine. */
uint32_t cr_png_slice_rows(uint32_t width);
size_t cr_png_slice_bound(uint32_t width, uint32_t rows);
int cr_png_deflate_slice(const uint8_t *rgba, uint32_t width, uint32_t rows, size_t stride, int zlib_level,
                         int last, uint8_t *out, size_t capacity, size_t *written, uint32_t *adler);
uint32_t cr_adler32_combine(uint32_t a, uint32_t b, size_t length_b);
size_t cr_png_frame_bytes(size_t deflated);
int cr_png_frame(uint32_t width, uint32_t height, int zlib_level, const uint8_t *deflated, size_t length,
                 uint32_t adler, uint8_t *out, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* CRASTER_H */
