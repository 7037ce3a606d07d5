/* run-info.txt: what is written reads back whole (values with tabs and
 * newlines stay on their line), and a broken file is refused with its line. */
#include <stdlib.h>
#include <unistd.h>

#include "files.h"
#include "runinfo.h"
#include "testing.h"

static ab_runinfo_t sample(void) {
  ab_runinfo_t ri = {0};
  ri.suite_path = ab_xstrdup("/r/harness/suites/scaling.suite");
  ri.command_line = ab_xstrdup("allocbench --suite scaling\t--reps 3\nsecond line");
  ri.started = ab_xstrdup("2026-11-26 14:00:00 +0000");
  ri.reps = 3;
  ri.planned_runs = 375;
  ri.sys = (ab_sysinfo_t){ab_xstrdup("Xeon"), ab_xstrdup("Linux 6 x86_64"), ab_xstrdup("Ubuntu"),
                          ab_xstrdup("2.39"), ab_xstrdup("c0a04e95e297"), 16, 128887};
  ri.n_allocs = 2;
  ri.allocs = ab_xcalloc(2, sizeof *ri.allocs);
  ri.allocs[0] = (ab_runinfo_alloc_t){ab_xstrdup("glibc"), ab_xstrdup(""), ab_xstrdup("glibc 2.39"),
                                      ab_xstrdup("")};
  ri.allocs[1] = (ab_runinfo_alloc_t){ab_xstrdup("je-1arena"), ab_xstrdup("/p/libjemalloc.so.2"),
                                      ab_xstrdup("libjemalloc2 5.3.0-1"),
                                      ab_xstrdup("MALLOC_CONF=narenas:1 X=2")};
  return ri;
}

static void test_round_trip(const char *dir) {
  ab_runinfo_t ri = sample(), back;
  ab_err_t err;
  EXPECT(ab_runinfo_write(&ri, dir, &err) == 0);
  EXPECT(ab_runinfo_load(&back, dir, &err) == 0);
  EXPECT_STR(back.suite_path, ri.suite_path);
  EXPECT_STR(back.command_line, "allocbench --suite scaling --reps 3 second line");
  EXPECT_STR(back.started, ri.started);
  EXPECT(back.reps == 3 && back.planned_runs == 375);
  EXPECT_STR(back.sys.cpu, "Xeon");
  EXPECT_STR(back.sys.kernel, "Linux 6 x86_64");
  EXPECT_STR(back.sys.os, "Ubuntu");
  EXPECT_STR(back.sys.glibc, "2.39");
  EXPECT_STR(back.sys.commit, "c0a04e95e297");
  EXPECT(back.sys.cores == 16 && back.sys.mem_mib == 128887);
  EXPECT(back.n_allocs == 2);
  if (back.n_allocs == 2) {
    EXPECT_STR(back.allocs[0].name, "glibc");
    EXPECT_STR(back.allocs[0].path, "");
    EXPECT_STR(back.allocs[0].settings, "");
    EXPECT_STR(back.allocs[1].path, "/p/libjemalloc.so.2");
    EXPECT_STR(back.allocs[1].version, "libjemalloc2 5.3.0-1");
    EXPECT_STR(back.allocs[1].settings, "MALLOC_CONF=narenas:1 X=2");
  }
  ab_runinfo_free(&back);
  ab_runinfo_free(&ri);
}

/* Writes text as run-info.txt and expects load to refuse it naming why. */
static void expect_refused(const char *dir, const char *text, const char *fragment) {
  char *path = ab_xasprintf("%s/run-info.txt", dir);
  ab_err_t err;
  EXPECT(ab_write_file(path, text, &err) == 0);
  ab_runinfo_t ri;
  EXPECT_ERR(ab_runinfo_load(&ri, dir, &err), err, fragment);
  free(path);
}

#define HEAD "# allocbench run description (read by allocbench --report)\n"

static void test_refused(const char *dir) {
  expect_refused(dir, "suite: x\n", "not an allocbench run description");
  expect_refused(dir, HEAD "cpu: x\ncommit: y\nreps three\n", "line 4: expected 'key: value'");
  expect_refused(dir, HEAD "cpu: x\ncommit: y\nreps: -2\n", "bad value for 'reps'");
  expect_refused(dir, HEAD "cpu: x\ncommit: y\nallocator: glibc only\n",
                 "bad value for 'allocator'");
  expect_refused(dir, HEAD "cpu: x\n", "lacks the machine or the commit");
  char *path = ab_xasprintf("%s/run-info.txt", dir);
  unlink(path);
  free(path);
  ab_runinfo_t ri;
  ab_err_t err;
  EXPECT_ERR(ab_runinfo_load(&ri, dir, &err), err, "run-info.txt not found");
}

/* A key a later version adds is passed over, not an error; an allocator
 * line of an earlier version (no settings) is read. */
static void test_unknown_key(const char *dir) {
  char *path = ab_xasprintf("%s/run-info.txt", dir);
  ab_err_t err;
  EXPECT(ab_write_file(path, HEAD "cpu: x\nfuture_key: 12\ncommit: y\nreps: 5\n"
                                  "allocator: tc\t/l.so\t2.10\n", &err) == 0);
  ab_runinfo_t ri;
  EXPECT(ab_runinfo_load(&ri, dir, &err) == 0);
  EXPECT(ri.reps == 5);
  /* An allocator line without settings (runs from before variants). */
  EXPECT(ri.n_allocs == 1 && !strcmp(ri.allocs[0].settings, ""));
  EXPECT_STR(ri.sys.commit, "y");
  ab_runinfo_free(&ri);
  free(path);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_runinfo TMPDIR\n");
    return 2;
  }
  char *dir = ab_xasprintf("%s/runinfo", argv[1]);
  ab_err_t err;
  if (ab_mkdir_p(dir, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  test_round_trip(dir);
  test_refused(dir);
  test_unknown_key(dir);
  free(dir);
  return TEST_RESULT();
}
