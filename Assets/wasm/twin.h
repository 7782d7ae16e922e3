// The TwinWorld host API for entity systems compiled to WebAssembly (module "twin").
// Include it, export twin_manifest and twin_update, and build with
//   clang --target=wasm32 -nostdlib -O2 -Wl,--no-entry -o system.wasm system.c
// README.md ("WebAssembly systems") documents every function and the manifest.
#ifndef TWIN_H
#define TWIN_H

#define TWIN_IMPORT(name) __attribute__((import_module("twin"), import_name(name)))
#define TWIN_EXPORT(name) __attribute__((export_name(name)))
// A string literal and its length, for the functions that take a name.
#define TWIN_NAME(s) s, (int)(sizeof(s) - 1)

// Handle of a component the manifest declares, -1 otherwise.
TWIN_IMPORT("component") int twin_component(const char *name, int length);
// Entities this step (those with every declared component).
TWIN_IMPORT("count") int twin_count(void);
// Copies the component of every entity (3 floats each for vectors); floats written, or -1.
TWIN_IMPORT("read") int twin_read(int component, float *destination, int capacity);
// Writes them back (count = entities x width; declared writes only; finite values only).
TWIN_IMPORT("write") int twin_write(int component, const float *source, int count);
// A parameter: the scene's value over the manifest's default; NaN if unknown.
TWIN_IMPORT("param") double twin_param(const char *name, int length);
// Uniform in [0, 1) from the system's own seeded stream.
TWIN_IMPORT("random") double twin_random(void);
// A WasmEvent about the entity at this index.
TWIN_IMPORT("emit") void twin_emit(int entity, int code, double value);

#endif
