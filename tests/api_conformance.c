/* api_conformance: the glibc malloc surface behaves as C and POSIX say,
 * checked through the plain malloc API of whatever allocator the process
 * runs on. ctest runs it twice: with LD_PRELOAD=libsegalloc.so, where it
 * also proves that segalloc is the allocator answering, and with the C
 * library alone (SA_TEST_ALLOCATOR=glibc), which shows the test's own
 * expectations hold for a known-good allocator.
 *
 * Where glibc 2.36 knowingly differs from segalloc's documented contract
 * (memalign and aligned_alloc round a non-power-of-two alignment up instead
 * of failing), glibc mode accepts the glibc answer; nothing else differs. */
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF_KIB ((size_t)1 << 10)
#define CONF_MIB ((size_t)1 << 20)
#define CONF_MIN_ALIGN 16 /* alignof(max_align_t) on x86-64 */

static bool conf_glibc_mode;
static unsigned long conf_checks;

#define CONF_EXPECT(cond, ...)   \
  do {                           \
    conf_checks++;               \
    if (!(cond)) tst_fail(__VA_ARGS__); \
  } while (0)

/* Sizes that reach the allocator through a volatile, so the compiler can
 * neither fold an impossible request into a constant NULL nor warn about
 * it: the test is about what the library does at run time. */
static size_t conf_runtime(size_t n) {
  volatile size_t v = n;
  return v;
}

/* The checks every successful allocation must pass. */
static void conf_expect_block(const void *p, size_t size, size_t align, const char *call) {
  CONF_EXPECT(p != NULL, "%s(%zu) returned NULL (errno %d)", call, size, errno);
  CONF_EXPECT((uintptr_t)p % align == 0, "%s(%zu) = %p is not %zu-byte aligned", call, size, p, align);
  size_t usable = malloc_usable_size((void *)p);
  CONF_EXPECT(usable >= size, "%s(%zu): malloc_usable_size=%zu is smaller", call, size, usable);
}

static bool conf_name_is_segalloc(const void *addr) {
  Dl_info info;
  return dladdr(addr, &info) != 0 && info.dli_fname != NULL && strstr(info.dli_fname, "segalloc") != NULL;
}

/* Without this a broken LD_PRELOAD would let glibc pass the test. */
static void conf_check_allocator_identity(void) {
  void *version_fn = dlsym(RTLD_DEFAULT, "sa_version");
  if (conf_glibc_mode) {
    CONF_EXPECT(version_fn == NULL, "glibc mode, yet sa_version resolves: segalloc is loaded");
    return;
  }
  CONF_EXPECT(version_fn != NULL, "sa_version does not resolve: not running under segalloc (LD_PRELOAD=%s)",
              getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
  const char *(*version)(void) = (const char *(*)(void))version_fn;
  printf("api_conformance: allocator segalloc %s\n", version());
  fflush(stdout);
  void *(*volatile malloc_fn)(size_t) = malloc;
  CONF_EXPECT(conf_name_is_segalloc((void *)malloc_fn), "malloc does not resolve into libsegalloc");
  static const char *const aliases[] = {"__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc",
                                        "__libc_memalign", "malloc_trim", "mallinfo2", "mallinfo",
                                        "malloc_stats", "malloc_info", "mallopt"};
  for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
    void *fn = dlsym(RTLD_DEFAULT, aliases[i]);
    CONF_EXPECT(fn != NULL && conf_name_is_segalloc(fn), "%s does not resolve into libsegalloc",
                aliases[i]);
  }
}

/* Every size up to 1 KiB, then steps of 25% with their neighbours up to
 * 8 MiB; a window of live blocks makes overlapping blocks show up. */
