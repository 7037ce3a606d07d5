/* allocbench: SVG picture of one heap-map snapshot. */
#include "heapmap_svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Geometry, in pixels: a 512-slice segment gets 2 px per slice. */
enum {
  AB_SVG_PAD = 12, AB_SVG_LABEL_W = 230, AB_SVG_BAR_W = 1024, AB_SVG_ROW_H = 18,
  AB_SVG_ROW_PITCH = 24, AB_SVG_TOP = 84, AB_SVG_LEGEND_H = 82,
};
#define AB_SVG_X0 (AB_SVG_PAD + AB_SVG_LABEL_W)
#define AB_SVG_WIDTH (AB_SVG_X0 + AB_SVG_BAR_W + 3 * AB_SVG_PAD) /* room for "32 MiB" */

/* One hue per page kind (small, medium, large, huge), distinct for most
 * colour-blind readers too; free and purged spans are grey and white. The
 * pale tint (35% of the hue on white) is written out rather than drawn with
 * fill-opacity, which ImageMagick's own SVG renderer ignores. */
static const char *const ab_svg_kind_colour[AB_HEAPMAP_PAGE_KINDS] = {"#4e79a7", "#59a14f",
                                                                      "#f28e2b", "#b07aa1"};
static const char *const ab_svg_kind_pale[AB_HEAPMAP_PAGE_KINDS] = {"#c1d0e0", "#c5dec1",
                                                                    "#fad7b5", "#e3d0de"};
#define AB_SVG_FREE "#a3a3a3" /* darker than any pale (empty) page */
#define AB_SVG_FREE_PALE "#e4e4e4" /* a free span's part not resident, when the map says */
#define AB_SVG_PURGED "#ffffff"
#define AB_SVG_HEADER "#444444"
#define AB_SVG_THREAD_FREE "#e15759"

typedef struct ab_svg_s {
  ab_buf_t *out;
  const ab_heapmap_t *map;
  size_t snap;
} ab_svg_t;

static void ab_svg_title(ab_svg_t *v, const ab_heapmap_totals_t *t) {
  const ab_heapmap_snapshot_t *s = &v->map->snaps[v->snap];
  char pages[32], free_b[32], purged[32], used[32], tf[32], unused[32];
  ab_heapmap_bytes(t->page_bytes, pages, sizeof pages);
  ab_heapmap_bytes(t->free_bytes, free_b, sizeof free_b);
  ab_heapmap_bytes(t->purged_bytes, purged, sizeof purged);
  ab_heapmap_bytes(t->used_bytes, used, sizeof used);
  ab_heapmap_bytes(t->thread_free_bytes, tf, sizeof tf);
  ab_heapmap_bytes(t->unused_bytes, unused, sizeof unused);
  ab_buf_printf(v->out, "<text x=\"%d\" y=\"22\" class=\"title\">", AB_SVG_PAD);
  ab_heapmap_escape(v->out, v->map->title ? v->map->title : v->map->path);
  ab_buf_printf(v->out, " · snapshot %zu of %zu · t = %.0f ms</text>\n", v->snap + 1,
                v->map->n_snaps, s->time_ms);
  ab_buf_printf(v->out,
                "<text x=\"%d\" y=\"42\">%zu segments (%zu abandoned, %zu cached) · pages: %zu "
                "small, %zu medium, %zu large, %zu huge</text>\n",
                AB_SVG_PAD, t->segments, t->abandoned, t->cached, t->pages[0], t->pages[1],
                t->pages[2], t->pages[3]);
  ab_buf_printf(v->out,
                "<text x=\"%d\" y=\"58\">in pages %s · free spans %s · purged %s · in "
                "blocks: %s used (%s of it freed by other threads, in thread_free), %s unused",
                AB_SVG_PAD, pages, free_b, purged, used, tf, unused);
  if (s->has_resident) {
    char res_pages[32], res_free[32];
    ab_heapmap_bytes(t->page_resident_bytes, res_pages, sizeof res_pages);
    ab_heapmap_bytes(t->free_resident_bytes, res_free, sizeof res_free);
    ab_buf_printf(v->out, " · resident: %s in pages, %s in free spans", res_pages, res_free);
  }
  ab_buf_puts(v->out, "</text>\n");
}

