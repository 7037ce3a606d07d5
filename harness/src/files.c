/* allocbench: file helpers (mkdir -p, atomic whole-file writes). */
#include "files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ab_mkdir_p(const char *dir, ab_err_t *err) {
  char *copy = ab_xstrdup(dir);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
      int rc = ab_fail(err, "cannot create folder %s: %s", copy, strerror(errno));
      free(copy);
      return rc;
    }
    *p = '/';
  }
  int rc = 0;
  if (mkdir(copy, 0777) < 0 && errno != EEXIST)
    rc = ab_fail(err, "cannot create folder %s: %s", copy, strerror(errno));
  free(copy);
  return rc;
}

int ab_check_writable_dir(const char *dir, ab_err_t *err) {
  struct stat st;
  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return ab_fail(err, "%s exists and is not a folder", dir);
    if (access(dir, W_OK | X_OK) < 0)
      return ab_fail(err, "cannot write to folder %s: %s", dir, strerror(errno));
    return 0;
  }
  return ab_mkdir_p(dir, err);
}

int ab_atomic_open(ab_atomic_file_t *af, const char *path, ab_err_t *err) {
  af->path = ab_xstrdup(path);
  af->tmp_path = ab_xasprintf("%s.tmp.%d", path, (int)getpid());
  af->f = fopen(af->tmp_path, "w");
  if (af->f) return 0;
  int rc = ab_fail(err, "cannot write %s: %s", af->tmp_path, strerror(errno));
  free(af->path);
  free(af->tmp_path);
  *af = (ab_atomic_file_t){0};
  return rc;
}

int ab_atomic_commit(ab_atomic_file_t *af, ab_err_t *err) {
  bool ok = !ferror(af->f);
  ok = (fclose(af->f) == 0) && ok;
  af->f = NULL;
  int rc = 0;
  if (!ok) rc = ab_fail(err, "cannot write %s: %s", af->path, strerror(errno));
  else if (rename(af->tmp_path, af->path) < 0)
    rc = ab_fail(err, "cannot rename %s to %s: %s", af->tmp_path, af->path, strerror(errno));
  if (rc < 0) unlink(af->tmp_path);
  free(af->path);
  free(af->tmp_path);
  *af = (ab_atomic_file_t){0};
  return rc;
}

void ab_atomic_abort(ab_atomic_file_t *af) {
  if (af->f) fclose(af->f);
  if (af->tmp_path) unlink(af->tmp_path);
  free(af->path);
  free(af->tmp_path);
  *af = (ab_atomic_file_t){0};
}

int ab_write_file(const char *path, const char *text, ab_err_t *err) {
  ab_atomic_file_t af;
  if (ab_atomic_open(&af, path, err) < 0) return -1;
  fputs(text, af.f);
  return ab_atomic_commit(&af, err);
}

char *ab_read_file(const char *path, ab_err_t *err) {
  FILE *f = fopen(path, "r");
  if (!f) {
    ab_fail(err, "cannot read %s: %s", path, strerror(errno));
    return NULL;
  }
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ab_buf_append(&b, chunk, n);
  fclose(f);
  return b.s;
}

bool ab_file_exists(const char *path) { return access(path, F_OK) == 0; }

int ab_replace_symlink(const char *target, const char *link, ab_err_t *err) {
  char *tmp = ab_xasprintf("%s.tmp.%d", link, (int)getpid());
  unlink(tmp);
  int rc = 0;
  if (symlink(target, tmp) < 0)
    rc = ab_fail(err, "cannot create link %s: %s", tmp, strerror(errno));
  else if (rename(tmp, link) < 0) {
    rc = ab_fail(err, "cannot replace %s: %s", link, strerror(errno));
    unlink(tmp);
  }
  free(tmp);
  return rc;
}
