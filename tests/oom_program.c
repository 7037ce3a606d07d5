/* oom_program: out of memory through the plain malloc API. oom_preload.sh
 * runs it under `ulimit -v` (RLIMIT_AS), with LD_PRELOAD=libsegalloc.so and
 * on glibc alone; the glibc run shows that the expectations hold for a
 * known-good allocator, and the segalloc run first proves that segalloc is
 * the allocator answering.
 *
 * What must hold: a request that cannot fit gives NULL and errno ENOMEM
 * (posix_memalign returns ENOMEM), whatever the call and whatever the size
 * class; nothing crashes; a failed realloc leaves its block intact; every
 * block handed out before the failure keeps its contents; and after the
 * blocks are freed, a similar amount can be allocated again, in other size
 * classes and after threads ran out of memory at the same time.
 *
 * usage: oom_program glibc|segalloc   the checks; needs a finite RLIMIT_AS
 *        oom_program --vm-kib         prints the process's address-space
 *                                     size (KiB) after one allocation, so
 *                                     that the script can set the limit a
 *                                     known distance above it
 * Exit: 0 passed, 1 a check failed, 2 bad usage. */
#include "support/tst_check.h"
#include "support/tst_proc.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define OOM_KIB ((size_t)1 << 10)

/* Every live block is a link of a chain threaded through the blocks
 * themselves, so the test needs no memory of its own while the allocator
 * has none left to give. */
typedef struct oom_block_s {
  struct oom_block_s *next;
  uint64_t id;
  size_t size;
} oom_block_t;

typedef enum oom_call_e { OOM_MALLOC, OOM_CALLOC, OOM_POSIX_MEMALIGN, OOM_ALIGNED_ALLOC } oom_call_t;

static const char *const oom_call_names[] = {"malloc", "calloc", "posix_memalign", "aligned_alloc"};

typedef struct oom_request_s {
  oom_call_t call;
  size_t size;
  size_t align; /* for the aligned calls */
} oom_request_t;

static size_t oom_limit_bytes;    /* RLIMIT_AS */
static size_t oom_headroom_bytes; /* the limit minus what was mapped at start */

/* Sizes through a volatile, so the compiler cannot fold or warn about a
 * request it can see is impossible: the test is about the library. */
static size_t oom_runtime(size_t n) {
  volatile size_t v = n;
  return v;
}

static size_t oom_vm_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f == NULL) tst_fail("cannot open /proc/self/statm");
  if (fscanf(f, "%lu", &pages) != 1) tst_fail("cannot read /proc/self/statm");
  fclose(f);
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* Returns the block or NULL; *error is errno, or posix_memalign's result. */
static void *oom_try(const oom_request_t *r, int *error) {
  void *p = NULL;
  errno = 0;
  switch (r->call) {
  case OOM_MALLOC: p = malloc(oom_runtime(r->size)); break;
  case OOM_CALLOC: p = calloc(oom_runtime(r->size) / 4, 4); break;
  case OOM_POSIX_MEMALIGN: {
    int rc = posix_memalign(&p, r->align, oom_runtime(r->size));
    *error = rc;
    return rc == 0 ? p : NULL;
  }
  case OOM_ALIGNED_ALLOC: p = aligned_alloc(r->align, oom_runtime(r->size)); break;
  }
  *error = errno;
  return p;
}

static void oom_expect_failure(const oom_request_t *r, const char *when) {
  int error = 0;
  void *p = oom_try(r, &error);
  if (p != NULL) tst_fail("%s: %s(%zu) succeeded, which the limit cannot allow", when, oom_call_names[r->call], r->size);
  if (error != ENOMEM)
    tst_fail("%s: %s(%zu) failed with error %d (%s), not ENOMEM", when, oom_call_names[r->call], r->size, error,
             strerror(error));
}

/* ---- blocks ---------------------------------------------------------------- */
static uint8_t oom_tail_byte(uint64_t id) { return (uint8_t)(id * 131 + 7); }

