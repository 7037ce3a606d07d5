/* allocbench: fork/exec with LD_PRELOAD, wait4, timeout, RSS sampling. */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signals.h"

extern char **environ;

/* Beyond this the output is read and dropped so the child never blocks. */
#define AB_EXEC_MAX_OUTPUT (4u << 20)

static double ab_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool ab_env_overridden(const char *var, char *const *extra_env) {
  size_t len = strcspn(var, "=");
  if (len == strlen("LD_PRELOAD") && strncmp(var, "LD_PRELOAD", len) == 0) return true;
  for (char *const *e = extra_env; e && *e; e++)
    if (strncmp(*e, var, len) == 0 && (*e)[len] == '=') return true;
  return false;
}

void ab_exec_build_env(const char *preload, char *const *extra_env, ab_strv_t *out) {
  for (char **e = environ; *e; e++)
    if (!ab_env_overridden(*e, extra_env)) ab_strv_push(out, *e);
  for (char *const *e = extra_env; e && *e; e++) ab_strv_push(out, *e);
  if (preload && *preload) ab_strv_push_owned(out, ab_xasprintf("LD_PRELOAD=%s", preload));
}

/* Child side: everything here must be async-signal-safe (no malloc). */
static void ab_exec_child(const ab_exec_spec_t *spec, char **envp, int out_fd, int err_pipe) {
  setpgid(0, 0);
  ab_signals_reset_in_child();
  if (spec->n_cpus > 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (size_t i = 0; i < spec->n_cpus; i++) CPU_SET(spec->cpus[i], &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0) goto fail;
  }
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd < 0) goto fail;
  if (dup2(null_fd, 0) < 0 || dup2(out_fd >= 0 ? out_fd : null_fd, 1) < 0 ||
      dup2(spec->stderr_fd >= 0 ? spec->stderr_fd : null_fd, 2) < 0)
    goto fail;
  if (spec->cwd && chdir(spec->cwd) < 0) goto fail;
  execve(spec->argv[0], spec->argv, envp);
fail:;
  int e = errno;
  ssize_t n = write(err_pipe, &e, sizeof e);
  (void)n;
  _exit(127);
}

static void ab_exec_sample(pid_t pid, double t0, ab_exec_result_t *res, size_t *cap) {
  char path[64], buf[256];
  snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  long size_pages, rss_pages, shared_pages;
  if (n <= 0) return;
  buf[n] = 0;
  if (sscanf(buf, "%ld %ld %ld", &size_pages, &rss_pages, &shared_pages) != 3) return;
  /* A zombie, or a process inside exec, has no memory of its own: such a
   * reading is not a sample of the running program. */
  if (size_pages == 0 || rss_pages == 0) return;
  if (res->n_samples == *cap) {
    *cap = *cap ? *cap * 2 : 256;
    res->samples = ab_xrealloc(res->samples, *cap * sizeof *res->samples);
  }
  long page_kib = sysconf(_SC_PAGESIZE) / 1024, anon_kib = (rss_pages - shared_pages) * page_kib;
  res->samples[res->n_samples++] = (ab_rss_sample_t){(ab_now_s() - t0) * 1000.0, rss_pages * page_kib};
  if (anon_kib > res->peak_anon_kib) res->peak_anon_kib = anon_kib;
}

