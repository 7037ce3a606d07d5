/* CSV writer and reader: quoting, header handling, append + flush, and
 * malformed records. */
#include <stdlib.h>
#include <unistd.h>

#include "csv.h"
#include "testing.h"

static void test_quoting(void) {
  ab_buf_t b = {0};
  const char *fields[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "", NULL};
  ab_csv_format_row(&b, fields, 6);
  EXPECT_STR(b.s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\n");
  ab_strv_t back = {0};
  ab_err_t err;
  b.s[b.len - 1] = '\0'; /* the reader hands records over without the newline */
  EXPECT(ab_csv_parse_record(b.s, &back, &err) == 0);
  EXPECT(back.n == 6);
  if (back.n == 6) {
    EXPECT_STR(back.v[1], "a,b");
    EXPECT_STR(back.v[2], "say \"hi\"");
    EXPECT_STR(back.v[3], "two\nlines");
    EXPECT_STR(back.v[5], "");
  }
  ab_strv_free(&back);
  ab_buf_free(&b);
}

static void test_malformed(void) {
  ab_strv_t f = {0};
  ab_err_t err;
  EXPECT_ERR(ab_csv_parse_record("a,\"open", &f, &err), err, "unterminated");
  EXPECT_ERR(ab_csv_parse_record("\"x\"y,z", &f, &err), err, "after a closing quote");
  EXPECT_ERR(ab_csv_parse_record("ab\"c", &f, &err), err, "quote inside");
  EXPECT(ab_csv_parse_record("", &f, &err) == 0 && f.n == 1);
  ab_strv_free(&f);
}

static void test_writer_appends(const char *dir) {
  char *path = ab_xasprintf("%s/w.csv", dir);
  unlink(path);
  const char *header[] = {"x", "y"};
  ab_csv_writer_t w;
  ab_err_t err;
  EXPECT(ab_csv_writer_open(&w, path, header, 2, &err) == 0);
  const char *row1[] = {"1", "a,b"};
  EXPECT(ab_csv_writer_row(&w, row1, &err) == 0);
  /* Flushed per row: a second reader sees the row while the writer is open. */
  ab_csv_reader_t r;
  ab_strv_t f = {0};
  EXPECT(ab_csv_reader_open(&r, path, &err) == 0);
  EXPECT(ab_csv_reader_next(&r, &f, &err) == 1 && f.n == 2 && !strcmp(f.v[0], "x"));
  EXPECT(ab_csv_reader_next(&r, &f, &err) == 1 && f.n == 2 && !strcmp(f.v[1], "a,b"));
  EXPECT(ab_csv_reader_next(&r, &f, &err) == 0);
  ab_csv_reader_close(&r);
  ab_csv_writer_close(&w);
  /* Reopening appends without a second header... */
  EXPECT(ab_csv_writer_open(&w, path, header, 2, &err) == 0);
  const char *row2[] = {"2", "multi\nline"};
  EXPECT(ab_csv_writer_row(&w, row2, &err) == 0);
  ab_csv_writer_close(&w);
  EXPECT(ab_csv_reader_open(&r, path, &err) == 0);
  int records = 0;
  while (ab_csv_reader_next(&r, &f, &err) == 1) records++;
  EXPECT(records == 3);
  EXPECT_STR(f.v[1], "multi\nline");
  ab_csv_reader_close(&r);
  /* ...and a file with other columns is refused rather than mixed. */
  const char *other[] = {"x", "z"};
  EXPECT_ERR(ab_csv_writer_open(&w, path, other, 2, &err), err, "different columns");
  ab_strv_free(&f);
  free(path);
}

static void test_reader_reports_line(const char *dir) {
  char *path = ab_xasprintf("%s/bad.csv", dir);
  FILE *f = fopen(path, "w");
  fputs("a,b\n1,2\n3,\"4\n", f);
  fclose(f);
  ab_csv_reader_t r;
  ab_strv_t fields = {0};
  ab_err_t err;
  EXPECT(ab_csv_reader_open(&r, path, &err) == 0);
  EXPECT(ab_csv_reader_next(&r, &fields, &err) == 1);
  EXPECT(ab_csv_reader_next(&r, &fields, &err) == 1);
  EXPECT_ERR(ab_csv_reader_next(&r, &fields, &err), err, "bad.csv:3:");
  ab_csv_reader_close(&r);
  ab_strv_free(&fields);
  free(path);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  test_quoting();
  test_malformed();
  test_writer_appends(dir);
  test_reader_reports_line(dir);
  return TEST_RESULT();
}
