/* libFuzzer target: bytes become a sequence of sa_* operations checked
 * against a shadow model. Every live block is filled with its own pattern
 * and checked before it is freed or moved; no two live blocks may overlap;
 * usable size and alignment are honoured; realloc keeps the contents; calloc
 * is zero; a trim (sa_trim) leaves every live block as it was. Some frees happen on a second thread (cross-thread handoff). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segalloc.h"
#ifdef FUZZ_CHECK_INTERNALS
#include "internal.h"
#endif

#define SLOTS 64

typedef struct live_s {
  uint8_t *p;
  size_t size;
  uint8_t seed;
} live_t;

static live_t live[SLOTS];

static void die(const char *what, size_t size) {
  fprintf(stderr, "fuzz_ops: %s (size %zu)\n", what, size);
  abort();
}

/* The pattern covers the whole block up to 4 KiB, then every 4 KiB and the
 * last bytes: enough to catch overlap and corruption without making large
 * blocks slow. */
static uint8_t pattern_at(uint8_t seed, size_t i) { return (uint8_t)(seed * 31 + i * 7 + (i >> 8)); }

static void for_each_checked_byte(size_t size, void (*fn)(live_t *, size_t), live_t *l) {
  size_t dense = size < 4096 ? size : 4096;
  for (size_t i = 0; i < dense; i++) fn(l, i);
  for (size_t i = 4096; i < size; i += 4096) fn(l, i);
  for (size_t i = size > 16 ? size - 16 : 0; i < size; i++) fn(l, i);
}

static void fill_byte(live_t *l, size_t i) { l->p[i] = pattern_at(l->seed, i); }
static void check_byte(live_t *l, size_t i) {
  if (l->p[i] != pattern_at(l->seed, i)) die("block contents changed while live", l->size);
}

static void fill(live_t *l) { for_each_checked_byte(l->size, fill_byte, l); }
static void check(live_t *l) { for_each_checked_byte(l->size, check_byte, l); }

/* After realloc: the bytes the old block's pattern covered, below `keep`. */
static size_t keep_limit;
static void check_kept_byte(live_t *l, size_t i) {
  if (i < keep_limit) check_byte(l, i);
}
static void check_kept(live_t *moved, size_t old_size, size_t keep) {
  keep_limit = keep;
  for_each_checked_byte(old_size, check_kept_byte, moved);
}

static void check_new(uint8_t *p, size_t size, size_t align) {
  if (p == NULL) die("allocation failed", size);
  if (((uintptr_t)p & (align - 1)) != 0) die("misaligned block", size);
  if (sa_usable_size(p) < size) die("usable size below request", size);
  size_t extent = size ? size : 1;
  for (int i = 0; i < SLOTS; i++) {
    if (live[i].p == NULL) continue;
    size_t other = live[i].size ? live[i].size : 1;
    if (p < live[i].p + other && live[i].p < p + extent) die("new block overlaps a live block", size);
  }
}

/* ---- the second thread: frees what it is handed ---------------------------- */
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t handoff_cond = PTHREAD_COND_INITIALIZER;
static void *handoff_block;
static int handoff_pending;

static void *remote_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&handoff_lock);
  for (;;) {
    while (!handoff_pending) pthread_cond_wait(&handoff_cond, &handoff_lock);
    sa_free(handoff_block);
    handoff_pending = 0;
    pthread_cond_broadcast(&handoff_cond);
  }
  return NULL;
}

static void free_remote(void *p) {
  static pthread_t t;
  static int started;
  if (!started) {
    pthread_create(&t, NULL, remote_main, NULL);
    started = 1;
  }
  pthread_mutex_lock(&handoff_lock);
  handoff_block = p;
  handoff_pending = 1;
  pthread_cond_broadcast(&handoff_cond);
  while (handoff_pending) pthread_cond_wait(&handoff_cond, &handoff_lock);
  pthread_mutex_unlock(&handoff_lock);
}

/* ---- decoding ------------------------------------------------------------------- */
typedef struct input_s {
  const uint8_t *d;
  size_t n, at;
} input_t;

static unsigned take(input_t *in) { return in->at < in->n ? in->d[in->at++] : 0; }

