/* allocbench: SIGINT/SIGTERM/SIGCHLD handling. A stop request is only
 * recorded here; the runner kills the child and the session writes what was
 * measured. A self-pipe wakes the runner's poll() on any of these signals. */
#ifndef AB_SIGNALS_H
#define AB_SIGNALS_H

void ab_signals_install(void);
/* 0, or SIGINT/SIGTERM when the user asked allocbench to stop. */
int ab_signals_stop_requested(void);
/* Read end of the self-pipe (-1 before install); poll it for POLLIN. */
int ab_signals_wake_fd(void);
void ab_signals_drain(void);
/* In a forked child before exec: default dispositions and an empty mask. */
void ab_signals_reset_in_child(void);

#endif
