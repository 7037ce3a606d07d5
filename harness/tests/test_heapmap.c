/* Heap maps: a hand-written SEGALLOC_MAP file with a known layout is read
 * into snapshots, and its pictures, size-class table, stepping page and
 * report section show exactly its spans; malformed files are refused with
 * file:line, and a refused file leaves nothing behind. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "heapmap.h"
#include "heapmap_html.h"
#include "heapmap_render.h"
#include "heapmap_report.h"
#include "heapmap_svg.h"
#include "heapmap_table.h"
#include "testing.h"

#define HEADER                                                                                 \
  "time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,block_size,capacity,"   \
  "reserved,used,thread_free\n"

/* Snapshot 0 (t=0): segment A owned by thread aa: two small pages of 64 B
 * blocks, two medium pages of 65600 B blocks (9 slices, 8 blocks each), a
 * free span and a purged one; segment B, owner 0 with a large page in it
 * (abandoned); segment C, owner 0 and all purged (cached).
 * Snapshot 1 (t=100): A now owned by bb, one full small page; D, a huge
 * segment of 1024 slices owned by cc.
 * Snapshot 2 (t=100 again: the walk starts over at A): A read first as
 * bb's, then as dd's (it changed hands during the walk). */
#define HEADER_RESIDENT                                                                        \
  "time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,block_size,capacity,"   \
  "reserved,used,thread_free,resident\n"

static const char good_map[] =
    HEADER
    "0,0x10000000,aa,512,1,1,page,small,64,1024,1024,512,0\n"
    "0,0x10000000,aa,512,2,1,page,small,64,100,1024,25,4\n"
    "0,0x10000000,aa,512,3,9,page,medium,65600,8,8,8,7\n"
    "0,0x10000000,aa,512,12,9,page,medium,65600,8,8,2,0\n"
    "0,0x10000000,aa,512,21,4,free,-,0,0,0,0,0\n"
    "0,0x10000000,aa,512,25,487,purged,-,0,0,0,0,0\n"
    "0,0x12000000,0,512,1,3,page,large,196608,1,1,1,1\n"
    "0,0x12000000,0,512,4,508,free,-,0,0,0,0,0\n"
    "0,0x14000000,0,512,1,511,purged,-,0,0,0,0,0\n"
    "100,0x10000000,bb,512,1,1,page,small,64,1024,1024,1024,0\n"
    "100,0x10000000,bb,512,2,510,free,-,0,0,0,0,0\n"
    "100,0x16000000,cc,1024,1,1023,page,huge,67043328,1,1,1,0\n"
    "100,0x10000000,bb,512,1,1,page,small,64,1024,1024,10,0\n"
    "100,0x10000000,dd,512,2,510,purged,-,0,0,0,0,0\n";

static char *write_map(const char *dir, const char *name, const char *text) {
  char *path = ab_xasprintf("%s/%s", dir, name);
  ab_err_t err;
  if (ab_write_file(path, text, &err) < 0) fprintf(stderr, "%s\n", err.msg);
  return path;
}

