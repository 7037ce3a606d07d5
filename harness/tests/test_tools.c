/* Small parsers and formatters: hyperfine's JSON and command quoting, the
 * progress estimate, number lists, and the command-line flags. */
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "hyperfine.h"
#include "progress.h"
#include "testing.h"

static void test_hyperfine(void) {
  const char *json = "{\n  \"results\": [\n    {\n      \"command\": \"x\",\n"
                     "      \"mean\": 0.5,\n      \"stddev\": 0.1,\n      \"median\": 0.45,\n"
                     "      \"user\": 0.3,\n      \"system\": 0.05,\n      \"min\": 0.4,\n"
                     "      \"max\": 0.7,\n      \"times\": [0.4, 0.45, 0.7],\n"
                     "      \"exit_codes\": [0, 3, null]\n    }\n  ]\n}\n";
  ab_hyperfine_stats_t st;
  ab_err_t err;
  EXPECT(ab_hyperfine_parse(json, &st, &err) == 0);
  EXPECT_NEAR(st.median, 0.45, 1e-12);
  EXPECT_NEAR(st.user, 0.3, 1e-12);
  EXPECT_NEAR(st.system, 0.05, 1e-12);
  EXPECT(st.runs == 3 && st.failed_exit == 3 && st.killed);
  EXPECT_ERR(ab_hyperfine_parse("{\"results\": [{\"mean\": 1}]}", &st, &err), err, "median");
  EXPECT_ERR(ab_hyperfine_parse("{}", &st, &err), err, "results");
  char *words[] = {"/usr/bin/env", "A=it's", "sqlite3", ".read x.sql", NULL};
  char *cmd = ab_hyperfine_command(words);
  EXPECT_STR(cmd, "'/usr/bin/env' 'A=it'\\''s' 'sqlite3' '.read x.sql'");
  free(cmd);
}

static void test_progress(void) {
  ab_progress_t p;
  FILE *sink = fopen("/dev/null", "w");
  ab_progress_start(&p, sink, true, 2, 4); /* 2 cases x 4 runs */
  EXPECT(isnan(ab_progress_eta(&p)));
  ab_progress_end_run(&p, 0, 2.0, "a", "ok");
  /* case 0: 3 left at 2 s; case 1 unseen: 4 left at the overall mean 2 s. */
  EXPECT_NEAR(ab_progress_eta(&p), 14.0, 1e-9);
  ab_progress_end_run(&p, 1, 10.0, "b", "ok");
  EXPECT_NEAR(ab_progress_eta(&p), 3 * 2.0 + 3 * 10.0, 1e-9);
  ab_progress_finish(&p);
  fclose(sink);
  char buf[32];
  ab_progress_format_duration(3725, buf, sizeof buf);
  EXPECT_STR(buf, "1h02m");
  ab_progress_format_duration(250, buf, sizeof buf);
  EXPECT_STR(buf, "4m10s");
  ab_progress_format_duration(NAN, buf, sizeof buf);
  EXPECT_STR(buf, "--");
}

static void test_int_list(void) {
  int *v;
  size_t n;
  EXPECT(ab_parse_int_list("1,2,4", 1, 64, &v, &n) && n == 3 && v[2] == 4);
  free(v);
  EXPECT(ab_parse_int_list("0-3,8", 0, 64, &v, &n) && n == 5 && v[3] == 3 && v[4] == 8);
  free(v);
  EXPECT(!ab_parse_int_list("1,1", 1, 64, &v, &n));
  EXPECT(!ab_parse_int_list("3-1", 0, 64, &v, &n));
  EXPECT(!ab_parse_int_list("", 0, 64, &v, &n));
  EXPECT(!ab_parse_int_list("65", 0, 64, &v, &n));
  EXPECT(!ab_parse_int_list("2x", 0, 64, &v, &n));
}

