/* Suite files: the directives, their errors (as file:line), and that every
 * suite shipped in harness/suites parses. */
#include <dirent.h>
#include <stdlib.h>

#include "suite.h"
#include "testing.h"

static void test_parse(void) {
  const char *text =
      "# a comment\n"
      "reps 2\n"
      "allocators glibc,jemalloc\n"
      "threads 1,4\n"
      "timeout 5\n"
      "workload churn64k --mode fixed   # trailing comment\n"
      "cdf on\n"
      "threads 2\n"
      "workload prodcons --producers 1\n"
      "cdf off\n"
      "callgrind small-fast --ops 1000 --seed 3\n"
      "warmup 2\n"
      "runs 5\n"
      "setup /usr/bin/python3 {suites}/gen.py\n"
      "program py-alloc python3 PYTHONMALLOC=malloc /usr/bin/python3 \"{suites}/a b.py\" -q\n";
  ab_suite_t s;
  ab_err_t err;
  EXPECT(ab_suite_parse(text, "/x/suites/t.suite", &s, &err) == 0);
  EXPECT(s.reps == 2 && s.warmup == 2 && s.runs == 5);
  EXPECT_STR(s.allocators, "glibc,jemalloc");
  EXPECT_STR(s.dir, "/x/suites");
  EXPECT(s.n_entries == 4);
  if (s.n_entries == 4) {
    const ab_entry_t *e = &s.entries[0];
    EXPECT(e->kind == AB_ENTRY_WORKLOAD && e->n_threads == 2 && e->threads[1] == 4);
    EXPECT(e->args.n == 2 && !strcmp(e->args.v[1], "fixed") && !e->cdf);
    EXPECT_NEAR(e->timeout_s, 5, 0);
    e = &s.entries[1];
    EXPECT(e->cdf && e->n_threads == 1 && e->threads[0] == 2 && e->line == 9);
    EXPECT(s.entries[2].kind == AB_ENTRY_CALLGRIND && !s.entries[2].cdf);
    e = &s.entries[3];
    EXPECT(e->kind == AB_ENTRY_PROGRAM);
    EXPECT_STR(e->package, "python3");
    EXPECT(e->env.n == 1 && !strcmp(e->env.v[0], "PYTHONMALLOC=malloc"));
    EXPECT(e->args.n == 3);
    if (e->args.n == 3) EXPECT_STR(e->args.v[1], "{suites}/a b.py");
  }
  EXPECT(s.n_setups == 1);
  char *w = ab_suite_expand("{suites}/gen.py {data}/x", "/run/data", "/x/suites");
  EXPECT_STR(w, "/x/suites/gen.py /run/data/x");
  free(w);
  ab_suite_free(&s);
  /* Defaults when a suite says nothing. */
  EXPECT(ab_suite_parse("workload w\n", "d.suite", &s, &err) == 0);
  EXPECT(s.reps == 3 && s.entries[0].n_threads == 1 && s.entries[0].threads[0] == 1);
  EXPECT_NEAR(s.entries[0].timeout_s, 60, 0);
  ab_suite_free(&s);
}

/* 'instructions on|off' marks the program entries after it, and only them. */
static void test_instructions(void) {
  ab_suite_t s;
  ab_err_t err;
  EXPECT(ab_suite_parse("program a pkg /bin/true\n"
                        "instructions on\n"
                        "program b pkg X=1 /bin/true\n"
                        "callgrind w --ops 10\n"
                        "instructions off\n"
                        "program c pkg /bin/true\n"
                        "workload w\n",
                        "i.suite", &s, &err) == 0);
  EXPECT(s.n_entries == 5);
  if (s.n_entries == 5) {
    EXPECT(!s.entries[0].instructions && s.entries[1].instructions && !s.entries[3].instructions);
    EXPECT(s.entries[2].kind == AB_ENTRY_CALLGRIND && !s.entries[4].instructions);
  }
  ab_suite_free(&s);
  /* A timed workload's count would grow with its speed: refused, at its line. */
  EXPECT_ERR(ab_suite_parse("instructions on\nprogram a pkg /bin/true\nworkload w --seconds 1\n",
                            "i.suite", &s, &err),
             err, "i.suite:3: 'instructions on' counts program entries only");
  EXPECT_ERR(ab_suite_parse("instructions yes\nprogram a pkg /bin/true\n", "i.suite", &s, &err), err,
             "i.suite:1: use: instructions on|off");
}

static void test_errors(void) {
  ab_suite_t s;
  ab_err_t err;
  EXPECT_ERR(ab_suite_parse("workload a\nfrobnicate 3\n", "e.suite", &s, &err), err,
             "e.suite:2: unknown directive 'frobnicate'");
  EXPECT_ERR(ab_suite_parse("threads 1,,2\nworkload a\n", "e.suite", &s, &err), err, "e.suite:1:");
  EXPECT_ERR(ab_suite_parse("threads 0\nworkload a\n", "e.suite", &s, &err), err, "e.suite:1:");
  EXPECT_ERR(ab_suite_parse("reps 2\nreps 3\nworkload a\n", "e.suite", &s, &err), err,
             "e.suite:2: 'reps' is given twice");
  EXPECT_ERR(ab_suite_parse("reps many\nworkload a\n", "e.suite", &s, &err), err, "e.suite:1:");
  EXPECT_ERR(ab_suite_parse("workload a --threads 4\n", "e.suite", &s, &err), err,
             "leave --threads out");
  EXPECT_ERR(ab_suite_parse("workload ../evil\n", "e.suite", &s, &err), err, "e.suite:1:");
  EXPECT_ERR(ab_suite_parse("workload\n", "e.suite", &s, &err), err, "e.suite:1:");
  EXPECT_ERR(ab_suite_parse("program x pkg A=1\n", "e.suite", &s, &err), err, "e.suite:1: use:");
  EXPECT_ERR(ab_suite_parse("workload a \"open\n", "e.suite", &s, &err), err, "unterminated");
  EXPECT_ERR(ab_suite_parse("cdf maybe\nworkload a\n", "e.suite", &s, &err), err, "cdf on|off");
  EXPECT_ERR(ab_suite_parse("timeout -1\nworkload a\n", "e.suite", &s, &err), err, "e.suite:1:");
  EXPECT_ERR(ab_suite_parse("# only comments\n\n", "e.suite", &s, &err), err, "no workload");
  EXPECT_ERR(ab_suite_load("/no/such.suite", &s, &err), err, "cannot read suite");
}

/* Every shipped suite must load: a typo there would break ./run_bench.sh. */
static void test_shipped(const char *dir) {
  DIR *d = opendir(dir);
  EXPECT(d != NULL);
  int seen = 0;
  for (struct dirent *e; d && (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < 7 || strcmp(e->d_name + n - 6, ".suite") != 0) continue;
    char *path = ab_xasprintf("%s/%s", dir, e->d_name);
    ab_suite_t s;
    ab_err_t err;
    if (ab_suite_load(path, &s, &err) < 0) {
      fprintf(stderr, "%s\n", err.msg);
      ab_test_failures++;
    } else {
      ab_suite_free(&s);
    }
    free(path);
    seen++;
  }
  if (d) closedir(d);
  EXPECT(seen >= 5); /* default, smoke, 64k, scaling, realprogs */
}

int main(int argc, char **argv) {
  test_parse();
  test_instructions();
  test_errors();
  if (argc > 1) test_shipped(argv[1]);
  return TEST_RESULT();
}
