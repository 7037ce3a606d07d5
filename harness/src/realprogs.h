/* allocbench: real programs (suite entries "program"), timed by hyperfine
 * under each allocator. hyperfine gives the time (median wall, mean user and
 * sys of its runs); peak RSS comes from one more run under the harness's own
 * wait4 (hyperfine's memory figure is a running maximum over all of its
 * children, so it cannot tell runs or allocators apart). */
#ifndef AB_REALPROGS_H
#define AB_REALPROGS_H

#include "session.h"

/* Creates the data folder and runs the suite's setup commands in it. */
int ab_realprogs_setup(ab_session_t *s, ab_err_t *err);

/* Times one program under one allocator and records the row. Returns 0,
 * 1 when interrupted (nothing recorded), -1 when a file cannot be written. */
int ab_realprogs_run(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a, int rep,
                     ab_row_t *row, ab_err_t *err);

#endif
