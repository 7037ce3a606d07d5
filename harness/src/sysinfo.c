/* allocbench: machine and software description for the report. */
#include "sysinfo.h"

#include <gnu/libc-version.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "files.h"
#include "paths.h"
#include "runner.h"
#include "util.h"

char *ab_sysinfo_command_line(const char *const *argv) {
  char *exe = ab_which(argv[0]);
  if (!exe) return NULL;
  ab_strv_t args = {0};
  ab_strv_push(&args, exe);
  for (size_t i = 1; argv[i]; i++) ab_strv_push(&args, argv[i]);
  ab_exec_spec_t spec = {.argv = args.v, .timeout_s = 10, .capture_stdout = true, .stderr_fd = -1};
  ab_exec_result_t res;
  char *line = NULL;
  if (ab_exec_run(&spec, &res, NULL) == 0) {
    if (res.status == AB_EXEC_EXITED && res.code == 0 && res.out_len > 0)
      line = ab_xstrndup(res.out, strcspn(res.out, "\n"));
    ab_exec_result_free(&res);
  }
  ab_strv_free(&args);
  free(exe);
  return line;
}

/* Value of "key<sep>" at the start of a line of text (first match). */
static char *ab_sysinfo_field(const char *text, const char *key) {
  for (const char *line = text; line && *line;) {
    if (strncmp(line, key, strlen(key)) == 0) {
      const char *v = line + strlen(key);
      v += strspn(v, " \t:=\"");
      size_t len = strcspn(v, "\"\n");
      return ab_xstrndup(v, len);
    }
    line = strchr(line, '\n');
    if (line) line++;
  }
  return NULL;
}

static char *ab_sysinfo_from_file(const char *path, const char *key) {
  char *text = ab_read_file(path, NULL);
  char *v = text ? ab_sysinfo_field(text, key) : NULL;
  free(text);
  return v;
}

static char *ab_sysinfo_commit(const char *root) {
  const char *head[] = {"git", "-C", root, "rev-parse", "--short=12", "HEAD", NULL};
  char *commit = ab_sysinfo_command_line(head);
  if (!commit) return ab_xstrdup("unknown (not a git checkout)");
  /* --no-optional-locks: reading the state must not touch the index. */
  const char *dirty[] = {"git", "--no-optional-locks", "-C", root, "status", "--porcelain",
                         "--untracked-files=no", NULL};
  char *changes = ab_sysinfo_command_line(dirty);
  char *out = ab_xasprintf("%s%s", commit, changes && *changes ? " (with uncommitted changes)" : "");
  free(changes);
  free(commit);
  return out;
}

void ab_sysinfo_collect(ab_sysinfo_t *info, const char *root) {
  *info = (ab_sysinfo_t){0};
  info->cpu = ab_sysinfo_from_file("/proc/cpuinfo", "model name");
  if (!info->cpu) info->cpu = ab_xstrdup("unknown");
  info->cores = sysconf(_SC_NPROCESSORS_ONLN);
  info->mem_mib = (long)((double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / 1048576.0);
  struct utsname u;
  info->kernel = uname(&u) == 0 ? ab_xasprintf("%s %s %s", u.sysname, u.release, u.machine)
                                : ab_xstrdup("unknown");
  info->os = ab_sysinfo_from_file("/etc/os-release", "PRETTY_NAME");
  if (!info->os) info->os = ab_xstrdup("unknown");
  info->glibc = ab_xstrdup(gnu_get_libc_version());
  info->commit = ab_sysinfo_commit(root);
}

void ab_sysinfo_free(ab_sysinfo_t *info) {
  free(info->cpu);
  free(info->kernel);
  free(info->os);
  free(info->glibc);
  free(info->commit);
  *info = (ab_sysinfo_t){0};
}

char *ab_sysinfo_library_version(const char *path) {
  char real[PATH_MAX];
  if (!realpath(path, real)) return ab_xstrdup("?");
  const char *owner_argv[] = {"dpkg-query", "-S", real, NULL};
  char *owner = ab_sysinfo_command_line(owner_argv);
  char *pkg = owner ? ab_xstrndup(owner, strcspn(owner, ":")) : NULL;
  char *version = NULL;
  if (pkg && *pkg) {
    const char *ver_argv[] = {"dpkg-query", "-W", "-f=${Version}", pkg, NULL};
    version = ab_sysinfo_command_line(ver_argv);
  }
  char *out = version ? ab_xasprintf("%s %s", pkg, version) : ab_xstrdup(basename(real));
  free(owner);
  free(pkg);
  free(version);
  return out;
}
