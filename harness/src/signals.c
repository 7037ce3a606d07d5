/* allocbench: signal handling through a self-pipe. */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t ab_stop_signal;
static int ab_wake_pipe[2] = {-1, -1};

static void ab_signals_on_signal(int sig) {
  int saved = errno;
  if (sig == SIGINT || sig == SIGTERM) ab_stop_signal = sig;
  if (ab_wake_pipe[1] >= 0) {
    char c = 0;
    ssize_t n = write(ab_wake_pipe[1], &c, 1); /* full pipe: a wake-up is already queued */
    (void)n;
  }
  errno = saved;
}

void ab_signals_install(void) {
  if (ab_wake_pipe[0] < 0 && pipe2(ab_wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    ab_wake_pipe[0] = ab_wake_pipe[1] = -1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = ab_signals_on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  /* A second Ctrl-C while the summary is written stops at once. */
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

int ab_signals_stop_requested(void) { return ab_stop_signal; }

int ab_signals_wake_fd(void) { return ab_wake_pipe[0]; }

void ab_signals_drain(void) {
  char buf[64];
  while (ab_wake_pipe[0] >= 0 && read(ab_wake_pipe[0], buf, sizeof buf) > 0) {
  }
}

void ab_signals_reset_in_child(void) {
  signal(SIGCHLD, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}
