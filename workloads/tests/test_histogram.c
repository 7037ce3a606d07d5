/* Percentiles of the log-bucket histogram against distributions whose exact
 * percentiles are known: the reported value must be at least the true one
 * and in the same bucket (so at most 1/16 above it). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "histogram.h"
#include "rng.h"

/* True percentile of a sorted array, same rank rule as the histogram. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double q) {
  size_t rank = (size_t)ceil(q * (double)n - 1e-9);
  return sorted[rank ? rank - 1 : 0];
}

static void check_within_bucket(const wl_hist_t *h, const uint64_t *sorted, size_t n, double q,
                                const char *what) {
  uint64_t want = exact_percentile(sorted, n, q);
  uint64_t got = wl_hist_percentile(h, q);
  unsigned bucket = wl_hist_bucket_of(want);
  CHECK(got >= want && got <= wl_hist_bucket_high(bucket),
        "%s q=%g: got %llu, exact %llu, bucket [%llu, %llu]", what, q, (unsigned long long)got,
        (unsigned long long)want, (unsigned long long)wl_hist_bucket_low(bucket),
        (unsigned long long)wl_hist_bucket_high(bucket));
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void check_distribution(uint64_t *values, size_t n, const char *what) {
  static wl_hist_t h;
  wl_hist_init(&h);
  for (size_t i = 0; i < n; i++)
    wl_hist_record(&h, values[i]);
  qsort(values, n, sizeof *values, cmp_u64);
  const double qs[] = {0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0};
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
    check_within_bucket(&h, values, n, qs[i], what);
  CHECK(h.count == n, "%s: count %llu", what, (unsigned long long)h.count);
  CHECK(h.min == values[0] && h.max == values[n - 1], "%s: min/max", what);
  CHECK(wl_hist_percentile(&h, 1.0) == values[n - 1], "%s: p100 must be the exact max", what);
}

/* Every bucket's range is contiguous with the next, and each value maps into
 * the bucket whose range holds it; buckets above 32 are at most 1/16 wide. */
static void test_bucket_geometry(void) {
  for (unsigned i = 0; i + 1 < WL_HIST_BUCKETS; i++) {
    uint64_t lo = wl_hist_bucket_low(i), hi = wl_hist_bucket_high(i);
    CHECK(hi + 1 == wl_hist_bucket_low(i + 1), "bucket %u ends at %llu, next starts at %llu", i,
          (unsigned long long)hi, (unsigned long long)wl_hist_bucket_low(i + 1));
    CHECK(wl_hist_bucket_of(lo) == i && wl_hist_bucket_of(hi) == i, "bucket %u bounds map back", i);
    if (lo >= 32)
      CHECK((hi - lo + 1) * 16 <= lo, "bucket %u too wide: [%llu, %llu]", i,
            (unsigned long long)lo, (unsigned long long)hi);
  }
  for (uint64_t v = 0; v < 32; v++)
    CHECK(wl_hist_bucket_of(v) == v, "small value %llu must be exact", (unsigned long long)v);
  CHECK(wl_hist_bucket_of(UINT64_MAX) == WL_HIST_BUCKETS - 1, "UINT64_MAX in the last bucket");
}

