/* allocbench: heap maps in report.md. */
#include "heapmap_report.h"

#include <stdlib.h>

#include "files.h"
#include "heapmap.h"

/* One picture cell: the snapshot, the bytes in pages then and, when the
 * map has them, the bytes resident. */
static void ab_heapmap_report_cell(ab_buf_t *b, const ab_heapmap_t *m, size_t i, const char *what) {
  char *pic = ab_heapmap_picture(m, i, "svg"), pages[32], resident[32];
  ab_heapmap_totals_t t;
  ab_heapmap_totals(&m->snaps[i], &t);
  ab_heapmap_bytes(t.page_bytes, pages, sizeof pages);
  ab_buf_printf(b, " ![segalloc %s](%s)<br>t = %.0f ms, %s in pages", what, pic,
                m->snaps[i].time_ms, pages);
  if (m->snaps[i].has_resident) {
    ab_heapmap_bytes(t.page_resident_bytes + t.free_resident_bytes, resident, sizeof resident);
    ab_buf_printf(b, ", %s resident", resident);
  }
  ab_buf_puts(b, " |");
  free(pic);
}

/* The map of case c when it was drawn: loaded, with its pictures there. */
static bool ab_heapmap_report_load(const char *run_dir, const ab_case_key_t *c, ab_heapmap_t *m) {
  char *slug = ab_case_slug(c);
  char *csv = ab_xasprintf("%s/heapmap/%s.csv", run_dir, slug);
  bool ok = ab_file_exists(csv) && ab_heapmap_load(csv, m, NULL) == 0;
  if (ok) {
    m->name = slug;
    slug = NULL;
    char *pic = ab_heapmap_picture(m, m->n_snaps - 1, "svg");
    char *path = ab_xasprintf("%s/%s", run_dir, pic);
    if (!ab_file_exists(path)) {
      ab_heapmap_free(m);
      ok = false;
    }
    free(pic);
    free(path);
  }
  free(slug);
  free(csv);
  return ok;
}

static void ab_heapmap_report_row(ab_buf_t *b, const ab_case_key_t *c, const ab_heapmap_t *m,
                                  const ab_strv_t *plots) {
  char *label = ab_case_label(c), *slug = ab_case_slug(c);
  char *rss = ab_xasprintf("rss-%s", slug);
  ab_buf_printf(b, "| %s |", label);
  if (plots && ab_strv_contains(plots, rss)) ab_buf_printf(b, " ![RSS](plots/%s.svg) |", rss);
  else ab_buf_puts(b, " (no RSS plot) |");
  ab_heapmap_report_cell(b, m, ab_heapmap_peak(m), "at its peak");
  ab_heapmap_report_cell(b, m, m->n_snaps - 1, "at the end");
  ab_buf_puts(b, "\n");
  free(rss);
  free(slug);
  free(label);
}

void ab_heapmap_report(ab_buf_t *b, const char *run_dir, const ab_summary_t *s,
                       const ab_strv_t *plots) {
  bool any = false;
  for (size_t c = 0; c < s->n_cases; c++) {
    ab_heapmap_t m;
    if (!ab_heapmap_report_load(run_dir, &s->cases[c], &m)) continue;
    if (!any)
      ab_buf_puts(b, "## segalloc's heap map\n\nWhat segalloc's memory is made of, from the "
                     "snapshots its first run of each case wrote (SEGALLOC_MAP): one row per "
                     "32 MiB segment, its 64 KiB slices coloured by state (free, purged, small, "
                     "medium, large or huge page) with each page filled to its used blocks; the "
                     "peak is the snapshot with the most bytes in pages. Step "
                     "through every snapshot in [heapmap.html](heapmap.html); per-size-class "
                     "tables in [heapmap.md](heapmap.md). Snapshot times count from the first "
                     "snapshot, RSS times from the start of the run.\n\n"
                     "| case | RSS over time | segalloc at its peak | segalloc at the end |\n"
                     "|---|---|---|---|\n");
    any = true;
    ab_heapmap_report_row(b, &s->cases[c], &m, plots);
    ab_heapmap_free(&m);
  }
  if (any) ab_buf_puts(b, "\n");
}
