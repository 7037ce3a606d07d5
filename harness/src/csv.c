/* allocbench: CSV writing and reading (RFC 4180 quoting). */
#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ab_csv_format_field(ab_buf_t *b, const char *field) {
  if (!field) field = "";
  if (!strpbrk(field, ",\"\r\n")) {
    ab_buf_puts(b, field);
    return;
  }
  ab_buf_puts(b, "\"");
  for (const char *p = field; *p; p++) {
    if (*p == '"') ab_buf_puts(b, "\"");
    ab_buf_append(b, p, 1);
  }
  ab_buf_puts(b, "\"");
}

void ab_csv_format_row(ab_buf_t *b, const char *const *fields, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i) ab_buf_puts(b, ",");
    ab_csv_format_field(b, fields[i]);
  }
  ab_buf_puts(b, "\n");
}

int ab_csv_fput_row(FILE *f, const char *const *fields, size_t n) {
  ab_buf_t b = {0};
  ab_csv_format_row(&b, fields, n);
  /* One fwrite per record, so a crash between rows never splits one. */
  int rc = (fwrite(b.s, 1, b.len, f) == b.len && fflush(f) == 0) ? 0 : -1;
  ab_buf_free(&b);
  return rc;
}

/* Compares the first record of an existing file with the header we write. */
static int ab_csv_check_header(const char *path, const char *const *header, size_t ncols,
                               ab_err_t *err) {
  ab_csv_reader_t r;
  if (ab_csv_reader_open(&r, path, err) < 0) return -1;
  ab_strv_t got = {0};
  int rc = ab_csv_reader_next(&r, &got, err);
  ab_csv_reader_close(&r);
  if (rc < 0) {
    ab_strv_free(&got);
    return -1;
  }
  bool same = rc == 1 && got.n == ncols;
  for (size_t i = 0; same && i < ncols; i++) same = strcmp(got.v[i], header[i]) == 0;
  ab_strv_free(&got);
  if (!same)
    return ab_fail(err, "%s has different columns; write to a new file or move it away", path);
  return 0;
}

int ab_csv_writer_open(ab_csv_writer_t *w, const char *path, const char *const *header,
                       size_t ncols, ab_err_t *err) {
  *w = (ab_csv_writer_t){0};
  FILE *f = fopen(path, "a");
  if (!f) return ab_fail(err, "cannot write %s: %s", path, strerror(errno));
  /* "a" streams need not start at the end: ask for the size explicitly. */
  if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > 0) {
    if (ab_csv_check_header(path, header, ncols, err) < 0) {
      fclose(f);
      return -1;
    }
  } else if (ab_csv_fput_row(f, header, ncols) < 0) {
    fclose(f);
    return ab_fail(err, "cannot write %s: %s", path, strerror(errno));
  }
  w->f = f;
  w->path = ab_xstrdup(path);
  w->ncols = ncols;
  return 0;
}

int ab_csv_writer_row(ab_csv_writer_t *w, const char *const *fields, ab_err_t *err) {
  if (ab_csv_fput_row(w->f, fields, w->ncols) < 0)
    return ab_fail(err, "cannot write %s: %s", w->path, strerror(errno));
  return 0;
}

int ab_csv_writer_text(ab_csv_writer_t *w, const ab_buf_t *records, ab_err_t *err) {
  if (records->len == 0) return 0;
  if (fwrite(records->s, 1, records->len, w->f) != records->len || fflush(w->f) != 0)
    return ab_fail(err, "cannot write %s: %s", w->path, strerror(errno));
  return 0;
}

void ab_csv_writer_close(ab_csv_writer_t *w) {
  if (w->f) fclose(w->f);
  free(w->path);
  *w = (ab_csv_writer_t){0};
}

int ab_csv_reader_open(ab_csv_reader_t *r, const char *path, ab_err_t *err) {
  *r = (ab_csv_reader_t){0};
  r->f = fopen(path, "r");
  if (!r->f) return ab_fail(err, "cannot read %s: %s", path, strerror(errno));
  r->path = ab_xstrdup(path);
  r->next_line = 1;
  return 0;
}

void ab_csv_reader_close(ab_csv_reader_t *r) {
  if (r->f) fclose(r->f);
  free(r->path);
  *r = (ab_csv_reader_t){0};
}

/* Returns true when text ends inside a quoted field, i.e. the record goes on. */
static bool ab_csv_quote_open(const char *text) {
  bool open = false;
  for (const char *p = text; *p; p++)
    if (*p == '"') open = !open;
  return open;
}

int ab_csv_reader_next(ab_csv_reader_t *r, ab_strv_t *fields, ab_err_t *err) {
  ab_buf_t rec = {0};
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  r->line = r->next_line;
  while ((n = getline(&line, &cap, r->f)) > 0) {
    r->next_line++;
    ab_buf_append(&rec, line, (size_t)n);
    if (!ab_csv_quote_open(rec.s)) break;
  }
  free(line);
  if (rec.len == 0) return 0;
  while (rec.len && (rec.s[rec.len - 1] == '\n' || rec.s[rec.len - 1] == '\r')) rec.s[--rec.len] = 0;
  ab_err_t why;
  int rc = ab_csv_parse_record(rec.s, fields, &why);
  ab_buf_free(&rec);
  if (rc < 0) return ab_fail(err, "%s:%ld: malformed CSV: %s", r->path, r->line, why.msg);
  return 1;
}

int ab_csv_parse_record(const char *text, ab_strv_t *fields, ab_err_t *err) {
  ab_strv_free(fields);
  const char *p = text;
  for (;;) {
    ab_buf_t field = {0};
    ab_buf_puts(&field, "");
    if (*p == '"') {
      for (p++;; p++) {
        if (*p == '\0') {
          ab_buf_free(&field);
          return ab_fail(err, "unterminated quoted field");
        }
        if (*p == '"' && p[1] == '"') {
          ab_buf_append(&field, p++, 1);
        } else if (*p == '"') {
          p++;
          break;
        } else {
          ab_buf_append(&field, p, 1);
        }
      }
      if (*p != ',' && *p != '\0') {
        ab_buf_free(&field);
        return ab_fail(err, "text after a closing quote");
      }
    } else {
      size_t len = strcspn(p, ",");
      if (memchr(p, '"', len)) {
        ab_buf_free(&field);
        return ab_fail(err, "quote inside an unquoted field");
      }
      ab_buf_append(&field, p, len);
      p += len;
    }
    ab_strv_push_owned(fields, field.s);
    if (*p == '\0') return 0;
    p++; /* the comma */
  }
}

int ab_csv_column(const ab_strv_t *header, const char *name) {
  for (size_t i = 0; i < header->n; i++)
    if (strcmp(header->v[i], name) == 0) return (int)i;
  return -1;
}
