/* Out of memory under an address-space limit (as `ulimit -v` sets): every
 * allocation kind fails with NULL and ENOMEM, never a crash, and the
 * process recovers once memory is freed. */
#include <errno.h>
#include <sys/resource.h>

#include "internal.h"
#include "unit_test.h"

#define MAX_BLOCKS 100000

static void *blocks[MAX_BLOCKS];

/* The address space mapped now (VmSize). */
static rlim_t vm_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  return (rlim_t)pages * 4096;
}

int main(void) {
  void *warm = sa_malloc(100); /* heap and first segment exist before the limit */
  struct rlimit rl;
  getrlimit(RLIMIT_AS, &rl);
  rl.rlim_cur = vm_bytes() + ((rlim_t)512 << 20); /* 512 MiB above what is mapped now */
  EXPECT(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit");

  size_t n = 0;
  for (; n < MAX_BLOCKS; n++) {
    errno = 0;
    blocks[n] = sa_malloc(65536);
    if (blocks[n] == NULL) break;
    ((char *)blocks[n])[0] = 1;
  }
  EXPECT(n > 1000 && n < MAX_BLOCKS, "the limit should stop 64 KiB allocations after a while: %zu", n);
  EXPECT(errno == ENOMEM, "errno %d after the failed malloc", errno);

  errno = 0;
  EXPECT(sa_malloc((size_t)1 << 30) == NULL && errno == ENOMEM, "1 GiB must fail with ENOMEM");
  errno = 0;
  EXPECT(sa_calloc(1, (size_t)800 << 20) == NULL && errno == ENOMEM, "800 MiB calloc must fail");
  errno = 0;
  EXPECT(sa_aligned_alloc((size_t)1 << 24, (size_t)600 << 20) == NULL && errno == ENOMEM, "aligned huge must fail");
  errno = 0;
  EXPECT(sa_realloc(warm, (size_t)900 << 20) == NULL && errno == ENOMEM, "realloc must fail and keep the block");
  EXPECT(sa_usable_size(warm) >= 100, "block kept after a failed realloc");

  /* Free half, force the memory back, and allocate again. */
  for (size_t i = 0; i < n; i += 2) sa_free(blocks[i]);
  sa_collect(true);
  size_t again = 0;
  for (size_t i = 0; i < n; i += 2) {
    blocks[i] = sa_malloc(65536);
    if (blocks[i] == NULL) break;
    again++;
  }
  EXPECT(again * 2 + 2 >= n, "after freeing, the freed amount can be allocated again: %zu of %zu", again, n / 2);
  sa_option_set(SA_OPTION_SEGMENT_CACHE, 0); /* emptied segments are unmapped, but one */
  for (size_t i = 0; i < n; i++)
    if (blocks[i] && (i % 2 == 1 || i / 2 < again)) sa_free(blocks[i]);
  sa_free(warm);

  /* Everything is free but not collected, and nothing is cached: the one
   * segment the heap keeps is address space. With the limit 40 MiB above
   * what is mapped now, a 60 MiB block fits only if a failed mapping
   * releases it and tries again. */
  rl.rlim_cur = vm_bytes() + ((rlim_t)40 << 20);
  EXPECT(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit");
  errno = 0;
  void *big = sa_malloc((size_t)60 << 20);
  EXPECT(big != NULL, "a 60 MiB block once the empty segments are released: errno %d", errno);
  sa_free(big);
  UNIT_DONE("unit_oom");
}
