/* Out of memory under an address-space limit (as `ulimit -v` sets): every
 * allocation kind fails with NULL and ENOMEM, never a crash, and the
 * process recovers once memory is freed. */
#include <errno.h>
#include <sys/resource.h>

#include "internal.h"
#include "unit_test.h"

#define MAX_BLOCKS 100000

static void *blocks[MAX_BLOCKS];

int main(void) {
  void *warm = sa_malloc(100); /* heap and first segment exist before the limit */
  struct rlimit rl;
  getrlimit(RLIMIT_AS, &rl);
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  rl.rlim_cur = pages * 4096 + ((rlim_t)512 << 20); /* 512 MiB above what is mapped now */
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
  for (size_t i = 0; i < n; i++)
    if (blocks[i] && (i % 2 == 1 || i / 2 < again)) sa_free(blocks[i]);
  sa_free(warm);
  UNIT_DONE("unit_oom");
}