/* Offsets along a 32 MiB segment, every 4 MiB. */
static void ab_svg_axis(ab_svg_t *v, int rows_bottom) {
  for (int k = 0; k <= 8; k++) {
    double x = AB_SVG_X0 + k * AB_SVG_BAR_W / 8.0;
    ab_buf_printf(v->out,
                  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>"
                  "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%d MiB</text>\n",
                  x, AB_SVG_TOP - 6, x, rows_bottom, x, AB_SVG_TOP - 10, k * 4);
  }
}

static void ab_svg_rect(ab_buf_t *out, const char *cls, double x, double y, double w, double h,
                        const char *fill, const char *extra) {
  /* One decimal is a tenth of a pixel: all the precision a picture shows,
   * and pictures of busy heaps stay small. */
  ab_buf_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                     "fill=\"%s\"%s/>", cls, x, y, w, h, fill, extra);
}

/* Hover text: where the span is and, for a page, its counts. */
static void ab_svg_span_tooltip(ab_buf_t *out, const ab_heapmap_segment_t *seg,
                                const ab_heapmap_span_t *sp, bool has_resident) {
  char size[32];
  ab_heapmap_bytes((uint64_t)sp->slices * AB_HEAPMAP_SLICE_BYTES, size, sizeof size);
  ab_buf_printf(out, "<title>seg %zu, slices %u-%u (%s): ", seg->number, sp->first_slice,
                sp->first_slice + sp->slices - 1, size);
  if (sp->state == AB_HEAPMAP_PAGE)
    ab_buf_printf(out, "%s page, %llu B blocks, %u used of %u (%u made), %u in thread_free",
                  ab_heapmap_kind_names[sp->kind], (unsigned long long)sp->block_size, sp->used,
                  sp->reserved, sp->capacity, sp->thread_free);
  else
    ab_buf_puts(out, sp->state == AB_HEAPMAP_FREE ? "free, not purged" : "purged");
  if (has_resident) {
    char resident[32];
    ab_heapmap_bytes(sp->resident, resident, sizeof resident);
    ab_buf_printf(out, "; %s resident", resident);
  }
  ab_buf_puts(out, "</title>");
}

/* The pale page, its level of live blocks and the thread_free part above. */
static void ab_svg_page(ab_buf_t *out, const ab_heapmap_span_t *sp, double x, double y, double w) {
  const char *colour = ab_svg_kind_colour[sp->kind], *pale = ab_svg_kind_pale[sp->kind];
  char cls[32];
  snprintf(cls, sizeof cls, "span %s", ab_heapmap_kind_names[sp->kind]);
  ab_svg_rect(out, cls, x, y, w, AB_SVG_ROW_H, pale, "");
  double fit = sp->reserved ? sp->reserved : 1; /* counts are read live: clamp to the page */
  double live = ab_heapmap_live(sp) / fit, tf = (sp->used - ab_heapmap_live(sp)) / fit;
  if (live > 1) live = 1;
  if (live + tf > 1) tf = 1 - live;
  double h_live = live * AB_SVG_ROW_H, h_tf = tf * AB_SVG_ROW_H;
  if (h_live > 0) ab_svg_rect(out, "level", x, y + AB_SVG_ROW_H - h_live, w, h_live, colour, "");
  if (h_tf > 0)
    ab_svg_rect(out, "tf", x, y + AB_SVG_ROW_H - h_live - h_tf, w, h_tf, AB_SVG_THREAD_FREE, "");
}

/* A free span: dark grey where it may be resident; with residency in the
 * map, pale with a dark level rising to its resident share. */
static void ab_svg_free(ab_buf_t *out, const ab_heapmap_span_t *sp, double x, double y, double w,
                        bool has_resident) {
  if (!has_resident) {
    ab_svg_rect(out, "span free", x, y, w, AB_SVG_ROW_H, AB_SVG_FREE, "");
    return;
  }
  ab_svg_rect(out, "span free", x, y, w, AB_SVG_ROW_H, AB_SVG_FREE_PALE, "");
  double share = (double)sp->resident / ((double)sp->slices * (double)AB_HEAPMAP_SLICE_BYTES);
  double h = (share > 1 ? 1 : share) * AB_SVG_ROW_H;
  if (h > 0) ab_svg_rect(out, "resident", x, y + AB_SVG_ROW_H - h, w, h, AB_SVG_FREE, "");
}

