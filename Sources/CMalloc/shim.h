// glibc's allocator tuning (mallopt), for TwinECS's column memory.
#if defined(__linux__)
#include <malloc.h>
#endif