static oom_block_t *oom_link(void *p, const oom_request_t *r, uint64_t id, oom_block_t *next) {
  size_t align = r->call >= OOM_POSIX_MEMALIGN ? r->align : 16;
  if ((uintptr_t)p % align != 0) tst_fail("%s(%zu) = %p is not %zu-byte aligned", oom_call_names[r->call], r->size, p, align);
  if (malloc_usable_size(p) < r->size)
    tst_fail("%s(%zu): usable size %zu is smaller", oom_call_names[r->call], r->size, malloc_usable_size(p));
  if (r->call == OOM_CALLOC) {
    for (size_t i = 0; i < r->size; i++)
      if (((uint8_t *)p)[i] != 0) tst_fail("calloc(%zu) block %p has a non-zero byte at %zu", r->size, p, i);
  }
  oom_block_t *b = p;
  *b = (oom_block_t){next, id, r->size};
  ((uint8_t *)p)[r->size - 1] = oom_tail_byte(id);
  return b;
}

/* Checks every block of the chain (header and last byte) and frees it. */
static void oom_release_chain(oom_block_t *b, const char *what) {
  while (b != NULL) {
    oom_block_t *next = b->next;
    if (((uint8_t *)b)[b->size - 1] != oom_tail_byte(b->id))
      tst_fail("%s: block %" PRIu64 " (%p, %zu bytes) lost its last byte", what, b->id, (void *)b, b->size);
    free(b);
    b = next;
  }
}

typedef struct oom_fill_s {
  oom_block_t *chain;
  uint64_t blocks;
  int error; /* of the failed request */
} oom_fill_t;

/* Allocates until the first failure. Bounded by the limit: more bytes than
 * RLIMIT_AS allows means the limit is not working, and the test stops. */
static oom_fill_t oom_fill(const oom_request_t *r) {
  oom_fill_t f = {NULL, 0, 0};
  for (;;) {
    void *p = oom_try(r, &f.error);
    if (p == NULL) return f;
    f.chain = oom_link(p, r, f.blocks++, f.chain);
    if (f.blocks * r->size > oom_limit_bytes) tst_fail("%s: more memory than RLIMIT_AS allows: is the limit set?", oom_call_names[r->call]);
  }
}

/* One phase: fill until the allocator runs out, check the failure, run the
 * checks that need a full heap, then check and free everything. The amount
 * must be at least `min_share` of the headroom: the failure must come from
 * the limit, and memory freed by earlier phases must be usable again. */
static size_t oom_phase(const char *name, oom_request_t r, double min_share, void (*at_limit)(oom_block_t *)) {
  oom_fill_t f = oom_fill(&r);
  if (f.error != ENOMEM)
    tst_fail("%s: %s(%zu) failed with error %d (%s), not ENOMEM", name, oom_call_names[r.call], r.size, f.error,
             strerror(f.error));
  size_t bytes = f.blocks * r.size;
  printf("oom_program: %-28s %8" PRIu64 " blocks, %5zu MiB, then ENOMEM\n", name, f.blocks, bytes / TST_MIB);
  fflush(stdout);
  if (bytes < (size_t)(min_share * (double)oom_headroom_bytes))
    tst_fail("%s: only %zu MiB before ENOMEM, wanted at least %.0f%% of the %zu MiB headroom", name, bytes / TST_MIB,
             min_share * 100, oom_headroom_bytes / TST_MIB);
  if (at_limit != NULL) at_limit(f.chain);
  oom_release_chain(f.chain, name);
  return bytes;
}

/* ---- checks at the limit ------------------------------------------------------ */
/* With the heap full, every call asked for more than the address space
 * left fails cleanly, and a failed realloc keeps the block it was given. */
static void oom_calls_fail_at_limit(oom_block_t *chain) {
  size_t over = oom_limit_bytes - oom_vm_bytes() + 8 * TST_MIB;
  oom_expect_failure(&(oom_request_t){OOM_MALLOC, over, 0}, "at the limit");
  oom_expect_failure(&(oom_request_t){OOM_CALLOC, over, 0}, "at the limit");
  oom_expect_failure(&(oom_request_t){OOM_POSIX_MEMALIGN, over, 4096}, "at the limit");
  oom_expect_failure(&(oom_request_t){OOM_ALIGNED_ALLOC, over, (size_t)2 << 20}, "at the limit");
  oom_block_t saved = *chain;
  errno = 0;
  void *moved = realloc(chain, oom_runtime(over));
  if (moved != NULL) tst_fail("at the limit: realloc to %zu bytes succeeded", over);
  if (errno != ENOMEM) tst_fail("at the limit: realloc failed with errno %d, not ENOMEM", errno);
  if (chain->next != saved.next || chain->id != saved.id || chain->size != saved.size)
    tst_fail("at the limit: the block a failed realloc was given changed");
}