static void ab_svg_span(ab_svg_t *v, const ab_heapmap_segment_t *seg, const ab_heapmap_span_t *sp,
                        double px, double y) {
  double x = AB_SVG_X0 + sp->first_slice * px, w = sp->slices * px;
  /* A hairline between neighbours, so that adjacent pages stay apart. */
  w -= w > 2 ? 0.5 : w * 0.25;
  bool has_resident = v->map->snaps[v->snap].has_resident;
  ab_buf_puts(v->out, "<g>");
  ab_svg_span_tooltip(v->out, seg, sp, has_resident);
  if (sp->state == AB_HEAPMAP_PAGE) ab_svg_page(v->out, sp, x, y, w);
  else if (sp->state == AB_HEAPMAP_FREE) ab_svg_free(v->out, sp, x, y, w, has_resident);
  else
    ab_svg_rect(v->out, "span purged", x, y, w, AB_SVG_ROW_H, AB_SVG_PURGED,
                " stroke=\"#bbbbbb\" stroke-width=\"0.5\"");
  ab_buf_puts(v->out, "</g>\n");
}

static void ab_svg_label(ab_svg_t *v, const ab_heapmap_segment_t *seg, size_t number, double y) {
  ab_buf_printf(v->out, "<text x=\"%d\" y=\"%.1f\" class=\"label\">", AB_SVG_PAD, y + 13);
  if (!seg) {
    ab_buf_printf(v->out, "seg %zu · not mapped</text>\n", number);
    return;
  }
  ab_buf_printf(v->out, "<title>segment at 0x%llx, owner %llx</title>seg %zu · ",
                (unsigned long long)seg->address, (unsigned long long)seg->owner, seg->number);
  ab_heapmap_tenure_t tenure = ab_heapmap_tenure(seg);
  if (tenure == AB_HEAPMAP_OWNED) ab_buf_printf(v->out, "thread T%zu", seg->thread);
  else ab_buf_puts(v->out, tenure == AB_HEAPMAP_ABANDONED ? "abandoned" : "cached");
  if (seg->owner_changed) ab_buf_puts(v->out, "*");
  if (seg->slices != 512) {
    char size[32];
    ab_heapmap_bytes((uint64_t)seg->slices * AB_HEAPMAP_SLICE_BYTES, size, sizeof size);
    ab_buf_printf(v->out, " · %s", size);
  }
  ab_buf_puts(v->out, "</text>\n");
}

static void ab_svg_row(ab_svg_t *v, const ab_heapmap_segment_t *seg, size_t number, double y) {
  ab_svg_label(v, seg, number, y);
  if (!seg) {
    ab_buf_printf(v->out, "<line class=\"unmapped\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                          "stroke=\"#bbbbbb\" stroke-dasharray=\"4 4\"/>\n",
                  AB_SVG_X0, y + AB_SVG_ROW_H / 2.0, AB_SVG_X0 + AB_SVG_BAR_W,
                  y + AB_SVG_ROW_H / 2.0);
    return;
  }
  double px = (double)AB_SVG_BAR_W / (double)seg->slices;
  ab_svg_rect(v->out, "header", AB_SVG_X0, y, px, AB_SVG_ROW_H, AB_SVG_HEADER, "");
  ab_buf_puts(v->out, "\n");
  for (size_t i = 0; i < seg->n_spans; i++) ab_svg_span(v, seg, &seg->spans[i], px, y);
}

static void ab_svg_legend_item(ab_buf_t *out, int *x, int y, const char *cls_fill,
                               const char *extra, const char *text) {
  ab_svg_rect(out, "legend-swatch", *x, y - 10, 14, 12, cls_fill, extra);
  ab_buf_printf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", *x + 19, y, text);
  *x += 19 + 7 * (int)strlen(text) + 18;
}

/* A page swatch as drawn: pale, dark level, red thread_free on top. */
static void ab_svg_legend_level(ab_buf_t *out, int x, int y) {
  ab_svg_rect(out, "legend-swatch", x, y - 10, 14, 12, ab_svg_kind_pale[1], "");
  ab_svg_rect(out, "legend-swatch", x, y - 4, 14, 6, ab_svg_kind_colour[1], "");
  ab_svg_rect(out, "legend-swatch", x, y - 7, 14, 3, AB_SVG_THREAD_FREE, "");
  ab_buf_printf(out, "<text x=\"%d\" y=\"%d\">a page: the dark part rises to (used blocks) / "
                     "(blocks that fit); the red part on top: blocks freed by other threads, "
                     "waiting in thread_free</text>\n", x + 19, y);
}

