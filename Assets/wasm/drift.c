// The smallest useful WebAssembly entity system: Position += Velocity × dt for every
// entity that has both. `twin bench plugins` times it against the same loop in Swift.
//
// Build: clang --target=wasm32 -nostdlib -O2 -Wl,--no-entry -o drift.wasm drift.c

#include "twin.h"

TWIN_EXPORT("twin_manifest") const char *manifest(void) {
    return "{\"name\": \"drift\", \"reads\": [\"Velocity\"], \"writes\": [\"Position\"]}";
}

enum { MAX_ENTITIES = 100000 };
static float position[3 * MAX_ENTITIES];
static float velocity[3 * MAX_ENTITIES];

TWIN_EXPORT("twin_update") void update(double time, double dt) {
    (void)time;
    int pos = twin_component(TWIN_NAME("Position")), vel = twin_component(TWIN_NAME("Velocity"));
    int n = twin_count();
    if (n > MAX_ENTITIES) n = MAX_ENTITIES;
    twin_read(pos, position, 3 * n);
    twin_read(vel, velocity, 3 * n);
    float step = (float)dt;
    for (int i = 0; i < 3 * n; i++) position[i] += velocity[i] * step;
    twin_write(pos, position, 3 * n);
}
