/* The runner: exit codes, crashes, timeouts, stdout capture, environment
 * (LD_PRELOAD replaced, extra variables), pinning, RSS sampling and the
 * wait4 figures. */
#include <stdlib.h>

#include "runner.h"
#include "testing.h"

static ab_exec_result_t run(char *const *argv, const char *preload, char *const *env,
                            double timeout_s, double sample_ms) {
  ab_exec_spec_t spec = {.argv = argv, .preload = preload, .extra_env = env,
                         .timeout_s = timeout_s, .capture_stdout = true, .stderr_fd = -1,
                         .sample_ms = sample_ms};
  ab_exec_result_t res;
  ab_err_t err;
  if (ab_exec_run(&spec, &res, &err) < 0) fprintf(stderr, "run: %s\n", err.msg);
  return res;
}

static void expect_status(ab_exec_result_t *res, const char *want) {
  char *word = ab_exec_status_word(res);
  EXPECT_STR(word, want);
  free(word);
  ab_exec_result_free(res);
}

static void test_statuses(char *fake) {
  char *exit3[] = {"/bin/sh", "-c", "echo out; exit 3", NULL};
  ab_exec_result_t res = run(exit3, NULL, NULL, 10, 0);
  EXPECT_STR(res.out, "out\n");
  expect_status(&res, "exit:3");
  char *segv[] = {"/bin/sh", "-c", "kill -SEGV $$", NULL};
  res = run(segv, NULL, NULL, 10, 0);
  expect_status(&res, "crash:SIGSEGV");
  /* The hang is killed at the timeout, with its process group. */
  char *hang[] = {fake, "--mode", "hang", NULL};
  res = run(hang, NULL, NULL, 0.3, 5);
  expect_status(&res, "timeout");
  /* A program that cannot be started is an error, not a crash. */
  char *missing[] = {"/no/such/program", NULL};
  ab_exec_spec_t spec = {.argv = missing, .timeout_s = 5, .stderr_fd = -1};
  ab_err_t err;
  EXPECT_ERR(ab_exec_run(&spec, &res, &err), err, "cannot run /no/such/program");
  ab_exec_result_free(&res);
}

/* Our LD_PRELOAD never leaks into a run; the run's own is set; extra
 * variables arrive; pinning holds. */
static void test_environment(char *noop) {
  setenv("LD_PRELOAD", "/leaked.so", 1);
  char *show[] = {"/bin/sh", "-c", "echo \"[$LD_PRELOAD] [$AB_X]\"", NULL};
  char *env[] = {"AB_X=42", NULL};
  ab_exec_result_t res = run(show, NULL, env, 10, 0);
  EXPECT_STR(res.out, "[] [42]\n");
  expect_status(&res, "exit:0");
  res = run(show, noop, NULL, 10, 0);
  char *want = ab_xasprintf("[%s] []\n", noop);
  EXPECT_STR(res.out, want);
  free(want);
  ab_exec_result_free(&res);
  unsetenv("LD_PRELOAD");
  char *cpus[] = {"/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status", NULL};
  int cpu0[] = {0};
  ab_exec_spec_t pinned = {.argv = cpus, .timeout_s = 10, .capture_stdout = true,
                           .stderr_fd = -1, .cpus = cpu0, .n_cpus = 1};
  ab_err_t err;
  EXPECT(ab_exec_run(&pinned, &res, &err) == 0);
  EXPECT_STR(res.out, "Cpus_allowed_list:\t0\n");
  ab_exec_result_free(&res);
}

/* 48 MiB held for 300 ms: wait4 and the sampler both see it. */
static void test_rss(char *fake) {
  char *hold[] = {fake, "--mib", "48", "--sleep-ms", "300", "--ops", "10", NULL};
  ab_exec_result_t res = run(hold, NULL, NULL, 20, 5);
  EXPECT(res.status == AB_EXEC_EXITED && res.code == 0);
  EXPECT(res.peak_rss_kib >= 48 * 1024);
  long max_sample = 0;
  for (size_t i = 0; i < res.n_samples; i++)
    if (res.samples[i].rss_kib > max_sample) max_sample = res.samples[i].rss_kib;
  EXPECT(res.n_samples >= 5);
  /* The kernel's high-water mark is updated lazily, so a sample of statm
   * can exceed ru_maxrss by a few hundred KiB; never by much. */
  EXPECT(max_sample >= 40 * 1024 && max_sample <= res.peak_rss_kib + 2048);
  /* The 48 MiB are anonymous: the anonymous peak holds them, and it is a
   * part of a sample, not more. */
  EXPECT(res.peak_anon_kib >= 40 * 1024 && res.peak_anon_kib <= max_sample);
  EXPECT(res.end_rss_kib > 0);
  EXPECT(strstr(res.out, "RESULT workload=fake") != NULL);
  ab_exec_result_free(&res);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  test_statuses(argv[1]);
  test_environment(argv[2]);
  test_rss(argv[1]);
  return TEST_RESULT();
}