static void ab_svg_legend(ab_svg_t *v, int y) {
  ab_buf_printf(v->out, "<g class=\"legend\">\n");
  int x = AB_SVG_PAD;
  ab_svg_legend_item(v->out, &x, y, AB_SVG_HEADER, "", "segment header");
  if (v->map->snaps[v->snap].has_resident)
    ab_svg_legend_item(v->out, &x, y, AB_SVG_FREE, "", "free span (dark: its resident share)");
  else
    ab_svg_legend_item(v->out, &x, y, AB_SVG_FREE, "", "free span (some slices may be resident)");
  ab_svg_legend_item(v->out, &x, y, AB_SVG_PURGED, " stroke=\"#bbbbbb\"",
                     "purged (returned to the OS)");
  for (int k = 0; k < AB_HEAPMAP_PAGE_KINDS; k++) {
    char text[32];
    snprintf(text, sizeof text, "%s page", ab_heapmap_kind_names[k]);
    ab_svg_legend_item(v->out, &x, y, ab_svg_kind_colour[k], "", text);
  }
  ab_svg_legend_level(v->out, AB_SVG_PAD, y + 20);
  ab_buf_printf(v->out,
                "<text x=\"%d\" y=\"%d\">Rows: segments (32 MiB, 512 slices of 64 KiB; a huge "
                "one is shrunk to the same width). T1, T2..: owning threads in order of "
                "appearance (ids of ended threads are reused).</text>\n"
                "<text x=\"%d\" y=\"%d\">abandoned: its thread ended while blocks in it were "
                "live, and no thread has reclaimed it yet; cached: empty, kept for reuse; "
                "*: changed owner during the snapshot.</text>\n</g>\n",
                AB_SVG_PAD, y + 40, AB_SVG_PAD, y + 56);
}

/* The segments drawn, one per row: the stable rows (see the header), or
 * the snapshot's own. rows[i] NULL: not mapped at that moment. */
static size_t ab_svg_rows(const ab_svg_t *v, const ab_heapmap_segment_t ***rows) {
  const ab_heapmap_snapshot_t *s = &v->map->snaps[v->snap];
  bool stable = v->map->n_addresses <= AB_HEAPMAP_SVG_STABLE_ROWS;
  size_t n = stable ? v->map->n_addresses : s->n_segments;
  *rows = ab_xcalloc(n, sizeof **rows);
  for (size_t i = 0; i < s->n_segments; i++)
    (*rows)[stable ? s->segments[i].number - 1 : i] = &s->segments[i];
  return n;
}

void ab_heapmap_svg(const ab_heapmap_t *map, size_t snap, ab_buf_t *out) {
  ab_svg_t v = {out, map, snap};
  const ab_heapmap_segment_t **rows;
  size_t n = ab_svg_rows(&v, &rows);
  int rows_bottom = AB_SVG_TOP + (int)n * AB_SVG_ROW_PITCH;
  int height = rows_bottom + AB_SVG_LEGEND_H;
  /* stroke="none" said once: ImageMagick's renderer outlines every rect otherwise. */
  ab_buf_printf(out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" stroke=\"none\" width=\"%d\" "
                "height=\"%d\" "
                "viewBox=\"0 0 %d %d\">\n<style>text{font-family:'DejaVu Sans',Arial,sans-serif;"
                "font-size:11px;fill:#222222}.title{font-size:15px;font-weight:bold}"
                ".axis{font-size:9px;fill:#666666}.label{font-family:'DejaVu Sans Mono',"
                "monospace}</style>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
                AB_SVG_WIDTH, height, AB_SVG_WIDTH, height);
  ab_heapmap_totals_t t;
  ab_heapmap_totals(&map->snaps[snap], &t);
  ab_svg_title(&v, &t);
  ab_svg_axis(&v, rows_bottom);
  for (size_t i = 0; i < n; i++)
    ab_svg_row(&v, rows[i], i + 1, AB_SVG_TOP + (double)i * AB_SVG_ROW_PITCH);
  ab_svg_legend(&v, rows_bottom + 20);
  ab_buf_puts(out, "</svg>\n");
  free(rows);
}