static size_t count(const char *text, const char *needle) {
  size_t n = 0;
  for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

static void test_load(const ab_heapmap_t *m) {
  EXPECT(m->n_snaps == 3);
  EXPECT(m->n_addresses == 4);
  EXPECT(m->n_threads == 4);
  if (m->n_snaps != 3) return;
  const ab_heapmap_snapshot_t *s0 = &m->snaps[0], *s1 = &m->snaps[1], *s2 = &m->snaps[2];
  EXPECT(s0->n_segments == 3 && s1->n_segments == 2 && s2->n_segments == 1);
  EXPECT(s1->time_ms == 100 && s2->time_ms == 100);
  EXPECT(s0->segments[0].n_spans == 6 && s0->segments[0].thread == 1);
  EXPECT(ab_heapmap_tenure(&s0->segments[0]) == AB_HEAPMAP_OWNED);
  EXPECT(ab_heapmap_tenure(&s0->segments[1]) == AB_HEAPMAP_ABANDONED);
  EXPECT(ab_heapmap_tenure(&s0->segments[2]) == AB_HEAPMAP_CACHED);
  EXPECT(s1->segments[0].number == 1 && s1->segments[0].thread == 2);
  EXPECT(s1->segments[1].number == 4 && s1->segments[1].slices == 1024);
  EXPECT(!s1->segments[0].owner_changed);
  EXPECT(s2->segments[0].owner_changed && s2->segments[0].owner == 0xdd);
  EXPECT(s2->segments[0].thread == 4);
  const ab_heapmap_span_t *med = &s0->segments[0].spans[2];
  EXPECT(med->kind == AB_HEAPMAP_MEDIUM && med->slices == 9 && med->block_size == 65600);
  EXPECT(med->used == 8 && med->thread_free == 7 && ab_heapmap_live(med) == 1);
}

static void test_totals(const ab_heapmap_t *m) {
  ab_heapmap_totals_t t;
  ab_heapmap_totals(&m->snaps[0], &t);
  EXPECT(t.segments == 3 && t.abandoned == 1 && t.cached == 1);
  EXPECT(t.pages[AB_HEAPMAP_SMALL] == 2 && t.pages[AB_HEAPMAP_MEDIUM] == 2);
  EXPECT(t.pages[AB_HEAPMAP_LARGE] == 1 && t.pages[AB_HEAPMAP_HUGE] == 0);
  EXPECT(t.page_bytes == 23 * 65536ull);
  EXPECT(t.free_bytes == 512 * 65536ull);
  EXPECT(t.purged_bytes == 998 * 65536ull);
  EXPECT(t.used_bytes == 512 * 64 + 25 * 64 + 10 * 65600 + 196608ull);
  EXPECT(t.thread_free_bytes == 4 * 64 + 7 * 65600 + 196608ull);
  EXPECT(t.unused_bytes == (1024 - 512) * 64 + (1024 - 25) * 64 + 6 * 65600ull);
  /* The huge page makes snapshot 1 the one with the most bytes in pages. */
  EXPECT(ab_heapmap_peak(m) == 1);
}

static void test_svg(const ab_heapmap_t *m) {
  ab_buf_t b = {0};
  ab_heapmap_svg(m, 0, &b);
  EXPECT(count(b.s, "class=\"span small\"") == 2);
  EXPECT(count(b.s, "class=\"span medium\"") == 2);
  EXPECT(count(b.s, "class=\"span large\"") == 1);
  EXPECT(count(b.s, "class=\"span huge\"") == 0);
  EXPECT(count(b.s, "class=\"span free\"") == 2);
  EXPECT(count(b.s, "class=\"span purged\"") == 2);
  EXPECT(count(b.s, "class=\"header\"") == 3);
  EXPECT(count(b.s, "class=\"unmapped\"") == 1); /* D, not mapped yet, keeps its row */
  EXPECT(count(b.s, "class=\"level\"") == 4);    /* every page with a live block */
  EXPECT(count(b.s, "class=\"tf\"") == 3);       /* every page with blocks in thread_free */
  EXPECT(count(b.s, "<g class=\"legend\">") == 1);
  EXPECT(count(b.s, "thread_free</text>") == 1);
  EXPECT(strstr(b.s, "seg 1 · thread T1</text>") != NULL);
  EXPECT(strstr(b.s, "seg 2 · abandoned</text>") != NULL);
  EXPECT(strstr(b.s, "seg 3 · cached</text>") != NULL);
  EXPECT(strstr(b.s, "seg 4 · not mapped</text>") != NULL);
  EXPECT(strstr(b.s, "pages: 2 small, 2 medium, 1 large, 0 huge") != NULL);
  EXPECT(count(b.s, "<svg ") == 1 && count(b.s, "</svg>") == 1);
  /* A CSS rule named like a span class would override that span's fill. */
  const char *style = strstr(b.s, "<style>"), *style_end = strstr(b.s, "</style>");
  EXPECT(style && style_end);
  const char *names[] = {"small", "medium", "large", "huge", "free",
                         "purged", "span", "level", "tf", "resident"};
  for (size_t i = 0; style && style_end && i < sizeof names / sizeof names[0]; i++) {
    char *rule = ab_xasprintf(".%s{", names[i]);
    const char *hit = strstr(style, rule);
    EXPECT(!hit || hit > style_end);
    free(rule);
  }
  ab_buf_free(&b);
  ab_heapmap_svg(m, 1, &b);
  EXPECT(count(b.s, "class=\"span huge\"") == 1 && count(b.s, "class=\"span small\"") == 1);
  EXPECT(strstr(b.s, "seg 4 · thread T3 · 64.0 MiB</text>") != NULL);
  ab_buf_free(&b);
  ab_heapmap_svg(m, 2, &b);
  EXPECT(strstr(b.s, "seg 1 · thread T4*</text>") != NULL);
  ab_buf_free(&b);
}

static void test_table(const ab_heapmap_t *m) {
  ab_buf_t b = {0};
  ab_heapmap_table(&m->snaps[0], &b);
  EXPECT(strstr(b.s, "| 64 | small | 2 | 2 | 537 / 2048 | 26.2% | 4 | 94 KiB | 0 B | - |\n") != NULL);
  EXPECT(strstr(b.s, "| 65600 | medium | 2 | 18 | 10 / 16 | 62.5% | 7 | 384 KiB | 127 KiB | - |\n") !=
         NULL);
  EXPECT(strstr(b.s, "| 196608 | large | 1 | 3 | 1 / 1 | 100.0% | 1 | 0 B | 0 B | - |\n") != NULL);
  /* All classes: fullness by bytes, (537 x 64 + 10 x 65600 + 196608) / (2048 x 64 + 16 x
   * 65600 + 196608), not by blocks, which the 64-byte ones would swamp. */
  EXPECT(strstr(b.s, "| **all** |  | 5 | 23 | 548 / 2065 | 64.4% | 12 | 479 KiB | 127 KiB | - |\n") !=
         NULL);
  EXPECT(strstr(b.s, "Free spans: **32.0 MiB**") != NULL);
  EXPECT(strstr(b.s, "Purged spans: 62.4 MiB") != NULL);
  EXPECT(strstr(b.s, "= at most **32.5 MiB**") != NULL);
  /* small before medium before large: the rows come in that order */
  EXPECT(strstr(b.s, "| 64 |") < strstr(b.s, "| 65600 |") &&
         strstr(b.s, "| 65600 |") < strstr(b.s, "| 196608 |"));
  ab_buf_free(&b);
}

/* The resident column (segalloc builds that read mincore): one segment,
 * in three snapshots; the second has the most in RAM, but the first the
 * most in pages, so the first is the peak (the heap at its busiest). */
static const char resident_map[] =
    HEADER_RESIDENT
    "0,0x10000000,aa,512,1,1,page,small,64,1024,1024,512,0,65536\n"
    "0,0x10000000,aa,512,2,9,page,medium,65600,8,8,4,0,294912\n"
    "0,0x10000000,aa,512,11,501,purged,-,0,0,0,0,0,0\n"
    "50,0x10000000,aa,512,1,1,page,small,64,1024,1024,512,0,65536\n"
    "50,0x10000000,aa,512,2,9,free,-,0,0,0,0,0,393216\n"
    "50,0x10000000,aa,512,11,501,purged,-,0,0,0,0,0,0\n"
    "100,0x10000000,aa,512,1,1,page,small,64,1024,1024,1,0,4096\n"
    "100,0x10000000,aa,512,2,510,purged,-,0,0,0,0,0,0\n";

static void test_resident(const char *dir) {
  char *path = write_map(dir, "resident.csv", resident_map);
  ab_heapmap_t m;
  ab_err_t err;
  EXPECT(ab_heapmap_load(path, &m, &err) == 0);
  free(path);
  if (m.n_snaps != 3) {
    EXPECT(m.n_snaps == 3);
    ab_heapmap_free(&m);
    return;
  }
  EXPECT(m.snaps[0].has_resident && m.snaps[0].segments[0].spans[1].resident == 294912);
  ab_heapmap_totals_t t;
  ab_heapmap_totals(&m.snaps[1], &t);
  EXPECT(t.page_resident_bytes == 65536 && t.free_resident_bytes == 393216);
  EXPECT(ab_heapmap_peak(&m) == 0);
  ab_buf_t b = {0};
  ab_heapmap_table(&m.snaps[0], &b);
  EXPECT(strstr(b.s, "| 65600 | medium | 1 | 9 | 4 / 8 | 50.0% | 0 | 256 KiB | 64 KiB | 288 KiB |\n"));
  EXPECT(strstr(b.s, "Resident: 352 KiB in pages + 0 B in free spans = **352 KiB**, of which used "
                     "blocks 288 KiB: waste **64 KiB**"));
  ab_buf_free(&b);
  ab_heapmap_table(&m.snaps[1], &b);
  EXPECT(strstr(b.s, "Free spans: 576 KiB, **384 KiB** of it resident."));
  ab_buf_free(&b);
  ab_heapmap_svg(&m, 1, &b);
  EXPECT(strstr(b.s, "free, not purged; 384 KiB resident</title>"));
  EXPECT(strstr(b.s, " · resident: 64 KiB in pages, 384 KiB in free spans</text>"));
  /* the free span two thirds resident: its dark level, two thirds of the row */
  EXPECT(count(b.s, "class=\"resident\"") == 1 && strstr(b.s, "free span (dark: its resident share)"));
  EXPECT(strstr(b.s, "class=\"resident\" x=\"246.0\" y=\"90.0\" width=\"17.5\" height=\"12.0\""));
  ab_buf_free(&b);
  ab_heapmap_free(&m);
  /* A map without the column shows no residency anywhere. */
  path = write_map(dir, "plain.csv", good_map);
  EXPECT(ab_heapmap_load(path, &m, &err) == 0);
  free(path);
  ab_heapmap_svg(&m, 0, &b);
  EXPECT(!m.snaps[0].has_resident && !strstr(b.s, " resident</title>") && !strstr(b.s, " · resident:"));
  EXPECT(count(b.s, "class=\"resident\"") == 0 && strstr(b.s, "free span (some slices may be resident)"));
  ab_buf_free(&b);
  ab_heapmap_free(&m);
}

static void test_html(ab_heapmap_t *m) {
  m->name = ab_xstrdup("good");
  m->title = ab_xstrdup("fake <run> & co");
  ab_buf_t b = {0};
  ab_heapmap_html(m, 1, "maps of <run>", &b);
  EXPECT(strstr(b.s, "<title>maps of &lt;run&gt;</title>") != NULL);
  EXPECT(strstr(b.s, "<h2>fake &lt;run&gt; &amp; co</h2>") != NULL);
  EXPECT(strstr(b.s, "{name: \"good\", peak: 1, times: [0, 100, 100]}") != NULL);
  EXPECT(strstr(b.s, "type=\"range\" min=\"0\" max=\"2\"") != NULL);
  EXPECT(count(b.s, "<section id=\"map") == 1);
  EXPECT(strstr(b.s, "http") == NULL); /* loads nothing from the network */
  ab_buf_free(&b);
}

static void test_malformed(const char *dir) {
  static const struct {
    const char *text, *fragment;
  } cases[] = {
      {"", "empty file"},
      {HEADER, "no snapshot"},
      {"time_ms,segment,owner\n0,0x1,0\n", "no column 'segment_slices'"},
      {HEADER "0,0x10000000,aa,512,1,1,page,small,64,1,1,1\n", ":2: 12 fields"},
      {HEADER "0,0x10000000,aa,512,1,1,page,small,64,1,1,x,0\n", ":2: used 'x'"},
      {HEADER "0,0x10000000,aa,512,1,1,page,small,64,1,1,-1,0\n", ":2: used '-1'"},
      {HEADER "0,0x10000000,aa,512,1,1,busy,small,64,1,1,1,0\n", "state (free, purged or page) 'busy'"},
      {HEADER "0,0x10000000,aa,512,1,1,page,tiny,64,1,1,1,0\n", "kind (small"},
      {HEADER "0,0x10000000,aa,512,1,1,page,-,64,1,1,1,0\n", ":2: a span in state page cannot have kind -"},
      {HEADER "0,0x10000000,aa,512,1,1,free,small,0,0,0,0,0\n", "cannot have kind small"},
      {HEADER "0,0x10000000,aa,512,510,5,free,-,0,0,0,0,0\n", ":2: span of '5' slices from slice 510 does not fit"},
      {HEADER "0,0x10000000,aa,512,0,5,free,-,0,0,0,0,0\n", ":2: first_slice"},
      {HEADER "0,0x0,aa,512,1,5,free,-,0,0,0,0,0\n", ":2: segment address '0x0'"},
      {HEADER "0,0x10000000,zz,512,1,5,free,-,0,0,0,0,0\n", ":2: owner"},
      {HEADER "0,0x10000000,aa,512,1,9,free,-,0,0,0,0,0\n0,0x10000000,aa,512,5,2,free,-,0,0,0,0,0\n",
       ":3: span at slice 5 overlaps the span at slices 1-9"},
      {HEADER "0,0x10000000,aa,512,1,9,free,-,0,0,0,0,0\n0,0x10000000,aa,256,10,2,free,-,0,0,0,0,0\n",
       ":3: segment_slices changes"},
      {HEADER "100,0x10000000,aa,512,1,1,free,-,0,0,0,0,0\n50,0x10000000,aa,512,1,1,free,-,0,0,0,0,0\n",
       ":3: time_ms 50 comes after 100"},
      {HEADER "0,0x10000000,a\"a,512,1,1,free,-,0,0,0,0,0\n", ":2: malformed CSV"},
      {HEADER_RESIDENT "0,0x10000000,aa,512,1,1,free,-,0,0,0,0,0\n", ":2: 13 fields, expected 14"},
      {HEADER_RESIDENT "0,0x10000000,aa,512,1,1,free,-,0,0,0,0,0,65537\n",
       ":2: resident (bytes, at most the span's) '65537'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *path = write_map(dir, "bad.csv", cases[i].text);
    ab_heapmap_t m;
    ab_err_t err;
    EXPECT_ERR(ab_heapmap_load(path, &m, &err), err, cases[i].fragment);
    free(path);
  }
  ab_heapmap_t m;
  ab_err_t err;
  EXPECT_ERR(ab_heapmap_load("/nonexistent/map.csv", &m, &err), err, "cannot read");
}

/* A refused map leaves nothing; a good one gives every picture and page. */
static void test_render(const char *dir, const char *good) {
  char *bad = write_map(dir, "bad.csv", HEADER "0,0x10000000,aa,512,1,1,page,-,0,0,0,0,0\n");
  char *out = ab_xasprintf("%s/render-out", dir);
  char *cmd = ab_xasprintf("rm -rf '%s'", out);
  EXPECT(system(cmd) == 0);
  ab_heapmap_source_t src[] = {{good, "good", "good map"}, {bad, "bad", "bad map"}};
  ab_err_t err;
  EXPECT_ERR(ab_heapmap_render(out, src, 2, "t", false, true, &err), err, "bad.csv:2:");
  EXPECT(!ab_file_exists(out));
  EXPECT(ab_heapmap_render(out, src, 2, "t", false, false, &err) == 1); /* the bad one skipped */
  const char *files[] = {"heapmap.html", "heapmap.md", "heapmap/good/0000.svg",
                         "heapmap/good/0001.svg", "heapmap/good/0002.svg"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *p = ab_xasprintf("%s/%s", out, files[i]);
    EXPECT(ab_file_exists(p));
    free(p);
  }
  char *md_path = ab_xasprintf("%s/heapmap.md", out);
  char *md = ab_read_file(md_path, &err);
  EXPECT(md && strstr(md, "### At the end: snapshot 3 of 3, t = 100 ms") != NULL);
  EXPECT(md && strstr(md, "### At the peak: snapshot 2 of 3, t = 100 ms") != NULL);
  EXPECT(md && strstr(md, "![At the peak](heapmap/good/0001.svg)") != NULL);
  free(md);
  free(md_path);
  free(cmd);
  free(out);
  free(bad);
}

/* report.md's section: the RSS curve beside the peak and last pictures. */
static void test_report(const char *dir) {
  char *run = ab_xasprintf("%s/run", dir);
  char *cmd = ab_xasprintf("rm -rf '%s' && mkdir -p '%s/heapmap'", run, run);
  EXPECT(system(cmd) == 0);
  ab_case_key_t key = {"churn64k", "--mode fixed", 2};
  char *slug = ab_case_slug(&key);
  char *name = ab_xasprintf("heapmap/%s.csv", slug);
  char *csv = write_map(run, name, good_map);
  ab_summary_t s = {.cases = &key, .n_cases = 1};
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  ab_heapmap_report(&b, run, &s, NULL);
  EXPECT(b.len == 0); /* a map without pictures is not shown */
  ab_heapmap_source_t src = {csv, slug, "churn64k"};
  ab_err_t err;
  EXPECT(ab_heapmap_render(run, &src, 1, "t", false, true, &err) == 1);
  ab_strv_t plots = {0};
  ab_strv_push_owned(&plots, ab_xasprintf("rss-%s", slug));
  ab_heapmap_report(&b, run, &s, &plots);
  char *rss = ab_xasprintf("![RSS](plots/rss-%s.svg)", slug);
  char *peak = ab_xasprintf("(heapmap/%s/0001.svg)<br>t = 100 ms", slug);
  char *end = ab_xasprintf("(heapmap/%s/0002.svg)<br>t = 100 ms", slug);
  EXPECT(strstr(b.s, "[heapmap.html](heapmap.html)") != NULL);
  EXPECT(strstr(b.s, "| churn64k --mode fixed t=2 |") != NULL);
  EXPECT(strstr(b.s, rss) && strstr(b.s, peak) && strstr(b.s, end));
  char *const frees[] = {rss, peak, end, slug, name, csv, cmd, run};
  for (size_t i = 0; i < sizeof frees / sizeof frees[0]; i++) free(frees[i]);
  ab_strv_free(&plots);
  ab_buf_free(&b);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char *tmp = ab_xasprintf("%s/heapmap", dir);
  mkdir(tmp, 0777);
  char *good = write_map(tmp, "good.csv", good_map);
  ab_heapmap_t m;
  ab_err_t err;
  if (ab_heapmap_load(good, &m, &err) < 0) {
    fprintf(stderr, "loading the good map failed: %s\n", err.msg);
    free(good);
    free(tmp);
    return 1;
  }
  test_load(&m);
  test_totals(&m);
  test_svg(&m);
  test_table(&m);
  test_html(&m);
  ab_heapmap_free(&m);
  test_malformed(tmp);
  test_resident(tmp);
  test_render(tmp, good);
  test_report(tmp);
  char *name = ab_heapmap_render_name("/x/y/my map(1).csv");
  EXPECT_STR(name, "my_map_1_");
  free(name);
  free(good);
  free(tmp);
  return TEST_RESULT();
}
