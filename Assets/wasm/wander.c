// A TwinWorld entity system compiled to WebAssembly: every entity with a Position and
// a Velocity wanders — its heading turns by a random amount each step, its speed is
// the `speed` parameter, and entities that leave the square of half-width `bound`
// turn back towards the centre (emitting event code 1).
//
// Build (clang from the Swift toolchain or Debian's clang + lld):
//   clang --target=wasm32 -nostdlib -O2 -Wl,--no-entry -o wander.wasm wander.c
// The host API is documented in README.md ("WebAssembly systems").

#include "twin.h"

static const char manifest[] =
    "{\"name\": \"wander\", \"phase\": \"update\","
    " \"reads\": [\"Position\"], \"writes\": [\"Velocity\"],"
    " \"parameters\": {\"speed\": {\"default\": 1.0, \"unit\": \"m/s\"},"
    "                  \"turn\": {\"default\": 1.5, \"unit\": \"rad/s\"},"
    "                  \"bound\": {\"default\": 20, \"unit\": \"m\"}},"
    " \"events\": [\"turned-back\"]}";

TWIN_EXPORT("twin_manifest") const char *manifest_json(void) { return manifest; }

enum { MAX_ENTITIES = 65536 };
static float position[3 * MAX_ENTITIES];
static float velocity[3 * MAX_ENTITIES];

// sin and cos without libm, accurate to ~1e-6 over [-pi, pi].
static float wrap(float a) {
    const float pi = 3.14159265f;
    while (a > pi) a -= 2 * pi;
    while (a < -pi) a += 2 * pi;
    return a;
}
static float sine(float a) {
    a = wrap(a);
    float a2 = a * a;
    return a * (1 - a2 / 6 * (1 - a2 / 20 * (1 - a2 / 42 * (1 - a2 / 72 * (1 - a2 / 110)))));
}
static float cosine(float a) { return sine(a + 1.57079633f); }
static float atan2f_(float y, float x);

TWIN_EXPORT("twin_update") void update(double time, double dt) {
    (void)time;
    int pos = twin_component(TWIN_NAME("Position")), vel = twin_component(TWIN_NAME("Velocity"));
    int n = twin_count();
    if (n > MAX_ENTITIES) n = MAX_ENTITIES;
    twin_read(pos, position, 3 * n);
    twin_read(vel, velocity, 3 * n);
    float speed = (float)twin_param(TWIN_NAME("speed")), turn = (float)twin_param(TWIN_NAME("turn"));
    float bound = (float)twin_param(TWIN_NAME("bound"));
    for (int i = 0; i < n; i++) {
        float x = position[3 * i], z = position[3 * i + 2];
        float heading = atan2f_(velocity[3 * i + 2], velocity[3 * i]);
        if (x * x > bound * bound || z * z > bound * bound) {
            heading = atan2f_(-z, -x);
            twin_emit(i, 1, time);
        } else {
            heading += (float)(twin_random() * 2 - 1) * turn * (float)dt;
        }
        velocity[3 * i] = speed * cosine(heading);
        velocity[3 * i + 1] = 0;
        velocity[3 * i + 2] = speed * sine(heading);
    }
    twin_write(vel, velocity, 3 * n);
}

// atan2 by octant reduction and a minimax polynomial (error < 1e-5 rad).
static float atan2f_(float y, float x) {
    const float pi = 3.14159265f;
    float ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
    if (ax == 0 && ay == 0) return 0;
    float a = ax > ay ? ay / ax : ax / ay, s = a * a;
    float r = ((-0.0464964749f * s + 0.15931422f) * s - 0.327622764f) * s * a + a;
    if (ay > ax) r = pi / 2 - r;
    if (x < 0) r = pi - r;
    return y < 0 ? -r : r;
}
