/* allocbench: CSV (RFC 4180) writing and reading. Writers flush every row so
 * that an interrupted benchmark keeps every row already measured. */
#ifndef AB_CSV_H
#define AB_CSV_H

#include <stdio.h>

#include "util.h"

/* Appends one field to b, quoted only when it holds a comma, quote, CR or LF. */
void ab_csv_format_field(ab_buf_t *b, const char *field);
/* Appends a whole record (fields joined by commas, then "\n"); NULL fields are empty. */
void ab_csv_format_row(ab_buf_t *b, const char *const *fields, size_t n);
/* Writes one record to f and flushes it; -1 when the write or flush fails. */
int ab_csv_fput_row(FILE *f, const char *const *fields, size_t n);

/* An append-only CSV file with a fixed header. */
typedef struct ab_csv_writer_s {
  FILE *f;
  char *path;
  size_t ncols;
} ab_csv_writer_t;

/* Opens path for appending; writes the header when the file is new or empty,
 * and refuses a non-empty file whose first line is a different header. */
int ab_csv_writer_open(ab_csv_writer_t *w, const char *path, const char *const *header,
                       size_t ncols, ab_err_t *err);
int ab_csv_writer_row(ab_csv_writer_t *w, const char *const *fields, ab_err_t *err);
/* Writes records already formatted with ab_csv_format_row, then flushes:
 * one write for many rows (an RSS curve has thousands). */
int ab_csv_writer_text(ab_csv_writer_t *w, const ab_buf_t *records, ab_err_t *err);
void ab_csv_writer_close(ab_csv_writer_t *w);

/* Reads records one at a time; a quoted field may span lines. */
typedef struct ab_csv_reader_s {
  FILE *f;
  char *path;
  long line; /* line number where the last record started, for messages */
  long next_line;
} ab_csv_reader_t;

int ab_csv_reader_open(ab_csv_reader_t *r, const char *path, ab_err_t *err);
/* 1: a record was read into fields (cleared first); 0: end of file;
 * -1: malformed record (message names file:line). */
int ab_csv_reader_next(ab_csv_reader_t *r, ab_strv_t *fields, ab_err_t *err);
void ab_csv_reader_close(ab_csv_reader_t *r);

/* Parses one complete record (no trailing newline needed). Returns 0, or -1
 * with a reason in err for an unterminated quote or text after a closing quote. */
int ab_csv_parse_record(const char *text, ab_strv_t *fields, ab_err_t *err);

/* Index of name in a header record, or -1. */
int ab_csv_column(const ab_strv_t *header, const char *name);

#endif