#define CONF_WINDOW 16
static void conf_check_sizes_and_alignment(void) {
  tst_block_t live[CONF_WINDOW] = {{0}};
  uint64_t id = 0;
  size_t slot = 0;
  for (size_t base = 0; base <= 8 * CONF_MIB; base = base < CONF_KIB ? base + 1 : base * 5 / 4) {
    for (size_t delta = 0; delta < 3; delta++) {
      size_t size = base < CONF_KIB ? base : base - 1 + delta;
      if (base < CONF_KIB && delta > 0) break;
      if (live[slot].p != NULL) {
        tst_block_verify(&live[slot], "malloc block checked before its free");
        free(live[slot].p);
      }
      live[slot] = (tst_block_t){.p = malloc(conf_runtime(size)), .size = size, .id = ++id};
      conf_expect_block(live[slot].p, size, CONF_MIN_ALIGN, "malloc");
      tst_block_fill(&live[slot]);
      slot = (slot + 1) % CONF_WINDOW;
    }
  }
  for (size_t i = 0; i < CONF_WINDOW; i++) {
    if (live[i].p != NULL) tst_block_verify(&live[i], "malloc block checked before its free");
    free(live[i].p);
  }
}

static void conf_check_zero_and_null(void) {
  enum { count = 100 };
  void *blocks[count];
  for (size_t i = 0; i < count; i++) {
    blocks[i] = malloc(conf_runtime(0));
    CONF_EXPECT(blocks[i] != NULL, "malloc(0) returned NULL");
    CONF_EXPECT((uintptr_t)blocks[i] % CONF_MIN_ALIGN == 0, "malloc(0) = %p is misaligned", blocks[i]);
    for (size_t j = 0; j < i; j++)
      CONF_EXPECT(blocks[j] != blocks[i], "malloc(0) returned %p twice", blocks[i]);
  }
  for (size_t i = 0; i < count; i++) free(blocks[i]);
  free(NULL);
  CONF_EXPECT(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is not 0");
}

/* small (<= 8 KiB), medium (<= 64 KiB), large (<= 16 MiB), huge and back. */
static void conf_check_realloc_across_kinds(void) {
  static const size_t steps[] = {
      1, 24, 100, 1000, 8 * CONF_KIB, 8 * CONF_KIB + 1, 40 * CONF_KIB, 64 * CONF_KIB,
      64 * CONF_KIB + 1, 200 * CONF_KIB, CONF_MIB, 16 * CONF_MIB, 16 * CONF_MIB + 1, 40 * CONF_MIB,
      40 * CONF_MIB, 16 * CONF_MIB + 1, 16 * CONF_MIB, CONF_MIB, 200 * CONF_KIB, 64 * CONF_KIB + 1,
      64 * CONF_KIB, 40 * CONF_KIB, 8 * CONF_KIB, 1000, 100, 24, 1};
  tst_block_t b = {.p = malloc(steps[0]), .size = steps[0], .id = 0x5eed};
  conf_expect_block(b.p, b.size, CONF_MIN_ALIGN, "malloc");
  tst_block_fill(&b);
  for (size_t i = 1; i < sizeof steps / sizeof *steps; i++) {
    size_t kept = steps[i] < b.size ? steps[i] : b.size;
    void *q = realloc(b.p, conf_runtime(steps[i]));
    conf_expect_block(q, steps[i], CONF_MIN_ALIGN, "realloc");
    tst_block_t moved = {.p = q, .size = steps[i], .id = b.id};
    char where[96];
    snprintf(where, sizeof where, "realloc from %zu to %zu bytes", b.size, steps[i]);
    tst_block_verify_prefix(&moved, kept, where);
    tst_pattern_fill(q, kept, steps[i], b.id);
    b = moved;
  }
  free(b.p);
}

/* realloc(NULL, n) is malloc(n); realloc(p, 0) may free p and return NULL
 * (glibc) or return a minimal block, but p must not leak either way: done
 * 2000 times on 256 KiB touched blocks, a leak would add 500 MiB of RSS. */
static void conf_check_realloc_null_and_zero(void) {
  static const size_t sizes[] = {0, 1, 100, 64 * CONF_KIB, CONF_MIB};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    void *p = realloc(NULL, conf_runtime(sizes[i]));
    conf_expect_block(p, sizes[i], CONF_MIN_ALIGN, "realloc(NULL, n)");
    memset(p, 0x5a, sizes[i]);
    free(p);
  }
  const size_t block = 256 * CONF_KIB, rounds = 2000, leak_limit = 64 * CONF_MIB;
  size_t rss_before = tst_rss_bytes();
  for (size_t i = 0; i < rounds; i++) {
    char *p = malloc(conf_runtime(block));
    conf_expect_block(p, block, CONF_MIN_ALIGN, "malloc");
    memset(p, 0x33, block);
    void *q = realloc(p, conf_runtime(0));
    if (q != NULL) CONF_EXPECT((uintptr_t)q % CONF_MIN_ALIGN == 0, "realloc(p, 0) = %p is misaligned", q);
    free(q);
  }
  size_t rss_after = tst_rss_bytes();
  CONF_EXPECT(rss_after < rss_before + leak_limit,
              "realloc(p, 0) leaks: RSS grew from %zu to %zu KiB over %zu rounds of %zu KiB",
              rss_before >> 10, rss_after >> 10, rounds, block >> 10);
}

