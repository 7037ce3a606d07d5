/* allocbench: callgrind instruction counts. */
#include "callgrind.h"

#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "files.h"

int ab_callgrind_parse(const char *text, long long *instructions, ab_err_t *err) {
  const char *keys[] = {"\nsummary:", "\ntotals:"};
  for (size_t i = 0; i < 2; i++) {
    const char *p = strstr(text, keys[i]);
    if (!p) continue;
    char *end;
    long long v = strtoll(p + strlen(keys[i]), &end, 10);
    if (end != p + strlen(keys[i]) && v > 0) {
      *instructions = v;
      return 0;
    }
  }
  return ab_fail(err, "no 'summary:' or 'totals:' line in the callgrind output");
}

/* Runs prog (a command line whose argv[0] is a path) under callgrind with
 * allocator a and reads the total of every thread. */
int ab_callgrind_run(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                     const ab_strv_t *prog, const ab_strv_t *entry_env, const char *cwd,
                     double slowdown, long long *instructions, ab_err_t *err) {
  char *dir = ab_xasprintf("%s/callgrind", s->run_dir);
  char *out = ab_xasprintf("%s/%s-%s.out", dir, c->slug, a->name);
  int rc = ab_mkdir_p(dir, err);
  ab_strv_t argv = {0};
  ab_strv_push(&argv, s->valgrind);
  ab_strv_push(&argv, "--tool=callgrind");
  ab_strv_push_owned(&argv, ab_xasprintf("--callgrind-out-file=%s", out));
  for (size_t i = 0; i < prog->n; i++) ab_strv_push(&argv, prog->v[i]);
  ab_strv_t env = {0};
  ab_exec_spec_t spec = ab_bench_alloc_spec(s, c, a, entry_env, argv.v, &env);
  spec.sample_ms = 0;
  spec.cwd = cwd;
  spec.timeout_s *= slowdown;
  char *header = ab_xasprintf("callgrind | %s | %s", a->name, c->label);
  ab_session_log_header(s, header);
  ab_exec_result_t res = {0};
  if (rc == 0) rc = ab_exec_run(&spec, &res, err);
  if (rc == 0 && res.status == AB_EXEC_INTERRUPTED) rc = 1;
  else if (rc == 0 && !(res.status == AB_EXEC_EXITED && res.code == 0)) {
    char *status = ab_exec_status_word(&res);
    rc = ab_fail(err, "%s under callgrind with %s: %s; see %s/stderr.log", c->label, a->name,
                 status, s->run_dir);
    free(status);
  }
  char *text = rc == 0 ? ab_read_file(out, err) : NULL;
  if (rc == 0) rc = text ? ab_callgrind_parse(text, instructions, err) : -1;
  free(text);
  ab_exec_result_free(&res);
  free(header);
  ab_strv_free(&argv);
  ab_strv_free(&env);
  free(out);
  free(dir);
  return rc;
}

/* A callgrind entry: the workload with its fixed --ops, on one thread. */
int ab_callgrind_count(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                       long long *instructions, ab_err_t *err) {
  ab_strv_t prog = {0};
  ab_strv_push(&prog, c->exe);
  for (size_t i = 0; i < c->entry->args.n; i++) ab_strv_push(&prog, c->entry->args.v[i]);
  ab_strv_push(&prog, "--threads");
  ab_strv_push(&prog, "1");
  /* (its timeout is already set for a run under valgrind) */
  int rc = ab_callgrind_run(s, c, a, &prog, NULL, NULL, 1, instructions, err);
  ab_strv_free(&prog);
  return rc;
}
