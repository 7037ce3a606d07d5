/* A small deterministic generator (splitmix64): every test run with the
 * same arguments makes the same sequence of requests, so a failure can be
 * replayed. Header-only because it is a few lines used in hot loops. */
#ifndef TST_RNG_H
#define TST_RNG_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t tst_rng_next(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static inline uint64_t tst_rng_below(uint64_t *state, uint64_t n) {
  return tst_rng_next(state) % n;
}

/* A size in [lo, hi] with every power of two equally likely, as real
 * programs ask for small sizes far more often than large ones. */
static inline size_t tst_rng_size_between(uint64_t *state, size_t lo, size_t hi) {
  unsigned lo_bit = 63u - (unsigned)__builtin_clzll(lo | 1);
  unsigned hi_bit = 63u - (unsigned)__builtin_clzll(hi | 1);
  unsigned bit = lo_bit + (unsigned)tst_rng_below(state, hi_bit - lo_bit + 1);
  size_t size = ((size_t)1 << bit) + (size_t)tst_rng_below(state, (uint64_t)1 << bit);
  return size < lo ? lo : size > hi ? hi : size;
}

#endif
