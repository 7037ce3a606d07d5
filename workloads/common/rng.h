/* A small, fast, seedable random number generator (xorshift64* on a state
 * that splitmix64 derives from the seed and a stream number), so that each
 * thread has its own reproducible sequence and a run is repeatable given
 * --seed. Quality is ample for picking sizes and slots. */
#ifndef WL_RNG_H
#define WL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct wl_rng_s {
  uint64_t state;
} wl_rng_t;

/* splitmix64's finaliser: also the hash the block patterns are built on. */
static inline uint64_t wl_mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* Different streams of one seed give unrelated sequences (one per thread). */
static inline void wl_rng_seed(wl_rng_t *rng, uint64_t seed, uint64_t stream) {
  rng->state = wl_mix64(seed ^ wl_mix64(stream + 1));
  if (rng->state == 0) /* xorshift never leaves zero */
    rng->state = 0x2545f4914f6cdd1dull;
}

static inline uint64_t wl_rng_next(wl_rng_t *rng) {
  uint64_t x = rng->state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng->state = x;
  return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) by multiply-and-shift: no division on the hot path; the
 * bias is below n / 2^64, far under anything a workload could notice. */
static inline uint64_t wl_rng_below(wl_rng_t *rng, uint64_t n) {
  return (uint64_t)(((unsigned __int128)wl_rng_next(rng) * n) >> 64);
}

/* Uniform in [lo, hi], both included. */
static inline uint64_t wl_rng_range(wl_rng_t *rng, uint64_t lo, uint64_t hi) {
  return lo + wl_rng_below(rng, hi - lo + 1);
}

/* Log-uniform in [lo, hi] (lo >= 1): each power of two in the range is as
 * likely as the next, so small sizes are frequent and big ones still occur,
 * as in real programs. */
uint64_t wl_rng_log_range(wl_rng_t *rng, uint64_t lo, uint64_t hi);

#endif