static void test_known_distributions(void) {
  enum { N = 100000 };
  static uint64_t v[N];

  for (size_t i = 0; i < 1000; i++) /* 1..1000: p50 = 500, p99 = 990, p99.9 = 999 */
    v[i] = i + 1;
  check_distribution(v, 1000, "uniform 1..1000");
  static wl_hist_t h;
  wl_hist_init(&h);
  for (size_t i = 0; i < 1000; i++)
    wl_hist_record(&h, i + 1);
  /* 500 lies in [496, 511] (256..511 in 16 buckets of 16): the top is 511. */
  CHECK(wl_hist_percentile(&h, 0.5) == 511, "p50 of 1..1000 is 500, reported as 511, got %llu",
        (unsigned long long)wl_hist_percentile(&h, 0.5));
  CHECK(wl_hist_percentile(&h, 0.99) == 991, "p99 of 1..1000 is 990 (bucket 960..991), got %llu",
        (unsigned long long)wl_hist_percentile(&h, 0.99));

  for (size_t i = 0; i < N; i++) /* constant */
    v[i] = 777;
  check_distribution(v, N, "constant 777");

  for (size_t i = 0; i < N; i++) /* bimodal: 99% fast, 1% slow */
    v[i] = i % 100 == 0 ? 1000000 : 100;
  check_distribution(v, N, "bimodal 100/1e6");

  wl_rng_t rng;
  wl_rng_seed(&rng, 42, 0);
  for (size_t i = 0; i < N; i++) /* heavy tail over 10 decades */
    v[i] = (uint64_t)exp((double)wl_rng_below(&rng, 1u << 20) / (1u << 20) * 23.0);
  check_distribution(v, N, "log-uniform 1..1e10");

  for (size_t i = 0; i < N; i++) /* small exact values */
    v[i] = wl_rng_below(&rng, 32);
  check_distribution(v, N, "uniform 0..31");
}

static void test_bimodal_exact(void) {
  static wl_hist_t h;
  wl_hist_init(&h);
  for (int i = 0; i < 990; i++)
    wl_hist_record(&h, 100);
  for (int i = 0; i < 10; i++)
    wl_hist_record(&h, 5000);
  /* Rank 990 of 1000 is the last 100 (bucket 96..103, reported as its top);
   * rank 991 is the first 5000, which is also the maximum, reported exactly. */
  CHECK(wl_hist_percentile(&h, 0.99) == 103, "p99: got %llu",
        (unsigned long long)wl_hist_percentile(&h, 0.99));
  CHECK(wl_hist_percentile(&h, 0.991) == 5000, "p99.1: got %llu",
        (unsigned long long)wl_hist_percentile(&h, 0.991));
  CHECK(wl_hist_percentile(&h, 0.5) == 103, "p50: got %llu",
        (unsigned long long)wl_hist_percentile(&h, 0.5));
}

static void test_merge_and_empty(void) {
  static wl_hist_t a, b, both;
  wl_hist_init(&a);
  wl_hist_init(&b);
  wl_hist_init(&both);
  CHECK(wl_hist_percentile(&a, 0.5) == 0, "empty histogram reports 0");
  for (uint64_t i = 1; i <= 500; i++) {
    wl_hist_record(&a, i);
    wl_hist_record(&b, i + 500);
    wl_hist_record(&both, i);
    wl_hist_record(&both, i + 500);
  }
  wl_hist_merge(&a, &b);
  CHECK(memcmp(&a, &both, sizeof a) == 0, "merge equals recording everything in one");
  CHECK(a.min == 1 && a.max == 1000, "merged min/max");
}

static void test_cdf(void) {
  static wl_hist_t h;
  wl_hist_init(&h);
  for (uint64_t i = 1; i <= 1000; i++)
    wl_hist_record(&h, i * 10);
  char buf[65536];
  FILE *f = fmemopen(buf, sizeof buf, "w");
  wl_hist_write_cdf(&h, f);
  fclose(f);
  CHECK(strncmp(buf, "ns,cumulative_fraction\n", 23) == 0, "CDF header");
  double last_fraction = 0;
  unsigned long long last_ns = 0, ns;
  double fraction;
  int rows = 0;
  for (char *line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
    CHECK(sscanf(line, "%llu,%lf", &ns, &fraction) == 2, "row %d parses", rows);
    CHECK(ns > last_ns && fraction > last_fraction, "row %d increases", rows);
    last_ns = ns;
    last_fraction = fraction;
    rows++;
  }
  CHECK(fabs(last_fraction - 1.0) < 1e-9 && last_ns == 10000, "CDF ends at (max, 1): %llu,%f",
        last_ns, last_fraction);
  CHECK(rows > 50 && rows < 1000, "one row per non-empty bucket, got %d", rows);
}

int main(void) {
  test_bucket_geometry();
  test_known_distributions();
  test_bimodal_exact();
  test_merge_and_empty();
  test_cdf();
  return check_exit("test_histogram");
}
