/* The RESULT line parser, including every kind of malformed line. */
#include <math.h>

#include "result_line.h"
#include "testing.h"

static void test_valid(void) {
  ab_result_t r;
  ab_err_t err;
  EXPECT(ab_result_parse_line("RESULT workload=prodcons threads=4 ops=1000 seconds=0.5 "
                              "ops_per_s=2000.0 live_peak_bytes=65536 xfree_p50_ns=120 "
                              "xfree_p99_ns=900 rss_after_1s_kib=2048\n", &r, &err) == 0);
  EXPECT_STR(r.workload, "prodcons");
  EXPECT(r.threads == 4);
  EXPECT_NEAR(r.ops_per_s, 2000.0, 1e-9);
  EXPECT_NEAR(r.live_peak_bytes, 65536, 0);
  EXPECT_NEAR(r.xfree_p99_ns, 900, 0);
  EXPECT(isnan(r.xfree_max_ns)); /* not reported: stays empty */
  EXPECT(isnan(r.end_rss_kib));
  EXPECT(r.extra_keys.n == 1);
  EXPECT_STR(r.extra_keys.v[0], "rss_after_1s_kib");
  EXPECT_STR(r.extra_values.v[0], "2048");
  ab_result_free(&r);
}

static void test_find_in_output(void) {
  ab_result_t r;
  ab_err_t err;
  const char *out = "warming up\nRESULT workload=w threads=1 ops=1 seconds=1 ops_per_s=1 "
                    "live_peak_bytes=0 end_rss_kib=77\ndone\n";
  EXPECT(ab_result_find(out, &r, &err) == 0);
  EXPECT_NEAR(r.end_rss_kib, 77, 0);
  ab_result_free(&r);
  EXPECT_ERR(ab_result_find("no result here\n", &r, &err), err, "no RESULT line");
  EXPECT_ERR(ab_result_find("", &r, &err), err, "no RESULT line");
  const char *twice = "RESULT workload=w threads=1 ops=1 seconds=1 ops_per_s=1 live_peak_bytes=0\n"
                      "RESULT workload=w threads=1 ops=1 seconds=1 ops_per_s=1 live_peak_bytes=0\n";
  EXPECT_ERR(ab_result_find(twice, &r, &err), err, "more than one");
  /* "RESULT" must start the line: a mention inside another line is not one. */
  EXPECT_ERR(ab_result_find("echo RESULT workload=w\n", &r, &err), err, "no RESULT line");
}

static void test_malformed(void) {
  ab_result_t r;
  ab_err_t err;
  const char *base = "workload=w threads=2 ops=10 seconds=1 ops_per_s=10 live_peak_bytes=0";
  char line[512];
  EXPECT_ERR(ab_result_parse_line("RESULT workload=w threads=2 ops=10 seconds=1 ops_per_s=10",
                                  &r, &err), err, "'live_peak_bytes' is missing");
  snprintf(line, sizeof line, "RESULT %s ops=11", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "appears twice");
  snprintf(line, sizeof line, "RESULT %s xfree_p99_ns=fast", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "not a non-negative number");
  snprintf(line, sizeof line, "RESULT %s xfree_p99_ns=-5", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "not a non-negative number");
  snprintf(line, sizeof line, "RESULT %s xfree_p99_ns=nan", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "not a non-negative number");
  snprintf(line, sizeof line, "RESULT %s stray", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "not key=value");
  snprintf(line, sizeof line, "RESULT %s empty=", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "not key=value");
  snprintf(line, sizeof line, "RESULT %s =5", base);
  EXPECT_ERR(ab_result_parse_line(line, &r, &err), err, "not key=value");
  EXPECT_ERR(ab_result_parse_line("RESULT workload=w threads=0 ops=1 seconds=1 ops_per_s=1 "
                                  "live_peak_bytes=0", &r, &err), err, "threads=0");
  EXPECT_ERR(ab_result_parse_line("RESULT workload=w threads=1.5 ops=1 seconds=1 ops_per_s=1 "
                                  "live_peak_bytes=0", &r, &err), err, "threads=1.5");
  EXPECT_ERR(ab_result_parse_line("RESULTS workload=w", &r, &err), err, "does not start");
  EXPECT_ERR(ab_result_parse_line("RESULT ", &r, &err), err, "'workload' is missing");
}

int main(void) {
  test_valid();
  test_find_in_output();
  test_malformed();
  return TEST_RESULT();
}