static int parse(ab_options_t *o, ab_err_t *err, char **args) {
  int argc = 0;
  while (args[argc]) argc++;
  return ab_cli_parse(argc, args, o, err);
}

static void test_cli(void) {
  ab_options_t o;
  ab_err_t err;
  char *ok[] = {"allocbench", "--suite", "smoke", "--reps=2", "--threads", "1,2", "--pin", "0-1",
                "--quiet", NULL};
  EXPECT(parse(&o, &err, ok) == 0);
  EXPECT(o.reps == 2 && o.n_threads == 2 && o.n_pin == 2 && o.quiet && !strcmp(o.suite, "smoke"));
  EXPECT_NEAR(o.sample_ms, 5, 0);
  ab_cli_free(&o);
  char *bad_flag[] = {"allocbench", "--frobnicate", NULL};
  EXPECT_ERR(parse(&o, &err, bad_flag), err, "unknown option '--frobnicate'");
  ab_cli_free(&o);
  char *no_value[] = {"allocbench", "--reps", NULL};
  EXPECT_ERR(parse(&o, &err, no_value), err, "'--reps' needs a value");
  ab_cli_free(&o);
  char *bad_reps[] = {"allocbench", "--reps", "0", NULL};
  EXPECT_ERR(parse(&o, &err, bad_reps), err, "--reps '0'");
  ab_cli_free(&o);
  char *bad_threads[] = {"allocbench", "--threads", "two", NULL};
  EXPECT_ERR(parse(&o, &err, bad_threads), err, "--threads 'two'");
  ab_cli_free(&o);
  char *stray[] = {"allocbench", "default", NULL};
  EXPECT_ERR(parse(&o, &err, stray), err, "unexpected argument 'default'");
  ab_cli_free(&o);
  char *check[] = {"allocbench", "--check=/tmp/b.csv", NULL};
  EXPECT(parse(&o, &err, check) == 0 && o.check && !strcmp(o.baseline, "/tmp/b.csv"));
  ab_cli_free(&o);
  char *update[] = {"allocbench", "--update-baseline", NULL};
  EXPECT(parse(&o, &err, update) == 0 && o.check && o.update_baseline);
  ab_cli_free(&o);
  char *clash[] = {"allocbench", "--check", "--out", "/tmp/x", NULL};
  EXPECT_ERR(parse(&o, &err, clash), err, "--check");
  ab_cli_free(&o);
  char *focus[] = {"allocbench", "--report", "/tmp/r", "--focus", "jemalloc", NULL};
  EXPECT(parse(&o, &err, focus) == 0 && !strcmp(o.focus, "jemalloc"));
  ab_cli_free(&o);
  char *focus_list[] = {"allocbench", "--list", "--focus", "jemalloc", NULL};
  EXPECT_ERR(parse(&o, &err, focus_list), err, "--focus names the allocator of a report's headline");
  ab_cli_free(&o);
  char *against[] = {"allocbench", "--report", "/tmp/r", "--against", "jemalloc", NULL};
  EXPECT(parse(&o, &err, against) == 0 && !strcmp(o.against, "jemalloc") && o.focus == NULL);
  ab_cli_free(&o);
  char *against_check[] = {"allocbench", "--check", "--against", "jemalloc", NULL};
  EXPECT_ERR(parse(&o, &err, against_check), err, "--against names the allocator");
  ab_cli_free(&o);
  char *against_self[] = {"allocbench", "--against", "segalloc", NULL};
  EXPECT_ERR(parse(&o, &err, against_self), err, "--against segalloc: that is the focus allocator itself");
  ab_cli_free(&o);
  char *against_focus[] = {"allocbench", "--focus", "glibc", "--against", "glibc", NULL};
  EXPECT_ERR(parse(&o, &err, against_focus), err, "--against glibc: that is the focus allocator itself");
  ab_cli_free(&o);
}

int main(void) {
  test_hyperfine();
  test_progress();
  test_int_list();
  test_cli();
  return TEST_RESULT();
}
