/* A preloadable library that changes nothing: it lets the tests run "two
 * allocators" (glibc and glibc-through-a-preload) where no peer allocator
 * is installed, and stands in for segalloc in the --check test. */
#include <stdlib.h>

__attribute__((visibility("default"))) int abtest_noop_marker = 1;