/* Memory handed back dirty must come back zeroed from calloc, whether it is
 * reused from a free list, a freshly split span or a recycled segment. */
static void conf_check_calloc_zeroes_reused_memory(void) {
  static const size_t sizes[] = {16, 100, 4000, 8 * CONF_KIB, 40 * CONF_KIB, 64 * CONF_KIB,
                                 100 * CONF_KIB, CONF_MIB, 20 * CONF_MIB};
  enum { batch_max = 32, rounds = 10 };
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    size_t size = sizes[s];
    size_t batch = size >= CONF_MIB ? 4 : batch_max;
    void *blocks[batch_max];
    for (size_t round = 0; round < rounds; round++) {
      for (size_t i = 0; i < batch; i++) {
        blocks[i] = malloc(conf_runtime(size));
        conf_expect_block(blocks[i], size, CONF_MIN_ALIGN, "malloc");
        memset(blocks[i], 0xAB, size);
      }
      for (size_t i = 0; i < batch; i++) free(blocks[i]);
      for (size_t i = 0; i < batch; i++) {
        /* Alternate the factor order: both must give count * size bytes. */
        blocks[i] = i % 2 ? calloc(1, conf_runtime(size)) : calloc(conf_runtime(size), 1);
        conf_expect_block(blocks[i], size, CONF_MIN_ALIGN, "calloc");
        size_t bad = tst_first_nonzero(blocks[i], size);
        CONF_EXPECT(bad == SIZE_MAX, "calloc(%zu) round %zu: byte %zu of reused memory is 0x%02x",
                    size, round, bad, ((unsigned char *)blocks[i])[bad]);
      }
      for (size_t i = 0; i < batch; i++) free(blocks[i]);
    }
  }
}

static void conf_expect_enomem(const void *p, const char *call) {
  int saved = errno;
  CONF_EXPECT(p == NULL, "%s succeeded (%p) although the size overflows", call, p);
  CONF_EXPECT(saved == ENOMEM, "%s: errno is %d, expected ENOMEM", call, saved);
}

/* Requests that cannot be met fail cleanly and leave the old block alone. */
static void conf_check_overflow(void) {
  const size_t half = SIZE_MAX / 2 + 1;
  errno = 0;
  conf_expect_enomem(calloc(conf_runtime(half), 2), "calloc(SIZE_MAX/2+1, 2)");
  errno = 0;
  conf_expect_enomem(calloc(conf_runtime(SIZE_MAX), conf_runtime(SIZE_MAX)), "calloc(SIZE_MAX, SIZE_MAX)");
  errno = 0;
  conf_expect_enomem(malloc(conf_runtime(SIZE_MAX)), "malloc(SIZE_MAX)");
  errno = 0;
  conf_expect_enomem(reallocarray(NULL, conf_runtime(half), 2), "reallocarray(NULL, SIZE_MAX/2+1, 2)");

  tst_block_t b = {.p = malloc(1000), .size = 1000, .id = 0xfeed};
  conf_expect_block(b.p, b.size, CONF_MIN_ALIGN, "malloc");
  tst_block_fill(&b);
  errno = 0;
  conf_expect_enomem(reallocarray(b.p, conf_runtime(SIZE_MAX / 8), 16), "reallocarray(p, SIZE_MAX/8, 16)");
  tst_block_verify(&b, "block after a failed reallocarray");
  errno = 0;
  conf_expect_enomem(realloc(b.p, conf_runtime(SIZE_MAX - 64)), "realloc(p, SIZE_MAX-64)");
  tst_block_verify(&b, "block after a failed realloc");
  void *q = reallocarray(b.p, conf_runtime(250), 8);
  conf_expect_block(q, 2000, CONF_MIN_ALIGN, "reallocarray(p, 250, 8)");
  b.p = q;
  tst_block_verify(&b, "block after a growing reallocarray");
  free(q);
}

