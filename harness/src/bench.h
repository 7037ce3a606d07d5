/* allocbench: the measurement loop. Every case runs under every allocator,
 * interleaved (A B C, then B C A, ...: round-robin inside each repetition,
 * starting one later each time) so that drift and warm-up hit all alike. */
#ifndef AB_BENCH_H
#define AB_BENCH_H

#include "result_line.h"
#include "runner.h"
#include "session.h"

/* Runs every repetition; stops early (s->stop_signal set) when asked to.
 * Fails only when results.csv cannot be written. */
int ab_bench_execute(ab_session_t *s, ab_err_t *err);
/* Runs repetitions first_rep..last_rep of the cases marked in only (NULL:
 * all), after ab_bench_execute: --check measures a case again this way. */
int ab_bench_execute_reps(ab_session_t *s, const bool *only, int first_rep, int last_rep,
                          ab_err_t *err);

/* A row with the run's identity and the wait4 figures of res. */
void ab_bench_row_init(const ab_session_t *s, const ab_case_t *c, const char *allocator, int rep,
                       const ab_exec_result_t *res, ab_row_t *row);
/* Appends the row (and its RSS curve and extra keys) to the run's files. */
int ab_bench_record(ab_session_t *s, const ab_row_t *row, const ab_exec_result_t *res,
                    const ab_result_t *result, ab_err_t *err);
/* Warns (above the progress line) that a run did not end "ok". */
void ab_bench_warn(ab_session_t *s, const ab_case_t *c, const ab_row_t *row, const char *why);
/* The common part of every spec: timeout, pinning, stderr, sampling. */
ab_exec_spec_t ab_bench_spec(const ab_session_t *s, const ab_case_t *c);
/* The same, running argv under allocator a: preloaded, with its
 * environment after entry_env (or NULL) in *env, which the caller frees. */
ab_exec_spec_t ab_bench_alloc_spec(const ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                                   const ab_strv_t *entry_env, char *const *argv, ab_strv_t *env);

#endif
