/* allocbench: runs one process under one allocator and measures it: wall,
 * user and sys time and peak RSS from wait4, the RSS curve sampled from
 * /proc/<pid>/statm, and its stdout (for the RESULT line). */
#ifndef AB_RUNNER_H
#define AB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct ab_exec_spec_s {
  char *const *argv;          /* argv[0]: absolute path of the program */
  const char *preload;        /* library for LD_PRELOAD; NULL or "": none */
  char *const *extra_env;     /* VAR=value words added to the environment (or NULL) */
  const char *cwd;            /* NULL: inherit */
  double timeout_s;           /* killed (whole process group) after this long */
  const int *cpus;            /* pin to these CPUs (n_cpus 0: no pinning) */
  size_t n_cpus;
  bool capture_stdout;        /* else stdout goes to /dev/null */
  int stderr_fd;              /* -1: /dev/null */
  double sample_ms;           /* RSS sampling period; 0: no sampling */
} ab_exec_spec_t;

typedef enum {
  AB_EXEC_EXITED,      /* code = exit status */
  AB_EXEC_SIGNALED,    /* code = signal number */
  AB_EXEC_TIMEOUT,     /* killed by us after timeout_s */
  AB_EXEC_INTERRUPTED, /* killed by us because allocbench was asked to stop */
} ab_exec_status_t;

typedef struct ab_rss_sample_s {
  double t_ms;
  long rss_kib;
} ab_rss_sample_t;

typedef struct ab_exec_result_s {
  ab_exec_status_t status;
  int code;
  double wall_s, user_s, sys_s;
  long peak_rss_kib;
  long end_rss_kib; /* last sample before exit; -1 when none was taken */
  /* The most anonymous memory a sample saw: resident less file-backed
   * (statm's resident - shared), i.e. heap, stacks and data without the
   * code of the program and its libraries; -1 when no sample was taken. */
  long peak_anon_kib;
  ab_rss_sample_t *samples;
  size_t n_samples;
  char *out; /* captured stdout, NUL-terminated (empty when not captured) */
  size_t out_len;
} ab_exec_result_t;

/* Runs spec to completion. Fails (-1) only when the process could not be
 * started at all (fork, pipe, or exec failure, with the reason in err). */
int ab_exec_run(const ab_exec_spec_t *spec, ab_exec_result_t *res, ab_err_t *err);
void ab_exec_result_free(ab_exec_result_t *res);

/* "ok"-independent status word: exit:N, crash:SIGSEGV, timeout. */
char *ab_exec_status_word(const ab_exec_result_t *res);

/* Builds the child's environment: ours without LD_PRELOAD (and without any
 * variable extra_env sets), then extra_env, then LD_PRELOAD=preload. */
void ab_exec_build_env(const char *preload, char *const *extra_env, ab_strv_t *out);

#endif