static void conf_check_bad_posix_memalign(void) {
  static const size_t bad[] = {0, 1, 2, 3, 4, 12, 24, 48, 100, SIZE_MAX / 2 + 2};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    void *untouched = (void *)0x1234;
    void *p = untouched;
    int rc = posix_memalign(&p, conf_runtime(bad[i]), 64);
    CONF_EXPECT(rc == EINVAL, "posix_memalign(align=%zu) returned %d, expected EINVAL", bad[i], rc);
    CONF_EXPECT(p == untouched, "posix_memalign(align=%zu) failed but changed *out", bad[i]);
  }
}

/* segalloc: NULL + EINVAL. glibc 2.36 rounds such an alignment up to the
 * next power of two instead; glibc mode accepts that, properly aligned. */
static void conf_expect_bad_alignment_refused(void *p, size_t align, const char *call) {
  int saved = errno;
  if (p != NULL && conf_glibc_mode) {
    size_t rounded = (size_t)1 << (64 - __builtin_clzll(align));
    CONF_EXPECT((uintptr_t)p % rounded == 0, "%s(%zu) = %p: glibc should round up to %zu", call, align, p,
                rounded);
    free(p);
    return;
  }
  CONF_EXPECT(p == NULL, "%s(align=%zu) succeeded (%p) for a non-power-of-two alignment", call, align, p);
  CONF_EXPECT(saved == EINVAL, "%s(align=%zu): errno is %d, expected EINVAL", call, align, saved);
}

static void conf_check_bad_aligned_alloc(void) {
  static const size_t bad[] = {3, 12, 24, 48, 100, 4097};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    errno = 0;
    conf_expect_bad_alignment_refused(aligned_alloc(conf_runtime(bad[i]), 64), bad[i], "aligned_alloc");
    errno = 0;
    conf_expect_bad_alignment_refused(memalign(conf_runtime(bad[i]), 64), bad[i], "memalign");
  }
}

/* Every power-of-two alignment from 1 B to 16 MiB through all three calls,
 * with sizes below, at and above the alignment; blocks of one alignment
 * stay live together so that overlaps show. */
static void conf_check_alignments(void) {
  uint64_t id = 1000;
  for (size_t align = 1; align <= 16 * CONF_MIB; align *= 2) {
    const size_t sizes[] = {1, 100, align, align + 1, 64 * CONF_KIB};
    enum { nsizes = sizeof sizes / sizeof *sizes };
    tst_block_t blocks[3 * nsizes];
    size_t n = 0;
    for (size_t s = 0; s < nsizes; s++) {
      size_t size = sizes[s];
      blocks[n] = (tst_block_t){.p = aligned_alloc(conf_runtime(align), size), .size = size, .id = ++id};
      conf_expect_block(blocks[n++].p, size, align, "aligned_alloc");
      blocks[n] = (tst_block_t){.p = memalign(conf_runtime(align), size), .size = size, .id = ++id};
      conf_expect_block(blocks[n++].p, size, align, "memalign");
      if (align % sizeof(void *) != 0) continue;
      void *p = NULL;
      int rc = posix_memalign(&p, conf_runtime(align), size);
      CONF_EXPECT(rc == 0, "posix_memalign(align=%zu, size=%zu) returned %d", align, size, rc);
      blocks[n] = (tst_block_t){.p = p, .size = size, .id = ++id};
      conf_expect_block(blocks[n++].p, size, align, "posix_memalign");
    }
    for (size_t i = 0; i < n; i++) tst_block_fill(&blocks[i]);
    for (size_t i = 0; i < n; i++) {
      tst_block_verify(&blocks[i], "aligned block checked before its free");
      free(blocks[i].p);
    }
  }
}

