/* rss.csv's thinning: long runs keep at most the cap (plus the last
 * sample), with the peak and the end; short runs keep every sample. */
#include <stdlib.h>

#include "series.h"
#include "testing.h"

static void test_short_run_kept_whole(void) {
  ab_rss_sample_t s[5] = {{0, 10}, {10, 30}, {20, 20}, {30, 40}, {40, 5}};
  size_t keep[6];
  EXPECT(ab_series_thin(s, 5, 5, keep) == 5);
  for (size_t i = 0; i < 5; i++) EXPECT(keep[i] == i);
  EXPECT(ab_series_thin(s, 0, 5, keep) == 0);
}

static void test_long_run_thinned(void) {
  enum { N = 2500, CAP = 1000 };
  ab_rss_sample_t *s = malloc(N * sizeof *s);
  for (size_t i = 0; i < N; i++) s[i] = (ab_rss_sample_t){(double)i * 10, 1000 + (long)(i % 7)};
  s[1234].rss_kib = 99999; /* a one-sample spike: the peak must survive */
  s[N - 1].rss_kib = 1;    /* the end, lower than its neighbours: kept as the last */
  size_t keep[CAP + 1];
  size_t k = ab_series_thin(s, N, CAP, keep);
  EXPECT(k <= CAP + 1 && k >= N / 3); /* buckets of 3: 834 of them, and the end */
  bool peak = false;
  for (size_t j = 0; j < k; j++) {
    peak |= keep[j] == 1234;
    if (j > 0) EXPECT(keep[j] > keep[j - 1]);
  }
  EXPECT(peak);
  EXPECT(keep[k - 1] == N - 1);
  /* Each kept sample is the largest of its bucket of 3. */
  EXPECT(s[keep[0]].rss_kib == 1002 && keep[0] == 2);
  free(s);
}

int main(void) {
  test_short_run_kept_whole();
  test_long_run_thinned();
  return TEST_RESULT();
}
