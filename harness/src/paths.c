/* allocbench: locating the executable's folder and programs. */
#include "paths.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *ab_exe_dir(void) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ab_xstrdup(".");
  buf[n] = '\0';
  return ab_xstrdup(dirname(buf));
}

char *ab_which(const char *cmd) {
  if (!cmd || !*cmd) return NULL;
  /* Keep the name as found (no realpath): multi-call programs read argv[0]. */
  if (strchr(cmd, '/'))
    return access(cmd, X_OK) != 0 ? NULL : cmd[0] == '/' ? ab_xstrdup(cmd) : ab_abs_path(cmd);
  const char *path = getenv("PATH");
  ab_strv_t dirs = {0};
  ab_strv_split(&dirs, path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':');
  char *found = NULL;
  for (size_t i = 0; !found && i < dirs.n; i++) {
    char *candidate = ab_xasprintf("%s/%s", *dirs.v[i] ? dirs.v[i] : ".", cmd);
    if (access(candidate, X_OK) == 0) found = *dirs.v[i] == '/' ? ab_xstrdup(candidate) : ab_abs_path(candidate);
    free(candidate);
  }
  ab_strv_free(&dirs);
  return found;
}

/* The folder part is canonicalised but not the last name: a library is
 * named by its link (libsegalloc.so), not by the file it points at. */
char *ab_abs_path(const char *path) {
  char buf[PATH_MAX];
  char *dir_copy = ab_xstrdup(path), *base_copy = ab_xstrdup(path);
  const char *dir = dirname(dir_copy), *base = basename(base_copy);
  char *out;
  if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/"))
    out = ab_xstrdup(realpath(path, buf) ? buf : path);
  else if (realpath(dir, buf))
    out = ab_xasprintf("%s%s%s", buf, strcmp(buf, "/") ? "/" : "", base);
  else
    out = ab_xstrdup(path);
  free(dir_copy);
  free(base_copy);
  return out;
}
