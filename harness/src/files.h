/* allocbench: file helpers. Whole files (summary.csv, report.md, plots'
 * data, the baseline) are written to a temporary name and renamed, so a
 * reader never sees half of one. */
#ifndef AB_FILES_H
#define AB_FILES_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* Creates dir and its parents (mode 0777 & umask). */
int ab_mkdir_p(const char *dir, ab_err_t *err);
/* Whether dir is (or can be made) a folder we can create files in. */
int ab_check_writable_dir(const char *dir, ab_err_t *err);

typedef struct ab_atomic_file_s {
  FILE *f;
  char *path, *tmp_path;
} ab_atomic_file_t;

int ab_atomic_open(ab_atomic_file_t *af, const char *path, ab_err_t *err);
/* Flushes, closes and renames over path; on a write error removes the
 * temporary file and fails. */
int ab_atomic_commit(ab_atomic_file_t *af, ab_err_t *err);
void ab_atomic_abort(ab_atomic_file_t *af);

/* Writes text to path atomically. */
int ab_write_file(const char *path, const char *text, ab_err_t *err);
/* Reads a whole file; NULL (with err) when it cannot be read. */
char *ab_read_file(const char *path, ab_err_t *err);
bool ab_file_exists(const char *path);

/* Points link (a symlink) at target, replacing what was there atomically. */
int ab_replace_symlink(const char *target, const char *link, ab_err_t *err);

#endif
