#include "rng.h"

#include <math.h>

uint64_t wl_rng_log_range(wl_rng_t *rng, uint64_t lo, uint64_t hi) {
  if (lo == 0)
    lo = 1;
  if (hi <= lo)
    return lo;
  /* exp of a uniform point in [ln lo, ln (hi + 1)), so that the density falls
   * as 1/size and every octave of the range gets the same share. */
  double unit = (double)(wl_rng_next(rng) >> 11) * 0x1p-53;
  double v = (double)lo * exp(unit * log(((double)hi + 1.0) / (double)lo));
  uint64_t size = (uint64_t)v;
  return size < lo ? lo : size > hi ? hi : size;
}