/* Requests larger than the whole limit, with the heap still empty. */
static void oom_calls_fail_beyond_limit(void) {
  static const oom_request_t requests[] = {
      {OOM_MALLOC, 0, 0}, {OOM_CALLOC, 0, 0}, {OOM_POSIX_MEMALIGN, 0, 64}, {OOM_ALIGNED_ALLOC, 0, 4096}};
  for (size_t i = 0; i < sizeof requests / sizeof *requests; i++) {
    oom_request_t r = requests[i];
    r.size = oom_limit_bytes;
    oom_expect_failure(&r, "beyond the limit");
  }
  size_t keep = 1000;
  uint8_t *p = malloc(oom_runtime(keep));
  if (p == NULL) tst_fail("malloc(%zu) failed with the heap empty", keep);
  memset(p, 0x5a, keep);
  errno = 0;
  if (realloc(p, oom_runtime(oom_limit_bytes)) != NULL) tst_fail("realloc beyond the limit succeeded");
  if (errno != ENOMEM) tst_fail("realloc beyond the limit failed with errno %d, not ENOMEM", errno);
  for (size_t i = 0; i < keep; i++)
    if (p[i] != 0x5a) tst_fail("a failed realloc changed byte %zu of its block", i);
  free(p);
  printf("oom_program: beyond the limit: malloc, calloc, realloc, posix_memalign, aligned_alloc fail with ENOMEM\n");
}

/* ---- realloc growth ------------------------------------------------------------ */
/* A block doubles until realloc fails; the old block must survive whole
 * (one byte in every 4 KiB is checked), and it must have grown far. */
static void oom_check_realloc_growth(void) {
  size_t size = 4 * OOM_KIB;
  uint8_t *p = malloc(oom_runtime(size));
  if (p == NULL) tst_fail("realloc growth: first malloc failed");
  for (size_t i = 0; i < size; i += 4096) p[i] = (uint8_t)(i >> 12);
  for (;;) {
    errno = 0;
    uint8_t *q = realloc(p, oom_runtime(size * 2));
    int error = errno;
    if (q != NULL) p = q;
    for (size_t i = 0; i < size; i += 4096)
      if (p[i] != (uint8_t)(i >> 12)) tst_fail("realloc growth: byte %zu of a %zu-byte block changed", i, size);
    if (q == NULL) {
      if (error != ENOMEM) tst_fail("realloc growth: failed with errno %d, not ENOMEM", error);
      break;
    }
    for (size_t i = size; i < size * 2; i += 4096) p[i] = (uint8_t)(i >> 12);
    size *= 2;
  }
  free(p);
  printf("oom_program: realloc growth: reached %zu MiB, then ENOMEM with the block intact\n", size / TST_MIB);
  if (size < oom_headroom_bytes / 8)
    tst_fail("realloc growth stopped at %zu MiB, below an eighth of the %zu MiB headroom", size / TST_MIB,
             oom_headroom_bytes / TST_MIB);
}

/* ---- two threads run out together ------------------------------------------------ */
/* The threads are started before the test begins and wait at a gate: a
 * thread's stack is address space too, and under glibc, which keeps what
 * it once mapped, pthread_create would fail once the heap has filled the
 * limit. What is tested is the allocator, not thread creation. */
typedef struct oom_worker_s {
  pthread_t thread;
  uint64_t blocks;
} oom_worker_t;

static pthread_mutex_t oom_gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t oom_gate_cond = PTHREAD_COND_INITIALIZER;
static bool oom_gate_open;
static oom_worker_t oom_workers[2];

static void *oom_worker_main(void *arg) {
  /* Mixed classes: small, 64 KiB (medium) and large blocks in turn. */
  static const size_t sizes[] = {48, 700, 65536, 300 * 1024};
  oom_worker_t *w = arg;
  pthread_mutex_lock(&oom_gate_lock);
  while (!oom_gate_open) pthread_cond_wait(&oom_gate_cond, &oom_gate_lock);
  pthread_mutex_unlock(&oom_gate_lock);
  oom_block_t *chain = NULL;
  int error = 0;
  for (;;) {
    oom_request_t r = {OOM_MALLOC, sizes[w->blocks % 4], 0};
    void *p = oom_try(&r, &error);
    if (p == NULL) break;
    chain = oom_link(p, &r, w->blocks++, chain);
  }
  if (error != ENOMEM) tst_fail("thread: malloc failed with errno %d, not ENOMEM", error);
  oom_release_chain(chain, "thread");
  return NULL;
}