/* Sizes biased to the interesting boundaries: tiny, around bins, 64 KiB,
 * large and (rarely) huge. */
static size_t take_size(input_t *in) {
  unsigned kind = take(in) % 8, v = take(in) | (take(in) << 8);
  switch (kind) {
  case 0: return v % 33;
  case 1: return v % 1100;
  case 2: return 8000 + v % 500;
  case 3: return 65536 - 64 + v % 128;
  case 4: return 48 * 1024 + v % (32 * 1024);
  case 5: return 64 * 1024 + (size_t)v * 16;
  case 6: return (size_t)v * 64;
  default: return (take(in) % 16 == 0) ? ((size_t)17 << 20) + v : v % 4096;
  }
}

static void release(int slot, int remote) {
  live_t *l = &live[slot];
  if (l->p == NULL) return;
  check(l);
  if (remote) free_remote(l->p);
  else sa_free(l->p);
  l->p = NULL;
}

static void op(input_t *in) {
  unsigned code = take(in), slot = take(in) % SLOTS;
  live_t *l = &live[slot];
  switch (code % 7) {
  case 0: case 1: { /* malloc */
    release((int)slot, 0);
    size_t size = take_size(in);
    uint8_t *p = sa_malloc(size);
    check_new(p, size, 16);
    *l = (live_t){p, size, (uint8_t)take(in)};
    fill(l);
    break;
  }
  case 2: { /* calloc */
    release((int)slot, 0);
    size_t size = take_size(in), count = 1 + take(in) % 4;
    uint8_t *p = sa_calloc(count, size / count);
    size = (size / count) * count;
    check_new(p, size, 16);
    for (size_t i = 0; i < size; i++)
      if (p[i]) die("calloc memory not zero", size);
    *l = (live_t){p, size, (uint8_t)take(in)};
    fill(l);
    break;
  }
  case 3: { /* realloc */
    if (l->p == NULL) break;
    check(l);
    size_t size = take_size(in), keep = size < l->size ? size : l->size;
    live_t old = *l;
    l->p = NULL; /* the old block may move: not live for the overlap check */
    uint8_t *p = sa_realloc(old.p, size);
    if (size == 0) break; /* freed, as glibc */
    check_new(p, size, 16);
    live_t moved = {p, keep, old.seed};
    check_kept(&moved, old.size, keep);
    *l = (live_t){p, size, old.seed};
    fill(l);
    break;
  }
  case 4: { /* aligned */
    release((int)slot, 0);
    uint8_t pick = take(in);
    size_t align = (size_t)1 << (4 + pick % 21); /* 16 B .. 16 MiB */
    /* ... and 32 MiB (ALIGNMENT_MAX) for odd multiples of the 16 MiB pick:
     * such a block starts on the boundary after its segment's header. */
    if (pick % 21 == 20 && (pick / 21) % 2 == 1) align *= 2;
    size_t size = take_size(in) % (1 << 20);
    uint8_t *p = sa_aligned_alloc(align, size);
    check_new(p, size, align);
    *l = (live_t){p, size, (uint8_t)take(in)};
    fill(l);
    break;
  }
  case 5:
    release((int)slot, 0);
    /* Now and then everything free goes back to the OS: no live block may
     * lose a byte to it. */
    if (take(in) % 16 == 0) {
      sa_trim();
      for (int i = 0; i < SLOTS; i++)
        if (live[i].p) check(&live[i]);
    }
    break;
  default: release((int)slot, 1); break; /* cross-thread free */
  }
}

/* With FUZZ_CHECK_INTERNALS the heap's invariants and every page's free
 * lists are verified after each operation: slow, for finding the first
 * operation that breaks something. */
static void check_internals(void) {
#ifdef FUZZ_CHECK_INTERNALS
  heap_t *heap = heap_of_thread();
  if (heap && (check_heap(heap) || check_heap_lists(heap))) die("internal invariant broken", 0);
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input_t in = {data, size, 0};
  while (in.at < in.n) {
    op(&in);
    check_internals();
  }
  for (int i = 0; i < SLOTS; i++) {
    release(i, i & 1);
    check_internals();
  }
  return 0;
}