static void conf_check_page_aligned(void) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t sizes[] = {1, 100, page - 1, page, page + 1, 64 * CONF_KIB, CONF_MIB + 3};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    void *p = valloc(conf_runtime(sizes[i]));
    conf_expect_block(p, sizes[i], page, "valloc");
    memset(p, 0x11, sizes[i]);
    free(p);
    size_t rounded = (sizes[i] + page - 1) / page * page;
    p = pvalloc(conf_runtime(sizes[i]));
    conf_expect_block(p, rounded, page, "pvalloc");
    memset(p, 0x22, rounded);
    free(p);
  }
}

/* glibc's introspection calls describe the allocator that answers: blocks
 * in use show in mallinfo2, a big block as an mmapped one, malloc_trim
 * takes freed memory out of RAM, and the reports have glibc's shape. */
#define CONF_SMALLS 2000
#define CONF_SMALL_SIZE 1000
static void conf_check_mallinfo(void) {
  static void *smalls[CONF_SMALLS];
  struct mallinfo2 m0 = mallinfo2();
  for (size_t i = 0; i < CONF_SMALLS; i++) {
    smalls[i] = malloc(conf_runtime(CONF_SMALL_SIZE));
    conf_expect_block(smalls[i], CONF_SMALL_SIZE, CONF_MIN_ALIGN, "malloc");
    memset(smalls[i], 0x5a, CONF_SMALL_SIZE);
  }
  struct mallinfo2 m1 = mallinfo2();
  const size_t total = (size_t)CONF_SMALLS * CONF_SMALL_SIZE;
  CONF_EXPECT(m1.uordblks >= m0.uordblks + total && m1.uordblks <= m0.uordblks + total * 3 / 2,
              "mallinfo2: uordblks %zu -> %zu for %zu bytes in %d blocks", m0.uordblks, m1.uordblks, total, CONF_SMALLS);
  CONF_EXPECT(m1.arena >= m1.uordblks && m1.fordblks == m1.arena - m1.uordblks,
              "mallinfo2: arena %zu, uordblks %zu, fordblks %zu do not add up", m1.arena, m1.uordblks, m1.fordblks);
  for (size_t i = 0; i < CONF_SMALLS; i++) free(smalls[i]);
  struct mallinfo2 m2 = mallinfo2();
  /* glibc's tcache keeps a few freed chunks counted as in use */
  CONF_EXPECT(m2.uordblks + total * 19 / 20 <= m1.uordblks, "mallinfo2: uordblks %zu -> %zu after freeing %zu bytes",
              m1.uordblks, m2.uordblks, total);

  void *big = malloc(conf_runtime(64 * CONF_MIB));
  conf_expect_block(big, 64 * CONF_MIB, CONF_MIN_ALIGN, "malloc");
  struct mallinfo2 m3 = mallinfo2();
  CONF_EXPECT(m3.hblks == m2.hblks + 1 && m3.hblkhd >= m2.hblkhd + 64 * CONF_MIB,
              "mallinfo2 after a 64 MiB malloc: hblks %zu -> %zu, hblkhd %zu -> %zu", m2.hblks, m3.hblks, m2.hblkhd,
              m3.hblkhd);
  free(big);
  struct mallinfo2 m4 = mallinfo2();
  CONF_EXPECT(m4.hblks == m2.hblks, "mallinfo2 after its free: hblks %zu, %zu before", m4.hblks, m2.hblks);
  struct mallinfo old = mallinfo();
  CONF_EXPECT(old.uordblks >= 0 && (size_t)old.uordblks <= m4.uordblks + CONF_MIB,
              "mallinfo: uordblks %d against mallinfo2's %zu", old.uordblks, m4.uordblks);
}