static void oom_start_workers(void) {
  for (int i = 0; i < 2; i++)
    if (pthread_create(&oom_workers[i].thread, NULL, oom_worker_main, &oom_workers[i]) != 0)
      tst_fail("pthread_create failed before the test began");
}

static void oom_check_threads(void) {
  pthread_mutex_lock(&oom_gate_lock);
  oom_gate_open = true;
  pthread_cond_broadcast(&oom_gate_cond);
  pthread_mutex_unlock(&oom_gate_lock);
  for (int i = 0; i < 2; i++) pthread_join(oom_workers[i].thread, NULL);
  printf("oom_program: two threads ran out together: %" PRIu64 " and %" PRIu64 " blocks, then ENOMEM\n",
         oom_workers[0].blocks, oom_workers[1].blocks);
  if (oom_workers[0].blocks + oom_workers[1].blocks == 0) tst_fail("threads: neither thread got a block");
}

/* ---- main -------------------------------------------------------------------------- */
static void oom_check_identity(bool glibc_mode) {
  bool segalloc = dlsym(RTLD_DEFAULT, "sa_version") != NULL;
  if (glibc_mode && segalloc) tst_fail("glibc mode, yet sa_version resolves: segalloc is loaded");
  if (!glibc_mode && !segalloc)
    tst_fail("sa_version does not resolve: not running under segalloc (LD_PRELOAD=%s)",
             getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
}

static void oom_read_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    tst_usage_error("needs an address-space limit: run it under `ulimit -v KIB` (see oom_preload.sh)");
  oom_limit_bytes = rl.rlim_cur;
  size_t vm = oom_vm_bytes();
  if (vm + 64 * TST_MIB > oom_limit_bytes)
    tst_usage_error("the address-space limit (%zu MiB) leaves under 64 MiB above the %zu MiB mapped at start",
                    oom_limit_bytes / TST_MIB, vm / TST_MIB);
  oom_headroom_bytes = oom_limit_bytes - vm;
}

int main(int argc, char **argv) {
  tst_init("oom_program");
  if (argc != 2) tst_usage_error("usage: oom_program glibc|segalloc|--vm-kib");
  free(malloc(oom_runtime(100))); /* the allocator is set up before measuring */
  if (strcmp(argv[1], "--vm-kib") == 0) {
    printf("%zu\n", oom_vm_bytes() / OOM_KIB);
    return 0;
  }
  if (strcmp(argv[1], "glibc") != 0 && strcmp(argv[1], "segalloc") != 0)
    tst_usage_error("the allocator must be glibc or segalloc, got '%s'", argv[1]);
  oom_check_identity(strcmp(argv[1], "glibc") == 0);
  oom_start_workers();
  oom_read_limit();
  /* stdout's buffer is allocated by the first printf: before the heap is full. */
  printf("oom_program: %s, limit %zu MiB, headroom %zu MiB\n", argv[1], oom_limit_bytes / TST_MIB,
         oom_headroom_bytes / TST_MIB);
  fflush(stdout);

  oom_calls_fail_beyond_limit();
  oom_check_realloc_growth();
  size_t first = oom_phase("malloc 64 KiB", (oom_request_t){OOM_MALLOC, 64 * OOM_KIB, 0}, 0.5, oom_calls_fail_at_limit);
  oom_phase("calloc 100 B (zero checked)", (oom_request_t){OOM_CALLOC, 100, 0}, 0.5, NULL);
  oom_phase("posix_memalign 4 KiB, 8000 B", (oom_request_t){OOM_POSIX_MEMALIGN, 8000, 4096}, 0.5, NULL);
  oom_phase("aligned_alloc 64 B, 1 MiB", (oom_request_t){OOM_ALIGNED_ALLOC, TST_MIB, 64}, 0.5, NULL);
  oom_phase("malloc 20 MiB (huge)", (oom_request_t){OOM_MALLOC, 20 * TST_MIB, 0}, 0.4, NULL);
  oom_check_threads();
  /* After all that, the first phase's amount again (give or take a few
   * segments kept for reuse). */
  size_t last = oom_phase("malloc 64 KiB again", (oom_request_t){OOM_MALLOC, 64 * OOM_KIB, 0}, 0.5, NULL);
  if (last < first * 3 / 4)
    tst_fail("recovery: %zu MiB of 64 KiB blocks at the end, against %zu MiB at first", last / TST_MIB,
             first / TST_MIB);
  printf("oom_program: OK (%s)\n", argv[1]);
  return 0;
}