/* Reads what is available; returns false at end of file. */
static bool ab_exec_read_output(int fd, ab_buf_t *out) {
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
      if (out->len < AB_EXEC_MAX_OUTPUT) ab_buf_append(out, chunk, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

static bool ab_exec_has_exited(pid_t pid) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  /* WNOWAIT: the zombie keeps its pid (and process group) until wait4
   * reaps it, so neither /proc/<pid> nor kill(-pid) can hit a stranger. */
  return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/* Polls until the child exits, sampling RSS, reading stdout, and killing
 * the child's process group on timeout or a stop request. */
static void ab_exec_watch(const ab_exec_spec_t *spec, pid_t pid, int out_fd, double t0,
                          ab_exec_result_t *res, ab_buf_t *out) {
  size_t cap = 0;
  double next_sample = t0;
  bool killed = false;
  while (!ab_exec_has_exited(pid)) {
    double now = ab_now_s();
    if (!killed && (now - t0 > spec->timeout_s || ab_signals_stop_requested())) {
      res->status = ab_signals_stop_requested() ? AB_EXEC_INTERRUPTED : AB_EXEC_TIMEOUT;
      kill(-pid, SIGKILL);
      killed = true;
    }
    if (spec->sample_ms > 0 && now >= next_sample) {
      ab_exec_sample(pid, t0, res, &cap);
      next_sample = now + spec->sample_ms / 1000.0;
    }
    double wait_s = spec->sample_ms > 0 ? next_sample - ab_now_s() : 0.05;
    struct pollfd fds[2] = {{ab_signals_wake_fd(), POLLIN, 0}, {out_fd, POLLIN, 0}};
    int timeout_ms = wait_s > 0 ? (int)(wait_s * 1000.0) + 1 : 0;
    if (poll(fds, out_fd >= 0 ? 2 : 1, timeout_ms) > 0) {
      if (fds[0].revents) ab_signals_drain();
      if (out_fd >= 0 && fds[1].revents && !ab_exec_read_output(out_fd, out)) out_fd = -1;
    }
  }
}

static int ab_exec_start(const ab_exec_spec_t *spec, char **envp, int out_pipe[2], pid_t *pid,
                         ab_err_t *err) {
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) < 0) return ab_fail(err, "pipe: %s", strerror(errno));
  *pid = fork();
  if (*pid < 0) {
    close(err_pipe[0]);
    close(err_pipe[1]);
    return ab_fail(err, "fork: %s", strerror(errno));
  }
  if (*pid == 0) {
    close(err_pipe[0]);
    ab_exec_child(spec, envp, out_pipe[1], err_pipe[1]);
  }
  setpgid(*pid, *pid); /* also here: no window where a kill(-pid) misses it */
  close(err_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  while ((n = read(err_pipe[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  close(err_pipe[0]);
  if (n <= 0) return 0;
  waitpid(*pid, NULL, 0);
  return ab_fail(err, "cannot run %s: %s", spec->argv[0], strerror(child_errno));
}

static void ab_exec_reap(pid_t pid, double t0, ab_exec_result_t *res) {
  int wstatus = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  res->wall_s = ab_now_s() - t0;
  kill(-pid, SIGKILL); /* descendants the program left behind */
  while (wait4(pid, &wstatus, 0, &ru) < 0 && errno == EINTR) {
  }
  res->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
  res->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
  res->peak_rss_kib = ru.ru_maxrss;
  if (res->status == AB_EXEC_TIMEOUT || res->status == AB_EXEC_INTERRUPTED) return;
  if (WIFSIGNALED(wstatus)) {
    res->status = AB_EXEC_SIGNALED;
    res->code = WTERMSIG(wstatus);
  } else {
    res->status = AB_EXEC_EXITED;
    res->code = WEXITSTATUS(wstatus);
  }
}

int ab_exec_run(const ab_exec_spec_t *spec, ab_exec_result_t *res, ab_err_t *err) {
  memset(res, 0, sizeof *res);
  res->end_rss_kib = -1;
  res->peak_anon_kib = -1;
  int out_pipe[2] = {-1, -1};
  if (spec->capture_stdout && pipe2(out_pipe, O_CLOEXEC) < 0)
    return ab_fail(err, "pipe: %s", strerror(errno));
  ab_strv_t env = {0};
  ab_exec_build_env(spec->preload, spec->extra_env, &env);
  double t0 = ab_now_s();
  pid_t pid = -1;
  int rc = ab_exec_start(spec, env.v, out_pipe, &pid, err);
  ab_strv_free(&env);
  if (out_pipe[1] >= 0) close(out_pipe[1]);
  ab_buf_t out = {0};
  ab_buf_puts(&out, "");
  if (rc == 0) {
    if (out_pipe[0] >= 0) fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    ab_exec_watch(spec, pid, out_pipe[0], t0, res, &out);
    if (out_pipe[0] >= 0) ab_exec_read_output(out_pipe[0], &out);
    ab_exec_reap(pid, t0, res);
    if (res->n_samples > 0) res->end_rss_kib = res->samples[res->n_samples - 1].rss_kib;
  }
  if (out_pipe[0] >= 0) close(out_pipe[0]);
  res->out = out.s;
  res->out_len = out.len;
  return rc;
}

void ab_exec_result_free(ab_exec_result_t *res) {
  free(res->samples);
  free(res->out);
  memset(res, 0, sizeof *res);
}

char *ab_exec_status_word(const ab_exec_result_t *res) {
  switch (res->status) {
  case AB_EXEC_TIMEOUT:
    return ab_xstrdup("timeout");
  case AB_EXEC_INTERRUPTED:
    return ab_xstrdup("interrupted");
  case AB_EXEC_SIGNALED: {
    const char *abbrev = sigabbrev_np(res->code);
    return abbrev ? ab_xasprintf("crash:SIG%s", abbrev) : ab_xasprintf("crash:%d", res->code);
  }
  case AB_EXEC_EXITED:
    break;
  }
  return ab_xasprintf("exit:%d", res->code);
}