#define CONF_TRIM_BLOCKS 64
static void conf_check_malloc_trim(void) {
  static void *blocks[CONF_TRIM_BLOCKS];
  malloc_trim(0); /* what the checks before left free must not serve the blocks below */
  size_t rss0 = tst_rss_bytes();
  for (size_t i = 0; i < CONF_TRIM_BLOCKS; i++) {
    blocks[i] = malloc(conf_runtime(CONF_MIB));
    conf_expect_block(blocks[i], CONF_MIB, CONF_MIN_ALIGN, "malloc");
    memset(blocks[i], 0x6b, CONF_MIB);
  }
  size_t rss1 = tst_rss_bytes();
  CONF_EXPECT(rss1 >= rss0 + 60 * CONF_MIB, "RSS %zu -> %zu KiB after filling 64 MiB", rss0 >> 10, rss1 >> 10);
  for (size_t i = 0; i < CONF_TRIM_BLOCKS; i++) free(blocks[i]);
  int trimmed = malloc_trim(0);
  size_t rss2 = tst_rss_bytes();
  CONF_EXPECT(trimmed == 0 || trimmed == 1, "malloc_trim returned %d", trimmed);
  CONF_EXPECT(rss2 <= rss0 + 16 * CONF_MIB, "RSS %zu KiB after free and malloc_trim, %zu before the blocks",
              rss2 >> 10, rss0 >> 10);
  struct mallinfo2 m = mallinfo2();
  CONF_EXPECT(m.keepcost < 4 * CONF_MIB, "mallinfo2 after malloc_trim: keepcost %zu", m.keepcost);
  CONF_EXPECT(mallopt(M_ARENA_MAX, 4) == 1, "mallopt(M_ARENA_MAX, 4) refused");
}

/* What fn writes to the FILE it is given, read back into buf. */
static void conf_capture(void (*fn)(FILE *), char *buf, size_t size) {
  FILE *f = tmpfile();
  CONF_EXPECT(f != NULL, "tmpfile failed");
  fn(f);
  fflush(f);
  rewind(f);
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = 0;
  fclose(f);
}

static void conf_stats_to(FILE *f) {
  fflush(stderr);
  int saved = dup(2);
  dup2(fileno(f), 2);
  malloc_stats();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
}

static int conf_info_rc;
static void conf_info_to(FILE *f) { conf_info_rc = malloc_info(0, f); }

static void conf_check_reports(void) {
  static char buf[64 * 1024];
  conf_capture(conf_stats_to, buf, sizeof buf);
  CONF_EXPECT(strstr(buf, "system bytes") != NULL && strstr(buf, "in use bytes") != NULL,
              "malloc_stats wrote no 'system bytes' and 'in use bytes' lines: %.200s", buf);
  conf_capture(conf_info_to, buf, sizeof buf);
  CONF_EXPECT(conf_info_rc == 0 && strncmp(buf, "<malloc version=", 16) == 0 && strstr(buf, "</malloc>") != NULL,
              "malloc_info(0) returned %d and wrote: %.200s", conf_info_rc, buf);
  errno = 0;
  CONF_EXPECT(malloc_info(1, stdout) != 0, "malloc_info accepted options 1 (must be 0)");
}

int main(int argc, char **argv) {
  (void)argv;
  tst_init("api_conformance");
  if (argc > 1) tst_usage_error("takes no arguments; set SA_TEST_ALLOCATOR=glibc to run without segalloc");
  const char *mode = getenv("SA_TEST_ALLOCATOR");
  if (mode != NULL && strcmp(mode, "glibc") != 0 && strcmp(mode, "segalloc") != 0)
    tst_usage_error("SA_TEST_ALLOCATOR must be glibc or segalloc, got '%s'", mode);
  conf_glibc_mode = mode != NULL && strcmp(mode, "glibc") == 0;

  conf_check_allocator_identity();
  conf_check_sizes_and_alignment();
  conf_check_zero_and_null();
  conf_check_realloc_across_kinds();
  conf_check_realloc_null_and_zero();
  conf_check_calloc_zeroes_reused_memory();
  conf_check_overflow();
  conf_check_bad_posix_memalign();
  conf_check_bad_aligned_alloc();
  conf_check_alignments();
  conf_check_page_aligned();
  conf_check_mallinfo();
  conf_check_malloc_trim();
  conf_check_reports();
  printf("api_conformance: OK (%s) %lu checks\n", conf_glibc_mode ? "glibc" : "segalloc", conf_checks);
  return 0;
}
